"""GPU pooling kernels (``cuda/pool.cu``), the twins of
``pytensor_ext/cpu/_pool.pyx``: same names, signatures, checks, tie/NaN
and divisor rules.  Inputs are read through their strides; results are new
C-contiguous arrays."""
import numpy as np

from pytensor_ext import reference as _ref
from pytensor_ext._checks import (adaptive_fits as _adaptive_fits,
                                  four_d as _four_d)
from pytensor_ext.gpu._common import ctype, is_real
from pytensor_ext.gpu._memo import cupy
from pytensor_ext.gpu._registry import raw_function, raw_module
from pytensor_ext.gpu.conv import estrides, grid, pair

__all__ = ["max_pool2d_fwd", "max_pool2d_bwd", "adaptive_max_pool2d_fwd",
           "avg_pool2d_fwd", "avg_pool2d_bwd", "adaptive_avg_pool2d_fwd",
           "adaptive_avg_pool2d_bwd"]

_KERNELS = ("max_pool2d_fwd", "adaptive_max_pool2d_fwd", "max_pool2d_bwd",
            "avg_pool2d_fwd", "avg_pool2d_bwd", "adaptive_avg_pool2d_fwd",
            "adaptive_avg_pool2d_bwd")
POOL = raw_module("pool.cu", [f"pytensor_{k}<{t}>" for k in _KERNELS
                              for t in ("float", "double")])
_THREADS = 256
i64 = np.int64


def _fn(kernel, x):
    return raw_function(POOL, f"pytensor_{kernel}<{ctype(x)}>")


def max_pool2d_fwd(x, kernel_size, stride, padding, dilation, blocks):
    """Max pooling: values and int64 flat plane indices; see
    :func:`pytensor_ext.reference.max_pool2d_fwd`."""
    name = "max_pool2d_fwd"
    kh, kw = pair(name, "kernel_size", kernel_size, 1)
    sh, sw = pair(name, "stride", stride, 1)
    ph, pw = pair(name, "padding", padding, 0)
    dh, dw = pair(name, "dilation", dilation, 1)
    bh, bw = pair(name, "blocks", blocks, 0)
    if not is_real(x):
        return _ref.max_pool2d_fwd(x, (kh, kw), (sh, sw), (ph, pw),
                                   (dh, dw), (bh, bw))
    _four_d(name, x)
    cp = cupy()
    n, c, h, w = x.shape
    y = cp.empty((n, c, bh, bw), dtype=x.dtype)
    idx = cp.empty((n, c, bh, bw), dtype=cp.int64)
    if y.size:
        _fn(name, x)(grid(y.size), (_THREADS,),
                     (x, y, idx, i64(n), i64(c), i64(h), i64(w),
                      *estrides(x), i64(kh), i64(kw), i64(sh), i64(sw),
                      i64(ph), i64(pw), i64(dh), i64(dw), i64(bh), i64(bw)))
    return y, idx


def adaptive_max_pool2d_fwd(x, blocks):
    """Adaptive max pooling; see :func:`pytensor_ext.reference.
    adaptive_max_pool2d_fwd`."""
    name = "adaptive_max_pool2d_fwd"
    bh, bw = pair(name, "blocks", blocks, 0)
    if not is_real(x):
        return _ref.adaptive_max_pool2d_fwd(x, (bh, bw))
    _four_d(name, x)
    cp = cupy()
    n, c, h, w = x.shape
    _adaptive_fits(name, x.shape, bh, bw)
    y = cp.empty((n, c, bh, bw), dtype=x.dtype)
    idx = cp.empty((n, c, bh, bw), dtype=cp.int64)
    if y.size:
        _fn(name, x)(grid(y.size), (_THREADS,),
                     (x, y, idx, i64(n), i64(c), i64(h), i64(w),
                      *estrides(x), i64(bh), i64(bw)))
    return y, idx


def max_pool2d_bwd(gy, indices, image_size):
    """Gradient of max pooling: ``gy`` added at ``indices`` of zero planes
    (indices outside a plane are skipped)."""
    name = "max_pool2d_bwd"
    h, w = pair(name, "image_size", image_size, 0)
    if not is_real(gy):
        return _ref.max_pool2d_bwd(gy, indices, (h, w))
    if gy.ndim != 4 or tuple(indices.shape) != tuple(gy.shape):
        raise ValueError(f"{name}: expected a 4-d gradient and indices of "
                         f"the same shape, got {tuple(gy.shape)} and "
                         f"{tuple(indices.shape)}")
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{name}: indices must be integers, got "
                        f"{indices.dtype}")
    cp = cupy()
    g = cp.ascontiguousarray(gy)
    ix = cp.ascontiguousarray(indices, dtype=cp.int64)
    gx = cp.zeros((g.shape[0], g.shape[1], h, w), dtype=g.dtype)
    if gx.size and g.size:
        planes = g.shape[0] * g.shape[1]
        big_l = g.shape[2] * g.shape[3]
        _fn(name, g)(grid(g.size), (_THREADS,),
                     (g, ix, gx, i64(planes), i64(big_l), i64(h * w)))
    return gx


