"""GPU ``im2col`` / ``col2im`` (``cuda/conv.cu``), the twins of
``pytensor_ext/cpu/_conv.pyx``: same names, signatures, checks and
results (``col2im`` sums in the CPU kernel's order).  Inputs are read
through their strides (no copy); results are new C-contiguous arrays."""
import numpy as np

from pytensor_ext import reference as _ref
from pytensor_ext._checks import (conv_geometry as _geometry,
                                  four_d as _four_d, pair)
from pytensor_ext.gpu._common import ctype, is_real
from pytensor_ext.gpu._memo import cupy
from pytensor_ext.gpu._registry import raw_function, raw_module

__all__ = ["im2col", "col2im"]

CONV = raw_module("conv.cu", [f"pytensor_{k}<{t}>" for k in
                              ("im2col", "col2im")
                              for t in ("float", "double")])

_THREADS = 256
_MAX_GRID = 2 ** 31 - 1


def grid(total):
    return (min((total + _THREADS - 1) // _THREADS, _MAX_GRID),)


def estrides(a):
    """Element strides of an array (its byte strides must be whole
    elements; CuPy arrays always are)."""
    return tuple(np.int64(s // a.itemsize) for s in a.strides)


def im2col(x, kernel_size, stride, padding, dilation, blocks, layout="nkl"):
    """Sliding-window columns of ``x`` (N, C, H, W); see
    :func:`pytensor_ext.reference.im2col`."""
    geo = _geometry("im2col", kernel_size, stride, padding, dilation, blocks,
                    layout)
    if not is_real(x):
        return _ref.im2col(x, *geo, layout)
    _four_d("im2col", x)
    cp = cupy()
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (bh, bw) = geo
    n, c, h, w = x.shape
    k, big_l = c * kh * kw, bh * bw
    if layout == "nkl":
        out = cp.empty((n, k, big_l), dtype=x.dtype)
        rs, ns = big_l, k * big_l
    else:
        out = cp.empty((k, n * big_l), dtype=x.dtype)
        rs, ns = n * big_l, big_l
    if out.size == 0:
        return out
    fn = raw_function(CONV, f"pytensor_im2col<{ctype(x)}>")
    i64 = np.int64
    fn(grid(out.size), (_THREADS,),
       (x, out, i64(n), i64(c), i64(h), i64(w), *estrides(x), i64(kh),
        i64(kw), i64(sh), i64(sw), i64(ph), i64(pw), i64(dh), i64(dw),
        i64(bh), i64(bw), i64(rs), i64(ns)))
    return out


def col2im(cols, image_size, kernel_size, stride, padding, dilation, blocks,
           layout="nkl"):
    """The adjoint of :func:`im2col` (``F.fold``); see
    :func:`pytensor_ext.reference.col2im`."""
    geo = _geometry("col2im", kernel_size, stride, padding, dilation, blocks,
                    layout)
    size = pair("col2im", "image_size", image_size, 0)
    if not is_real(cols):
        return _ref.col2im(cols, size, *geo, layout)
    cp = cupy()
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (bh, bw) = geo
    kk, big_l = kh * kw, bh * bw
    shape = tuple(cols.shape)
    if layout == "nkl":
        if cols.ndim != 3 or shape[1] % kk or shape[2] != big_l:
            raise ValueError(
                f"col2im: expected columns of shape (N, C*{kk}, {big_l}) for "
                f"kernel_size {geo[0]} and blocks {geo[4]}, got {shape}")
        n, k = shape[0], shape[1]
    else:
        if cols.ndim != 2 or shape[0] % kk or (
                big_l and shape[1] % big_l) or (not big_l and shape[1]):
            raise ValueError(
                f"col2im: expected columns of shape (C*{kk}, N*{big_l}) for "
                f"kernel_size {geo[0]} and blocks {geo[4]}, got {shape}")
        k = shape[0]
        n = shape[1] // big_l if big_l else 0
    c = k // kk
    rs, ns = (big_l, k * big_l) if layout == "nkl" else (n * big_l, big_l)
    a = cols if cols.flags.c_contiguous else cp.ascontiguousarray(cols)
    out = cp.empty((n, c) + size, dtype=cols.dtype)
    if out.size == 0:
        return out
    fn = raw_function(CONV, f"pytensor_col2im<{ctype(cols)}>")
    i64 = np.int64
    fn(grid(out.size), (_THREADS,),
       (a, out, i64(n), i64(c), i64(size[0]), i64(size[1]), i64(kh), i64(kw),
        i64(sh), i64(sw), i64(ph), i64(pw), i64(dh), i64(dw), i64(bh),
        i64(bw), i64(rs), i64(ns)))
    return out
