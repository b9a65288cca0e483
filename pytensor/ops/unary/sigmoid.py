"""``sigmoid`` (fused kernels ``sigmoid_fwd``/``sigmoid_bwd``) and its
inverse ``logit``."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._kernel import run_elementwise
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import to_float
from pytensor.ops.unary._common import make_inplace

__all__ = ["sigmoid", "logit", "sigmoid_", "logit_"]


class Sigmoid(Function):
    """y = 1 / (1 + e^-x), stable for large |x|; the output is saved."""

    kernel = "sigmoid_fwd"

    def forward(self, x):
        y = run_elementwise("sigmoid_fwd", x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        y, = self.saved_tensors
        return SigmoidGrad.apply(y, gy)

    def backward_arrays(self, gy):
        y, = self.saved_arrays
        return run_elementwise("sigmoid_bwd", y, gy)


class SigmoidGrad(Function):
    """``gy * y * (1 - y)``; differentiable in both arguments (double
    backward): d/dgy = y (1 - y), d/dy = gy (1 - 2 y)."""

    kernel = "sigmoid_bwd"
    name = "sigmoid_backward"

    def forward(self, y, gy):
        self.save_for_backward(y, gy)
        return run_elementwise("sigmoid_bwd", y, gy)

    def backward(self, gg):
        y, gy = self.saved_tensors
        ny, ngy = self.needs_input_grad
        return (gg * gy * (1 - y * 2) if ny else None,
                SigmoidGrad.apply(y, gg) if ngy else None)


@tensor_method("sigmoid")
def sigmoid(input):
    """Elementwise logistic sigmoid ``1 / (1 + exp(-input))``.

    Args:
        input (Tensor): the input; integers compute in the default float
            dtype.

    Returns:
        Tensor with values in [0, 1].

    Example:
        >>> import pytensor
        >>> pytensor.sigmoid(pytensor.tensor([0.0, 2.0, -2.0]))
        tensor([0.5000, 0.8808, 0.1192])
    """
    return Sigmoid.apply(to_float(input))


class Logit(Function):
    """log(p / (1 - p)), with ``p`` clamped to [eps, 1 - eps] if eps is
    given.  Gradient 1 / (p (1 - p)); outside the clamp range it is 0 (with
    eps) or NaN (without, for p outside [0, 1]), as in PyTorch."""

    def __init__(self, eps):
        self.eps = eps

    def forward(self, x):
        self.save_for_backward(x)
        p = x if self.eps is None else np.clip(x, self.eps, 1 - self.eps)
        return np.log(p / (1 - p)).astype(x.dtype, copy=False)

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        x, = self.saved_tensors
        g = gy / (x * (1 - x))
        eps = self.eps
        if eps is None:
            return where((x < 0) | (x > 1), float("nan"), g)
        return where((x < eps) | (x > 1 - eps), 0.0, g)


@tensor_method("logit")
def logit(input, eps=None):
    """Elementwise ``log(p / (1 - p))``, the inverse of :func:`sigmoid`.

    Args:
        input (Tensor): probabilities ``p``.
        eps (float, optional): clamp ``p`` to ``[eps, 1 - eps]`` first
            (the gradient is then 0 outside that range).  Without it, 0 and
            1 map to -inf and inf and values outside [0, 1] to NaN.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> pytensor.logit(pytensor.tensor([0.5, 0.25, 1.0]))
        tensor([ 0.0000, -1.0986,     inf])
        >>> pytensor.logit(pytensor.tensor([0.0, 1.0]), eps=0.1)
        tensor([-2.1972,  2.1972])
    """
    if eps is not None:
        eps = float(eps)
    return Logit(eps).apply(to_float(input))


sigmoid_ = make_inplace("sigmoid_", sigmoid)
logit_ = make_inplace("logit_", logit)
