# cython: language_level=3
"""Fused layer-norm and batch-norm kernels, forward and backward.

NumPy needs 8-12 passes over the data for a normalization (mean, centre,
square, mean, sqrt, divide, scale, shift; the backward as many again) and
allocates a temporary for each.  These kernels make two passes for the
statistics and one for the output, with the statistics accumulated in
double precision (so float32 inputs lose nothing to long sums, as PyTorch
accumulates in ``acc_type<float> = double`` on the CPU), and one or two
passes for the backward.

- ``layer_norm_*``: rows of an ``(M, N)`` array, spread over OpenMP threads
  by rows; the weight/bias gradients (column sums over rows) go to one
  double-precision buffer per thread, summed at the end.
- ``batch_norm_*``: channels of ``(N, C, L)``; ``L > 1`` spreads channels
  over threads, ``L == 1`` (``(N, C)`` inputs) accumulates whole rows into
  per-channel sums, which vectorises along the contiguous channel axis.

Signatures and semantics are those of :mod:`pytensor_ext.reference`.
Arrays that are not native float32/float64 go to the reference; other
layouts are copied to C order first.  No fast-math: NaN/Inf propagate.
"""
cimport numpy as cnp
from cython.parallel cimport prange
from libc.math cimport sqrt
from libc.stdlib cimport calloc, free

from pytensor_ext.cpu._common cimport real, threads_for, real_type, c_array
import numpy as np

from pytensor_ext import reference as _ref

cnp.import_array()

__all__ = ["layer_norm_fwd", "layer_norm_bwd", "batch_norm_fwd",
           "batch_norm_bwd"]

# Elements per thread below which a kernel stays on one thread.  The
# kernels run at 1-3 GB/s per thread, so a parallel region would pay for
# itself from about 2^17 elements on an idle machine; but on a busy one
# (the shared 2-core development machine under load 7) starting the second
# thread of a region took 10-50 ms, and batch_norm_fwd on (64, 32, 784)
# went from 1.7 ms on one thread to 58 ms on two.  So only work large
# enough that such a stall stays small against it is split.
cdef Py_ssize_t GRAIN = 1 << 22
# Independent partial sums: gcc vectorises the lanes (no reassociation of
# one long dependency chain, which only -ffast-math would allow).
cdef enum:
    ACC = 32
    BLOCK = 512
    FLUSH = 64


def _set_grain(Py_ssize_t grain):
    """Set the per-thread grain; returns the previous one (for the tests,
    which exercise the threaded paths on small arrays)."""
    global GRAIN
    old = GRAIN
    GRAIN = max(1, grain)
    return old


# --- helpers -----------------------------------------------------------------
cdef inline int _threads(Py_ssize_t work) noexcept nogil:
    return threads_for(work, GRAIN)


cdef inline void* _ptr(object a) noexcept:
    return NULL if a is None else cnp.PyArray_DATA(<cnp.ndarray>a)


cdef inline double _combine(real* acc) noexcept nogil:
    """The ``ACC`` partial sums added pairwise (they are clobbered)."""
    cdef int w = ACC // 2, j
    while w >= 1:
        for j in range(w):
            acc[j] += acc[j + w]
        w //= 2
    return acc[0]


cdef inline double _sum(const real* x, Py_ssize_t n) noexcept nogil:
    """``sum(x)``: ``ACC`` lanes of ``real`` partial sums over blocks of
    ``BLOCK`` elements (vectorised), each block's total added in double
    (so long float32 rows keep double-like accuracy)."""
    cdef real acc[ACC]
    cdef double total = 0
    cdef Py_ssize_t i = 0, stop
    cdef int j
    while i < n:
        stop = min(n, i + BLOCK)
        for j in range(ACC):
            acc[j] = 0
        while i + ACC <= stop:
            for j in range(ACC):
                acc[j] += x[i + j]
            i += ACC
        j = 0
        while i < stop:
            acc[j] += x[i]
            i += 1
            j += 1
        total += _combine(acc)
    return total


cdef inline double _sqdev(const real* x, Py_ssize_t n,
                          double m) noexcept nogil:
    """``sum((x - m) ** 2)``, blocked as :func:`_sum`."""
    cdef real acc[ACC]
    cdef real mr = <real>m, d
    cdef double total = 0
    cdef Py_ssize_t i = 0, stop
    cdef int j
    while i < n:
        stop = min(n, i + BLOCK)
        for j in range(ACC):
            acc[j] = 0
        while i + ACC <= stop:
            for j in range(ACC):
                d = x[i + j] - mr
                acc[j] += d * d
            i += ACC
        j = 0
        while i < stop:
            d = x[i] - mr
            acc[j] += d * d
            i += 1
            j += 1
        total += _combine(acc)
    return total


