"""``remainder`` (``%``, the sign of the divisor, as Python) and ``fmod``
(the sign of the dividend, as C).

Gradients (PyTorch): d/da = 1; d/db = -floor(a / b) for ``remainder`` and
-trunc(a / b) for ``fmod``.  Integer division by zero raises; floating
division by zero gives NaN.
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import promote, broadcast_error
from pytensor.ops.arith.floor_divide import check_int_divisor, _kind

__all__ = ["remainder", "fmod"]


def _remainder_arrays(a, b):
    if _kind(a, b) in "iub":
        return np.remainder(a, b)
    # PyTorch's algorithm (fmod, then shift by b where the signs differ)
    # rather than np.remainder: a zero result keeps the dividend's sign,
    # e.g. -4.0 % 2.0 is -0.0 in PyTorch and 0.0 in NumPy.
    m = np.fmod(a, b)
    shift = np.not_equal(m, 0) & np.not_equal(np.less(b, 0), np.less(m, 0))
    return np.where(shift, m + b, m).astype(m.dtype, copy=False)


class Remainder(Function):
    """``a - b * floor(a / b)``."""

    op = "remainder"
    rounding = "floor"

    def forward(self, a, b):
        check_int_divisor(self.op, a, b)
        if self.needs_input_grad and self.needs_input_grad[1]:
            self.save_for_backward(a, b)
        return self._compute(a, b)

    @staticmethod
    def _compute(a, b):
        return _remainder_arrays(a, b)

    def backward(self, gy):
        from pytensor.ops.arith.div import div
        na, nb = self.needs_input_grad
        gb = None
        if nb:
            a, b = self.saved_tensors
            gb = -gy * div(a, b, rounding_mode=self.rounding)
        return (gy if na else None), gb


class Fmod(Remainder):
    """``a - b * trunc(a / b)``."""

    op = "fmod"
    rounding = "trunc"

    @staticmethod
    def _compute(a, b):
        return np.fmod(a, b)


def _binary(cls, op, input, other):
    a, b = promote(op, input, other)
    if getattr(a, "dtype", None) is not None and a._data.dtype.kind == "b" \
            and getattr(b, "_data", None) is not None and \
            b._data.dtype.kind == "b":
        raise RuntimeError(f"{op}: not implemented for 'Bool' tensors")
    try:
        return cls.apply(a, b)
    except ValueError:
        raise broadcast_error(op, a, b) from None


@tensor_method("remainder", "__mod__")
def remainder(input, other):
    """Elementwise Python-style modulus ``input % other``: the result has
    the sign of the divisor (``input - other * floor(input / other)``).

    Args:
        input (Tensor or number): the dividend.
        other (Tensor or number): the divisor.

    Shape:
        Broadcast of the two shapes.

    Returns:
        Tensor. Integer tensors stay integer; integer division by zero
        raises RuntimeError.

    Example:
        >>> import pytensor
        >>> pytensor.tensor([5, -5, 5, -5]) % pytensor.tensor([3, 3, -3, -3])
        tensor([ 2,  1, -1, -2])
        >>> pytensor.remainder(pytensor.tensor([5.5, -5.5]), 2)
        tensor([1.5000, 0.5000])
    """
    return _binary(Remainder, "remainder", input, other)


@tensor_method("fmod")
def fmod(input, other):
    """Elementwise C-style remainder: the result has the sign of the
    dividend (``input - other * trunc(input / other)``).

    Args:
        input (Tensor): the dividend.
        other (Tensor or number): the divisor.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> pytensor.fmod(pytensor.tensor([5, -5, 5, -5]),
        ...               pytensor.tensor([3, 3, -3, -3]))
        tensor([ 2, -2,  2, -2])
    """
    return _binary(Fmod, "fmod", input, other)


@tensor_method("__rmod__")
def _rmod(self, other):
    return remainder(other, self)


@tensor_method("remainder_", "__imod__")
def remainder_(self, other):
    """In-place ``self %= other``."""
    return inplace(self, "remainder_", remainder, other)


@tensor_method("fmod_")
def fmod_(self, other):
    """In-place :func:`fmod`."""
    return inplace(self, "fmod_", fmod, other)
