# cython: language_level=3
"""Softmax and log-softmax over any ``dim``, forward and backward.

The array is seen as ``(outer, D, inner)`` with ``D`` the softmax axis
(C-contiguous; other layouts are copied first).

- ``inner == 1`` (``dim`` is the last axis, the common case): rows are
  processed in groups of about ``GROUP_ELEMS`` elements.  Per row a max and
  ``x - max`` are written; one vectorised exp runs over the whole group (so
  short rows such as ``(64, 10)`` do not pay one call per row); then per row
  a sum and a scale.
- ``inner > 1``: a slab ``(D, inner)`` is reduced down its columns with
  plain vector loops along ``inner`` (the contiguous axis), in column tiles
  of at most ``TILE`` elements.  No transpose copy: the strided reduction is
  as fast as the row one because every pass is a contiguous sweep.

NaN/Inf follow the reference exactly: a NaN, or ``+inf``, or a row of only
``-inf``, makes the whole row NaN (``inf - inf``), as in NumPy and PyTorch.
"""
cimport numpy as cnp
from cython.parallel cimport prange
from libc.math cimport INFINITY, log, logf

from pytensor_ext.cpu._common cimport (
    real, vexp, vlog, vsum, vmax, vdot, threads_for, real_type, c_array,
    empty_like_c)
import operator

from pytensor_ext import reference as _ref

cnp.import_array()

__all__ = ["softmax_fwd", "softmax_bwd", "log_softmax_fwd", "log_softmax_bwd"]

cdef enum:
    GROUP_ELEMS = 4096      # elements per row group (L1-sized for float32)
    GROUP_ROWS = 1024       # rows per group at most (size of the row buffers)
    TILE = 512              # columns per tile in the inner > 1 path
    MIN_TILE = 32           # narrowest tile (still whole vector registers)


# Elements per thread below which the kernels stay on one thread.
cdef Py_ssize_t GRAIN = 1 << 14
# Bytes of one column tile of the three arrays (input, gradient, output):
# small enough to stay in L2 between the passes over the tile.
cdef Py_ssize_t TILE_BYTES = 196608


def _set_tile_bytes(Py_ssize_t n):
    """Tuning hook for benchmarks: the column-tile budget; returns the old
    one."""
    global TILE_BYTES
    old = TILE_BYTES
    TILE_BYTES = n
    return old

cdef enum Kind:
    SOFTMAX_FWD
    LOG_SOFTMAX_FWD
    SOFTMAX_BWD
    LOG_SOFTMAX_BWD


cdef inline real _log(real v) noexcept nogil:
    if real is float:
        return logf(v)
    else:
        return log(v)


# --- dim == last: groups of rows -------------------------------------------
cdef void _rows(Kind kind, const real* a, const real* g, real* y,
                Py_ssize_t R, Py_ssize_t D) noexcept nogil:
    """``R`` consecutive rows of length ``D``.  Forward: ``a`` is x (``g``
    unused); backward: ``a`` is the saved output, ``g`` the gradient."""
    cdef real buf[GROUP_ROWS]
    cdef Py_ssize_t r, j
    cdef const real* ar
    cdef const real* gr
    cdef real* yr
    cdef real m, s
    if kind == SOFTMAX_FWD or kind == LOG_SOFTMAX_FWD:
        for r in range(R):
            ar = a + r * D
            yr = y + r * D
            m = vmax(ar, D)
            buf[r] = m
            for j in range(D):
                yr[j] = ar[j] - m
        vexp(y, y, R * D)
        for r in range(R):
            ar = a + r * D
            yr = y + r * D
            s = vsum(yr, D)
            if kind == SOFTMAX_FWD:
                s = 1 / s
                for j in range(D):
                    yr[j] = yr[j] * s
            else:
                m = buf[r]
                s = _log(s)
                for j in range(D):
                    yr[j] = (ar[j] - m) - s
    elif kind == SOFTMAX_BWD:
        for r in range(R):
            ar = a + r * D
            gr = g + r * D
            yr = y + r * D
            s = vdot(gr, ar, D)
            for j in range(D):
                yr[j] = ar[j] * (gr[j] - s)
    else:
        vexp(a, y, R * D)
        for r in range(R):
            gr = g + r * D
            yr = y + r * D
            s = vsum(gr, D)
            for j in range(D):
                yr[j] = gr[j] - yr[j] * s