cdef inline void _sum2(const real* g, const real* x, const real* w,
                       Py_ssize_t n, real m, real a, double* s1,
                       double* s2, real* fw, real* fb) noexcept nogil:
    """One pass over a row: ``s1 = sum(g * w)``, ``s2 = sum(g * w *
    xhat)`` with ``xhat = (x - m) * a`` (``w`` NULL means 1), and, when
    ``fw``/``fb`` are not NULL, ``fw += g * xhat``, ``fb += g`` (the
    weight/bias gradient partial sums).  Blocked as :func:`_sum`."""
    cdef real a1[ACC]
    cdef real a2[ACC]
    cdef real v, gv, xh
    cdef double t1 = 0, t2 = 0
    cdef Py_ssize_t i = 0, stop
    cdef int j
    while i < n:
        stop = min(n, i + BLOCK)
        for j in range(ACC):
            a1[j] = 0
            a2[j] = 0
        if w == NULL and fw == NULL and fb == NULL:
            while i + ACC <= stop:
                for j in range(ACC):
                    v = g[i + j]
                    a1[j] += v
                    a2[j] += v * ((x[i + j] - m) * a)
                i += ACC
        elif w != NULL and fw != NULL and fb != NULL:
            while i + ACC <= stop:
                for j in range(ACC):
                    gv = g[i + j]
                    xh = (x[i + j] - m) * a
                    v = gv * w[i + j]
                    a1[j] += v
                    a2[j] += v * xh
                    fw[i + j] += gv * xh
                    fb[i + j] += gv
                i += ACC
        j = 0
        while i < stop:
            gv = g[i]
            xh = (x[i] - m) * a
            v = gv if w == NULL else gv * w[i]
            a1[j] += v
            a2[j] += v * xh
            if fw != NULL:
                fw[i] += gv * xh
            if fb != NULL:
                fb[i] += gv
            i += 1
            j = (j + 1) % ACC
        t1 += _combine(a1)
        t2 += _combine(a2)
    s1[0] = t1
    s2[0] = t2


# --- layer norm --------------------------------------------------------------
cdef void _ln_fwd_rows(const real* x, const real* w, const real* b, real* y,
                       real* mean, real* rstd, Py_ssize_t r0, Py_ssize_t r1,
                       Py_ssize_t N, double eps) noexcept nogil:
    cdef Py_ssize_t r, j
    cdef double m, var
    cdef real a, c
    cdef const real* xr
    cdef real* yr
    for r in range(r0, r1):
        xr = x + r * N
        yr = y + r * N
        m = _sum(xr, N) / N
        var = _sqdev(xr, N, m) / N
        a = <real>(1.0 / sqrt(var + eps))
        c = <real>(-m * a)
        mean[r] = <real>m
        rstd[r] = a
        if w != NULL and b != NULL:
            for j in range(N):
                yr[j] = (xr[j] * a + c) * w[j] + b[j]
        elif w != NULL:
            for j in range(N):
                yr[j] = (xr[j] * a + c) * w[j]
        elif b != NULL:
            for j in range(N):
                yr[j] = (xr[j] * a + c) + b[j]
        else:
            for j in range(N):
                yr[j] = xr[j] * a + c


cdef void _ln_fwd(const real* x, const real* w, const real* b, real* y,
                  real* mean, real* rstd, Py_ssize_t M, Py_ssize_t N,
                  double eps) noexcept nogil:
    cdef int nt = _threads(M * N)
    cdef Py_ssize_t per, k
    if nt <= 1 or M < 2:
        _ln_fwd_rows(x, w, b, y, mean, rstd, 0, M, N, eps)
        return
    per = (M + nt - 1) // nt
    for k in prange(nt, num_threads=nt, schedule="static"):
        _ln_fwd_rows(x, w, b, y, mean, rstd, k * per, min(M, (k + 1) * per),
                     N, eps)


