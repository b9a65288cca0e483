"""Rounding: ``floor ceil round trunc fix frac``.

Integer tensors are returned unchanged (as a copy) by ``floor``, ``ceil``,
``round`` and ``trunc``, as in PyTorch; ``frac`` and ``round(decimals=)``
need floating point.  ``round`` rounds half to even.  All but ``frac``
have a zero gradient; ``frac``'s is 1.
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops.unary._common import make_inplace, zeros_grad, no_bool

__all__ = ["floor", "ceil", "round", "trunc", "fix", "frac", "floor_",
           "ceil_", "round_", "trunc_", "fix_", "frac_"]


class _Rounding(Function):
    """A piecewise-constant op: zero gradient (not None, as in PyTorch)."""

    ufunc = None

    def forward(self, x):
        if x.dtype.kind in "iu":
            return x.copy()
        return type(self).ufunc(x)

    def backward(self, gy):
        return zeros_grad(gy)


class Floor(_Rounding):
    ufunc = staticmethod(np.floor)


class Ceil(_Rounding):
    ufunc = staticmethod(np.ceil)


class Trunc(_Rounding):
    ufunc = staticmethod(np.trunc)


class Round(_Rounding):
    """Half to even; with ``decimals``, ``rint(x * 10**d) / 10**d`` (or
    ``rint(x / 10**-d) * 10**-d`` for negative ``d``), PyTorch's formula."""

    def __init__(self, decimals=0):
        self.decimals = decimals

    def forward(self, x):
        d = self.decimals
        if x.dtype.kind in "iu":
            return x.copy()
        if d == 0:
            return np.rint(x)
        scale = x.dtype.type(10.0 ** abs(d))
        if d > 0:
            return np.rint(x * scale) / scale
        return np.rint(x / scale) * scale


class Frac(Function):
    """x - trunc(x); gradient 1."""

    def forward(self, x):
        return x - np.trunc(x)

    def backward(self, gy):
        return gy


def _check(op, input):
    no_bool(op, input)


@tensor_method("floor")
def floor(input):
    """Elementwise largest integer not greater than the input (integer
    tensors are returned as a copy).

    Example:
        >>> import pytensor
        >>> pytensor.floor(pytensor.tensor([-1.5, 0.5, 2.0]))
        tensor([-2.,  0.,  2.])
    """
    _check("floor", input)
    return Floor.apply(input)


@tensor_method("ceil")
def ceil(input):
    """Elementwise smallest integer not less than the input.

    Example:
        >>> import pytensor
        >>> pytensor.ceil(pytensor.tensor([-1.5, 0.5, 2.0]))
        tensor([-1.,  1.,  2.])
    """
    _check("ceil", input)
    return Ceil.apply(input)


@tensor_method("round")
def round(input, decimals=0):
    """Elementwise rounding to the nearest integer, half to even, or to
    ``decimals`` decimal places (negative: to tens, hundreds, ...).

    Args:
        input (Tensor): the input.
        decimals (int): number of decimal places (keyword in PyTorch).

    Returns:
        Tensor of the input's dtype.

    Example:
        >>> import pytensor
        >>> pytensor.round(pytensor.tensor([0.5, 1.5, 2.5, -0.5]))
        tensor([ 0.,  2.,  2., -0.])
        >>> pytensor.round(pytensor.tensor([1.2345, 0.125]), decimals=2)
        tensor([1.2300, 0.1200])
        >>> pytensor.round(pytensor.tensor([1234.5]), decimals=-2)
        tensor([1200.])
    """
    _check("round", input)
    decimals = int(decimals)
    if decimals != 0 and input._data.dtype.kind in "iu":
        raise RuntimeError(
            f"round: rounding to decimals is not implemented for integer "
            f"tensors (got {input.dtype.name})")
    return Round(decimals).apply(input)


@tensor_method("trunc", "fix")
def trunc(input):
    """Elementwise rounding toward zero.

    Example:
        >>> import pytensor
        >>> pytensor.trunc(pytensor.tensor([-1.7, 1.7]))
        tensor([-1.,  1.])
    """
    _check("trunc", input)
    return Trunc.apply(input)


fix = trunc


@tensor_method("frac")
def frac(input):
    """Elementwise fractional part ``input - trunc(input)`` (sign of the
    input); floating point only.

    Example:
        >>> import pytensor
        >>> pytensor.frac(pytensor.tensor([1.25, -2.5]))
        tensor([ 0.2500, -0.5000])
    """
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"frac: not implemented for {input.dtype.name} tensors "
            "(expected a floating point dtype)")
    return Frac.apply(input)


floor_ = make_inplace("floor_", floor)
ceil_ = make_inplace("ceil_", ceil)
round_ = make_inplace("round_", round)
trunc_ = make_inplace("trunc_", trunc, "fix_")
fix_ = trunc_
frac_ = make_inplace("frac_", frac)