cdef void _run_rows(Kind kind, const real* a, const real* g, real* y,
                    Py_ssize_t outer, Py_ssize_t D) noexcept nogil:
    cdef Py_ssize_t G = GROUP_ELEMS // D if D < GROUP_ELEMS else 1
    cdef Py_ssize_t ng, k, r0
    if G > GROUP_ROWS:
        G = GROUP_ROWS
    if G < 1:
        G = 1
    ng = (outer + G - 1) // G
    cdef int nt = threads_for(outer * D, GRAIN)
    if nt > 1:
        for k in prange(ng, num_threads=nt, schedule="static"):
            r0 = k * G
            _rows(kind, a + r0 * D, g + r0 * D, y + r0 * D,
                  min(G, outer - r0), D)
    else:
        for k in range(ng):
            r0 = k * G
            _rows(kind, a + r0 * D, g + r0 * D, y + r0 * D,
                  min(G, outer - r0), D)


# --- dim != last: column tiles of (D, inner) slabs -----------------------------
cdef void _cols(Kind kind, const real* a, const real* g, real* y,
                Py_ssize_t D, Py_ssize_t inner, Py_ssize_t c0,
                Py_ssize_t W) noexcept nogil:
    """Columns ``[c0, c0 + W)`` of one ``(D, inner)`` slab (pointers are to
    the slab start).  Every inner loop runs along ``inner``: contiguous."""
    cdef real m[TILE]
    cdef real s[TILE]
    cdef Py_ssize_t d, c
    cdef const real* ar
    cdef const real* gr
    cdef real* yr
    cdef real v
    cdef bint whole = W == inner
    if kind == SOFTMAX_FWD or kind == LOG_SOFTMAX_FWD:
        for c in range(W):
            m[c] = -INFINITY
        for d in range(D):
            ar = a + d * inner + c0
            for c in range(W):
                v = ar[c]
                m[c] = v if v > m[c] else m[c]
        for d in range(D):
            ar = a + d * inner + c0
            yr = y + d * inner + c0
            for c in range(W):
                yr[c] = ar[c] - m[c]
            if not whole:
                vexp(yr, yr, W)
        if whole:       # the slab is contiguous: one call, no short tails
            vexp(y, y, D * inner)
        for c in range(W):
            s[c] = 0
        for d in range(D):
            yr = y + d * inner + c0
            for c in range(W):
                s[c] = s[c] + yr[c]
        if kind == SOFTMAX_FWD:
            for c in range(W):
                s[c] = 1 / s[c]
            for d in range(D):
                yr = y + d * inner + c0
                for c in range(W):
                    yr[c] = yr[c] * s[c]
        else:
            vlog(s, s, W)
            for d in range(D):
                ar = a + d * inner + c0
                yr = y + d * inner + c0
                for c in range(W):
                    yr[c] = (ar[c] - m[c]) - s[c]
    elif kind == SOFTMAX_BWD:
        for c in range(W):
            s[c] = 0
        for d in range(D):
            ar = a + d * inner + c0
            gr = g + d * inner + c0
            for c in range(W):
                s[c] = s[c] + gr[c] * ar[c]
        for d in range(D):
            ar = a + d * inner + c0
            gr = g + d * inner + c0
            yr = y + d * inner + c0
            for c in range(W):
                yr[c] = ar[c] * (gr[c] - s[c])
    else:
        if whole:
            vexp(a, y, D * inner)
        for c in range(W):
            s[c] = 0
        for d in range(D):
            gr = g + d * inner + c0
            for c in range(W):
                s[c] = s[c] + gr[c]
        for d in range(D):
            ar = a + d * inner + c0
            gr = g + d * inner + c0
            yr = y + d * inner + c0
            if not whole:
                vexp(ar, yr, W)
            for c in range(W):
                yr[c] = gr[c] - yr[c] * s[c]


cdef void _run_cols(Kind kind, const real* a, const real* g, real* y,
                    Py_ssize_t outer, Py_ssize_t D,
                    Py_ssize_t inner) noexcept nogil:
    cdef int nt = threads_for(outer * D * inner, GRAIN)
    cdef Py_ssize_t W = inner if inner < TILE else TILE
    cdef Py_ssize_t ntile, items, k, o, c0, slab = D * inner
    cdef Py_ssize_t fit = TILE_BYTES // (3 * D * <Py_ssize_t>sizeof(real))
    if nt > 1 and outer < nt and inner >= 2 * MIN_TILE:
        # Too few slabs to share: split the columns instead.
        W = (inner + nt - 1) // nt
    if W < inner and W > fit:
        # A partial tile sweeps D rows of W columns with a row stride of
        # ``inner``; wider than ``fit`` it falls out of L2 between passes
        # (measured at (256, 1000), dim 0: 6x slower with W = 512 than with
        # W = 192).  A whole slab (inner <= TILE) is one contiguous sweep
        # and one vector-exp call, fastest even beyond L2.
        W = fit
    if W > TILE:
        W = TILE                # the per-column buffers hold TILE values
    if W < MIN_TILE:
        W = MIN_TILE if inner > MIN_TILE else inner
    ntile = (inner + W - 1) // W
    items = outer * ntile
    if nt > 1:
        for k in prange(items, num_threads=nt, schedule="static"):
            o = k // ntile
            c0 = (k % ntile) * W
            _cols(kind, a + o * slab, g + o * slab, y + o * slab, D, inner,
                  c0, min(W, inner - c0))
    else:
        for k in range(items):
            o = k // ntile
            c0 = (k % ntile) * W
            _cols(kind, a + o * slab, g + o * slab, y + o * slab, D, inner,
                  c0, min(W, inner - c0))