cdef void _ln_bwd_rows(const real* gy, const real* x, const real* mean,
                       const real* rstd, const real* w, real* gx,
                       double* pw, double* pb, real* fw, real* fb,
                       Py_ssize_t r0, Py_ssize_t r1,
                       Py_ssize_t N) noexcept nogil:
    """Rows ``r0:r1``: ``gx`` (when not NULL) and the column sums
    ``pw += gy * xhat``, ``pb += gy`` (double).  Those are accumulated in
    ``real`` buffers ``fw``/``fb`` by the row pass itself and flushed into
    ``pw``/``pb`` every ``FLUSH`` rows.  ``w`` is never NULL here (ones
    when the op has no weight)."""
    cdef Py_ssize_t r, j, rows = 0
    cdef double s1, s2
    cdef real a, m, c1, c2, xh
    cdef const real* gr
    cdef const real* xr
    cdef real* gxr
    for j in range(N):
        fw[j] = 0
        fb[j] = 0
    for r in range(r0, r1):
        gr = gy + r * N
        xr = x + r * N
        m = mean[r]
        a = rstd[r]
        _sum2(gr, xr, w, N, m, a, &s1, &s2, fw, fb)
        rows += 1
        if rows == FLUSH or r == r1 - 1:
            for j in range(N):
                pw[j] += fw[j]
                pb[j] += fb[j]
                fw[j] = 0
                fb[j] = 0
            rows = 0
        if gx != NULL:
            gxr = gx + r * N
            # gx = a * (g * w - s1 / N - xhat * s2 / N)
            c1 = <real>(s1 / N)
            c2 = <real>(s2 / N)
            for j in range(N):
                xh = (xr[j] - m) * a
                gxr[j] = a * (gr[j] * w[j] - c1 - xh * c2)


cdef int _ln_bwd(const real* gy, const real* x, const real* mean,
                 const real* rstd, const real* w, real* gx, real* gw,
                 real* gb, Py_ssize_t M, Py_ssize_t N) noexcept nogil:
    cdef int nt = _threads(M * N)
    cdef Py_ssize_t per, k, j
    cdef double* part
    cdef real* scratch
    cdef real* ones = NULL
    cdef double sw, sb
    if nt > M:
        nt = <int>M if M > 0 else 1
    # Per thread: double (pw, pb) and real (fw, fb) column buffers.
    part = <double*>calloc(<size_t>(nt * 2 * N + 1), sizeof(double))
    scratch = <real*>calloc(<size_t>(nt * 2 * N + 1), sizeof(real))
    if w == NULL:
        ones = <real*>calloc(<size_t>(N + 1), sizeof(real))
        if ones != NULL:
            for j in range(N):
                ones[j] = 1
        w = ones
    if part == NULL or scratch == NULL or w == NULL:
        free(part)
        free(scratch)
        free(ones)
        return -1
    per = (M + nt - 1) // nt if M > 0 else 0
    if nt <= 1:
        _ln_bwd_rows(gy, x, mean, rstd, w, gx, part, part + N, scratch,
                     scratch + N, 0, M, N)
    else:
        for k in prange(nt, num_threads=nt, schedule="static"):
            _ln_bwd_rows(gy, x, mean, rstd, w, gx, part + 2 * k * N,
                         part + 2 * k * N + N, scratch + 2 * k * N,
                         scratch + 2 * k * N + N, k * per,
                         min(M, (k + 1) * per), N)
    for j in range(N):
        sw = part[j]
        sb = part[N + j]
        for k in range(1, nt):
            sw = sw + part[2 * k * N + j]
            sb = sb + part[2 * k * N + N + j]
        if gw != NULL:
            gw[j] = <real>sw
        if gb != NULL:
            gb[j] = <real>sb
    free(part)
    free(scratch)
    free(ones)
    return 0


cdef bint _vec_ok(object v, int t, Py_ssize_t n):
    return v is None or (real_type(v) == t and
                         cnp.PyArray_NDIM(<cnp.ndarray>v) == 1 and
                         cnp.PyArray_DIM(<cnp.ndarray>v, 0) == n)


