"""``median`` and ``kthvalue``: order statistics.

``median`` is the *lower* median (the ``(n - 1) // 2``-th smallest), as in
PyTorch, and NaN if the slice holds a NaN.  Over all elements its gradient
is split evenly among the elements equal to it; along a dim it goes to the
returned index.  Indices follow a stable sort: among equal values, the
earlier position is taken first (the first NaN for a NaN median).
"""
import numpy as np

from pytensor import return_types
from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops.reduce._common import (
    Selecting, one_dim, require_nonempty, stable_argsort)
from pytensor.ops.reduce.max_min import evenly_distribute

__all__ = ["median", "kthvalue"]


class MedianAll(Function):
    def forward(self, x):
        xp = get_xp(x)
        n = x.size
        if n == 0:
            y = xp.asarray(np.nan, dtype=x.dtype) if x.dtype.kind == "f" \
                else xp.zeros((), x.dtype)
        elif xp is not np:
            # On the GPU, NaN is chosen on the device (no host read).
            k = (n - 1) // 2
            y = xp.partition(x.reshape(-1), k)[k]
            if x.dtype.kind == "f":
                y = xp.where(xp.isnan(x).any(), x.dtype.type(np.nan), y)
        elif x.dtype.kind == "f" and xp.isnan(x).any():
            y = xp.asarray(np.nan, dtype=x.dtype)
        else:
            k = (n - 1) // 2
            y = xp.partition(x.reshape(-1), k)[k]
        self.save_for_backward(x, y)
        return y

    def backward(self, gy):
        x, y = self.saved_tensors
        return evenly_distribute(gy, x._data, y._data)

    def backward_arrays(self, gy):
        x, y = self.saved_arrays
        return evenly_distribute(gy, x, y, arrays=True)


class Kthvalue(Selecting):
    """The ``k``-th smallest (0-based ``k``) along ``dim``; a NaN median
    picks the first NaN (``nan_first``)."""

    def __init__(self, k, dim, keepdim, nan_first=False):
        super().__init__(dim, keepdim)
        self.k, self.nan_first = k, nan_first

    def pick(self, x):
        xp = get_xp(x)
        dim, k = self.dim, self.k
        # (On the GPU the NaN test would be a host read: take the sort.)
        if x.dtype.kind != "f" or (xp is np and not xp.isnan(x).any()):
            # O(n): select the value, then find which of its equal copies is
            # the k-th in stable-sort order (the (k - #smaller + 1)-th
            # occurrence in the slice).
            v = xp.take(xp.partition(x, k, axis=dim), xp.arange(k, k + 1),
                        axis=dim)
            nth = k - (x < v).sum(axis=dim, keepdims=True) + 1
            hits = (x == v).cumsum(axis=dim, dtype=np.int32 if
                                   x.shape[dim] < 2 ** 31 else np.int64)
            return (hits == nth).argmax(axis=dim, keepdims=True)
        order = stable_argsort(x, dim)
        idx = xp.take(order, xp.arange(k, k + 1), axis=dim)
        if self.nan_first and x.dtype.kind == "f":
            isnan = xp.isnan(x)
            has = isnan.any(axis=dim, keepdims=True)
            if xp is not np or has.any():
                idx = xp.where(has, isnan.argmax(axis=dim, keepdims=True),
                               idx)
        return idx


class MedianDim(Kthvalue):
    name = "median"


@tensor_method("median")
def median(input, dim=None, keepdim=False):
    """The lower median of all elements, or ``(values, indices)`` along a
    dim.

    Args:
        input (Tensor): any dtype.
        dim (int, optional): the dim to reduce.
        keepdim (bool): keep the reduced dim with size 1.

    Returns:
        Tensor (NaN for an empty float tensor), or
        ``pytensor.return_types.median(values, indices)`` with ``dim``.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[4.0, 1.0, 3.0, 2.0], [0.0, 5.0, 6.0, 7.0]])
        >>> x.median()
        tensor(3.)
        >>> x.median(1)
        pytensor.return_types.median(
        values=tensor([2., 5.]),
        indices=tensor([3, 1]))
    """
    if dim is None:
        if keepdim:
            raise TypeError("median(): keepdim=True needs a dim")
        return MedianAll.apply(input)
    d = one_dim(input, dim, "median")
    if input._data.ndim == 0:
        v, i = median(input.reshape(1), 0)
        return return_types.median(v, i)
    require_nonempty("median", input.shape, (d,), False)
    n = input.shape[d]
    v, i = MedianDim((n - 1) // 2, d, bool(keepdim), True).apply(input)
    return return_types.median(v, i)


@tensor_method("kthvalue")
def kthvalue(input, k, dim=-1, keepdim=False):
    """The ``k``-th smallest element along ``dim`` (``k`` counts from 1)
    and its index; NaN counts as the largest value.

    Args:
        input (Tensor): any dtype.
        k (int): ``1 <= k <= input.size(dim)``.
        dim (int): the dim to reduce (default: the last).
        keepdim (bool): keep the reduced dim with size 1.

    Returns:
        ``pytensor.return_types.kthvalue(values, indices)``.

    Raises:
        RuntimeError: ``k`` out of range.

    Example:
        >>> import pytensor
        >>> pytensor.tensor([[5.0, 1.0, 3.0], [2.0, 8.0, 4.0]]).kthvalue(2)
        pytensor.return_types.kthvalue(
        values=tensor([3., 4.]),
        indices=tensor([2, 2]))
    """
    d = one_dim(input, dim, "kthvalue")
    n = input.shape[d] if input._data.ndim else 1
    k = int(k)
    if not 1 <= k <= n:
        raise RuntimeError(
            f"kthvalue(): selected number k out of range for dimension {d} "
            f"(k={k}, size {n})")
    if input._data.ndim == 0:
        v, i = kthvalue(input.reshape(1), 1, 0)
        return return_types.kthvalue(v, i)
    v, i = Kthvalue(k - 1, d, bool(keepdim)).apply(input)
    return return_types.kthvalue(v, i)
