# cython: language_level=3
"""Pooling kernels on (N, C, H, W): max (values + argmax indices) and its
scatter backward, average with PyTorch's divisor rules, and the adaptive
variants.

Every kernel is table-driven: the wrapper computes, per output row and per
output column, where the window starts and which of its offsets fall
inside the input (a few small int64 arrays), so the plane loops do no
division and the regular and adaptive poolings share one loop each.
Threads take whole (n, c) planes; a plane is summed and compared in the
same order as PyTorch's CPU kernels (rows, then columns), which makes the
values and indices identical to PyTorch's and independent of the thread
count.
"""
cimport numpy as cnp
from cython.parallel cimport prange
from libc.stdint cimport int64_t
from libc.math cimport INFINITY
from libc.string cimport memset
cimport openmp

from pytensor_ext.cpu._common cimport (real, real_type, sched_chunk,
                                       threads_for)

import numpy as np

from pytensor_ext import reference as _ref
from pytensor_ext._checks import (adaptive_fits as _adaptive_fits,
                                  four_d as _four_d, pair as _pair)

cnp.import_array()

__all__ = ["max_pool2d_fwd", "max_pool2d_bwd", "adaptive_max_pool2d_fwd",
           "avg_pool2d_fwd", "avg_pool2d_bwd", "adaptive_avg_pool2d_fwd",
           "adaptive_avg_pool2d_bwd"]

# Window elements visited per thread below which a call stays on one
# thread: large on purpose (about a millisecond of work), see _conv.pyx.
cdef Py_ssize_t GRAIN = 1 << 21

# A window element of max pooling costs about four times what GRAIN
# assumes (strided loads, compare, select and argmax bookkeeping: W3's
# first pooling, 1.6M window elements, took 3.0 ms on one thread), so its
# work is weighed by this before the thread decision: that pooling then
# runs on two threads.
cdef Py_ssize_t MAX_COST = 4

# Elements between two threads' scratch rows: at least a 64-byte cache
# line, so that threads writing their rows do not share one (false
# sharing made W3's first pooling slower on two threads than on one).
cdef enum:
    PAD = 16

# Divisor modes of the average pooling loops.
cdef enum:
    DIV_PRODUCT = 0     # sum / (dh[oh] * dw[ow])      (avg_pool2d)
    DIV_EACH = 1        # sum / dh[oh] / dw[ow]        (adaptive_avg_pool2d)
    DIV_CONST = 2       # sum / divisor_override


def _set_grain(Py_ssize_t grain):
    """Set the work per thread below which a call stays on one thread and
    return the previous value (tests lower it to run the parallel loops on
    small arrays)."""
    global GRAIN
    old = GRAIN
    GRAIN = grain
    return old


# --- max ----------------------------------------------------------------
cdef void _max_plane_rows(const real* x, real* y, int64_t* idx, int* kb,
                          Py_ssize_t H, Py_ssize_t W, Py_ssize_t sxh,
                          Py_ssize_t bh, Py_ssize_t bw, Py_ssize_t kh,
                          Py_ssize_t kw, Py_ssize_t sh, Py_ssize_t sw,
                          Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh,
                          Py_ssize_t dw, const int64_t* wlo,
                          const int64_t* whi, const int64_t* wfirst,
                          const int64_t* koh, const int64_t* kow,
                          real lowest) noexcept nogil:
    """One plane of a regular max pooling, one output row at a time: the
    kernel offsets (i, j) are visited in scan order and each is applied to
    the whole row of windows (a loop over ``ow`` that vectorises: selects,
    no branches, and the winning offset kept as an int32 ``kb[ow]`` beside
    the float maximum), so every window still sees its elements in
    PyTorch's order.  ``v > best || isnan(v)`` keeps the first maximum and
    the last NaN.  ``wlo[j]``/``whi[j]``: the windows whose column for
    offset j is inside the input; ``wfirst[ow]``: the column of a window's
    first offset at or after 0 (its index when no element is inside);
    ``koh[k]``/``kow[k]``: the row/column displacement of offset k (tables,
    to keep divisions out of the loop)."""
    cdef Py_ssize_t oh, ow, i, j, h, h0, hfirst, q0
    cdef real v, b
    cdef int m, kk, k
    cdef real* yr
    cdef int64_t* ir
    cdef const real* row
    for oh in range(bh):
        yr = y + oh * bw
        ir = idx + oh * bw
        h0 = oh * sh - ph
        for ow in range(bw):
            yr[ow] = lowest
            kb[ow] = -1
        for i in range(kh):
            h = h0 + i * dh
            if h < 0 or h >= H:
                continue
            row = x + h * sxh
            for j in range(kw):
                q0 = j * dw - pw
                kk = <int>(i * kw + j)
                if sw == 1:
                    for ow in range(wlo[j], whi[j]):
                        v = row[ow + q0]
                        b = yr[ow]
                        m = (v > b) | (v != v)
                        yr[ow] = v if m else b
                        kb[ow] = kk if m else kb[ow]
                elif sw == 2:
                    for ow in range(wlo[j], whi[j]):
                        v = row[2 * ow + q0]
                        b = yr[ow]
                        m = (v > b) | (v != v)
                        yr[ow] = v if m else b
                        kb[ow] = kk if m else kb[ow]
                else:
                    for ow in range(wlo[j], whi[j]):
                        v = row[ow * sw + q0]
                        b = yr[ow]
                        m = (v > b) | (v != v)
                        yr[ow] = v if m else b
                        kb[ow] = kk if m else kb[ow]
        hfirst = h0
        while hfirst < 0:
            hfirst = hfirst + dh
        for ow in range(bw):
            k = kb[ow]
            if k < 0:
                ir[ow] = hfirst * W + wfirst[ow]
            else:
                ir[ow] = (h0 + koh[k]) * W + ow * sw - pw + kow[k]