def layer_norm_fwd(x, weight, bias, eps):
    """Normalize the rows of ``x`` (``(M, N)``), then ``* weight + bias``;
    returns ``(y, mean, rstd)`` (see the reference)."""
    cdef int t = real_type(x)
    if t < 0 or cnp.PyArray_NDIM(<cnp.ndarray>x) != 2:
        return _ref.layer_norm_fwd(x, weight, bias, eps)
    cdef Py_ssize_t M = x.shape[0], N = x.shape[1]
    if N == 0 or not (_vec_ok(weight, t, N) and _vec_ok(bias, t, N)):
        return _ref.layer_norm_fwd(x, weight, bias, eps)
    cdef cnp.ndarray xc = c_array(x)
    w = None if weight is None else c_array(weight)
    b = None if bias is None else c_array(bias)
    dt = xc.dtype
    cdef cnp.ndarray y = np.empty((M, N), dt)
    cdef cnp.ndarray mean = np.empty(M, dt)
    cdef cnp.ndarray rstd = np.empty(M, dt)
    cdef void* px = cnp.PyArray_DATA(xc)
    cdef void* pw = _ptr(w)
    cdef void* pb = _ptr(b)
    cdef void* py = cnp.PyArray_DATA(y)
    cdef void* pm = cnp.PyArray_DATA(mean)
    cdef void* pr = cnp.PyArray_DATA(rstd)
    cdef double e = eps
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _ln_fwd[float](<float*>px, <float*>pw, <float*>pb, <float*>py,
                           <float*>pm, <float*>pr, M, N, e)
        else:
            _ln_fwd[double](<double*>px, <double*>pw, <double*>pb,
                            <double*>py, <double*>pm, <double*>pr, M, N, e)
    return y, mean, rstd


def layer_norm_bwd(gy, x, mean, rstd, weight, output_mask):
    """Gradients ``(gx, gweight, gbias)`` of :func:`layer_norm_fwd`; the
    ones ``output_mask`` does not ask for are None."""
    cdef int t = real_type(x)
    if t < 0 or cnp.PyArray_NDIM(<cnp.ndarray>x) != 2 or \
            real_type(gy) != t or gy.shape != x.shape:
        return _ref.layer_norm_bwd(gy, x, mean, rstd, weight, output_mask)
    cdef Py_ssize_t M = x.shape[0], N = x.shape[1]
    if N == 0 or not (_vec_ok(weight, t, N) and _vec_ok(mean, t, M)
                      and _vec_ok(rstd, t, M)):
        return _ref.layer_norm_bwd(gy, x, mean, rstd, weight, output_mask)
    need_x, need_w, need_b = (bool(v) for v in output_mask)
    cdef cnp.ndarray xc = c_array(x)
    cdef cnp.ndarray gc = c_array(gy)
    mc = c_array(mean)
    rc = c_array(rstd)
    w = None if weight is None else c_array(weight)
    dt = xc.dtype
    gx = np.empty((M, N), dt) if need_x else None
    gw = np.empty(N, dt) if need_w else None
    gb = np.empty(N, dt) if need_b else None
    cdef void* pg = cnp.PyArray_DATA(gc)
    cdef void* px = cnp.PyArray_DATA(xc)
    cdef void* pm = cnp.PyArray_DATA(<cnp.ndarray>mc)
    cdef void* pr = cnp.PyArray_DATA(<cnp.ndarray>rc)
    cdef void* pw = _ptr(w)
    cdef void* pgx = _ptr(gx)
    cdef void* pgw = _ptr(gw)
    cdef void* pgb = _ptr(gb)
    cdef int rc_ = 0
    with nogil:
        if t == cnp.NPY_FLOAT32:
            rc_ = _ln_bwd[float](<float*>pg, <float*>px, <float*>pm,
                                 <float*>pr, <float*>pw, <float*>pgx,
                                 <float*>pgw, <float*>pgb, M, N)
        else:
            rc_ = _ln_bwd[double](<double*>pg, <double*>px, <double*>pm,
                                  <double*>pr, <double*>pw, <double*>pgx,
                                  <double*>pgw, <double*>pgb, M, N)
    if rc_ != 0:
        raise MemoryError("layer_norm_bwd: out of memory")
    return gx, gw, gb


# --- batch norm --------------------------------------------------------------
cdef void _bn_stats(const real* x, Py_ssize_t N, Py_ssize_t C, Py_ssize_t L,
                    double* mean, double* var) noexcept nogil:
    """Per-channel mean and biased variance (two passes, in double)."""
    cdef Py_ssize_t n, c, l
    cdef double s, m, d
    cdef Py_ssize_t cnt = N * L
    cdef int nt
    cdef const real* row
    if L == 1:
        for c in range(C):
            mean[c] = 0
            var[c] = 0
        for n in range(N):
            row = x + n * C
            for c in range(C):
                mean[c] += row[c]
        for c in range(C):
            mean[c] = mean[c] / cnt
        for n in range(N):
            row = x + n * C
            for c in range(C):
                d = row[c] - mean[c]
                var[c] += d * d
        for c in range(C):
            var[c] = var[c] / cnt
        return
    nt = _threads(N * C * L)
    if nt > C:
        nt = <int>C
    if nt > 1:
        for c in prange(C, num_threads=nt, schedule="static"):
            _bn_channel_stats(x, N, C, L, c, mean, var)
    else:
        for c in range(C):
            _bn_channel_stats(x, N, C, L, c, mean, var)


