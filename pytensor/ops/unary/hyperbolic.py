"""Hyperbolic functions and their inverses: ``sinh cosh asinh acosh
atanh`` (``arcsinh arccosh arctanh``); ``tanh`` has its own file (it runs
a fused kernel).  Integer inputs compute in the default float dtype."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops.unary.trig import _unary
from pytensor.ops.unary._common import make_inplace

__all__ = ["sinh", "cosh", "asinh", "acosh", "atanh", "arcsinh", "arccosh",
           "arctanh", "sinh_", "cosh_", "asinh_", "acosh_", "atanh_",
           "arcsinh_", "arccosh_", "arctanh_"]


class Sinh(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return np.sinh(x)

    def backward(self, gy):
        x, = self.saved_tensors
        return gy * x.cosh()


class Cosh(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return np.cosh(x)

    def backward(self, gy):
        x, = self.saved_tensors
        return gy * x.sinh()


class Asinh(Function):
    """d/dx = 1 / sqrt(x² + 1)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.arcsinh(x)

    def backward(self, gy):
        x, = self.saved_tensors
        return gy * (x * x + 1).rsqrt()


class Acosh(Function):
    """d/dx = 1 / sqrt(x² - 1) (inf at 1, NaN below)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.arccosh(x)

    def backward(self, gy):
        x, = self.saved_tensors
        return gy * (x * x - 1).rsqrt()


class Atanh(Function):
    """d/dx = 1 / (1 - x²)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.arctanh(x)

    def backward(self, gy):
        x, = self.saved_tensors
        return gy / (1 - x * x)


sinh = _unary(Sinh, "sinh", "Elementwise hyperbolic sine.", """\
        >>> pytensor.sinh(pytensor.tensor([0.0, 1.0]))
        tensor([0.0000, 1.1752])""")
cosh = _unary(Cosh, "cosh", "Elementwise hyperbolic cosine.", """\
        >>> pytensor.cosh(pytensor.tensor([0.0, 1.0]))
        tensor([1.0000, 1.5431])""")
asinh = _unary(Asinh, "asinh", "Elementwise inverse hyperbolic sine.", """\
        >>> pytensor.asinh(pytensor.tensor([0.0, 1.0]))
        tensor([0.0000, 0.8814])""")
acosh = _unary(Acosh, "acosh", "Elementwise inverse hyperbolic cosine; NaN "
               "below 1.", """\
        >>> pytensor.acosh(pytensor.tensor([1.0, 2.0, 0.0]))
        tensor([0.0000, 1.3170,    nan])""")
atanh = _unary(Atanh, "atanh", "Elementwise inverse hyperbolic tangent; "
               "+-inf at +-1, NaN outside [-1, 1].", """\
        >>> pytensor.atanh(pytensor.tensor([0.0, 0.5, 1.0]))
        tensor([0.0000, 0.5493,    inf])""")
arcsinh, arccosh, arctanh = asinh, acosh, atanh

for _fn, _names in ((sinh, ("sinh",)), (cosh, ("cosh",)),
                    (asinh, ("asinh", "arcsinh")),
                    (acosh, ("acosh", "arccosh")),
                    (atanh, ("atanh", "arctanh"))):
    tensor_method(*_names)(_fn)

sinh_ = make_inplace("sinh_", sinh)
cosh_ = make_inplace("cosh_", cosh)
asinh_ = make_inplace("asinh_", asinh, "arcsinh_")
acosh_ = make_inplace("acosh_", acosh, "arccosh_")
atanh_ = make_inplace("atanh_", atanh, "arctanh_")
arcsinh_, arccosh_, arctanh_ = asinh_, acosh_, atanh_

# The public functions are built by trig._unary, so doctest would not
# count them as this module's: list them explicitly.
__test__ = {f.__name__: f for f in (sinh, cosh, asinh, acosh, atanh)}
