"""GPU layer-norm and batch-norm kernels: the reductions in
``cuda/norm.cu`` (one block per row or channel), the per-element parts as
``ElementwiseKernel``s; same names, signatures and semantics as
``pytensor_ext/cpu/_norm.pyx``.

Inputs are made C-contiguous first; arguments the kernels do not handle
(other dtypes, other ranks) go to the reference, which runs on CuPy too.
"""
import numpy as np

from pytensor_ext import reference as _ref
from pytensor_ext.gpu._common import ctype, is_real
from pytensor_ext.gpu._memo import cupy
from pytensor_ext.gpu._registry import elementwise, raw_function, raw_module

__all__ = ["layer_norm_fwd", "layer_norm_bwd", "batch_norm_fwd",
           "batch_norm_bwd"]

_RAW_KERNELS = ("layer_norm_fwd", "layer_norm_bwd", "layer_norm_wgrad_bwd",
                "batch_norm_stats_fwd", "batch_norm_sums_bwd")
NORM = raw_module("norm.cu", [f"pytensor_{k}<{t}>" for k in _RAW_KERNELS
                              for t in ("float", "double")])

BATCH_NORM_FWD = elementwise(
    "pytensor_batch_norm_fwd",
    "T x, raw T scale, raw T shift, int64 C, int64 L", "T y",
    "const long long c = (i / L) % C; y = x * scale[c] + shift[c]")
# In evaluation mode k1 = k2 = 0 would still multiply (x - mean): an
# infinite x would give NaN, so the evaluation form is its own kernel.
BATCH_NORM_BWD = elementwise(
    "pytensor_batch_norm_bwd",
    "T gy, T x, raw T k0, raw T k1, raw T k2, raw T mean, int64 C, int64 L",
    "T gx",
    "const long long c = (i / L) % C;"
    " gx = k0[c] * gy - k1[c] - k2[c] * (x - mean[c])")
BATCH_NORM_EVAL_BWD = elementwise(
    "pytensor_batch_norm_eval_bwd", "T gy, raw T k0, int64 C, int64 L",
    "T gx", "gx = k0[(i / L) % C] * gy")

_THREADS = 256
_MAX_GRID = 65535