cdef inline void _bn_channel_stats(const real* x, Py_ssize_t N, Py_ssize_t C,
                                   Py_ssize_t L, Py_ssize_t c, double* mean,
                                   double* var) noexcept nogil:
    cdef Py_ssize_t n
    cdef double s = 0, m, v = 0
    for n in range(N):
        s = s + _sum(x + (n * C + c) * L, L)
    m = s / (N * L)
    for n in range(N):
        v = v + _sqdev(x + (n * C + c) * L, L, m)
    mean[c] = m
    var[c] = v / (N * L)


cdef void _bn_apply(const real* x, real* y, const real* scale,
                    const real* shift, Py_ssize_t N, Py_ssize_t C,
                    Py_ssize_t L) noexcept nogil:
    """``y = x * scale[c] + shift[c]``."""
    cdef Py_ssize_t n, c, l, rows = N * C
    cdef Py_ssize_t r
    cdef int nt = _threads(N * C * L)
    cdef real a, b
    cdef const real* xr
    cdef real* yr
    if L == 1:
        for n in range(N):
            xr = x + n * C
            yr = y + n * C
            for c in range(C):
                yr[c] = xr[c] * scale[c] + shift[c]
        return
    if nt > 1:
        for r in prange(rows, num_threads=nt, schedule="static"):
            _bn_apply_row(x + r * L, y + r * L, scale[r % C], shift[r % C], L)
    else:
        for r in range(rows):
            _bn_apply_row(x + r * L, y + r * L, scale[r % C], shift[r % C], L)


cdef inline void _bn_apply_row(const real* x, real* y, real a, real b,
                               Py_ssize_t L) noexcept nogil:
    cdef Py_ssize_t l
    for l in range(L):
        y[l] = x[l] * a + b


def batch_norm_fwd(x, weight, bias, running_mean, running_var, training,
                   momentum, eps):
    """Batch normalization of ``x`` (``(N, C, L)``); returns ``(y,
    save_mean, save_invstd)`` and, in training, updates the running
    statistics in place (see the reference)."""
    cdef int t = real_type(x)
    if t < 0 or cnp.PyArray_NDIM(<cnp.ndarray>x) != 3:
        return _ref.batch_norm_fwd(x, weight, bias, running_mean, running_var,
                                   training, momentum, eps)
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], L = x.shape[2]
    cdef Py_ssize_t cnt = N * L
    if not (_vec_ok(weight, t, C) and _vec_ok(bias, t, C)
            and _vec_ok(running_mean, t, C) and _vec_ok(running_var, t, C)) \
            or (not training and (running_mean is None
                                  or running_var is None)):
        return _ref.batch_norm_fwd(x, weight, bias, running_mean, running_var,
                                   training, momentum, eps)
    cdef cnp.ndarray xc = c_array(x)
    dt = xc.dtype
    cdef cnp.ndarray mean64 = np.empty(C, np.float64)
    cdef cnp.ndarray var64 = np.empty(C, np.float64)
    cdef void* px = cnp.PyArray_DATA(xc)
    cdef double* pm = <double*>cnp.PyArray_DATA(mean64)
    cdef double* pv = <double*>cnp.PyArray_DATA(var64)
    cdef double mom = momentum
    if training:
        if cnt > 0:
            with nogil:
                if t == cnp.NPY_FLOAT32:
                    _bn_stats[float](<float*>px, N, C, L, pm, pv)
                else:
                    _bn_stats[double](<double*>px, N, C, L, pm, pv)
            # PyTorch's update (in double, then stored): momentum * batch +
            # (1 - momentum) * running, the variance unbiased.
            with np.errstate(divide="ignore", invalid="ignore"):
                if running_mean is not None:
                    running_mean[...] = (mom * mean64 + (1 - mom)
                                         * running_mean.astype(np.float64))
                if running_var is not None:
                    unbiased = var64 * cnt / np.float64(cnt - 1)
                    running_var[...] = (mom * unbiased + (1 - mom)
                                        * running_var.astype(np.float64))
        else:
            mean64[...] = 0
            var64[...] = 0
        mean = mean64.astype(dt)
        invstd = (1 / np.sqrt(var64 + eps)).astype(dt)
    else:
        mean = np.array(running_mean, dtype=dt, copy=True)
        invstd = (1 / np.sqrt(running_var.astype(np.float64) + eps)
                  ).astype(dt)
    # y = x * scale + shift per channel (scale = invstd * w,
    # shift = b - mean * scale), computed in double then rounded once.
    scale64 = invstd.astype(np.float64)
    if weight is not None:
        scale64 = scale64 * weight
    shift64 = -mean.astype(np.float64) * scale64
    if bias is not None:
        shift64 = shift64 + bias
    cdef cnp.ndarray scale = np.ascontiguousarray(scale64, dtype=dt)
    cdef cnp.ndarray shift = np.ascontiguousarray(shift64, dtype=dt)
    cdef cnp.ndarray y = np.empty((N, C, L), dt)
    cdef void* py = cnp.PyArray_DATA(y)
    cdef void* ps = cnp.PyArray_DATA(scale)
    cdef void* pb = cnp.PyArray_DATA(shift)
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _bn_apply[float](<float*>px, <float*>py, <float*>ps, <float*>pb,
                             N, C, L)
        else:
            _bn_apply[double](<double*>px, <double*>py, <double*>ps,
                              <double*>pb, N, C, L)
    return y, mean, invstd