# --- Python wrappers -------------------------------------------------------------
cdef tuple _geometry(str name, cnp.ndarray a, object dim):
    """(outer, D, inner) of ``a`` around ``dim``; a 0-d array is one
    element (PyTorch accepts dim 0 or -1 there)."""
    cdef int nd = cnp.PyArray_NDIM(a)
    cdef int span = nd if nd > 0 else 1
    cdef Py_ssize_t d, i, outer = 1, inner = 1
    cdef cnp.npy_intp* shape = cnp.PyArray_DIMS(a)
    try:
        d = operator.index(dim)
    except TypeError:
        raise TypeError(f"{name}: dim must be an int, got "
                        f"{type(dim).__name__}") from None
    except OverflowError:               # beyond Py_ssize_t
        d = span
    if d < -span or d >= span:
        raise IndexError(f"{name}: Dimension out of range (expected to be in "
                         f"range of [{-span}, {span - 1}], but got {dim})")
    if nd == 0:
        return 1, 1, 1
    if d < 0:
        d += nd
    for i in range(d):
        outer *= shape[i]
    for i in range(d + 1, nd):
        inner *= shape[i]
    return outer, shape[d], inner


cdef object _run(Kind kind, cnp.ndarray a, cnp.ndarray g, cnp.ndarray out,
                 int t, Py_ssize_t outer, Py_ssize_t D, Py_ssize_t inner):
    cdef void* pa = cnp.PyArray_DATA(a)
    cdef void* pg = cnp.PyArray_DATA(g)
    cdef void* py = cnp.PyArray_DATA(out)
    if outer == 0 or D == 0 or inner == 0:
        return out
    with nogil:
        if t == cnp.NPY_FLOAT32:
            if inner == 1:
                _run_rows[float](kind, <float*>pa, <float*>pg, <float*>py,
                                 outer, D)
            else:
                _run_cols[float](kind, <float*>pa, <float*>pg, <float*>py,
                                 outer, D, inner)
        else:
            if inner == 1:
                _run_rows[double](kind, <double*>pa, <double*>pg,
                                  <double*>py, outer, D)
            else:
                _run_cols[double](kind, <double*>pa, <double*>pg,
                                  <double*>py, outer, D, inner)
    return out


cdef object _fwd(str name, Kind kind, object x, object dim):
    cdef int t = real_type(x)
    if t < 0:
        return getattr(_ref, name)(x, dim)
    cdef cnp.ndarray a = c_array(x)
    outer, D, inner = _geometry(name, a, dim)
    return _run(kind, a, a, empty_like_c(a), t, outer, D, inner)


cdef object _bwd(str name, Kind kind, object y, object gy, object dim):
    cdef int t = real_type(y)
    if t < 0 or real_type(gy) != t:
        return getattr(_ref, name)(y, gy, dim)
    if y.shape != gy.shape:
        raise ValueError(f"{name}: the saved output of shape "
                         f"{tuple(y.shape)} and the gradient of shape "
                         f"{tuple(gy.shape)} differ")
    cdef cnp.ndarray a = c_array(y)
    cdef cnp.ndarray g = c_array(gy)
    outer, D, inner = _geometry(name, a, dim)
    return _run(kind, a, g, empty_like_c(g), t, outer, D, inner)


def softmax_fwd(x, dim):
    """``exp(x - max) / sum(exp(x - max))`` along ``dim``."""
    return _fwd("softmax_fwd", SOFTMAX_FWD, x, dim)


def softmax_bwd(y, gy, dim):
    """Gradient of softmax from its output: ``y * (gy - sum(gy * y))``."""
    return _bwd("softmax_bwd", SOFTMAX_BWD, y, gy, dim)


def log_softmax_fwd(x, dim):
    """``x - max - log(sum(exp(x - max)))`` along ``dim``."""
    return _fwd("log_softmax_fwd", LOG_SOFTMAX_FWD, x, dim)


def log_softmax_bwd(y, gy, dim):
    """Gradient of log-softmax from its output: ``gy - exp(y) * sum(gy)``."""
    return _bwd("log_softmax_bwd", LOG_SOFTMAX_BWD, y, gy, dim)
