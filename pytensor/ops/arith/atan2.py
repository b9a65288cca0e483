"""``atan2``/``arctan2``: the angle of the point ``(other, input)``."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import promote, broadcast_error, to_float
from pytensor.tensor import Tensor

__all__ = ["atan2", "arctan2"]


class Atan2(Function):
    """d/dy = x / (x² + y²), d/dx = -y / (x² + y²); both are 0 at the
    origin, as in PyTorch 2.13."""

    def forward(self, y, x):
        self.save_for_backward(y, x)
        return np.arctan2(y, x)

    def backward(self, gy):
        y, x = self.saved_tensors
        ny, nx = self.needs_input_grad
        from pytensor.ops.arith.where import where
        den = y * y + x * x
        r = where(den == 0, 0.0, den.reciprocal())
        return (gy * x * r if ny else None), (gy * -y * r if nx else None)


@tensor_method("atan2", "arctan2")
def atan2(input, other):
    """Elementwise ``atan(input / other)`` in the correct quadrant, in
    ``[-pi, pi]``, broadcasting.  Integer inputs compute in the default
    float dtype.

    Args:
        input (Tensor): the y coordinates.
        other (Tensor): the x coordinates.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> pytensor.atan2(pytensor.tensor([1.0, 1.0, -1.0]),
        ...                pytensor.tensor([1.0, -1.0, -1.0]))
        tensor([ 0.7854,  2.3562, -2.3562])
    """
    a, b = promote("atan2", input, other)
    if isinstance(a, Tensor):
        a = to_float(a)
    if isinstance(b, Tensor):
        b = to_float(b)
    try:
        return Atan2.apply(a, b)
    except ValueError:
        raise broadcast_error("atan2", a, b) from None


arctan2 = atan2


@tensor_method("atan2_", "arctan2_")
def atan2_(self, other):
    """In-place :func:`atan2`."""
    return inplace(self, "atan2_", atan2, other)
