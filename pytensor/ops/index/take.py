"""``take``: entries of the flattened input at the given positions."""
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops.index import _key
from pytensor.ops.index._check import index_arg, min_max
from pytensor.ops.index.getitem import Index
from pytensor.ops._util import on_input_device

__all__ = ["take"]


class Take(Index):
    """``x.reshape(-1)[index]``: the gather of advanced indexing."""

    name = "take"


@tensor_method("take")
@on_input_device
def take(input, index):
    """``input`` treated as 1-d, read at ``index`` (negative positions
    count from the end); the result has ``index``'s shape.

    Args:
        input (Tensor): the source.
        index (Tensor): int64 positions in ``[-numel, numel)``.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[4, 3, 5], [6, 7, 8]])
        >>> x.take(pytensor.tensor([0, 2, -1]))
        tensor([4, 5, 8])
    """
    op = "take"
    idx = index_arg(op, index, input._data, long_only=True)
    n = input._data.size
    if idx.size:
        lo, hi = min_max(idx)
        if lo < -n or hi >= n:
            bad = hi if hi >= n else lo
            raise IndexError(f"{op}(): out of range: tried to access index "
                             f"{bad} on a tensor of {n} elements.")
    flat = input.reshape(-1)
    plan = _key.make_plan([(0, idx)], (n,), get_xp(idx))
    return Take(plan).apply(flat)