def avg_pool2d_fwd(x, kernel_size, stride, padding, blocks,
                   count_include_pad=True, divisor_override=None):
    """Average pooling with PyTorch's divisors; see
    :func:`pytensor_ext.reference.avg_pool2d_fwd`."""
    name = "avg_pool2d_fwd"
    kh, kw = pair(name, "kernel_size", kernel_size, 1)
    sh, sw = pair(name, "stride", stride, 1)
    ph, pw = pair(name, "padding", padding, 0)
    bh, bw = pair(name, "blocks", blocks, 0)
    if not is_real(x):
        return _ref.avg_pool2d_fwd(x, (kh, kw), (sh, sw), (ph, pw), (bh, bw),
                                   count_include_pad, divisor_override)
    _four_d(name, x)
    cp = cupy()
    n, c, h, w = x.shape
    y = cp.empty((n, c, bh, bw), dtype=x.dtype)
    if y.size:
        _fn(name, x)(grid(y.size), (_THREADS,),
                     (x, y, i64(n), i64(c), i64(h), i64(w), *estrides(x),
                      i64(kh), i64(kw), i64(sh), i64(sw), i64(ph), i64(pw),
                      i64(bh), i64(bw), bool(count_include_pad),
                      i64(divisor_override or 0)))
    return y


def avg_pool2d_bwd(gy, image_size, kernel_size, stride, padding,
                   count_include_pad=True, divisor_override=None):
    """Gradient of :func:`avg_pool2d_fwd`."""
    name = "avg_pool2d_bwd"
    h, w = pair(name, "image_size", image_size, 0)
    kh, kw = pair(name, "kernel_size", kernel_size, 1)
    sh, sw = pair(name, "stride", stride, 1)
    ph, pw = pair(name, "padding", padding, 0)
    if not is_real(gy):
        return _ref.avg_pool2d_bwd(gy, (h, w), (kh, kw), (sh, sw), (ph, pw),
                                   count_include_pad, divisor_override)
    if gy.ndim != 4:
        raise ValueError(f"{name}: expected a 4-d gradient, got shape "
                         f"{tuple(gy.shape)}")
    cp = cupy()
    g = cp.ascontiguousarray(gy)
    n, c, bh, bw = g.shape
    gx = cp.zeros((n, c, h, w), dtype=g.dtype)
    if gx.size and g.size:
        _fn(name, g)(grid(gx.size), (_THREADS,),
                     (g, gx, i64(n), i64(c), i64(h), i64(w), i64(kh),
                      i64(kw), i64(sh), i64(sw), i64(ph), i64(pw), i64(bh),
                      i64(bw), bool(count_include_pad),
                      i64(divisor_override or 0)))
    return gx


def adaptive_avg_pool2d_fwd(x, blocks):
    """Adaptive average pooling; see :func:`pytensor_ext.reference.
    adaptive_avg_pool2d_fwd`."""
    name = "adaptive_avg_pool2d_fwd"
    bh, bw = pair(name, "blocks", blocks, 0)
    if not is_real(x):
        return _ref.adaptive_avg_pool2d_fwd(x, (bh, bw))
    _four_d(name, x)
    cp = cupy()
    n, c, h, w = x.shape
    _adaptive_fits(name, x.shape, bh, bw)
    y = cp.empty((n, c, bh, bw), dtype=x.dtype)
    if y.size:
        _fn(name, x)(grid(y.size), (_THREADS,),
                     (x, y, i64(n), i64(c), i64(h), i64(w), *estrides(x),
                      i64(bh), i64(bw)))
    return y


def adaptive_avg_pool2d_bwd(gy, image_size):
    """Gradient of :func:`adaptive_avg_pool2d_fwd`."""
    name = "adaptive_avg_pool2d_bwd"
    h, w = pair(name, "image_size", image_size, 0)
    if not is_real(gy):
        return _ref.adaptive_avg_pool2d_bwd(gy, (h, w))
    if gy.ndim != 4:
        raise ValueError(f"{name}: expected a 4-d gradient, got shape "
                         f"{tuple(gy.shape)}")
    cp = cupy()
    g = cp.ascontiguousarray(gy)
    n, c, bh, bw = g.shape
    gx = cp.zeros((n, c, h, w), dtype=g.dtype)
    if gx.size and g.size:
        _fn(name, g)(grid(gx.size), (_THREADS,),
                     (g, gx, i64(n), i64(c), i64(h), i64(w), i64(bh),
                      i64(bw)))
    return gx