cdef void _max_plane_windows(const real* x, real* y, int64_t* idx,
                             Py_ssize_t W, Py_ssize_t sxh, Py_ssize_t bh,
                             Py_ssize_t bw, const int64_t* hs,
                             const int64_t* he, const int64_t* ws,
                             const int64_t* we, real lowest) noexcept nogil:
    """One plane of an adaptive max pooling: window (oh, ow) is rows
    [hs, he) x columns [ws, we); same comparison rule as above."""
    cdef Py_ssize_t oh, ow, r, q
    cdef real best, v
    cdef bint m
    cdef int64_t bi, k
    cdef const real* row
    for oh in range(bh):
        for ow in range(bw):
            best = lowest
            bi = hs[oh] * W + ws[ow]
            for r in range(hs[oh], he[oh]):
                row = x + r * sxh
                for q in range(ws[ow], we[ow]):
                    v = row[q]
                    m = (v > best) | (v != v)
                    best = v if m else best
                    k = r * W + q
                    bi = k if m else bi
            y[oh * bw + ow] = best
            idx[oh * bw + ow] = bi


cdef void _max_pool(const real* x, real* y, int64_t* idx, int* scratch,
                    Py_ssize_t N,
                    Py_ssize_t C, Py_ssize_t H, Py_ssize_t W,
                    Py_ssize_t sxn, Py_ssize_t sxc, Py_ssize_t sxh,
                    Py_ssize_t bh, Py_ssize_t bw, Py_ssize_t kh,
                    Py_ssize_t kw, Py_ssize_t sh, Py_ssize_t sw,
                    Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh,
                    Py_ssize_t dw, const int64_t* t0, const int64_t* t1,
                    const int64_t* t2, const int64_t* t3,
                    const int64_t* koh, const int64_t* kow, bint adaptive,
                    int nt, real lowest) noexcept nogil:
    """Regular pooling: t0/t1 = wlo/whi per offset, t2 = wfirst per window;
    adaptive: t0/t1 = row windows [hs, he), t2/t3 = column windows.
    ``scratch``: ``bw`` ints per thread, ``bw + PAD`` apart."""
    cdef Py_ssize_t planes = N * C
    cdef Py_ssize_t p, n, c
    cdef Py_ssize_t L = bh * bw
    cdef Py_ssize_t chunk = sched_chunk(L * kh * kw)
    for p in prange(planes, schedule="dynamic", num_threads=nt,
                    chunksize=chunk):
        n = p // C
        c = p - n * C
        if adaptive:
            _max_plane_windows(x + n * sxn + c * sxc, y + p * L, idx + p * L,
                               W, sxh, bh, bw, t0, t1, t2, t3, lowest)
        else:
            _max_plane_rows(x + n * sxn + c * sxc, y + p * L, idx + p * L,
                            scratch + openmp.omp_get_thread_num() * (bw + PAD),
                            H, W, sxh, bh, bw, kh, kw, sh, sw, ph, pw, dh,
                            dw, t0, t1, t2, koh, kow, lowest)


cdef void _max_bwd_plane(const real* gy, const int64_t* idx, real* gx,
                         Py_ssize_t L, Py_ssize_t HW) noexcept nogil:
    """Zero the plane, then add each gradient at its index (indices outside
    the plane, which only windows without input elements produce, are
    skipped)."""
    cdef Py_ssize_t k
    cdef int64_t t
    memset(gx, 0, HW * sizeof(real))
    for k in range(L):
        t = idx[k]
        if 0 <= t < HW:
            gx[t] = gx[t] + gy[k]


