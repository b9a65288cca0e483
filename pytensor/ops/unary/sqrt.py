"""``sqrt``, ``rsqrt``, ``square``."""
import numpy as np

from pytensor import dtypes as _dt
from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import to_float
from pytensor.ops.unary._common import make_inplace

__all__ = ["sqrt", "rsqrt", "square", "sqrt_", "rsqrt_", "square_"]


class Sqrt(Function):
    """y = sqrt(x); dy/dx = 1 / (2 y): +inf at +0 and -inf at -0, NaN for
    x < 0, as in PyTorch."""

    def forward(self, x):
        y = np.sqrt(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        y, = self.saved_tensors
        return gy / (y * 2)

    def backward_arrays(self, gy):
        y, = self.saved_arrays
        return gy / (y * 2)


class Rsqrt(Function):
    """y = 1 / sqrt(x); dy/dx = -y³ / 2."""

    def forward(self, x):
        y = (1 / np.sqrt(x)).astype(x.dtype, copy=False)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        y, = self.saved_tensors
        return gy * (y * y * y) * -0.5


class Square(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return x * x

    def backward(self, gy):
        x, = self.saved_tensors
        return gy * (x * 2)

    def backward_arrays(self, gy):
        x, = self.saved_arrays
        return gy * (x * 2)


@tensor_method("sqrt")
def sqrt(input):
    """Elementwise square root (NaN for negative inputs).  Integer inputs
    compute in the default float dtype.

    Args:
        input (Tensor): the input.

    Returns:
        Tensor

    The gradient at 0 is ``inf`` (PyTorch's convention).

    Example:
        >>> import pytensor
        >>> pytensor.sqrt(pytensor.tensor([4, 2, 0]))
        tensor([2.0000, 1.4142, 0.0000])
    """
    return Sqrt.apply(to_float(input))


@tensor_method("rsqrt")
def rsqrt(input):
    """Elementwise ``1 / sqrt(input)`` (``inf`` at 0).

    Example:
        >>> import pytensor
        >>> pytensor.rsqrt(pytensor.tensor([4.0, 0.25, 0.0]))
        tensor([0.5000, 2.0000,    inf])
    """
    return Rsqrt.apply(to_float(input))


@tensor_method("square")
def square(input):
    """Elementwise ``input * input``; integer tensors stay integer (bool
    becomes int64, as in PyTorch).

    Example:
        >>> import pytensor
        >>> pytensor.square(pytensor.tensor([-3, 2]))
        tensor([9, 4])
    """
    if input._data.dtype.kind == "b":
        input = input.to(_dt.int64)
    return Square.apply(input)


sqrt_ = make_inplace("sqrt_", sqrt)
rsqrt_ = make_inplace("rsqrt_", rsqrt)
square_ = make_inplace("square_", square)
