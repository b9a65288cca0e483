"""``floor_divide`` (``//``) and the rounded forms of ``div``
(``rounding_mode="trunc"`` / ``"floor"``).

Integer operands divide exactly (Python's floor semantics for ``//``);
integer division by zero raises, as in PyTorch.  Floating operands follow
IEEE: ``x // 0`` is ``inf``, ``-inf`` or NaN.

Gradients, as in PyTorch 2.13: ``div(..., rounding_mode=...)`` is piecewise
constant, so both inputs get zero gradients; ``floor_divide`` has no
derivative at all and its backward raises.
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import promote, broadcast_error
from pytensor.tensor import Tensor

__all__ = ["floor_divide"]


def _kind(a, b):
    return a.dtype.kind if hasattr(a, "dtype") else b.dtype.kind


def check_int_divisor(op, a, b):
    """PyTorch raises for an integer division by zero (NumPy returns 0)."""
    if _kind(a, b) not in "iub":
        return
    zero = bool((b == 0).any()) if hasattr(b, "dtype") else b == 0
    if zero:
        raise RuntimeError(f"{op}: ZeroDivisionError (integer division by "
                           "zero)")


def floor_div_arrays(a, b):
    """``floor(a / b)``: exact for integers, Python's algorithm for floats
    (NumPy's ``floor_divide`` is PyTorch's ``div_floor``)."""
    return np.floor_divide(a, b)


def trunc_div_arrays(a, b):
    """``trunc(a / b)``; for integers, the floor quotient moved toward zero
    where the signs differ and the division is inexact."""
    if _kind(a, b) in "iu":
        q = np.floor_divide(a, b)
        inexact = np.not_equal(np.remainder(a, b), 0)
        return q + (inexact & np.not_equal(np.less(a, 0), np.less(b, 0)))
    return np.trunc(np.true_divide(a, b))


class RoundedDiv(Function):
    """``div`` with ``rounding_mode``: zero gradients for both inputs."""

    name = "div"

    def __init__(self, mode):
        self.mode = mode

    def forward(self, a, b):
        check_int_divisor("div", a, b)
        self.shapes = (getattr(a, "shape", ()), getattr(b, "shape", ()))
        if self.mode == "floor":
            return floor_div_arrays(a, b)
        return trunc_div_arrays(a, b)

    def backward(self, gy):
        na, nb = self.needs_input_grad
        return (_zeros(gy, self.shapes[0]) if na else None,
                _zeros(gy, self.shapes[1]) if nb else None)


def _zeros(like, shape):
    return Tensor._make(get_xp(like._data).zeros(shape, like._data.dtype))


class FloorDivide(Function):
    """``a // b``.  PyTorch defines no derivative for it: backward raises
    (use ``div(a, b, rounding_mode="floor")`` for zero gradients)."""

    def forward(self, a, b):
        check_int_divisor("floor_divide", a, b)
        return floor_div_arrays(a, b)

    def backward(self, gy):
        raise RuntimeError(
            "floor_divide: derivative for floor_divide is not implemented "
            "(as in PyTorch); div(a, b, rounding_mode='floor') has the same "
            "values and zero gradients")


def _operands(op, input, other):
    a, b = promote(op, input, other)
    return a, b


def _rounded_div(input, other, mode):
    """``div(input, other, rounding_mode=mode)`` for mode "trunc"/"floor"."""
    if mode not in ("trunc", "floor"):
        raise ValueError(
            f"div expected rounding_mode to be one of None, 'trunc', or "
            f"'floor' but found '{mode}'")
    a, b = _operands("div", input, other)
    try:
        return RoundedDiv(mode).apply(a, b)
    except ValueError:
        raise broadcast_error("div", a, b) from None


@tensor_method("floor_divide", "__floordiv__")
def floor_divide(input, other):
    """Elementwise ``input // other``: the quotient rounded toward minus
    infinity, broadcasting.

    Integer tensors stay integer (division by zero raises); a float operand
    makes the result float.  As in PyTorch, ``floor_divide`` has no
    gradient: backward through it raises.

    Args:
        input (Tensor or number): the dividend.
        other (Tensor or number): the divisor.

    Shape:
        Broadcast of the two shapes.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> pytensor.tensor([7, -7]) // 2
        tensor([ 3, -4])
        >>> pytensor.floor_divide(pytensor.tensor([7.5, -7.5]), 2)
        tensor([ 3., -4.])
    """
    a, b = _operands("floor_divide", input, other)
    try:
        return FloorDivide.apply(a, b)
    except ValueError:
        raise broadcast_error("floor_divide", a, b) from None


@tensor_method("__rfloordiv__")
def _rfloordiv(self, other):
    return floor_divide(other, self)


@tensor_method("floor_divide_", "__ifloordiv__")
def floor_divide_(self, other):
    """In-place ``self //= other``."""
    return inplace(self, "floor_divide_", floor_divide, other)