cdef void _max_bwd(const real* gy, const int64_t* idx, real* gx,
                   Py_ssize_t planes, Py_ssize_t L,
                   Py_ssize_t HW) noexcept nogil:
    cdef Py_ssize_t p
    cdef int nt = threads_for(planes * (L + HW), GRAIN)
    cdef Py_ssize_t chunk = sched_chunk(L + HW)
    for p in prange(planes, schedule="dynamic", num_threads=nt,
                    chunksize=chunk):
        _max_bwd_plane(gy + p * L, idx + p * L, gx + p * HW, L, HW)


# --- average ------------------------------------------------------------
cdef inline real _divide(real v, Py_ssize_t oh, Py_ssize_t ow,
                         const int64_t* dvh, const int64_t* dvw, int mode,
                         int64_t dconst) noexcept nogil:
    if mode == DIV_PRODUCT:
        return v / <real>(dvh[oh] * dvw[ow])
    if mode == DIV_EACH:
        return v / <real>dvh[oh] / <real>dvw[ow]
    return v / <real>dconst


cdef void _avg_plane_rows(const real* x, real* y, Py_ssize_t H,
                          Py_ssize_t sxh, Py_ssize_t bh, Py_ssize_t bw,
                          Py_ssize_t kh, Py_ssize_t kw, Py_ssize_t sh,
                          Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                          const int64_t* jlo, const int64_t* jhi,
                          const int64_t* empty_w, const int64_t* dvh,
                          const int64_t* dvw, int mode,
                          int64_t dconst) noexcept nogil:
    """One plane of a regular average pooling, a row of windows at a time
    (offsets in scan order, each applied to the whole row: the sum of
    every window is formed in PyTorch's order).  ``jlo[j]``/``jhi[j]``:
    windows whose column for offset j is inside the input; windows with no
    element inside give 0."""
    cdef Py_ssize_t oh, ow, i, j, h, q0, rows
    cdef real* yr
    cdef const real* row
    for oh in range(bh):
        yr = y + oh * bw
        for ow in range(bw):
            yr[ow] = 0
        rows = 0
        for i in range(kh):
            h = oh * sh - ph + i
            if h < 0 or h >= H:
                continue
            rows = rows + 1
            row = x + h * sxh
            for j in range(kw):
                q0 = j - pw
                if sw == 1:
                    for ow in range(jlo[j], jhi[j]):
                        yr[ow] = yr[ow] + row[ow + q0]
                else:
                    for ow in range(jlo[j], jhi[j]):
                        yr[ow] = yr[ow] + row[ow * sw + q0]
        for ow in range(bw):
            if rows == 0 or empty_w[ow]:
                yr[ow] = 0
            else:
                yr[ow] = _divide(yr[ow], oh, ow, dvh, dvw, mode, dconst)


cdef void _avg_plane_windows(const real* x, real* y, Py_ssize_t sxh,
                             Py_ssize_t bh, Py_ssize_t bw,
                             const int64_t* hs, const int64_t* he,
                             const int64_t* ws, const int64_t* we,
                             const int64_t* dvh, const int64_t* dvw,
                             int mode, int64_t dconst) noexcept nogil:
    """One plane of an adaptive average pooling: window (oh, ow) is rows
    [hs, he) x columns [ws, we)."""
    cdef Py_ssize_t oh, ow, r, q
    cdef real acc
    cdef const real* row
    for oh in range(bh):
        for ow in range(bw):
            acc = 0
            for r in range(hs[oh], he[oh]):
                row = x + r * sxh
                for q in range(ws[ow], we[ow]):
                    acc = acc + row[q]
            y[oh * bw + ow] = _divide(acc, oh, ow, dvh, dvw, mode, dconst)


