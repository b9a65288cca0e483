"""``outer`` and ``tensordot``."""
import numpy as np

from pytensor.ops._registry import tensor_method
from pytensor.ops._util import canonical_dim, promote
from pytensor.ops.linalg.einsum import einsum
from pytensor.tensor import Tensor

__all__ = ["outer", "ger", "tensordot"]


@tensor_method("outer", "ger")
def outer(input, vec2):
    """Outer product of two 1-d tensors: ``out[i, j] = input[i] * vec2[j]``
    (dtypes promote).

    Example:
        >>> import pytensor
        >>> pytensor.outer(pytensor.tensor([1.0, 2.0]),
        ...                pytensor.tensor([1.0, 10.0, 100.0]))
        tensor([[  1.,  10., 100.],
                [  2.,  20., 200.]])
    """
    for t, name in ((input, "self"), (vec2, "vec2")):
        if not isinstance(t, Tensor):
            raise TypeError(f"outer: {name} must be a Tensor, got "
                            f"{type(t).__name__}")
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but "
                               f"got {t._data.ndim}-D")
    a, b = promote("outer", input, vec2)
    return a.reshape(-1, 1) * b


ger = outer

_LET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _dims_lists(a, b, dims):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        d = int(dims)
        if d < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got "
                               f"dims={d}")
        if d > a.ndim or d > b.ndim:
            raise RuntimeError(
                f"tensordot: dims={d} is larger than the number of dims of "
                f"a ({a.ndim}) or b ({b.ndim})")
        return list(range(a.ndim - d, a.ndim)), list(range(d))
    try:
        da, db = dims
    except (TypeError, ValueError):
        raise TypeError("tensordot: dims must be an int or a pair of lists "
                        f"of dims, got {dims!r}") from None
    da = [da] if isinstance(da, (int, np.integer)) else list(da)
    db = [db] if isinstance(db, (int, np.integer)) else list(db)
    if len(da) != len(db):
        raise RuntimeError(f"tensordot: both dimension lists should have "
                           f"same length, got {da} and {db}")
    return ([canonical_dim(d, a.ndim, "tensordot") for d in da],
            [canonical_dim(d, b.ndim, "tensordot") for d in db])


def tensordot(a, b, dims=2):
    """Contract dims of ``a`` with dims of ``b``: the last ``dims`` of ``a``
    with the first ``dims`` of ``b``, or the given pair of lists
    ``([a dims], [b dims])``.  The result has ``a``'s free dims then
    ``b``'s.

    Example:
        >>> import pytensor
        >>> a, b = pytensor.ones(2, 3, 4), pytensor.ones(4, 3, 5)
        >>> pytensor.tensordot(a, b, ([1, 2], [1, 0])).shape
        (2, 5)
        >>> pytensor.tensordot(pytensor.ones(2, 3), pytensor.ones(3, 4), 1)
        tensor([[3., 3., 3., 3.],
                [3., 3., 3., 3.]])
    """
    a, b = promote("tensordot", a, b)
    da, db = _dims_lists(a, b, dims)
    if len(set(da)) != len(da) or len(set(db)) != len(db):
        raise RuntimeError(f"tensordot: repeated dims in {da} or {db}")
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(
                f"tensordot: contracted dimensions need to match, but first "
                f"has size {a.shape[i]} in dim {i} and second has size "
                f"{b.shape[j]} in dim {j}")
    if a.ndim + b.ndim - len(da) > len(_LET):
        raise RuntimeError("tensordot: too many dims (at most 52)")
    ta = list(_LET[:a.ndim])
    tb = [None] * b.ndim
    for i, j in zip(da, db):
        tb[j] = ta[i]
    free = iter(_LET[a.ndim:])
    tb = [c if c is not None else next(free) for c in tb]
    out = [c for k, c in enumerate(ta) if k not in da] + \
        [c for k, c in enumerate(tb) if k not in db]
    return einsum(f"{''.join(ta)},{''.join(tb)}->{''.join(out)}", a, b)
