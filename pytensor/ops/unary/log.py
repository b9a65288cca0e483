"""``log``, ``log2``, ``log10``, ``log1p``."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import to_float
from pytensor.ops.unary._common import make_inplace

__all__ = ["log", "log2", "log10", "log1p", "log_", "log2_", "log10_",
           "log1p_"]

_LN2 = float(np.log(2.0))
_LN10 = float(np.log(10.0))


class Log(Function):
    """y = ln(x) (NaN for x < 0, -inf at 0); dy/dx = 1/x."""

    scale = 1.0
    fn = staticmethod(np.log)

    def forward(self, x):
        self.save_for_backward(x)
        return self.fn(x)

    def backward(self, gy):
        x, = self.saved_tensors
        return gy / (x * self.scale) if self.scale != 1.0 else gy / x


class Log2(Log):
    scale = _LN2
    fn = staticmethod(np.log2)


class Log10(Log):
    scale = _LN10
    fn = staticmethod(np.log10)


class Log1p(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return np.log1p(x)

    def backward(self, gy):
        x, = self.saved_tensors
        return gy / (x + 1)


@tensor_method("log")
def log(input):
    """Elementwise natural logarithm.

    Example:
        >>> import pytensor
        >>> pytensor.log(pytensor.tensor([1.0, 0.0, -1.0]))
        tensor([0., -inf, nan])
    """
    return Log.apply(to_float(input))


@tensor_method("log2")
def log2(input):
    """Elementwise base-2 logarithm."""
    return Log2.apply(to_float(input))


@tensor_method("log10")
def log10(input):
    """Elementwise base-10 logarithm."""
    return Log10.apply(to_float(input))


@tensor_method("log1p")
def log1p(input):
    """Elementwise ln(1 + x), accurate near 0."""
    return Log1p.apply(to_float(input))


@tensor_method("log_")
def log_(self):
    return inplace(self, "log_", log)


log2_ = make_inplace("log2_", log2)
log10_ = make_inplace("log10_", log10)
log1p_ = make_inplace("log1p_", log1p)
