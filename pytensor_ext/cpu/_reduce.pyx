# cython: language_level=3
"""``sum_to_shape``: the reverse of broadcasting, run by the autograd
engine on every broadcast gradient.

Size-1 axes are dropped and neighbouring axes that are all kept or all
summed are merged, which turns every common case into one pattern,
``(K0, R1, K2, R3) -> (K0, K2)`` (K kept, R summed, any of them 1):

- bias of a linear layer ``(N, D) -> (D,)``: ``K0=1, R1=N, K2=D, R3=1``,
  rows added into the output with vector adds;
- bias of a convolution ``(N, C, H, W) -> (1, C, 1, 1)``:
  ``R1=N, K2=C, R3=H*W``, contiguous sums of ``H*W``;
- ``(A, B) -> (A, 1)``: ``K0=A, R1=B``...

Threads split the kept axes (each owns its outputs, so no atomics and a
result independent of the thread count).  Anything else (five or more
merged groups, a non-contiguous input, other dtypes) goes to NumPy's own
reduction, which handles strides without a copy.
"""
cimport numpy as cnp
from cython.parallel cimport prange

from pytensor_ext.cpu._common cimport (
    real, vsum, vaddrows, threads_for, real_type)
import numpy as np

from pytensor_ext import reference as _ref

cnp.import_array()

__all__ = ["sum_to_shape"]

# Input elements per thread below which the sum stays on one thread.
cdef Py_ssize_t GRAIN = 1 << 16
# Narrowest column range one thread takes in the R3 == 1 case (cache lines
# are not shared between threads and rows stay long enough to vectorise).
cdef Py_ssize_t MIN_COLS = 64


cdef void _sum_cols(const real* x, real* out, Py_ssize_t R1, Py_ssize_t K2,
                    Py_ssize_t R3, Py_ssize_t c0, Py_ssize_t c1) noexcept nogil:
    """out[c] = sum over r, k of x[r, c, k] for c in [c0, c1), where x is a
    C-contiguous (R1, K2, R3) block."""
    cdef Py_ssize_t r, c
    cdef const real* r0
    cdef Py_ssize_t row = K2 * R3
    for c in range(c0, c1):
        out[c] = 0
    if R3 == 1:
        vaddrows(x + c0, out + c0, R1, row, c1 - c0)
    else:
        for r in range(R1):
            r0 = x + r * row
            for c in range(c0, c1):
                out[c] = out[c] + vsum(r0 + c * R3, R3)


cdef void _sum_4(const real* x, real* out, Py_ssize_t K0, Py_ssize_t R1,
                 Py_ssize_t K2, Py_ssize_t R3) noexcept nogil:
    cdef Py_ssize_t slab = R1 * K2 * R3, k, n, c0, w
    cdef int nt = threads_for(K0 * slab, GRAIN)
    if nt > 1 and K0 >= nt:
        for k in prange(K0, num_threads=nt, schedule="static"):
            _sum_cols(x + k * slab, out + k * K2, R1, K2, R3, 0, K2)
        return
    # Few kept outer blocks: split each block's columns between threads.
    w = (K2 + nt - 1) // nt
    if R3 == 1 and w < MIN_COLS:
        w = MIN_COLS
    n = (K2 + w - 1) // w
    if nt > 1 and n > 1:
        for k in range(K0):
            for c0 in prange(0, K2, w, num_threads=nt, schedule="static"):
                _sum_cols(x + k * slab, out + k * K2, R1, K2, R3, c0,
                          min(c0 + w, K2))
    else:
        for k in range(K0):
            _sum_cols(x + k * slab, out + k * K2, R1, K2, R3, 0, K2)


cdef list _groups(tuple xs, tuple shape):
    """Merged (kept, size) groups of ``xs`` summed down to ``shape``; raises
    ValueError when ``shape`` does not broadcast to ``xs``."""
    cdef Py_ssize_t lead = len(xs) - len(shape), i, n, s
    cdef list groups = []
    cdef bint kept
    if lead < 0:
        raise ValueError
    for i in range(len(xs)):
        n = xs[i]
        if i < lead:
            kept = False
        else:
            s = shape[i - lead]
            if s == n:
                kept = True
            elif s == 1:
                kept = False
            else:
                raise ValueError
        if n == 1:
            continue            # a size-1 axis changes no layout
        if groups and groups[len(groups) - 1][0] == kept:
            groups[len(groups) - 1][1] *= n
        else:
            groups.append([kept, n])
    return groups


def sum_to_shape(x, shape):
    """Sum ``x`` down to ``shape`` (the reverse of broadcasting).

    Returns ``x`` itself when the shapes already match, else a new array of
    exactly ``shape`` and ``x.dtype``.
    """
    try:
        shape = tuple(shape)
        xs = x.shape
    except (TypeError, AttributeError):
        raise TypeError(f"sum_to_shape: expected an array and a shape tuple, "
                        f"got {type(x).__name__} and "
                        f"{type(shape).__name__}") from None
    if xs == shape:
        return x
    try:
        groups = _groups(xs, shape)
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"sum_to_shape: cannot sum an array of shape "
                         f"{tuple(xs)} to shape {shape}: the target must "
                         "broadcast to the input") from None
    cdef int t = real_type(x)
    if t < 0 or not cnp.PyArray_ISCARRAY_RO(<cnp.ndarray>x):
        return _ref.sum_to_shape(x, shape)
    # Pattern K0 R1 K2 R3 (leading K0 optional); more groups go to NumPy.
    if groups and not groups[0][0]:
        groups.insert(0, [True, 1])
    if len(groups) > 4:
        return _ref.sum_to_shape(x, shape)
    if len(groups) == 2:        # (K, R): contiguous sums of R, not rows of 1
        sizes = [groups[0][1], 1, 1, groups[1][1]]
    else:
        sizes = [g[1] for g in groups] + [1] * (4 - len(groups))
    cdef Py_ssize_t K0 = sizes[0], R1 = sizes[1], K2 = sizes[2]
    cdef Py_ssize_t R3 = sizes[3]
    cdef cnp.ndarray a = <cnp.ndarray>x
    cdef cnp.ndarray out = np.empty(shape, dtype=a.dtype)
    cdef void* px = cnp.PyArray_DATA(a)
    cdef void* po = cnp.PyArray_DATA(out)
    if cnp.PyArray_SIZE(out) == 0:
        return out
    if cnp.PyArray_SIZE(a) == 0:
        out.fill(0)
        return out
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _sum_4[float](<float*>px, <float*>po, K0, R1, K2, R3)
        else:
            _sum_4[double](<double*>px, <double*>po, K0, R1, K2, R3)
    return out
