"""``max`` and ``min``: the whole-tensor extreme, the ``(values, indices)``
pair along a dim, or (with a Tensor second argument) the elementwise
``maximum``/``minimum``.

Gradient conventions (PyTorch's):

- ``max()``/``min()`` over everything split the gradient evenly among all
  elements equal to the result (all NaNs when the result is NaN);
- ``max(dim)``/``min(dim)`` send it to the returned index only (the first
  occurrence of the extreme, or of a NaN).
"""
import numpy as np

from pytensor import return_types
from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops.reduce._common import (
    Selecting, one_dim, require_nonempty, scale_by_count,
    scale_by_count_array)
from pytensor.tensor import Tensor

__all__ = ["max", "min"]


class MaxAll(Function):
    """The max of every element; NaN if any element is NaN."""

    largest = True

    def forward(self, x):
        y = x.max() if self.largest else x.min()
        self.save_for_backward(x, y)
        return y

    def backward(self, gy):
        x, y = self.saved_tensors
        return evenly_distribute(gy, x._data, y._data)

    def backward_arrays(self, gy):
        x, y = self.saved_arrays
        return evenly_distribute(gy, x, y, arrays=True)


class MinAll(MaxAll):
    largest = False


def evenly_distribute(gy, x, value, arrays=False):
    """PyTorch's ``evenly_distribute_backward``: ``gy`` shared equally by the
    elements equal to ``value`` (by the NaNs when ``value`` is NaN)."""
    xp = get_xp(x)
    if xp is not np:
        # PyTorch's CUDA formula: no read of ``value`` back to the host.
        mask = x == value
        if x.dtype.kind == "f":
            mask |= xp.isnan(x) & xp.isnan(value)
    elif x.dtype.kind == "f" and bool(xp.isnan(value)):
        mask = xp.isnan(x)
    else:
        mask = xp.asarray(x == value)
    scale = scale_by_count_array if arrays else scale_by_count
    return scale(gy, mask, xp.asarray(mask.sum()))


class MaxDim(Selecting):
    """``(values, indices)`` of the max along one dim."""

    largest = True

    def pick(self, x):
        arg = x.argmax if self.largest else x.argmin
        # argmax/argmin give the first extreme, or the first NaN: the index
        # PyTorch returns.
        return arg(axis=self.dim, keepdims=True)


class MinDim(MaxDim):
    """``(values, indices)`` of the min along one dim."""

    largest = False


def _extreme(op, largest, input, dim, keepdim, other):
    if isinstance(dim, Tensor) or other is not None:
        # The binary form max(input, other) is the elementwise maximum.
        from pytensor.ops import arith
        fn = arith.maximum if largest else arith.minimum
        return fn(input, dim if other is None else other)
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if dim is None:
        if keepdim:
            raise TypeError(f"{op}(): keepdim=True needs a dim (use "
                            f"amax/amin, or pass dim=)")
        require_nonempty(op, input.shape, (), True)
        return (MaxAll if largest else MinAll).apply(input)
    d = one_dim(input, dim, op)
    if input._data.ndim == 0:
        v, i = _extreme(op, largest, input.reshape(1), 0, False, None)
        return getattr(return_types, op)(v, i)
    require_nonempty(op, input.shape, (d,), False)
    v, i = (MaxDim if largest else MinDim)(d, bool(keepdim)).apply(input)
    return getattr(return_types, op)(v, i)


@tensor_method("max")
def max(input, dim=None, keepdim=False, *, other=None):
    """The largest element, the largest along a dim with its index, or the
    elementwise maximum of two tensors.

    ``max(input)`` returns the maximum (NaN if any element is NaN); its
    gradient is split evenly among the elements equal to it.
    ``max(input, dim, keepdim=False)`` returns a named tuple
    ``(values, indices)``: the maximum of each slice and the index of its
    first occurrence; the gradient flows to that index only.
    ``max(input, other)`` with a Tensor ``other`` is
    :func:`pytensor.maximum`.

    Args:
        input (Tensor): the tensor.
        dim (int, optional): the dim to reduce; or a Tensor (binary form).
        keepdim (bool): keep the reduced dim with size 1.

    Shape:
        ``values``/``indices`` have ``input``'s shape without ``dim`` (size
        1 there with ``keepdim=True``).

    Returns:
        Tensor, or ``pytensor.return_types.max(values, indices)`` with
        int64 indices.

    Raises:
        RuntimeError: ``max()`` of an empty tensor.
        IndexError: ``dim`` out of range, or an empty ``dim``.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[1.0, 5.0, 5.0], [7.0, 2.0, 0.0]])
        >>> x.max()
        tensor(7.)
        >>> values, indices = x.max(1)
        >>> values, indices
        (tensor([5., 7.]), tensor([1, 0]))
        >>> x.max(0, keepdim=True).values
        tensor([[7., 5., 5.]])
    """
    return _extreme("max", True, input, dim, keepdim, other)


@tensor_method("min")
def min(input, dim=None, keepdim=False, *, other=None):
    """The smallest element, the smallest along a dim with its index, or the
    elementwise minimum of two tensors (see :func:`max` for the forms and
    gradient conventions).

    Args:
        input (Tensor): the tensor.
        dim (int, optional): the dim to reduce; or a Tensor (binary form).
        keepdim (bool): keep the reduced dim with size 1.

    Returns:
        Tensor, or ``pytensor.return_types.min(values, indices)``.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[1.0, 5.0], [7.0, 0.0]])
        >>> x.min(), x.min(dim=1).indices
        (tensor(0.), tensor([0, 1]))
    """
    return _extreme("min", False, input, dim, keepdim, other)
