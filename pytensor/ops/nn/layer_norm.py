"""``layer_norm``: normalization over the trailing dims, one fused node."""
import numbers

from pytensor.autograd.function import Function
from pytensor.ops.nn._common import (
    check_float, check_param, check_tensor, fmt_shape, prod)
from pytensor_ext import kernels_for

__all__ = ["layer_norm"]


class LayerNorm(Function):
    """``(x - mean) / sqrt(var + eps) * weight + bias`` over the last
    ``len(normalized_shape)`` dims.

    The forward and the first-order backward are one kernel pass each
    (``layer_norm_fwd`` / ``layer_norm_bwd`` on the ``(M, N)`` view of the
    input).  ``backward`` recomputes the statistics from the saved input
    with differentiable ops, so gradients of gradients are exact.
    """

    kernel = "layer_norm_fwd"

    def __init__(self, normalized_shape, eps):
        self.nshape = normalized_shape
        self.eps = eps

    def _mn(self, shape):
        nd = len(self.nshape)
        return prod(shape[:len(shape) - nd]), prod(self.nshape)

    def forward(self, x, weight, bias):
        shape = x.shape
        M, N = self._mn(shape)
        w = None if weight is None else weight.reshape(N)
        b = None if bias is None else bias.reshape(N)
        y, mean, rstd = kernels_for(x).layer_norm_fwd(
            x.reshape(M, N), w, b, self.eps)
        self.save_for_backward(x, weight, mean, rstd)
        return y.reshape(shape)

    def backward_arrays(self, gy):
        x, weight, mean, rstd = self.saved_arrays
        need = self.needs_input_grad
        M, N = self._mn(x.shape)
        mask = (need[0], need[1], need[2])
        w = None if weight is None else weight.reshape(N)
        gx, gw, gb = kernels_for(x).layer_norm_bwd(
            gy.reshape(M, N), x.reshape(M, N), mean, rstd, w, mask)
        return (None if gx is None else gx.reshape(x.shape),
                None if gw is None else gw.reshape(self.nshape),
                None if gb is None else gb.reshape(self.nshape))

    def backward(self, gy):
        x, weight = self.saved_tensors[:2]
        need = self.needs_input_grad
        nd = len(self.nshape)
        dims = tuple(range(x.ndim - nd, x.ndim))
        lead = tuple(range(x.ndim - nd))
        xhat, r = _normalized(x, dims, self.eps)
        gx = gw = gb = None
        if need[0]:
            g = gy if weight is None else gy * weight
            if dims:
                gx = r * (g - g.mean(dims, keepdim=True)
                          - xhat * (g * xhat).mean(dims, keepdim=True))
            else:       # normalized_shape == (): every element alone
                gx = g * 0.0 * r
        if need[1]:
            gw = _sum_lead(gy * xhat, lead)
        if need[2]:
            gb = _sum_lead(gy, lead)
        return gx, gw, gb


def _normalized(x, dims, eps):
    """``(xhat, rstd)`` of ``x`` over ``dims``, as differentiable ops."""
    if not dims:
        r = (x * 0.0 + eps) ** -0.5
        return x * 0.0, r
    xc = x - x.mean(dims, keepdim=True)
    r = ((xc * xc).mean(dims, keepdim=True) + eps) ** -0.5
    return xc * r, r


def _sum_lead(t, lead):
    """Sum over the leading (batch) dims; none to sum is the identity
    (``sum(dim=())`` would sum everything)."""
    return t.sum(lead) if lead else t


def _normalized_shape(op, normalized_shape):
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    try:
        return tuple(int(s) for s in normalized_shape)
    except TypeError:
        raise TypeError(f"{op}: normalized_shape must be an int or a "
                        f"sequence of ints, got "
                        f"{type(normalized_shape).__name__}") from None


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalization over the trailing ``normalized_shape`` dims.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`` with the mean and
    the biased variance taken over the last ``len(normalized_shape)`` dims.

    Args:
        input (Tensor): ``(*, *normalized_shape)``.
        normalized_shape (int or sequence of int): the trailing shape.
        weight (Tensor, optional): ``normalized_shape``, elementwise scale.
        bias (Tensor, optional): ``normalized_shape``, elementwise shift.
        eps (float): added to the variance for stability.

    Shape:
        Output: same as ``input``.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]])
        >>> pytensor.layer_norm(x, [3])
        tensor([[-1.2247,  0.0000,  1.2247],
                [ 0.0000,  0.0000,  0.0000]])
    """
    op = "layer_norm"
    check_tensor(op, "input", input)
    check_float(op, input)
    ns = _normalized_shape(op, normalized_shape)
    shape = input._data.shape
    if any(s < 0 for s in ns) or len(ns) > len(shape) or \
            tuple(shape[len(shape) - len(ns):]) != ns:
        raise RuntimeError(
            f"{op}: Given normalized_shape={fmt_shape(ns)}, expected input "
            f"with shape [*, {', '.join(map(str, ns))}], but got input of "
            f"size{fmt_shape(shape)}")
    check_param(op, "weight", weight, input, ns)
    check_param(op, "bias", bias, input, ns)
    return LayerNorm(ns, float(eps)).apply(input, weight, bias)