cdef void _bn_bwd_sums(const real* gy, const real* x, const real* mean,
                       Py_ssize_t N, Py_ssize_t C, Py_ssize_t L,
                       double* sg, double* sgx) noexcept nogil:
    """Per channel: ``sg = sum(gy)``, ``sgx = sum(gy * (x - mean))``."""
    cdef Py_ssize_t n, c
    cdef const real* gr
    cdef const real* xr
    cdef double m
    cdef int nt
    if L == 1:
        for c in range(C):
            sg[c] = 0
            sgx[c] = 0
        for n in range(N):
            gr = gy + n * C
            xr = x + n * C
            for c in range(C):
                sg[c] += gr[c]
                sgx[c] += <double>gr[c] * (<double>xr[c] - mean[c])
        return
    nt = _threads(N * C * L)
    if nt > C:
        nt = <int>C
    if nt > 1:
        for c in prange(C, num_threads=nt, schedule="static"):
            _bn_channel_sums(gy, x, mean, N, C, L, c, sg, sgx)
    else:
        for c in range(C):
            _bn_channel_sums(gy, x, mean, N, C, L, c, sg, sgx)


cdef inline void _bn_channel_sums(const real* gy, const real* x,
                                  const real* mean, Py_ssize_t N,
                                  Py_ssize_t C, Py_ssize_t L, Py_ssize_t c,
                                  double* sg, double* sgx) noexcept nogil:
    cdef Py_ssize_t n, off
    cdef double s1 = 0, s2 = 0, a, b
    for n in range(N):
        off = (n * C + c) * L
        _sum2(gy + off, x + off, <const real*>NULL, L, mean[c], 1, &a, &b,
              <real*>NULL, <real*>NULL)
        s1 = s1 + a
        s2 = s2 + b
    sg[c] = s1
    sgx[c] = s2


cdef void _bn_gx(const real* gy, const real* x, real* gx, const real* k0,
                 const real* k1, const real* k2, const real* mean,
                 Py_ssize_t N, Py_ssize_t C, Py_ssize_t L) noexcept nogil:
    """``gx = k0[c] * gy - k1[c] - k2[c] * (x - mean[c])`` (``k1``/``k2``
    NULL in evaluation mode: ``gx = k0[c] * gy``, no ``x`` term that an
    infinite input would turn into NaN)."""
    cdef Py_ssize_t n, c, r, rows = N * C
    cdef int nt = _threads(N * C * L)
    cdef const real* gr
    cdef const real* xr
    cdef real* o
    if L == 1:
        for n in range(N):
            gr = gy + n * C
            xr = x + n * C
            o = gx + n * C
            if k1 == NULL:
                for c in range(C):
                    o[c] = k0[c] * gr[c]
            else:
                for c in range(C):
                    o[c] = k0[c] * gr[c] - k1[c] - k2[c] * (xr[c] - mean[c])
        return
    if nt > 1:
        for r in prange(rows, num_threads=nt, schedule="static"):
            _bn_gx_row(gy + r * L, x + r * L, gx + r * L, k0, k1, k2, mean,
                       r % C, L)
    else:
        for r in range(rows):
            _bn_gx_row(gy + r * L, x + r * L, gx + r * L, k0, k1, k2, mean,
                       r % C, L)


