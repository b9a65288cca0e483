# cython: language_level=3
"""im2col / col2im: the data movement around the convolution GEMMs.

``im2col`` copies every sliding window of an (N, C, H, W) input into a
column of a matrix, so the convolution becomes one matrix product with the
(O, C*kh*kw) weight; ``col2im`` is its adjoint (every column entry is added
back to the input position it came from) and gives the input gradient and
``F.fold``.  Geometry and the two column layouts are described in
:mod:`pytensor_ext.reference`.

Work is split into independent tasks so no two threads write one element:
im2col over (kernel row, image) pairs, each writing one contiguous row
segment of ``bh * bw`` values; col2im over (image, channel) planes, each
owning its output plane.  Within a task, the valid column range of each
kernel offset is computed once, so the inner loops are plain copies /
adds (vectorised for stride 1) with the zero padding written separately.
Sums into one element always happen in the same order, so results do not
depend on the thread count.  Threads are used only for about a
millisecond of work or more, in dynamically scheduled chunks (see
``GRAIN``).
"""
cimport numpy as cnp
from cython.parallel cimport prange
from libc.string cimport memset
from openmp cimport omp_get_max_threads

from pytensor_ext.cpu._common cimport (real, real_type, sched_chunk,
                                       threads_for)

import numpy as np

from pytensor_ext import reference as _ref
from pytensor_ext._checks import (conv_geometry as _geometry,
                                  four_d as _four_d, pair as _pair)

cnp.import_array()

__all__ = ["im2col", "col2im"]


def max_threads():
    """The OpenMP thread cap of this module's loops
    (``omp_get_max_threads``: ``OMP_NUM_THREADS`` or ``omp_set_num_threads``
    from the calling thread)."""
    return omp_get_max_threads()


# Elements moved per thread below which a call stays on one thread.  Large
# on purpose (about a millisecond of copying): waking a second thread costs
# tens of microseconds on a quiet machine and, measured on a loaded 2-core
# one, often milliseconds (the thread waits for a core while the first
# one waits at the barrier), which a parallel region must earn back.
cdef Py_ssize_t GRAIN = 1 << 21


def _set_grain(Py_ssize_t grain):
    """Set the work per thread below which a call stays on one thread and
    return the previous value (tests lower it to run the parallel loops on
    small arrays)."""
    global GRAIN
    old = GRAIN
    GRAIN = grain
    return old


