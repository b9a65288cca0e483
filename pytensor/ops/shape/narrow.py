"""``narrow`` and ``select``: views of a range of one dim, or of one index
along it."""
from operator import index as _index

import numpy as np

from pytensor.ops._registry import tensor_method
from pytensor.ops._util import canonical_dim
from pytensor.ops.shape._views import Narrow, Select

__all__ = ["narrow", "select"]

_FULL = slice(None)


@tensor_method("narrow")
def narrow(input, dim, start, length):
    """A view of ``length`` entries of dim ``dim`` from ``start`` (which may
    be negative or a 0-d integer tensor).

    Args:
        input (Tensor): the tensor.
        dim (int): the dim to narrow.
        start (int): the first index kept.
        length (int): how many are kept (non-negative).

    Returns:
        Tensor: a view sharing storage with ``input``.

    Example:
        >>> import pytensor
        >>> x = pytensor.arange(12).reshape(3, 4)
        >>> x.narrow(1, 1, 2)
        tensor([[ 1,  2],
                [ 5,  6],
                [ 9, 10]])
    """
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = canonical_dim(dim, len(shape), "narrow")
    start = _index(start)      # an int or a 0-d integer tensor, not 1.5
    length = _index(length)
    n = shape[d]
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if not -n <= start <= n:
        raise IndexError(
            f"narrow(): start out of range (expected to be in range of "
            f"[{-n}, {n}], but got {start})")
    if start < 0:
        start += n
    if start + length > n:
        raise RuntimeError(
            f"narrow(): start ({start}) + length ({length}) exceeds dimension "
            f"size ({n}).")
    key = (_FULL,) * d + (slice(start, start + length), Ellipsis)
    return Narrow(key).apply(input)


@tensor_method("select")
def select(input, dim, index):
    """A view of ``input`` at ``index`` along ``dim``, with that dim removed
    (``x.select(0, i)`` is ``x[i]``).

    Args:
        input (Tensor): the tensor.
        dim (int): the dim to index.
        index (int): the index (may be negative).

    Returns:
        Tensor: a view with one dim fewer.

    Example:
        >>> import pytensor
        >>> x = pytensor.arange(6).reshape(2, 3)
        >>> x.select(1, -1)
        tensor([2, 5])
    """
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = canonical_dim(dim, len(shape), "select")
    if not isinstance(index, (int, np.integer)):
        index = index.__index__()
    index = int(index)
    n = shape[d]
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size "
            f"{list(shape)} at dimension {d}")
    return Select((_FULL,) * d + (index, Ellipsis)).apply(input)
