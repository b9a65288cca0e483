"""Piecewise-linear approximations: ``hardsigmoid`` and ``hardswish``.

Kinks follow PyTorch: hardsigmoid passes ``1/6`` strictly inside
``(-3, 3)``; hardswish's gradient is 0 for ``x <= -3``, ``x / 3 + 1/2``
for ``-3 < x < 3`` and 1 from 3 on.
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._util import float_only
from pytensor.ops.unary._common import make_inplace

__all__ = ["hardsigmoid", "hardswish", "hardsigmoid_", "hardswish_"]


# PyTorch's backward multiplies by ``1.0f / 6.0f``, a float32 constant, in
# every dtype; the same constant makes float64 gradients agree bit for bit.
_ONE_SIXTH = float(np.float32(1.0) / np.float32(6.0))


def _relu6_of_shift(x):
    return np.minimum(np.maximum(x + 3, 0), 6)


class Hardsigmoid(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return (_relu6_of_shift(x) / 6).astype(x.dtype, copy=False)

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        x, = self.saved_tensors
        return where((x > -3) & (x < 3), gy * _ONE_SIXTH, 0.0)


class Hardswish(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return (x * _relu6_of_shift(x) / 6).astype(x.dtype, copy=False)

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        x, = self.saved_tensors
        middle = where(x < 3, gy * (x / 3 + 0.5), gy)
        return where(x <= -3, 0.0, middle)


def hardsigmoid(input, inplace=False):
    """``relu6(x + 3) / 6``: 0 below -3, 1 above 3, linear between.

    Example:
        >>> import pytensor
        >>> pytensor.hardsigmoid(pytensor.tensor([-4.0, 0.0, 1.5, 4.0]))
        tensor([0.0000, 0.5000, 0.7500, 1.0000])
    """
    if inplace:
        return hardsigmoid_(input)
    float_only("hardsigmoid", input)
    return Hardsigmoid.apply(input)


def hardswish(input, inplace=False):
    """``x * relu6(x + 3) / 6``.

    Example:
        >>> import pytensor
        >>> pytensor.hardswish(pytensor.tensor([-4.0, 0.0, 1.5, 4.0]))
        tensor([-0.0000,  0.0000,  1.1250,  4.0000])
    """
    if inplace:
        return hardswish_(input)
    float_only("hardswish", input)
    return Hardswish.apply(input)


hardsigmoid_ = make_inplace("hardsigmoid_", hardsigmoid)
hardswish_ = make_inplace("hardswish_", hardswish)
