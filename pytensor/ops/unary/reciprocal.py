"""``reciprocal``: ``1 / x``."""
from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import to_float
from pytensor.ops.unary._common import make_inplace

__all__ = ["reciprocal", "reciprocal_"]


class Reciprocal(Function):
    """y = 1 / x; dy/dx = -y² (from the output)."""

    def forward(self, x):
        y = (1 / x).astype(x.dtype, copy=False)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        y, = self.saved_tensors
        return gy * -(y * y)

    def backward_arrays(self, gy):
        y, = self.saved_arrays
        return gy * -(y * y)


@tensor_method("reciprocal")
def reciprocal(input):
    """Elementwise ``1 / input`` (``inf`` at 0); integer inputs compute in
    the default float dtype.

    Example:
        >>> import pytensor
        >>> pytensor.reciprocal(pytensor.tensor([2, 4, 0]))
        tensor([0.5000, 0.2500,    inf])
    """
    return Reciprocal.apply(to_float(input))


reciprocal_ = make_inplace("reciprocal_", reciprocal)
