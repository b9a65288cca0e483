"""``rms_norm``: root-mean-square normalization over the trailing dims."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops.nn._common import (
    check_float, check_param, check_tensor, fmt_shape)
from pytensor.ops.nn.layer_norm import _normalized_shape, _sum_lead

__all__ = ["rms_norm"]


class RMSNorm(Function):
    """``x / sqrt(mean(x ** 2) + eps) * weight`` over the trailing dims;
    the array backward is ``rstd * (g - xhat * mean(g * xhat))`` with
    ``g = gy * weight``; ``backward`` is the same with differentiable ops.
    """

    def __init__(self, nd, eps):
        self.nd = nd
        self.eps = eps

    def _axes(self, ndim):
        return tuple(range(ndim - self.nd, ndim))

    def forward(self, x, weight):
        axes = self._axes(x.ndim)
        xp = get_xp(x)
        ms = (x * x).mean(axis=axes, keepdims=True) if axes else x * x
        rstd = (1 / xp.sqrt(ms + self.eps)).astype(x.dtype)
        y = x * rstd
        if weight is not None:
            y *= weight
        self.save_for_backward(x, weight, rstd)
        return y

    def backward_arrays(self, gy):
        x, weight, rstd = self.saved_arrays
        need = self.needs_input_grad
        axes = self._axes(x.ndim)
        xhat = x * rstd
        gx = gw = None
        if need[0]:
            g = gy if weight is None else gy * weight
            m = (g * xhat).mean(axis=axes, keepdims=True) if axes \
                else g * xhat
            gx = rstd * (g - xhat * m)
        if need[1]:
            lead = tuple(range(x.ndim - self.nd))
            gw = (gy * xhat).sum(axis=lead) if lead else gy * xhat
        return gx, gw

    def backward(self, gy):
        x, weight = self.saved_tensors[:2]
        need = self.needs_input_grad
        axes = self._axes(x.ndim)
        ms = (x * x).mean(axes, keepdim=True) if axes else x * x
        r = (ms + self.eps) ** -0.5
        xhat = x * r
        gx = gw = None
        if need[0]:
            g = gy if weight is None else gy * weight
            m = (g * xhat).mean(axes, keepdim=True) if axes else g * xhat
            gx = r * (g - xhat * m)
        if need[1]:
            gw = _sum_lead(gy * xhat, tuple(range(x.ndim - self.nd)))
        return gx, gw


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalization over the trailing dims:
    ``y = x / sqrt(mean(x ** 2) + eps) * weight``.

    Args:
        input (Tensor): ``(*, *normalized_shape)``.
        normalized_shape (int or sequence of int): the trailing shape.
        weight (Tensor, optional): ``normalized_shape``.
        eps (float, optional): defaults to the machine epsilon of the
            input's dtype (PyTorch's ``torch.finfo(dtype).eps``).

    Returns:
        Tensor of ``input``'s shape.

    Example:
        >>> import pytensor
        >>> pytensor.rms_norm(pytensor.tensor([[3.0, 4.0]]), [2], eps=0.0)
        tensor([[0.8485, 1.1314]])
    """
    op = "rms_norm"
    check_tensor(op, "input", input)
    check_float(op, input)
    ns = _normalized_shape(op, normalized_shape)
    shape = input._data.shape
    if len(ns) > len(shape) or tuple(shape[len(shape) - len(ns):]) != ns:
        raise RuntimeError(
            f"{op}: Given normalized_shape={fmt_shape(ns)}, expected input "
            f"with shape [*, {', '.join(map(str, ns))}], but got input of "
            f"size{fmt_shape(shape)}")
    check_param(op, "weight", weight, input, ns)
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    return RMSNorm(len(ns), float(eps)).apply(input, weight)