def _block(n):
    """Threads for a reduction over ``n`` elements: a multiple of 32."""
    return int(min(_THREADS, max(32, 32 * ((n + 31) // 32))))


def _c(a):
    return a if a is None or a.flags.c_contiguous else a.copy(order="C")


def _vec_ok(v, like, n):
    return v is None or (is_real(v) and v.dtype == like.dtype
                         and v.shape == (n,))


def _launch(name, like, grid, block, args):
    fn = raw_function(NORM, f"pytensor_{name}<{ctype(like)}>")
    fn((int(min(max(grid, 1), _MAX_GRID)),), (block,), args)


def _ptr(a):
    """A device pointer argument (0 for None: the kernels test nullptr)."""
    return np.uint64(0) if a is None else a


def layer_norm_fwd(x, weight, bias, eps):
    """Normalize the rows of ``x`` (``(M, N)``), then ``* weight + bias``;
    returns ``(y, mean, rstd)``."""
    if not is_real(x) or x.ndim != 2 or x.shape[1] == 0 or not (
            _vec_ok(weight, x, x.shape[1]) and _vec_ok(bias, x, x.shape[1])):
        return _ref.layer_norm_fwd(x, weight, bias, eps)
    cp = cupy()
    M, N = x.shape
    x = _c(x)
    y = cp.empty_like(x)
    mean = cp.empty(M, x.dtype)
    rstd = cp.empty(M, x.dtype)
    if M:
        _launch("layer_norm_fwd", x, M, _block(N),
                (x, _ptr(_c(weight)), _ptr(_c(bias)), y, mean, rstd,
                 np.int64(M), np.int64(N), np.float64(eps)))
    return y, mean, rstd


def layer_norm_bwd(gy, x, mean, rstd, weight, output_mask):
    """Gradients ``(gx, gweight, gbias)`` of :func:`layer_norm_fwd`."""
    if not is_real(x) or x.ndim != 2 or gy.shape != x.shape or \
            gy.dtype != x.dtype or x.shape[1] == 0 or not (
                _vec_ok(weight, x, x.shape[1])
                and _vec_ok(mean, x, x.shape[0])
                and _vec_ok(rstd, x, x.shape[0])):
        return _ref.layer_norm_bwd(gy, x, mean, rstd, weight, output_mask)
    cp = cupy()
    M, N = x.shape
    gy, x, mean, rstd, weight = (_c(a) for a in (gy, x, mean, rstd, weight))
    need_x, need_w, need_b = (bool(v) for v in output_mask)
    gx = cp.empty_like(x) if need_x else None
    gw = cp.empty(N, x.dtype) if need_w else None
    gb = cp.empty(N, x.dtype) if need_b else None
    if need_x and M:
        _launch("layer_norm_bwd", x, M, _block(N),
                (gy, x, mean, rstd, _ptr(weight), gx, np.int64(M),
                 np.int64(N)))
    if need_w or need_b:
        _launch("layer_norm_wgrad_bwd", x, (N + _THREADS - 1) // _THREADS,
                _THREADS, (gy, x, mean, rstd, _ptr(gw), _ptr(gb),
                           np.int64(M), np.int64(N)))
    return gx, gw, gb


def batch_norm_fwd(x, weight, bias, running_mean, running_var, training,
                   momentum, eps):
    """Batch normalization of ``x`` (``(N, C, L)``); returns ``(y,
    save_mean, save_invstd)`` and, in training, updates the running
    statistics in place."""
    vecs = (weight, bias, running_mean, running_var)
    if not is_real(x) or x.ndim != 3 or not all(
            _vec_ok(v, x, x.shape[1]) for v in vecs) or \
            (not training and (running_mean is None or running_var is None)):
        return _ref.batch_norm_fwd(x, weight, bias, running_mean, running_var,
                                   training, momentum, eps)
    cp = cupy()
    N, C, L = x.shape
    n = N * L
    x = _c(x)
    if training:
        mean = cp.zeros(C, x.dtype)
        var = cp.zeros(C, x.dtype)
        if n and C:
            _launch("batch_norm_stats_fwd", x, C, _block(n),
                    (x, mean, var, np.int64(N), np.int64(C), np.int64(L)))
            # PyTorch's update: momentum * batch + (1 - momentum) * running,
            # the variance unbiased.
            if running_mean is not None:
                running_mean[...] = momentum * mean + (1 - momentum) * \
                    running_mean
            if running_var is not None:
                unbiased = var * (n / (n - 1)) if n > 1 else var * np.nan
                running_var[...] = momentum * unbiased + (1 - momentum) * \
                    running_var
    else:
        mean = running_mean.copy()
        var = running_var
    invstd = (1 / cp.sqrt(var + eps)).astype(x.dtype)
    scale = invstd if weight is None else invstd * weight
    shift = -mean * scale
    if bias is not None:
        shift = shift + bias
    y = cp.empty_like(x)
    if y.size:
        BATCH_NORM_FWD_K()(x, scale, shift, np.int64(C), np.int64(L), y)
    return y, mean, invstd


def batch_norm_bwd(gy, x, weight, save_mean, save_invstd, training,
                   output_mask):
    """Gradients ``(gx, gweight, gbias)`` of :func:`batch_norm_fwd`."""
    vecs = (weight, save_mean, save_invstd)
    if not is_real(x) or x.ndim != 3 or gy.shape != x.shape or \
            gy.dtype != x.dtype or not all(
                _vec_ok(v, x, x.shape[1]) for v in vecs):
        return _ref.batch_norm_bwd(gy, x, weight, save_mean, save_invstd,
                                   training, output_mask)
    cp = cupy()
    N, C, L = x.shape
    n = N * L
    gy, x, save_mean = _c(gy), _c(x), _c(save_mean)
    need_x, need_w, need_b = (bool(v) for v in output_mask)
    sg = cp.zeros(C, x.dtype)
    sgx = cp.zeros(C, x.dtype)
    if n and C:
        _launch("batch_norm_sums_bwd", x, C, _block(n),
                (gy, x, save_mean, sg, sgx, np.int64(N), np.int64(C),
                 np.int64(L)))
    gw = sgx * save_invstd if need_w else None
    gb = sg if need_b else None
    gx = None
    if need_x:
        k0 = save_invstd if weight is None else save_invstd * weight
        gx = cp.empty_like(x)
        if gx.size:
            if training and n:
                k1 = k0 * sg / n
                k2 = k0 * sgx * save_invstd * save_invstd / n
                BATCH_NORM_BWD_K()(gy, x, k0, k1, k2, save_mean, np.int64(C),
                                   np.int64(L), gx)
            else:
                BATCH_NORM_EVAL_BWD_K()(gy, k0, np.int64(C), np.int64(L),
                                        gx)
    return gx, gw, gb


def _kernel(decl):
    from pytensor_ext.gpu._registry import get
    return lambda: get(decl)


BATCH_NORM_FWD_K = _kernel(BATCH_NORM_FWD)
BATCH_NORM_BWD_K = _kernel(BATCH_NORM_BWD)
BATCH_NORM_EVAL_BWD_K = _kernel(BATCH_NORM_EVAL_BWD)
