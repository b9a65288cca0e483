"""``sum_to_size``: reduce a broadcast tensor back to a shape.

The engine calls this to un-broadcast gradients, so it is a Function with
its own backward (``expand``), which keeps double backward working.
"""
from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor_ext import kernels_for

__all__ = ["sum_to_size"]


class SumToSize(Function):
    kernel = "sum_to_shape"

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return kernels_for(x).sum_to_shape(x, self.shape)

    def backward(self, gy):
        return gy.expand(self.in_shape)


@tensor_method("sum_to_size")
def sum_to_size(input, *size):
    """Sum ``input`` down to ``size``, which ``input``'s shape must broadcast
    from.

    Example:
        >>> import pytensor
        >>> pytensor.ones(2, 3).sum_to_size(1, 3)
        tensor([[2., 2., 2.]])
    """
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    size = tuple(int(s) for s in size)
    if input._data.shape == size:
        return input
    n = len(size)
    shape = input._data.shape
    if n > len(shape) or any(s != 1 and s != xs for s, xs in
                             zip(size, shape[len(shape) - n:])):
        raise RuntimeError(
            f"sum_to_size: size {list(size)} is not expandable to size "
            f"{list(shape)}")
    return SumToSize(size).apply(input)
