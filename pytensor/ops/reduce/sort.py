"""``sort`` and ``argsort`` along a dim.

The sort is always stable (``stable=False`` only permits an unstable one),
and NaN sorts as the largest value: last ascending, first descending, as in
PyTorch.  The gradient of the sorted values flows back through the
permutation.
"""
import numpy as np

from pytensor import return_types
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import on_input_device
from pytensor.ops.reduce._common import Selecting, one_dim, stable_argsort
from pytensor.tensor import Tensor

__all__ = ["sort", "argsort"]


class Sort(Selecting):
    def __init__(self, dim, descending):
        super().__init__(dim, True)
        self.descending = descending

    def pick(self, x):
        return stable_argsort(x, self.dim, self.descending)


@tensor_method("sort")
def sort(input, dim=-1, descending=False, stable=False):
    """Sort the elements along ``dim``.

    Args:
        input (Tensor): any dtype.
        dim (int): the dim to sort (default: the last).
        descending (bool): largest first.
        stable (bool): keep the order of equal elements (always done).

    Returns:
        ``pytensor.return_types.sort(values, indices)``: the sorted tensor
        and the int64 positions the values came from.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
        >>> values, indices = x.sort(descending=True)
        >>> values
        tensor([[3., 2., 1.],
                [5., 4., 0.]])
        >>> indices
        tensor([[0, 2, 1],
                [1, 2, 0]])
    """
    d = one_dim(input, dim, "sort")
    if input._data.ndim == 0:
        v, i = sort(input.reshape(1), 0, descending)
        return return_types.sort(v.reshape(()), i.reshape(()))
    v, i = Sort(d, bool(descending)).apply(input)
    return return_types.sort(v, i)


@tensor_method("argsort")
@on_input_device
def argsort(input, dim=-1, descending=False, stable=False):
    """The int64 indices that sort ``input`` along ``dim`` (see
    :func:`sort`).

    Example:
        >>> import pytensor
        >>> pytensor.tensor([3.0, 1.0, 2.0]).argsort()
        tensor([1, 2, 0])
    """
    d = one_dim(input, dim, "argsort")
    x = input._data
    if x.ndim == 0:
        return Tensor._make(stable_argsort(x.reshape(1), 0).reshape(
            ()).astype(np.int64, copy=False))
    return Tensor._make(stable_argsort(x, d, bool(descending)).astype(
        np.int64, copy=False))
