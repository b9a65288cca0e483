"""``mul`` (``*``, ``*=``)."""
from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.ops._kernel import binary_kernels, kernels_for
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import promote, broadcast_error

__all__ = ["mul", "multiply"]


class Mul(Function):
    """``a * b``; d/da = gy * b, d/db = gy * a."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return binary_kernels(a, b).mul_fwd(a, b)

    def backward(self, gy):
        a, b = self.saved_tensors
        na, nb = self.needs_input_grad
        return (gy * b if na else None), (gy * a if nb else None)

    def backward_arrays(self, gy):
        a, b = self.saved_arrays
        na, nb = self.needs_input_grad
        k = kernels_for(gy)
        return (k.mul_fwd(gy, b) if na else None), \
            (k.mul_fwd(gy, a) if nb else None)


@tensor_method("mul", "multiply", "__mul__", "__rmul__")
def mul(input, other):
    """Elementwise product, broadcasting.

    Example:
        >>> import pytensor
        >>> pytensor.tensor([1.0, 2.0]) * pytensor.tensor([[3.0], [4.0]])
        tensor([[3., 6.],
                [4., 8.]])
    """
    a, b = promote("mul", input, other)
    try:
        return Mul.apply(a, b)
    except ValueError:
        raise broadcast_error("mul", a, b) from None


multiply = mul


@tensor_method("mul_", "multiply_", "__imul__")
def mul_(self, other):
    """In-place ``self *= other``."""
    return inplace(self, "mul_", mul, other)
