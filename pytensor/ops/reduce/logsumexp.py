"""``logsumexp``: ``log(sum(exp(x)))`` over dims, computed stably."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import to_float
from pytensor.ops.reduce._common import (
    keep_shape, numel_of, reduce_dims, restore)

__all__ = ["logsumexp"]


class LogSumExp(Function):
    """Shifts by the slice maximum before exponentiating.  An infinite
    maximum is not subtracted (PyTorch's rule), so an all ``-inf`` slice
    gives ``-inf`` and a slice holding ``+inf`` gives ``+inf``."""

    def __init__(self, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim

    def forward(self, x):
        xp = get_xp(x)
        self.in_shape = x.shape
        dims, keep = self.dims, self.keepdim
        if numel_of(x.shape, dims) == 0:
            shape = tuple(1 if i in dims else s
                          for i, s in enumerate(x.shape) if keep or
                          i not in dims)
            y = xp.full(shape, -np.inf, dtype=x.dtype)
        else:
            with np.errstate(invalid="ignore", divide="ignore",
                             over="ignore"):
                m = x.max(axis=dims, keepdims=True)
                m = xp.where(xp.isinf(m), 0, m).astype(x.dtype, copy=False)
                s = xp.exp(x - m).sum(axis=dims, keepdims=True)
                y = xp.log(s) + m
            if not keep:
                y = y.reshape([n for i, n in enumerate(x.shape)
                               if i not in dims])
        self.save_for_backward(x, y)
        return y

    def backward(self, gy):
        x, y = self.saved_tensors
        shape, dims, keep = self.in_shape, self.dims, self.keepdim
        # d/dx = softmax(x) = exp(x - result), as PyTorch writes it (an
        # all -inf slice gives NaN there, as in PyTorch).
        return restore(gy, shape, dims, keep) * (
            x - restore(y, shape, dims, keep)).exp()

    def backward_arrays(self, gy):
        x, y = self.saved_arrays
        if not self.keepdim:
            ks = keep_shape(self.in_shape, self.dims)
            gy, y = gy.reshape(ks), y.reshape(ks)
        with np.errstate(invalid="ignore", over="ignore"):
            return gy * get_xp(x).exp(x - y)


@tensor_method("logsumexp")
def logsumexp(input, dim, keepdim=False):
    """``log(sum(exp(input), dim))`` without overflow.

    Args:
        input (Tensor): integer inputs are computed in the default float
            dtype, as in PyTorch.
        dim (int or tuple of ints): dims to reduce (``()``: all).
        keepdim (bool): keep reduced dims with size 1.

    Returns:
        Tensor; ``-inf`` for an empty reduction.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[0.0, 1000.0], [-float("inf"), 2.0]])
        >>> x.logsumexp(1)
        tensor([1000.,    2.])
        >>> pytensor.tensor([1.0, 2.0, 3.0]).logsumexp(0)
        tensor(3.4076)
    """
    input = to_float(input)
    dims = reduce_dims(input, dim, "logsumexp")
    return LogSumExp(dims, bool(keepdim)).apply(input)
