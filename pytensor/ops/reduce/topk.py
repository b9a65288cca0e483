"""``topk``: the ``k`` largest (or smallest) elements along a dim."""
import numpy as np

from pytensor import return_types
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops.reduce._common import Selecting, one_dim, stable_argsort

__all__ = ["topk"]


class Topk(Selecting):
    def __init__(self, k, dim, largest):
        super().__init__(dim, True)
        self.k, self.largest = k, largest

    def pick(self, x):
        xp = get_xp(x)
        k, dim, n = self.k, self.dim, x.shape[self.dim]
        if k == 0:
            shape = list(x.shape)
            shape[dim] = 0
            return xp.zeros(shape, np.int64)
        # (On the GPU the NaN test would be a host read, and CuPy's
        # argpartition sorts fully anyway: take the sort.)
        if xp is np and 8 * k < n and not (x.dtype.kind == "f" and
                                           xp.isnan(x).any()):
            # Few of many: select in O(n), then sort only the k picked.
            # (NaNs would break the partition's order, so they take the
            # full sort below.)
            if self.largest:
                part = xp.argpartition(x, n - k, axis=dim)
                part = xp.take(part, xp.arange(n - k, n), axis=dim)
            else:
                part = xp.argpartition(x, k - 1, axis=dim)
                part = xp.take(part, xp.arange(k), axis=dim)
            vals = xp.take_along_axis(x, part, axis=dim)
            order = stable_argsort(vals, dim, self.largest)
            return xp.take_along_axis(part, order, axis=dim)
        order = stable_argsort(x, dim, self.largest)
        return xp.take(order, xp.arange(k), axis=dim)


@tensor_method("topk")
def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest elements along ``dim`` (smallest with
    ``largest=False``) and their indices.

    NaN counts as larger than every number.  The values come sorted
    (``sorted=False`` allows any order; they are sorted anyway).  The
    gradient flows to the selected positions.

    Args:
        input (Tensor): any dtype.
        k (int): how many, ``0 <= k <= input.size(dim)``.
        dim (int): the dim to select along (default: the last).
        largest (bool): largest (True) or smallest elements.
        sorted (bool): return them in sorted order.

    Returns:
        ``pytensor.return_types.topk(values, indices)``, with size ``k``
        along ``dim``.

    Raises:
        RuntimeError: ``k`` out of range.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([1.0, 9.0, 3.0, 7.0])
        >>> x.topk(2)
        pytensor.return_types.topk(
        values=tensor([9., 7.]),
        indices=tensor([1, 3]))
        >>> x.topk(3, largest=False).indices
        tensor([0, 2, 3])
    """
    d = one_dim(input, dim, "topk")
    k = int(k)
    n = input.shape[d] if input._data.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(
            f"topk: selected index k out of range (k={k}, but dim {dim} of "
            f"the tensor of shape {list(input.shape)} has size {n})")
    if input._data.ndim == 0:
        v, i = topk(input.reshape(1), 1, 0, largest)
        return return_types.topk(v.reshape(()), i.reshape(()))
    v, i = Topk(k, d, bool(largest)).apply(input)
    return return_types.topk(v, i)
