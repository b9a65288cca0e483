"""``group_norm``: normalization over groups of channels."""
import numbers

from pytensor.autograd.function import Function
from pytensor.ops.nn._common import (
    check_float, check_param, check_tensor, fmt_shape, prod)
from pytensor.ops.nn.layer_norm import _normalized
from pytensor_ext import kernels_for

__all__ = ["group_norm"]


class GroupNorm(Function):
    """Each sample's channels split into ``G`` groups, each group normalized
    over its channels and spatial positions, then a per-channel affine map.

    The statistics and the normalized values come from the layer-norm
    kernel on the ``(N * G, C / G * L)`` view; the backward is the
    layer-norm kernel on the gradient scaled by the per-channel weight.
    """

    kernel = "layer_norm_fwd"

    def __init__(self, groups, eps):
        self.groups = groups
        self.eps = eps

    def _dims(self, shape):
        N, C = shape[0], shape[1]
        L = prod(shape[2:])
        return N, C, L, N * self.groups, (C // self.groups) * L

    def forward(self, x, weight, bias):
        N, C, L, R, K = self._dims(x.shape)
        k = kernels_for(x)
        xhat, mean, rstd = k.layer_norm_fwd(x.reshape(R, K), None, None,
                                            self.eps)
        y = xhat.reshape(N, C, L)
        if weight is not None:
            y *= weight.reshape(1, C, 1)
        if bias is not None:
            y += bias.reshape(1, C, 1)
        self.save_for_backward(x, weight, mean, rstd)
        return y.reshape(x.shape)

    def backward_arrays(self, gy):
        x, weight, mean, rstd = self.saved_arrays
        need = self.needs_input_grad
        N, C, L, R, K = self._dims(x.shape)
        xg = x.reshape(R, K)
        g3 = gy.reshape(N, C, L)
        gx = gw = gb = None
        if need[0]:
            g = g3 if weight is None else g3 * weight.reshape(1, C, 1)
            gx = kernels_for(x).layer_norm_bwd(
                g.reshape(R, K), xg, mean, rstd, None,
                (True, False, False))[0].reshape(x.shape)
        if need[1]:
            xhat = ((xg - mean[:, None]) * rstd[:, None]).reshape(N, C, L)
            gw = (g3 * xhat).sum(axis=(0, 2))
        if need[2]:
            gb = g3.sum(axis=(0, 2))
        return gx, gw, gb

    def backward(self, gy):
        x, weight = self.saved_tensors[:2]
        need = self.needs_input_grad
        N, C, L, R, K = self._dims(x.shape)
        G = self.groups
        x4 = x.reshape(N, G, K)
        xhat4, r = _normalized(x4, (2,), self.eps)
        g3 = gy.reshape(N, C, L)
        gx = gw = gb = None
        if need[0]:
            g = g3 if weight is None else g3 * weight.reshape(1, C, 1)
            g4 = g.reshape(N, G, K)
            gx = (r * (g4 - g4.mean(2, keepdim=True)
                       - xhat4 * (g4 * xhat4).mean(2, keepdim=True))
                  ).reshape(x.shape)
        if need[1]:
            gw = (g3 * xhat4.reshape(N, C, L)).sum((0, 2))
        if need[2]:
            gb = g3.sum((0, 2))
        return gx, gw, gb


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalization: the channels of each sample split into
    ``num_groups`` groups, each normalized to zero mean and unit (biased)
    variance over its channels and spatial positions, then
    ``* weight + bias`` per channel.

    Args:
        input (Tensor): ``(N, C, *)``; ``C`` divisible by ``num_groups``.
        num_groups (int): the number of groups.
        weight, bias (Tensor, optional): ``(C,)``.
        eps (float): added to the variance.

    Returns:
        Tensor of ``input``'s shape.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[1.0, 3.0, 5.0, 5.0]])
        >>> pytensor.group_norm(x, 2)
        tensor([[-1.0000,  1.0000,  0.0000,  0.0000]])
    """
    op = "group_norm"
    check_tensor(op, "input", input)
    check_float(op, input)
    if not isinstance(num_groups, numbers.Integral) or num_groups <= 0:
        raise ValueError(f"{op}: num_groups must be a positive int, got "
                         f"{num_groups!r}")
    shape = input._data.shape
    if len(shape) < 2:
        raise RuntimeError(
            f"{op}: expected an input with at least 2 dimensions (N, C, *), "
            f"got shape {fmt_shape(shape)}")
    C = shape[1]
    if C % num_groups:
        raise RuntimeError(
            f"{op}: Expected number of channels in input to be divisible by "
            f"num_groups, but got input of shape {fmt_shape(shape)} and "
            f"num_groups={num_groups}")
    check_param(op, "weight", weight, input, (C,),
                    per_channel=True)
    check_param(op, "bias", bias, input, (C,),
                    per_channel=True)
    return GroupNorm(int(num_groups), float(eps)).apply(input, weight, bias)
