"""Trigonometric functions and their inverses: ``sin cos tan asin acos
atan`` (``arcsin arccos arctan``).  Integer inputs compute in the default
float dtype; out-of-domain inputs give NaN (``asin(2)``)."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import to_float
from pytensor.ops.unary._common import make_inplace

__all__ = ["sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos",
           "arctan", "sin_", "cos_", "tan_", "asin_", "acos_", "atan_",
           "arcsin_", "arccos_", "arctan_"]


class Sin(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return np.sin(x)

    def backward(self, gy):
        x, = self.saved_tensors
        return gy * x.cos()


class Cos(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return np.cos(x)

    def backward(self, gy):
        x, = self.saved_tensors
        return gy * -x.sin()


class Tan(Function):
    """d/dx tan = 1 + tan² (from the output)."""

    def forward(self, x):
        y = np.tan(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        y, = self.saved_tensors
        return gy * (y * y + 1)


class Asin(Function):
    """d/dx = 1 / sqrt(1 - x²) (inf at ±1, NaN outside)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.arcsin(x)

    def backward(self, gy):
        x, = self.saved_tensors
        return gy * (1 - x * x).rsqrt()


class Acos(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return np.arccos(x)

    def backward(self, gy):
        x, = self.saved_tensors
        return gy * -(1 - x * x).rsqrt()


class Atan(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return np.arctan(x)

    def backward(self, gy):
        x, = self.saved_tensors
        return gy / (x * x + 1)


def _unary(cls, name, doc, example):
    def fn(input):
        return cls.apply(to_float(input))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"""{doc}

    Args:
        input (Tensor): the input.

    Returns:
        Tensor (floating point).

    Example:
        >>> import pytensor
{example}
    """
    return fn


sin = _unary(Sin, "sin", "Elementwise sine (radians).", """\
        >>> pytensor.sin(pytensor.tensor([0.0, 1.5707963]))
        tensor([0., 1.])""")
cos = _unary(Cos, "cos", "Elementwise cosine (radians).", """\
        >>> pytensor.cos(pytensor.tensor([0.0, 3.1415927]))
        tensor([ 1., -1.])""")
tan = _unary(Tan, "tan", "Elementwise tangent (radians).", """\
        >>> pytensor.tan(pytensor.tensor([0.0, 0.7853982]))
        tensor([0., 1.])""")
asin = _unary(Asin, "asin", "Elementwise arcsine, in [-pi/2, pi/2]; NaN "
              "outside [-1, 1].", """\
        >>> pytensor.asin(pytensor.tensor([0.0, 1.0, 2.0]))
        tensor([0.0000, 1.5708,    nan])""")
acos = _unary(Acos, "acos", "Elementwise arccosine, in [0, pi]; NaN "
              "outside [-1, 1].", """\
        >>> pytensor.acos(pytensor.tensor([1.0, 0.0, -1.0]))
        tensor([0.0000, 1.5708, 3.1416])""")
atan = _unary(Atan, "atan", "Elementwise arctangent, in (-pi/2, pi/2).",
              """\
        >>> pytensor.atan(pytensor.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7854])""")
arcsin, arccos, arctan = asin, acos, atan

for _fn, _names in ((sin, ("sin",)), (cos, ("cos",)), (tan, ("tan",)),
                    (asin, ("asin", "arcsin")), (acos, ("acos", "arccos")),
                    (atan, ("atan", "arctan"))):
    tensor_method(*_names)(_fn)

sin_ = make_inplace("sin_", sin)
cos_ = make_inplace("cos_", cos)
tan_ = make_inplace("tan_", tan)
asin_ = make_inplace("asin_", asin, "arcsin_")
acos_ = make_inplace("acos_", acos, "arccos_")
atan_ = make_inplace("atan_", atan, "arctan_")
arcsin_, arccos_, arctan_ = asin_, acos_, atan_
