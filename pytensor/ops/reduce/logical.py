"""``all``, ``any`` and ``count_nonzero``: truth-value reductions (no
gradient)."""
import numpy as np

from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import on_input_device
from pytensor.ops.reduce._common import reduce_dims
from pytensor.tensor import Tensor

__all__ = ["all", "any", "count_nonzero"]


@on_input_device
def _truth(op, input, dim, keepdim):
    x = input._data
    # dim=() reduces nothing here (unlike sum), as in PyTorch.
    dims = reduce_dims(input, dim, op, empty_means_all=False)
    r = getattr(x, op)(axis=dims, keepdims=bool(keepdim))
    r = get_xp(x).asarray(r)
    # PyTorch keeps uint8 for uint8 inputs (a legacy of byte masks).
    if x.dtype == np.uint8:
        r = r.astype(np.uint8)
    return Tensor._make(r)


@tensor_method("all")
def all(input, dim=None, keepdim=False):
    """Whether every element (over ``dim``) is non-zero.

    Args:
        input (Tensor): any dtype.
        dim (int or tuple of ints, optional): dims to reduce (all when
            None).
        keepdim (bool): keep reduced dims with size 1.

    Returns:
        bool Tensor (uint8 for uint8 input); True for an empty reduction.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[1.0, 0.0], [2.0, 3.0]])
        >>> x.all(), x.all(1), pytensor.zeros(0).all()
        (tensor(False), tensor([False,  True]), tensor(True))
    """
    return _truth("all", input, dim, keepdim)


@tensor_method("any")
def any(input, dim=None, keepdim=False):
    """Whether any element (over ``dim``) is non-zero (see :func:`all`).

    Example:
        >>> import pytensor
        >>> pytensor.tensor([[1.0, 0.0], [0.0, 0.0]]).any(1)
        tensor([ True, False])
    """
    return _truth("any", input, dim, keepdim)


@tensor_method("count_nonzero")
@on_input_device
def count_nonzero(input, dim=None):
    """The number of non-zero elements over ``dim`` (all when None).

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[0, 1, 7], [0, 0, 2]])
        >>> x.count_nonzero(), x.count_nonzero(dim=0)
        (tensor(3), tensor([0, 1, 2]))
    """
    x = input._data
    dims = reduce_dims(input, dim, "count_nonzero")
    r = (x != 0).sum(axis=dims, dtype=np.int64)
    return Tensor._make(get_xp(x).asarray(r))
