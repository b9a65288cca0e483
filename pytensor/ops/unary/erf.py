"""``erf`` and ``erfc`` on the ``erf_fwd``/``erfc_fwd`` kernels (NumPy has
no error function)."""
import math

from pytensor.autograd.function import Function
from pytensor.ops._kernel import run_elementwise
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import to_float
from pytensor.ops.unary._common import make_inplace

__all__ = ["erf", "erfc", "erf_", "erfc_"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class Erf(Function):
    """d/dx erf = 2/sqrt(pi) * exp(-x²)."""

    kernel = "erf_fwd"
    sign = 1.0

    def forward(self, x):
        self.save_for_backward(x)
        return run_elementwise(self.kernel, x)

    def backward(self, gy):
        x, = self.saved_tensors
        return gy * ((x * x).neg().exp() * (self.sign * _TWO_OVER_SQRT_PI))


class Erfc(Erf):
    """erfc = 1 - erf, computed directly (accurate where erf is near 1)."""

    kernel = "erfc_fwd"
    sign = -1.0


@tensor_method("erf")
def erf(input):
    """The Gauss error function, elementwise.

    Args:
        input (Tensor): the input; integers compute in the default float
            dtype.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> pytensor.erf(pytensor.tensor([0.0, 1.0, -3.0]))
        tensor([ 0.0000,  0.8427, -1.0000])
    """
    return Erf.apply(to_float(input))


@tensor_method("erfc")
def erfc(input):
    """The complementary error function ``1 - erf(input)``, elementwise,
    accurate for large inputs.

    Example:
        >>> import pytensor
        >>> pytensor.erfc(pytensor.tensor([0.0, 5.0]))
        tensor([1.0000e+00, 1.5375e-12])
    """
    return Erfc.apply(to_float(input))


erf_ = make_inplace("erf_", erf)
erfc_ = make_inplace("erfc_", erfc)