cdef inline void _bn_gx_row(const real* g, const real* x, real* o,
                            const real* k0, const real* k1, const real* k2,
                            const real* mean, Py_ssize_t c,
                            Py_ssize_t L) noexcept nogil:
    cdef Py_ssize_t l
    cdef real a = k0[c], b, d, m
    if k1 == NULL:
        for l in range(L):
            o[l] = a * g[l]
        return
    b = k1[c]
    d = k2[c]
    m = mean[c]
    for l in range(L):
        o[l] = a * g[l] - b - d * (x[l] - m)


def batch_norm_bwd(gy, x, weight, save_mean, save_invstd, training,
                   output_mask):
    """Gradients ``(gx, gweight, gbias)`` of :func:`batch_norm_fwd`."""
    cdef int t = real_type(x)
    if t < 0 or cnp.PyArray_NDIM(<cnp.ndarray>x) != 3 or \
            real_type(gy) != t or gy.shape != x.shape:
        return _ref.batch_norm_bwd(gy, x, weight, save_mean, save_invstd,
                                   training, output_mask)
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], L = x.shape[2]
    cdef Py_ssize_t cnt = N * L
    if not (_vec_ok(weight, t, C) and _vec_ok(save_mean, t, C)
            and _vec_ok(save_invstd, t, C)):
        return _ref.batch_norm_bwd(gy, x, weight, save_mean, save_invstd,
                                   training, output_mask)
    need_x, need_w, need_b = (bool(v) for v in output_mask)
    cdef cnp.ndarray xc = c_array(x)
    cdef cnp.ndarray gc = c_array(gy)
    dt = xc.dtype
    cdef cnp.ndarray mc = c_array(save_mean)
    cdef cnp.ndarray sg = np.empty(C, np.float64)
    cdef cnp.ndarray sgx = np.empty(C, np.float64)
    cdef void* pg = cnp.PyArray_DATA(gc)
    cdef void* px = cnp.PyArray_DATA(xc)
    cdef void* pm = cnp.PyArray_DATA(mc)
    cdef double* psg = <double*>cnp.PyArray_DATA(sg)
    cdef double* psgx = <double*>cnp.PyArray_DATA(sgx)
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _bn_bwd_sums[float](<float*>pg, <float*>px, <float*>pm, N, C, L,
                                psg, psgx)
        else:
            _bn_bwd_sums[double](<double*>pg, <double*>px, <double*>pm, N, C,
                                 L, psg, psgx)
    invstd = save_invstd.astype(np.float64)
    gw = (sgx * invstd).astype(dt) if need_w else None
    gb = sg.astype(dt) if need_b else None
    gx = None
    cdef cnp.ndarray k0, out
    cdef void* p1 = NULL
    cdef void* p2 = NULL
    cdef void* p0
    cdef void* po
    if need_x:
        scale = invstd if weight is None else invstd * weight
        k0 = np.ascontiguousarray(scale, dtype=dt)
        if training and cnt > 0:
            # gx = scale * (gy - sg / n - xhat * sum(gy * xhat) / n)
            k1 = np.ascontiguousarray(scale * sg / cnt, dtype=dt)
            k2 = np.ascontiguousarray(scale * sgx * invstd * invstd / cnt,
                                      dtype=dt)
            p1 = cnp.PyArray_DATA(<cnp.ndarray>k1)
            p2 = cnp.PyArray_DATA(<cnp.ndarray>k2)
        out = np.empty((N, C, L), dt)
        po = cnp.PyArray_DATA(out)
        p0 = cnp.PyArray_DATA(k0)
        with nogil:
            if t == cnp.NPY_FLOAT32:
                _bn_gx[float](<float*>pg, <float*>px, <float*>po,
                              <float*>p0, <float*>p1, <float*>p2,
                              <float*>pm, N, C, L)
            else:
                _bn_gx[double](<double*>pg, <double*>px, <double*>po,
                               <double*>p0, <double*>p1, <double*>p2,
                               <double*>pm, N, C, L)
        gx = out
    return gx, gw, gb
