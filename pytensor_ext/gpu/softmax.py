"""GPU softmax / log-softmax over any dim (``cuda/softmax.cu``).

The array is seen as ``(outer, D, inner)``: ``inner == 1`` launches one
block per row, otherwise one thread per column (coalesced across
``inner``, no transpose).  Non-contiguous inputs are made contiguous
first.
"""
import numpy as np

from pytensor_ext import reference as _ref
from pytensor_ext.gpu._common import canonical_dim, ctype, is_real
from pytensor_ext.gpu._memo import cupy
from pytensor_ext.gpu._registry import raw_function, raw_module

__all__ = ["softmax_fwd", "softmax_bwd", "log_softmax_fwd", "log_softmax_bwd"]

_KINDS = ("softmax_fwd", "log_softmax_fwd", "softmax_bwd", "log_softmax_bwd")
SOFTMAX = raw_module("softmax.cu", [
    f"pytensor_{kind}<{t}, {rows}>" for kind in _KINDS
    for t in ("float", "double") for rows in ("true", "false")])

_THREADS = 256
_MAX_GRID = 2 ** 31 - 1


def _geometry(name, shape, dim):
    d = canonical_dim(name, len(shape), dim)
    if not shape:
        return 1, 1, 1
    outer = int(np.prod(shape[:d], dtype=np.int64))
    inner = int(np.prod(shape[d + 1:], dtype=np.int64))
    return outer, shape[d], inner


def _c(a):
    # (not ascontiguousarray, which may turn a 0-d array into a 1-d one)
    return a if a.flags.c_contiguous else a.copy(order="C")


def _launch(kind, a, g, dim):
    cp = cupy()
    a = _c(a)
    g = a if g is None else _c(g)
    outer, D, inner = _geometry(kind, a.shape, dim)
    out = cp.empty_like(a)
    if out.size == 0:
        return out
    rows = inner == 1
    fn = raw_function(SOFTMAX, f"pytensor_{kind}<{ctype(a)}, "
                               f"{'true' if rows else 'false'}>")
    if rows:
        # A warp for short rows, up to _THREADS threads for long ones.
        block = min(_THREADS, max(32, 32 * ((D + 31) // 32)))
        grid = min(outer, _MAX_GRID)
    else:
        block = _THREADS
        grid = min((outer * inner + block - 1) // block, _MAX_GRID)
    fn((grid,), (block,), (a, g, out, np.int64(outer), np.int64(D),
                           np.int64(inner)))
    return out


def softmax_fwd(x, dim):
    """``exp(x - max) / sum(exp(x - max))`` along ``dim``."""
    if not is_real(x):
        return _ref.softmax_fwd(x, dim)
    return _launch("softmax_fwd", x, None, dim)


def log_softmax_fwd(x, dim):
    """``x - max - log(sum(exp(x - max)))`` along ``dim``."""
    if not is_real(x):
        return _ref.log_softmax_fwd(x, dim)
    return _launch("log_softmax_fwd", x, None, dim)


def _bwd(kind, y, gy, dim):
    if not is_real(y) or y.dtype != gy.dtype:
        return getattr(_ref, kind)(y, gy, dim)
    if y.shape != gy.shape:
        raise ValueError(f"{kind}: the saved output of shape {tuple(y.shape)}"
                         f" and the gradient of shape {tuple(gy.shape)} "
                         "differ")
    return _launch(kind, y, gy, dim)


def softmax_bwd(y, gy, dim):
    """Gradient of softmax from its output: ``y * (gy - sum(gy * y))``."""
    return _bwd("softmax_bwd", y, gy, dim)


def log_softmax_bwd(y, gy, dim):
    """Gradient of log-softmax from its output: ``gy - exp(y) * sum(gy)``."""
    return _bwd("log_softmax_bwd", y, gy, dim)
