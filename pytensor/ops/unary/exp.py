"""``exp``, ``exp2``, ``expm1``."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import to_float
from pytensor.ops.unary._common import make_inplace

__all__ = ["exp", "exp2", "expm1", "exp_", "exp2_", "expm1_"]


class Exp(Function):
    """y = e**x; dy/dx = y (the output is saved, not the input)."""

    def forward(self, x):
        y = np.exp(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        y, = self.saved_tensors
        return gy * y

    def backward_arrays(self, gy):
        y, = self.saved_arrays
        return gy * y


@tensor_method("exp")
def exp(input):
    """Elementwise e**x.

    Example:
        >>> import pytensor
        >>> pytensor.exp(pytensor.tensor([0.0, 1.0]))
        tensor([1.0000, 2.7183])
    """
    return Exp.apply(to_float(input))


@tensor_method("exp_")
def exp_(self):
    return inplace(self, "exp_", exp)


class Exp2(Function):
    def forward(self, x):
        y = np.exp2(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        y, = self.saved_tensors
        return gy * y * float(np.log(2.0))


@tensor_method("exp2")
def exp2(input):
    """Elementwise 2**x."""
    return Exp2.apply(to_float(input))


class Expm1(Function):
    def forward(self, x):
        y = np.expm1(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        y, = self.saved_tensors
        return gy * (y + 1)


@tensor_method("expm1")
def expm1(input):
    """Elementwise e**x - 1, accurate near 0."""
    return Expm1.apply(to_float(input))


exp2_ = make_inplace("exp2_", exp2)
expm1_ = make_inplace("expm1_", expm1)
