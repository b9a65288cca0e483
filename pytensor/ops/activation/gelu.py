"""``gelu`` (exact or tanh approximation) on the ``gelu_fwd``/``gelu_bwd``
kernels, with double backward."""
import math

from pytensor.autograd.function import Function
from pytensor.ops._kernel import run_elementwise
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import float_only

__all__ = ["gelu"]

_K = math.sqrt(2.0 / math.pi)          # tanh form: u = K (x + C x^3)
_C = 0.044715
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class GELU(Function):
    kernel = "gelu_fwd"
    name = "gelu"

    def __init__(self, approximate):
        self.approximate = approximate

    def forward(self, x):
        self.save_for_backward(x)
        return run_elementwise("gelu_fwd", x, extra=(self.approximate,))

    def backward(self, gy):
        x, = self.saved_tensors
        return GELUGrad(self.approximate).apply(x, gy)

    def backward_arrays(self, gy):
        x, = self.saved_arrays
        return run_elementwise("gelu_bwd", x, gy, extra=(self.approximate,))


class GELUGrad(Function):
    """``gy * gelu'(x)``.  Linear in ``gy`` (so d/dgy is this op again);
    d/dx = gg * gy * gelu''(x), written in differentiable ops."""

    kernel = "gelu_bwd"
    name = "gelu_backward"

    def __init__(self, approximate):
        self.approximate = approximate

    def forward(self, x, gy):
        self.save_for_backward(x, gy)
        return run_elementwise("gelu_bwd", x, gy, extra=(self.approximate,))

    def backward(self, gg):
        x, gy = self.saved_tensors
        nx, ngy = self.needs_input_grad
        gx = ggy = None
        if nx:
            gx = gg * gy * _second_derivative(x, self.approximate)
        if ngy:
            ggy = GELUGrad(self.approximate).apply(x, gg)
        return gx, ggy


def _second_derivative(x, approximate):
    if approximate == "tanh":
        x2 = x * x
        t = ((x + x2 * x * _C) * _K).tanh()
        du = (x2 * (3 * _C) + 1) * _K            # u'
        d2u = x * (6 * _C * _K)                  # u''
        return (1 - t * t) * (du + x * 0.5 * (d2u - t * du * du * 2))
    pdf = (x * x * -0.5).exp() * _INV_SQRT_2PI
    return pdf * (2 - x * x)


@tensor_method("gelu")
def gelu(input, approximate="none"):
    """Gaussian error linear unit ``x * Phi(x)`` (``approximate="none"``)
    or its tanh approximation
    ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``.

    Args:
        input (Tensor): the input (floating point).
        approximate (str): ``"none"`` or ``"tanh"``.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([-1.0, 0.0, 1.0])
        >>> pytensor.gelu(x)
        tensor([-0.1587,  0.0000,  0.8413])
        >>> pytensor.gelu(x, approximate="tanh")
        tensor([-0.1588,  0.0000,  0.8412])
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError(
            f"gelu: approximate argument must be either none or tanh, got "
            f"{approximate!r}")
    float_only("gelu", input)
    return GELU(approximate).apply(input)
