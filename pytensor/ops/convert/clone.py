"""``clone`` and ``contiguous``: copies that keep the graph."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method

__all__ = ["clone"]


class Clone(Function):
    """A copy of the data; the gradient passes through unchanged."""

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy

    def backward_arrays(self, gy):
        return gy


@tensor_method("clone")
def clone(input, memory_format=None):
    """A copy with its own storage, connected to the graph.

    Example:
        >>> import pytensor
        >>> a = pytensor.ones(2, requires_grad=True)
        >>> a.clone()
        tensor([1., 1.], grad_fn=<CloneBackward>)
    """
    return Clone.apply(input)


class Contiguous(Function):
    def forward(self, x):
        return np.ascontiguousarray(x) if x.__class__ is np.ndarray \
            else x.copy(order="C")

    def backward(self, gy):
        return gy


@tensor_method("contiguous")
def contiguous(input, memory_format=None):
    """``self`` if C-contiguous, else a C-contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return Contiguous.apply(input)
