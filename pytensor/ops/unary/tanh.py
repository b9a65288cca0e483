"""``tanh`` on the fused kernels ``tanh_fwd``/``tanh_bwd``."""
from pytensor.autograd.function import Function
from pytensor.ops._kernel import run_elementwise
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import to_float
from pytensor.ops.unary._common import make_inplace

__all__ = ["tanh", "tanh_"]


class Tanh(Function):
    """y = tanh(x); the output is saved and the backward is the fused
    ``tanh_bwd`` kernel."""

    kernel = "tanh_fwd"

    def forward(self, x):
        y = run_elementwise("tanh_fwd", x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        y, = self.saved_tensors
        return TanhGrad.apply(y, gy)

    def backward_arrays(self, gy):
        y, = self.saved_arrays
        return run_elementwise("tanh_bwd", y, gy)


class TanhGrad(Function):
    """``gy * (1 - y²)``; differentiable in both arguments (double
    backward): d/dgy = 1 - y², d/dy = -2 y gy."""

    kernel = "tanh_bwd"
    name = "tanh_backward"

    def forward(self, y, gy):
        self.save_for_backward(y, gy)
        return run_elementwise("tanh_bwd", y, gy)

    def backward(self, gg):
        y, gy = self.saved_tensors
        ny, ngy = self.needs_input_grad
        return (gg * gy * y * -2 if ny else None,
                TanhGrad.apply(y, gg) if ngy else None)


@tensor_method("tanh")
def tanh(input):
    """Elementwise hyperbolic tangent.  Integer inputs compute in the
    default float dtype.

    Args:
        input (Tensor): the input.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> pytensor.tanh(pytensor.tensor([-1.0, 0.0, 20.0]))
        tensor([-0.7616,  0.0000,  1.0000])
    """
    return Tanh.apply(to_float(input))


tanh_ = make_inplace("tanh_", tanh)