cdef inline Py_ssize_t _cdiv(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """ceil(a / b) for b > 0 and any a."""
    if a >= 0:
        return (a + b - 1) // b
    return -((-a) // b)


cdef inline void _col_range(Py_ssize_t off, Py_ssize_t size, Py_ssize_t s,
                            Py_ssize_t b, Py_ssize_t* lo,
                            Py_ssize_t* hi) noexcept nogil:
    """Windows ``o`` in [lo, hi) whose position ``o * s + off`` lies in
    [0, size)."""
    cdef Py_ssize_t a = _cdiv(-off, s)
    cdef Py_ssize_t z = _cdiv(size - off, s)
    if a < 0:
        a = 0
    if z > b:
        z = b
    if a > b:
        a = b
    if z < a:
        z = a
    lo[0] = a
    hi[0] = z


cdef void _im2col_task(const real* x, real* out, Py_ssize_t task,
                       Py_ssize_t N, Py_ssize_t H, Py_ssize_t W,
                       Py_ssize_t sxn, Py_ssize_t sxc, Py_ssize_t sxh,
                       Py_ssize_t kh, Py_ssize_t kw, Py_ssize_t sh,
                       Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                       Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t bh,
                       Py_ssize_t bw, Py_ssize_t row_stride,
                       Py_ssize_t n_stride) noexcept nogil:
    """Column row ``r = task // N`` (channel c, offset (i, j)) of image
    ``n = task % N``: ``bh * bw`` values."""
    cdef Py_ssize_t r = task // N
    cdef Py_ssize_t n = task - r * N
    cdef Py_ssize_t kk = kh * kw
    cdef Py_ssize_t c = r // kk
    cdef Py_ssize_t i = (r - c * kk) // kw
    cdef Py_ssize_t j = r - c * kk - i * kw
    cdef Py_ssize_t off = j * dw - pw
    cdef Py_ssize_t lo, hi, oh, ow, h
    cdef real* dst = out + r * row_stride + n * n_stride
    cdef real* d
    cdef const real* src
    _col_range(off, W, sw, bw, &lo, &hi)
    for oh in range(bh):
        d = dst + oh * bw
        h = oh * sh - ph + i * dh
        if h < 0 or h >= H or hi == lo:
            memset(d, 0, bw * sizeof(real))
            continue
        src = x + n * sxn + c * sxc + h * sxh + off
        # Plain loops, not memset/memcpy calls: rows are short (often a
        # dozen elements), where the calls cost more than the copy.
        for ow in range(lo):
            d[ow] = 0
        if sw == 1:
            for ow in range(lo, hi):
                d[ow] = src[ow]
        else:
            for ow in range(lo, hi):
                d[ow] = src[ow * sw]
        for ow in range(hi, bw):
            d[ow] = 0


cdef void _im2col(const real* x, real* out, Py_ssize_t N, Py_ssize_t C,
                  Py_ssize_t H, Py_ssize_t W, Py_ssize_t sxn,
                  Py_ssize_t sxc, Py_ssize_t sxh, Py_ssize_t kh,
                  Py_ssize_t kw, Py_ssize_t sh, Py_ssize_t sw,
                  Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh,
                  Py_ssize_t dw, Py_ssize_t bh, Py_ssize_t bw,
                  Py_ssize_t row_stride, Py_ssize_t n_stride) noexcept nogil:
    cdef Py_ssize_t tasks = C * kh * kw * N
    cdef Py_ssize_t t
    cdef int nt = threads_for(tasks * bh * bw, GRAIN)
    if nt == 1:
        for t in range(tasks):
            _im2col_task(x, out, t, N, H, W, sxn, sxc, sxh, kh, kw, sh, sw,
                         ph, pw, dh, dw, bh, bw, row_stride, n_stride)
        return
    for t in prange(tasks, schedule="dynamic", num_threads=nt,
                    chunksize=sched_chunk(bh * bw)):
        _im2col_task(x, out, t, N, H, W, sxn, sxc, sxh, kh, kw, sh, sw,
                     ph, pw, dh, dw, bh, bw, row_stride, n_stride)


cdef void _col2im_task(const real* cols, real* out, Py_ssize_t task,
                       Py_ssize_t C, Py_ssize_t H, Py_ssize_t W,
                       Py_ssize_t kh, Py_ssize_t kw, Py_ssize_t sh,
                       Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                       Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t bh,
                       Py_ssize_t bw, Py_ssize_t row_stride,
                       Py_ssize_t n_stride) noexcept nogil:
    """Output plane ``task = n * C + c``: zero it, then add every column
    entry of channel c of image n (offsets in row-major order, windows in
    row-major order)."""
    cdef Py_ssize_t n = task // C
    cdef Py_ssize_t c = task - n * C
    cdef real* plane = out + task * H * W
    cdef Py_ssize_t i, j, r, off, lo, hi, oh, ow, h
    cdef const real* src
    cdef real* d
    memset(plane, 0, H * W * sizeof(real))
    for i in range(kh):
        for j in range(kw):
            r = (c * kh + i) * kw + j
            off = j * dw - pw
            _col_range(off, W, sw, bw, &lo, &hi)
            if hi == lo:
                continue
            for oh in range(bh):
                h = oh * sh - ph + i * dh
                if h < 0 or h >= H:
                    continue
                src = cols + r * row_stride + n * n_stride + oh * bw
                d = plane + h * W + off
                if sw == 1:
                    for ow in range(lo, hi):
                        d[ow] = d[ow] + src[ow]
                else:
                    for ow in range(lo, hi):
                        d[ow * sw] = d[ow * sw] + src[ow]


cdef void _col2im(const real* cols, real* out, Py_ssize_t N, Py_ssize_t C,
                  Py_ssize_t H, Py_ssize_t W, Py_ssize_t kh, Py_ssize_t kw,
                  Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph,
                  Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw,
                  Py_ssize_t bh, Py_ssize_t bw, Py_ssize_t row_stride,
                  Py_ssize_t n_stride) noexcept nogil:
    cdef Py_ssize_t tasks = N * C
    cdef Py_ssize_t t
    cdef int nt = threads_for(tasks * kh * kw * bh * bw, GRAIN)
    if nt == 1:
        for t in range(tasks):
            _col2im_task(cols, out, t, C, H, W, kh, kw, sh, sw, ph, pw, dh,
                         dw, bh, bw, row_stride, n_stride)
        return
    for t in prange(tasks, schedule="dynamic", num_threads=nt,
                    chunksize=sched_chunk(kh * kw * bh * bw)):
        _col2im_task(cols, out, t, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw,
                     bh, bw, row_stride, n_stride)


# --- argument checks --------------------------------------------------------
cdef inline cnp.ndarray _rows_contiguous(cnp.ndarray x):
    """``x`` when its last axis is unit-stride and every stride is a whole
    number of elements (the kernels address planes through strides), else
    a C-contiguous copy."""
    cdef Py_ssize_t isz = x.itemsize
    cdef int d
    if x.ndim and x.shape[x.ndim - 1] > 1 and x.strides[x.ndim - 1] != isz:
        return np.ascontiguousarray(x)
    for d in range(x.ndim):
        if x.strides[d] % isz:
            return np.ascontiguousarray(x)
    if not cnp.PyArray_ISALIGNED(x):
        return np.ascontiguousarray(x)
    return x


def im2col(x, kernel_size, stride, padding, dilation, blocks, layout="nkl"):
    """Sliding-window columns of ``x`` (N, C, H, W); see
    :func:`pytensor_ext.reference.im2col`.  float32/float64 run compiled
    (any strides whose last axis is unit-stride); other dtypes use the
    reference."""
    geo = _geometry("im2col", kernel_size, stride, padding, dilation, blocks,
                    layout)
    t = real_type(x)
    if t < 0:
        return _ref.im2col(x, *geo, layout)
    _four_d("im2col", x)
    cdef Py_ssize_t kh = geo[0][0], kw = geo[0][1], sh = geo[1][0]
    cdef Py_ssize_t sw = geo[1][1], ph = geo[2][0], pw = geo[2][1]
    cdef Py_ssize_t dh = geo[3][0], dw = geo[3][1], bh = geo[4][0]
    cdef Py_ssize_t bw = geo[4][1]
    cdef cnp.ndarray a = _rows_contiguous(<cnp.ndarray>x)
    cdef Py_ssize_t N = a.shape[0], C = a.shape[1]
    cdef Py_ssize_t H = a.shape[2], W = a.shape[3]
    cdef Py_ssize_t K = C * kh * kw, L = bh * bw
    cdef Py_ssize_t isz = a.itemsize
    cdef Py_ssize_t sxn = a.strides[0] // isz, sxc = a.strides[1] // isz
    cdef Py_ssize_t sxh = a.strides[2] // isz
    cdef Py_ssize_t row_stride, n_stride
    if layout == "nkl":
        out = np.empty((N, K, L), dtype=a.dtype)
        row_stride, n_stride = L, K * L
    else:
        out = np.empty((K, N * L), dtype=a.dtype)
        row_stride, n_stride = N * L, L
    if out.size == 0:
        return out
    if H == 0 or W == 0:
        out.fill(0)
        return out
    cdef cnp.ndarray o = <cnp.ndarray>out
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _im2col[float](<const float*>cnp.PyArray_DATA(a),
                           <float*>cnp.PyArray_DATA(o), N, C, H, W, sxn,
                           sxc, sxh, kh, kw, sh, sw, ph, pw, dh, dw, bh, bw,
                           row_stride, n_stride)
        else:
            _im2col[double](<const double*>cnp.PyArray_DATA(a),
                            <double*>cnp.PyArray_DATA(o), N, C, H, W, sxn,
                            sxc, sxh, kh, kw, sh, sw, ph, pw, dh, dw, bh, bw,
                            row_stride, n_stride)
    return out


def col2im(cols, image_size, kernel_size, stride, padding, dilation, blocks,
           layout="nkl"):
    """The adjoint of :func:`im2col` (``F.fold``); see
    :func:`pytensor_ext.reference.col2im`.  Returns a new (N, C, H, W)
    array."""
    geo = _geometry("col2im", kernel_size, stride, padding, dilation, blocks,
                    layout)
    size = _pair("col2im", "image_size", image_size, 0)
    t = real_type(cols)
    if t < 0:
        return _ref.col2im(cols, size, *geo, layout)
    cdef Py_ssize_t kh = geo[0][0], kw = geo[0][1], sh = geo[1][0]
    cdef Py_ssize_t sw = geo[1][1], ph = geo[2][0], pw = geo[2][1]
    cdef Py_ssize_t dh = geo[3][0], dw = geo[3][1], bh = geo[4][0]
    cdef Py_ssize_t bw = geo[4][1]
    shape = tuple(cols.shape)
    cdef cnp.ndarray a = <cnp.ndarray>cols
    cdef Py_ssize_t kk = kh * kw, L = bh * bw
    cdef Py_ssize_t N, C, K, row_stride, n_stride
    if layout == "nkl":
        if a.ndim != 3 or a.shape[1] % kk or a.shape[2] != L:
            raise ValueError(
                f"col2im: expected columns of shape (N, C*{kk}, {L}) for "
                f"kernel_size {geo[0]} and blocks {geo[4]}, got {shape}")
        N, K = a.shape[0], a.shape[1]
    else:
        if a.ndim != 2 or a.shape[0] % kk or (
                L and a.shape[1] % L) or (not L and a.shape[1]):
            raise ValueError(
                f"col2im: expected columns of shape (C*{kk}, N*{L}) for "
                f"kernel_size {geo[0]} and blocks {geo[4]}, got {shape}")
        K = a.shape[0]
        N = a.shape[1] // L if L else 0
    C = K // kk
    a = np.ascontiguousarray(a)
    if layout == "nkl":
        row_stride, n_stride = L, K * L
    else:
        row_stride, n_stride = N * L, L
    cdef Py_ssize_t H = size[0], W = size[1]
    out = np.empty((N, C, H, W), dtype=a.dtype)
    if out.size == 0:
        return out
    if L == 0:
        out.fill(0)
        return out
    cdef cnp.ndarray o = <cnp.ndarray>out
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _col2im[float](<const float*>cnp.PyArray_DATA(a),
                           <float*>cnp.PyArray_DATA(o), N, C, H, W, kh, kw,
                           sh, sw, ph, pw, dh, dw, bh, bw, row_stride,
                           n_stride)
        else:
            _col2im[double](<const double*>cnp.PyArray_DATA(a),
                            <double*>cnp.PyArray_DATA(o), N, C, H, W, kh, kw,
                            sh, sw, ph, pw, dh, dw, bh, bw, row_stride,
                            n_stride)
    return out
