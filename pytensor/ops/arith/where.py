"""``where(condition, input, other)``: elementwise choice."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import (promote, broadcast_error, same_device,
                                on_device_of)
from pytensor.tensor import Tensor

__all__ = ["where"]


class Where(Function):
    """Gradient flows to ``input`` where the condition holds, to ``other``
    elsewhere; the condition gets none."""

    def __init__(self, cond):
        self.cond = cond

    def forward(self, a, b):
        from pytensor.backend import get_xp
        return get_xp(a).where(self.cond, a, b)

    def backward(self, gy):
        na, nb = self.needs_input_grad
        z = 0.0
        c = Tensor._make(self.cond)
        return (where(c, gy, z) if na else None,
                where(c, z, gy) if nb else None)


def where(condition, input=None, other=None):
    """``input`` where ``condition`` else ``other`` (broadcasting); with one
    argument, ``nonzero(condition, as_tuple=True)``.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([-1.0, 2.0])
        >>> pytensor.where(x > 0, x, 0.0)
        tensor([0., 2.])
    """
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    a, b = promote("where", input, other)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError("where: input or other must be a Tensor")
    if not isinstance(condition, Tensor):
        # Host data (a list, a NumPy array) goes where the operands are.
        from pytensor.creation import tensor
        like = a if isinstance(a, Tensor) else b
        condition = tensor(np.asarray(condition, dtype=bool),
                           device=like.device)
    condition, a, b = same_device("where", condition, a, b)
    cond = condition._data
    if cond.dtype != np.bool_:
        raise RuntimeError(
            "where: expected condition to be a boolean tensor, but got a "
            f"tensor with dtype {cond.dtype.name}")
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        # Python numbers become 0-d arrays of the tensor operand's dtype.
        like = a if isinstance(a, Tensor) else b
        if not isinstance(a, Tensor):
            a = Tensor._make(_scalar_like(a, like))
        else:
            b = Tensor._make(_scalar_like(b, like))
    try:
        return Where(cond).apply(a, b)
    except ValueError:
        raise broadcast_error("where", a, b) from None


def _scalar_like(v, like):
    # Filled on the device: no host-to-device copy of the number.
    arr = like._data
    if arr.__class__ is np.ndarray:
        return np.asarray(v, dtype=arr.dtype)
    from pytensor.backend import get_xp
    with on_device_of(arr):
        return get_xp(arr).full((), v, dtype=arr.dtype)


@tensor_method("where")
def _where_method(self, condition, other):
    return where(condition, self, other)
