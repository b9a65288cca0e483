"""``nonzero`` and ``argwhere``: the positions of non-zero entries (not
differentiable)."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import on_input_device

__all__ = ["nonzero", "argwhere"]


class Nonzero(Function):
    """Positions as an ``(n, ndim)`` int64 array, or one 1-d array per
    dim."""

    def __init__(self, as_tuple):
        self.as_tuple = as_tuple

    def forward(self, x):
        xp = get_xp(x)
        if x.ndim == 0:
            # A 0-d tensor behaves as one element with no coordinates.
            hit = bool(x)
            if self.as_tuple:
                return (xp.zeros(1 if hit else 0, np.int64),)
            return xp.zeros((1 if hit else 0, 0), np.int64)
        if self.as_tuple:
            return tuple(a.astype(np.int64, copy=False)
                         for a in xp.nonzero(x))
        return xp.argwhere(x).astype(np.int64, copy=False)


@tensor_method("nonzero")
@on_input_device
def nonzero(input, *, as_tuple=False):
    """Indices of the non-zero entries.

    Args:
        input (Tensor): the tensor.
        as_tuple (bool): if False (default), one ``(n, ndim)`` int64 tensor
            of coordinates in row-major order; if True, a tuple of ``ndim``
            1-d tensors (usable as an index: ``x[x.nonzero(as_tuple=True)]``).

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[1, 0], [0, 2]])
        >>> x.nonzero()
        tensor([[0, 0],
                [1, 1]])
        >>> x.nonzero(as_tuple=True)
        (tensor([0, 1]), tensor([0, 1]))
    """
    out = Nonzero(bool(as_tuple)).apply(input)
    return out


@tensor_method("argwhere")
@on_input_device
def argwhere(input):
    """``nonzero(input)``: an ``(n, ndim)`` tensor of coordinates.

    Example:
        >>> import pytensor
        >>> pytensor.argwhere(pytensor.tensor([0.0, 1.5, 2.0]))
        tensor([[1],
                [2]])
    """
    return Nonzero(False).apply(input)