cdef void _avg_pool(const real* x, real* y, Py_ssize_t N, Py_ssize_t C,
                    Py_ssize_t H, Py_ssize_t sxn, Py_ssize_t sxc,
                    Py_ssize_t sxh, Py_ssize_t bh, Py_ssize_t bw,
                    Py_ssize_t kh, Py_ssize_t kw, Py_ssize_t sh,
                    Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                    const int64_t* t0, const int64_t* t1, const int64_t* t2,
                    const int64_t* t3, const int64_t* dvh,
                    const int64_t* dvw, int mode, int64_t dconst,
                    bint adaptive, Py_ssize_t work) noexcept nogil:
    """Regular: t0/t1 = column ranges per offset, t2 = empty-window flags;
    adaptive: t0/t1 = row windows, t2/t3 = column windows."""
    cdef Py_ssize_t planes = N * C
    cdef Py_ssize_t p, n, c
    cdef Py_ssize_t L = bh * bw
    cdef int nt = threads_for(work, GRAIN)
    cdef Py_ssize_t chunk = sched_chunk(work // (planes if planes > 0 else 1))
    for p in prange(planes, schedule="dynamic", num_threads=nt,
                    chunksize=chunk):
        n = p // C
        c = p - n * C
        if adaptive:
            _avg_plane_windows(x + n * sxn + c * sxc, y + p * L, sxh, bh, bw,
                               t0, t1, t2, t3, dvh, dvw, mode, dconst)
        else:
            _avg_plane_rows(x + n * sxn + c * sxc, y + p * L, H, sxh, bh, bw,
                            kh, kw, sh, sw, ph, pw, t0, t1, t2, dvh, dvw,
                            mode, dconst)


cdef void _avg_bwd_plane_rows(const real* gy, real* gx, real* g,
                              Py_ssize_t H, Py_ssize_t W, Py_ssize_t bh,
                              Py_ssize_t bw, Py_ssize_t kh, Py_ssize_t kw,
                              Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph,
                              Py_ssize_t pw, const int64_t* jlo,
                              const int64_t* jhi, const int64_t* dvh,
                              const int64_t* dvw, int mode,
                              int64_t dconst) noexcept nogil:
    """Regular pooling: each row of windows' ``gy / divisor`` (in ``g``, a
    scratch row) added to the input positions it covers."""
    cdef Py_ssize_t oh, ow, i, j, h, q0
    cdef real* row
    memset(gx, 0, H * W * sizeof(real))
    for oh in range(bh):
        for ow in range(bw):
            g[ow] = _divide(gy[oh * bw + ow], oh, ow, dvh, dvw, mode, dconst)
        for i in range(kh):
            h = oh * sh - ph + i
            if h < 0 or h >= H:
                continue
            row = gx + h * W
            for j in range(kw):
                q0 = j - pw
                if sw == 1:
                    for ow in range(jlo[j], jhi[j]):
                        row[ow + q0] = row[ow + q0] + g[ow]
                else:
                    for ow in range(jlo[j], jhi[j]):
                        row[ow * sw + q0] = row[ow * sw + q0] + g[ow]


cdef void _avg_bwd_plane_windows(const real* gy, real* gx, Py_ssize_t H,
                                 Py_ssize_t W, Py_ssize_t bh, Py_ssize_t bw,
                                 const int64_t* hs, const int64_t* he,
                                 const int64_t* ws, const int64_t* we,
                                 const int64_t* dvh, const int64_t* dvw,
                                 int mode, int64_t dconst) noexcept nogil:
    cdef Py_ssize_t oh, ow, r, q
    cdef real v
    cdef real* row
    memset(gx, 0, H * W * sizeof(real))
    for oh in range(bh):
        for ow in range(bw):
            v = _divide(gy[oh * bw + ow], oh, ow, dvh, dvw, mode, dconst)
            for r in range(hs[oh], he[oh]):
                row = gx + r * W
                for q in range(ws[ow], we[ow]):
                    row[q] = row[q] + v


cdef void _avg_bwd(const real* gy, real* gx, real* scratch,
                   Py_ssize_t planes, Py_ssize_t H, Py_ssize_t W,
                   Py_ssize_t bh, Py_ssize_t bw, Py_ssize_t kh,
                   Py_ssize_t kw, Py_ssize_t sh, Py_ssize_t sw,
                   Py_ssize_t ph, Py_ssize_t pw, const int64_t* t0,
                   const int64_t* t1, const int64_t* t2, const int64_t* t3,
                   const int64_t* dvh, const int64_t* dvw, int mode,
                   int64_t dconst, bint adaptive, int nt) noexcept nogil:
    """``scratch`` holds one row of ``bw`` values per thread, ``bw + PAD``
    apart."""
    cdef Py_ssize_t p
    cdef Py_ssize_t L = bh * bw
    cdef Py_ssize_t chunk = sched_chunk(H * W + L * kh * kw)
    for p in prange(planes, schedule="dynamic", num_threads=nt,
                    chunksize=chunk):
        if adaptive:
            _avg_bwd_plane_windows(gy + p * L, gx + p * H * W, H, W, bh, bw,
                                   t0, t1, t2, t3, dvh, dvw, mode, dconst)
        else:
            _avg_bwd_plane_rows(gy + p * L, gx + p * H * W,
                                scratch + openmp.omp_get_thread_num() *
                                (bw + PAD),
                                H, W, bh, bw, kh, kw, sh, sw, ph, pw, t0, t1,
                                dvh, dvw, mode, dconst)


# --- Python wrappers ------------------------------------------------------
cdef cnp.ndarray _planes(object x, str name):
    """``x`` as a 4-d array whose rows are unit-stride (plane strides kept),
    else a C-contiguous copy."""
    cdef cnp.ndarray a = <cnp.ndarray>x
    cdef Py_ssize_t isz
    cdef int d
    _four_d(name, x)
    isz = a.itemsize
    if (a.shape[3] > 1 and a.strides[3] != isz) or \
            not cnp.PyArray_ISALIGNED(a):
        return np.ascontiguousarray(a)
    for d in range(4):
        if a.strides[d] % isz:
            return np.ascontiguousarray(a)
    return a


cdef cnp.ndarray _c_of(object x, int t):
    """``x`` C-contiguous, aligned and of NumPy type ``t``."""
    return np.ascontiguousarray(x, dtype=np.float32 if t == cnp.NPY_FLOAT32
                                else np.float64 if t == cnp.NPY_FLOAT64
                                else np.int64)


def _i64(a):
    return np.ascontiguousarray(a, dtype=np.int64)


def _col_ranges(size, k, s, p, d, b):
    """Per kernel offset j: the windows [lo, hi) whose column ``ow * s - p
    + j * d`` is inside ``[0, size)``; per window: the column of its first
    offset at or after 0."""
    off = np.arange(k, dtype=np.int64) * d - p
    lo = np.clip(-(off // s), 0, b)                   # ceil(-off / s)
    hi = np.clip(-((off - size) // s), 0, b)          # ceil((size-off)/s)
    hi = np.maximum(hi, lo)
    start = np.arange(b, dtype=np.int64) * s - p
    first = start + np.maximum(-(start // d), 0) * d
    return lo, hi, first


def _adaptive_axis(size, b):
    start, end = _ref.adaptive_windows(size, b)
    return _i64(start), _i64(end)


def _run_max(object x, int t, Py_ssize_t bh, Py_ssize_t bw, geo, t0, t1,
             t2, t3, bint adaptive, Py_ssize_t per_window, str name):
    cdef cnp.ndarray a = _planes(x, name)
    cdef Py_ssize_t N = a.shape[0], C = a.shape[1]
    cdef Py_ssize_t H = a.shape[2], W = a.shape[3]
    cdef Py_ssize_t isz = a.itemsize
    cdef Py_ssize_t sxn = a.strides[0] // isz, sxc = a.strides[1] // isz
    cdef Py_ssize_t sxh = a.strides[2] // isz
    cdef Py_ssize_t kh = geo[0], kw = geo[1], sh = geo[2], sw = geo[3]
    cdef Py_ssize_t ph = geo[4], pw = geo[5], dh = geo[6], dw = geo[7]
    y = np.empty((N, C, bh, bw), dtype=a.dtype)
    idx = np.empty((N, C, bh, bw), dtype=np.int64)
    if y.size == 0:
        return y, idx
    cdef cnp.ndarray o = <cnp.ndarray>y, oi = <cnp.ndarray>idx
    cdef int64_t[::1] a0 = _i64(t0), a1 = _i64(t1), a2 = _i64(t2)
    cdef int64_t[::1] a3 = _i64(t3)
    koffs = np.arange(kh * kw, dtype=np.int64)
    cdef int64_t[::1] koh = _i64(koffs // kw * dh), kow = _i64(koffs % kw * dw)
    cdef int nt = threads_for(y.size * max(per_window, 1) * MAX_COST, GRAIN)
    cdef int[::1] scratch = np.empty(nt * (bw + PAD) + 1, dtype=np.intc)
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _max_pool[float](<const float*>cnp.PyArray_DATA(a),
                             <float*>cnp.PyArray_DATA(o),
                             <int64_t*>cnp.PyArray_DATA(oi), &scratch[0], N,
                             C, H, W, sxn, sxc, sxh, bh, bw, kh, kw, sh, sw,
                             ph, pw, dh, dw, &a0[0], &a1[0], &a2[0], &a3[0],
                             &koh[0], &kow[0], adaptive, nt,
                             -<float>INFINITY)
        else:
            _max_pool[double](<const double*>cnp.PyArray_DATA(a),
                              <double*>cnp.PyArray_DATA(o),
                              <int64_t*>cnp.PyArray_DATA(oi), &scratch[0], N,
                              C, H, W, sxn, sxc, sxh, bh, bw, kh, kw, sh, sw,
                              ph, pw, dh, dw, &a0[0], &a1[0], &a2[0], &a3[0],
                              &koh[0], &kow[0], adaptive, nt,
                              -<double>INFINITY)
    return y, idx


def max_pool2d_fwd(x, kernel_size, stride, padding, dilation, blocks):
    """Max pooling of ``x`` (N, C, H, W) into ``blocks`` windows: values and
    int64 flat plane indices; see :func:`pytensor_ext.reference.
    max_pool2d_fwd` for the geometry and the tie/NaN rule.  float32/float64
    run compiled (any plane strides); other dtypes use the reference."""
    kh, kw = _pair("max_pool2d_fwd", "kernel_size", kernel_size, 1)
    sh, sw = _pair("max_pool2d_fwd", "stride", stride, 1)
    ph, pw = _pair("max_pool2d_fwd", "padding", padding, 0)
    dh, dw = _pair("max_pool2d_fwd", "dilation", dilation, 1)
    bh, bw = _pair("max_pool2d_fwd", "blocks", blocks, 0)
    t = real_type(x)
    if t < 0:
        return _ref.max_pool2d_fwd(x, (kh, kw), (sh, sw), (ph, pw),
                                   (dh, dw), (bh, bw))
    _four_d("max_pool2d_fwd", x)
    lo, hi, first = _col_ranges(x.shape[3], kw, sw, pw, dw, bw)
    return _run_max(x, t, bh, bw, (kh, kw, sh, sw, ph, pw, dh, dw), lo, hi,
                    first, first, False, kh * kw, "max_pool2d_fwd")


def adaptive_max_pool2d_fwd(x, blocks):
    """Adaptive max pooling of ``x`` (N, C, H, W) to ``blocks`` (bh, bw);
    see :func:`pytensor_ext.reference.adaptive_max_pool2d_fwd`."""
    bh, bw = _pair("adaptive_max_pool2d_fwd", "blocks", blocks, 0)
    t = real_type(x)
    if t < 0:
        return _ref.adaptive_max_pool2d_fwd(x, (bh, bw))
    _four_d("adaptive_max_pool2d_fwd", x)
    H, W = x.shape[2], x.shape[3]
    _adaptive_fits("adaptive_max_pool2d_fwd", x.shape, bh, bw)
    hs, he = _adaptive_axis(H, bh)
    ws, we = _adaptive_axis(W, bw)
    per = (-(-H // max(bh, 1)) + 1) * (-(-W // max(bw, 1)) + 1)
    return _run_max(x, t, bh, bw, (1, 1, 1, 1, 0, 0, 1, 1), hs, he, ws, we,
                    True, per, "adaptive_max_pool2d_fwd")


def max_pool2d_bwd(gy, indices, image_size):
    """Gradient of max pooling: ``gy`` (N, C, bh, bw) added at the flat
    plane positions ``indices`` of a zero (N, C, H, W) array; see
    :func:`pytensor_ext.reference.max_pool2d_bwd`."""
    H, W = _pair("max_pool2d_bwd", "image_size", image_size, 0)
    t = real_type(gy)
    if t < 0:
        return _ref.max_pool2d_bwd(gy, indices, (H, W))
    if gy.ndim != 4 or tuple(indices.shape) != tuple(gy.shape):
        raise ValueError(f"max_pool2d_bwd: expected a 4-d gradient and "
                         f"indices of the same shape, got "
                         f"{tuple(gy.shape)} and {tuple(indices.shape)}")
    if np.asarray(indices).dtype.kind not in "iu":
        raise TypeError(f"max_pool2d_bwd: indices must be integers, got "
                        f"{indices.dtype}")
    cdef cnp.ndarray g = _c_of(gy, t)
    cdef cnp.ndarray ix = _c_of(indices, -1)
    cdef Py_ssize_t planes = g.shape[0] * g.shape[1]
    cdef Py_ssize_t L = g.shape[2] * g.shape[3], HW = H * W
    gx = np.empty((g.shape[0], g.shape[1], H, W), dtype=g.dtype)
    if gx.size == 0:
        return gx
    cdef cnp.ndarray o = <cnp.ndarray>gx
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _max_bwd[float](<const float*>cnp.PyArray_DATA(g),
                            <const int64_t*>cnp.PyArray_DATA(ix),
                            <float*>cnp.PyArray_DATA(o), planes, L, HW)
        else:
            _max_bwd[double](<const double*>cnp.PyArray_DATA(g),
                             <const int64_t*>cnp.PyArray_DATA(ix),
                             <double*>cnp.PyArray_DATA(o), planes, L, HW)
    return gx


def _avg_tables(H, W, kernel_size, stride, padding, blocks,
                count_include_pad):
    """Per axis: the column ranges of each offset (as for max pooling, with
    dilation 1), a flag per window without input elements, and the
    divisor per window (the window clipped to the padded input, or to the
    input without ``count_include_pad``), as PyTorch's CPU kernel
    computes them."""
    tables = []
    for size, k, s, p, b in zip((H, W), kernel_size, stride, padding,
                                blocks):
        lo, hi, _ = _col_ranges(size, k, s, p, 1, b)
        start = np.arange(b, dtype=np.int64) * s - p
        end = np.minimum(start + k, size + p)
        vlo, vhi = np.maximum(start, 0), np.minimum(end, size)
        empty = (vlo >= vhi).astype(np.int64)
        div = end - start if count_include_pad else vhi - vlo
        tables.append((lo, hi, empty, div))
    return tables


cdef tuple _avg_args(object x, str name):
    cdef cnp.ndarray a = _planes(x, name)
    cdef Py_ssize_t isz = a.itemsize
    return (a, a.strides[0] // isz, a.strides[1] // isz,
            a.strides[2] // isz)


def _run_avg_fwd(object x, int t, Py_ssize_t bh, Py_ssize_t bw, geo, t0,
                 t1, t2, t3, dvh, dvw, int mode, int64_t dconst,
                 bint adaptive, Py_ssize_t per_window, str name):
    a_, sxn_, sxc_, sxh_ = _avg_args(x, name)
    cdef cnp.ndarray a = <cnp.ndarray>a_
    cdef Py_ssize_t sxn = sxn_, sxc = sxc_, sxh = sxh_
    cdef Py_ssize_t N = a.shape[0], C = a.shape[1], H = a.shape[2]
    cdef Py_ssize_t kh = geo[0], kw = geo[1], sh = geo[2], sw = geo[3]
    cdef Py_ssize_t ph = geo[4], pw = geo[5]
    y = np.empty((N, C, bh, bw), dtype=a.dtype)
    if y.size == 0:
        return y
    cdef cnp.ndarray o = <cnp.ndarray>y
    cdef int64_t[::1] a0 = _i64(t0), a1 = _i64(t1), a2 = _i64(t2)
    cdef int64_t[::1] a3 = _i64(t3), advh = _i64(dvh), advw = _i64(dvw)
    cdef Py_ssize_t work = y.size * max(per_window, 1)
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _avg_pool[float](<const float*>cnp.PyArray_DATA(a),
                             <float*>cnp.PyArray_DATA(o), N, C, H, sxn, sxc,
                             sxh, bh, bw, kh, kw, sh, sw, ph, pw, &a0[0],
                             &a1[0], &a2[0], &a3[0], &advh[0], &advw[0],
                             mode, dconst, adaptive, work)
        else:
            _avg_pool[double](<const double*>cnp.PyArray_DATA(a),
                              <double*>cnp.PyArray_DATA(o), N, C, H, sxn,
                              sxc, sxh, bh, bw, kh, kw, sh, sw, ph, pw,
                              &a0[0], &a1[0], &a2[0], &a3[0], &advh[0],
                              &advw[0], mode, dconst, adaptive, work)
    return y


def _run_avg_bwd(object gy, int t, Py_ssize_t H, Py_ssize_t W, geo, t0, t1,
                 t2, t3, dvh, dvw, int mode, int64_t dconst, bint adaptive,
                 Py_ssize_t per_window):
    cdef cnp.ndarray g = _c_of(gy, t)
    cdef Py_ssize_t planes = g.shape[0] * g.shape[1]
    cdef Py_ssize_t bh = g.shape[2], bw = g.shape[3]
    cdef Py_ssize_t kh = geo[0], kw = geo[1], sh = geo[2], sw = geo[3]
    cdef Py_ssize_t ph = geo[4], pw = geo[5]
    gx = np.empty((g.shape[0], g.shape[1], H, W), dtype=g.dtype)
    if gx.size == 0:
        return gx
    if g.size == 0:
        gx.fill(0)
        return gx
    cdef cnp.ndarray o = <cnp.ndarray>gx
    cdef int64_t[::1] a0 = _i64(t0), a1 = _i64(t1), a2 = _i64(t2)
    cdef int64_t[::1] a3 = _i64(t3), advh = _i64(dvh), advw = _i64(dvw)
    cdef int nt = threads_for(gx.size + g.size * max(per_window, 1), GRAIN)
    scratch = np.empty(nt * (bw + PAD) + 1, dtype=g.dtype)
    cdef cnp.ndarray sc = <cnp.ndarray>scratch
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _avg_bwd[float](<const float*>cnp.PyArray_DATA(g),
                            <float*>cnp.PyArray_DATA(o),
                            <float*>cnp.PyArray_DATA(sc), planes, H, W, bh,
                            bw, kh, kw, sh, sw, ph, pw, &a0[0], &a1[0],
                            &a2[0], &a3[0], &advh[0], &advw[0], mode, dconst,
                            adaptive, nt)
        else:
            _avg_bwd[double](<const double*>cnp.PyArray_DATA(g),
                             <double*>cnp.PyArray_DATA(o),
                             <double*>cnp.PyArray_DATA(sc), planes, H, W, bh,
                             bw, kh, kw, sh, sw, ph, pw, &a0[0], &a1[0],
                             &a2[0], &a3[0], &advh[0], &advw[0], mode,
                             dconst, adaptive, nt)
    return gx


def _avg_mode(divisor_override):
    if divisor_override:
        return DIV_CONST, int(divisor_override)
    return DIV_PRODUCT, 1


def avg_pool2d_fwd(x, kernel_size, stride, padding, blocks,
                   count_include_pad=True, divisor_override=None):
    """Average pooling of ``x`` (N, C, H, W) into ``blocks`` windows with
    PyTorch's divisor rules; see :func:`pytensor_ext.reference.
    avg_pool2d_fwd`.  float32/float64 run compiled; other dtypes use the
    reference."""
    ks = _pair("avg_pool2d_fwd", "kernel_size", kernel_size, 1)
    st = _pair("avg_pool2d_fwd", "stride", stride, 1)
    pd = _pair("avg_pool2d_fwd", "padding", padding, 0)
    bl = _pair("avg_pool2d_fwd", "blocks", blocks, 0)
    t = real_type(x)
    if t < 0:
        return _ref.avg_pool2d_fwd(x, ks, st, pd, bl, count_include_pad,
                                   divisor_override)
    _four_d("avg_pool2d_fwd", x)
    (_, _, _, dvh), (lo, hi, empty, dvw) = _avg_tables(
        x.shape[2], x.shape[3], ks, st, pd, bl, count_include_pad)
    mode, dconst = _avg_mode(divisor_override)
    return _run_avg_fwd(x, t, bl[0], bl[1], ks + st + pd, lo, hi, empty,
                        empty, dvh, dvw, mode, dconst, False,
                        ks[0] * ks[1], "avg_pool2d_fwd")


def avg_pool2d_bwd(gy, image_size, kernel_size, stride, padding,
                   count_include_pad=True, divisor_override=None):
    """Gradient of :func:`avg_pool2d_fwd` for ``gy`` (N, C, bh, bw)."""
    H, W = _pair("avg_pool2d_bwd", "image_size", image_size, 0)
    ks = _pair("avg_pool2d_bwd", "kernel_size", kernel_size, 1)
    st = _pair("avg_pool2d_bwd", "stride", stride, 1)
    pd = _pair("avg_pool2d_bwd", "padding", padding, 0)
    t = real_type(gy)
    if t < 0:
        return _ref.avg_pool2d_bwd(gy, (H, W), ks, st, pd,
                                   count_include_pad, divisor_override)
    if gy.ndim != 4:
        raise ValueError(f"avg_pool2d_bwd: expected a 4-d gradient, got "
                         f"shape {tuple(gy.shape)}")
    (_, _, _, dvh), (lo, hi, empty, dvw) = _avg_tables(
        H, W, ks, st, pd, gy.shape[2:], count_include_pad)
    mode, dconst = _avg_mode(divisor_override)
    return _run_avg_bwd(gy, t, H, W, ks + st + pd, lo, hi, empty, empty,
                        dvh, dvw, mode, dconst, False, ks[0] * ks[1])


def adaptive_avg_pool2d_fwd(x, blocks):
    """Adaptive average pooling of float ``x`` (N, C, H, W) to ``blocks``;
    see :func:`pytensor_ext.reference.adaptive_avg_pool2d_fwd`."""
    bh, bw = _pair("adaptive_avg_pool2d_fwd", "blocks", blocks, 0)
    t = real_type(x)
    if t < 0:
        return _ref.adaptive_avg_pool2d_fwd(x, (bh, bw))
    _four_d("adaptive_avg_pool2d_fwd", x)
    H, W = x.shape[2], x.shape[3]
    _adaptive_fits("adaptive_avg_pool2d_fwd", x.shape, bh, bw)
    hs, he = _adaptive_axis(H, bh)
    ws, we = _adaptive_axis(W, bw)
    per = (-(-H // max(bh, 1)) + 1) * (-(-W // max(bw, 1)) + 1)
    return _run_avg_fwd(x, t, bh, bw, (1, 1, 1, 1, 0, 0), hs, he, ws, we,
                        he - hs, we - ws, DIV_EACH, 1, True, per,
                        "adaptive_avg_pool2d_fwd")


def adaptive_avg_pool2d_bwd(gy, image_size):
    """Gradient of :func:`adaptive_avg_pool2d_fwd`."""
    H, W = _pair("adaptive_avg_pool2d_bwd", "image_size", image_size, 0)
    t = real_type(gy)
    if t < 0:
        return _ref.adaptive_avg_pool2d_bwd(gy, (H, W))
    if gy.ndim != 4:
        raise ValueError(f"adaptive_avg_pool2d_bwd: expected a 4-d "
                         f"gradient, got shape {tuple(gy.shape)}")
    hs, he = _adaptive_axis(H, gy.shape[2])
    ws, we = _adaptive_axis(W, gy.shape[3])
    per = (-(-H // max(gy.shape[2], 1)) + 1) * (
        -(-W // max(gy.shape[3], 1)) + 1)
    return _run_avg_bwd(gy, t, H, W, (1, 1, 1, 1, 0, 0), hs, he, ws, we,
                        he - hs, we - ws, DIV_EACH, 1, True, per)
