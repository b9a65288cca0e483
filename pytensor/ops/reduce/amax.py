"""``amax``/``amin`` (extremes over several dims, no indices) and
``aminmax``.

Their gradient is split evenly among the elements of each reduced slice
that equal the result, as PyTorch's ``amax`` does (a slice whose result is
NaN matches nothing and gets NaN gradients, also as in PyTorch).
"""
from pytensor import return_types
from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops.reduce._common import (
    keep_shape, reduce_dims, require_nonempty, restore, scale_by_count,
    scale_by_count_array)

__all__ = ["amax", "amin", "aminmax"]


class Amax(Function):
    largest = True

    def __init__(self, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim

    def forward(self, x):
        self.in_shape = x.shape
        red = x.max if self.largest else x.min
        y = red(axis=self.dims, keepdims=self.keepdim)
        self.save_for_backward(x, y)
        return y

    def _mask(self, x, y):
        yk = y if self.keepdim else y.reshape(
            keep_shape(self.in_shape, self.dims))
        mask = get_xp(x).asarray(x == yk)
        return mask, mask.sum(axis=self.dims, keepdims=True)

    def backward(self, gy):
        x, y = self.saved_tensors
        mask, count = self._mask(x._data, y._data)
        return scale_by_count(
            restore(gy, self.in_shape, self.dims, self.keepdim), mask, count)

    def backward_arrays(self, gy):
        x, y = self.saved_arrays
        mask, count = self._mask(x, y)
        if not self.keepdim:
            gy = gy.reshape(keep_shape(self.in_shape, self.dims))
        return scale_by_count_array(gy, mask, count)


class Amin(Amax):
    largest = False


def _amax(op, cls, input, dim, keepdim):
    dims = reduce_dims(input, dim, op)
    full = dim is None or (isinstance(dim, (tuple, list)) and not dim)
    require_nonempty(op, input.shape, dims, full)
    return cls(dims, bool(keepdim)).apply(input)


@tensor_method("amax")
def amax(input, dim=(), keepdim=False):
    """The maximum over ``dim`` (every dim when empty), without indices.

    Unlike ``max(dim)`` the gradient is shared evenly by all elements that
    attain the maximum of their slice.

    Args:
        input (Tensor): the tensor.
        dim (int or tuple of ints): dims to reduce; ``()`` means all.
        keepdim (bool): keep reduced dims with size 1.

    Returns:
        Tensor of ``input``'s dtype.

    Raises:
        IndexError: a reduced dim is empty.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[1.0, 4.0], [4.0, 2.0]], requires_grad=True)
        >>> y = x.amax(1)
        >>> y
        tensor([4., 4.], grad_fn=<AmaxBackward>)
        >>> x.amax().backward()
        >>> x.grad
        tensor([[0.0000, 0.5000],
                [0.5000, 0.0000]])
    """
    return _amax("amax", Amax, input, dim, keepdim)


@tensor_method("amin")
def amin(input, dim=(), keepdim=False):
    """The minimum over ``dim`` (every dim when empty); see :func:`amax`.

    Example:
        >>> import pytensor
        >>> pytensor.tensor([[1.0, 4.0], [3.0, 2.0]]).amin(0)
        tensor([1., 2.])
    """
    return _amax("amin", Amin, input, dim, keepdim)


@tensor_method("aminmax")
def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over ``dim`` (every element when None) as a named
    tuple ``pytensor.return_types.aminmax(min, max)``.

    Example:
        >>> import pytensor
        >>> pytensor.tensor([[1.0, 4.0], [3.0, 2.0]]).aminmax(dim=1)
        pytensor.return_types.aminmax(
        min=tensor([1., 2.]),
        max=tensor([4., 3.]))
    """
    if dim is None:
        require_nonempty("aminmax", input.shape, (), True)
        dims = tuple(range(input._data.ndim))
    else:
        dims = reduce_dims(input, dim, "aminmax")
        if len(dims) > 1 or isinstance(dim, (tuple, list)):
            raise TypeError("aminmax(): dim must be an int or None")
        require_nonempty("aminmax", input.shape, dims, False)
    k = bool(keepdim)
    return return_types.aminmax(Amin(dims, k).apply(input),
                                Amax(dims, k).apply(input))
