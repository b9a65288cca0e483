"""``softplus``, ``logsigmoid``, ``softsign``, ``tanhshrink``."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import float_only

__all__ = ["softplus", "logsigmoid", "softsign", "tanhshrink"]


class Softplus(Function):
    """``log1p(exp(beta x)) / beta``, and ``x`` itself where
    ``beta x > threshold`` (PyTorch's linear region); the gradient is
    ``sigmoid(beta x)`` there-below and 1 above."""

    def __init__(self, beta, threshold):
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        self.save_for_backward(x)
        bx = x * self.beta
        linear = bx > self.threshold
        # exp of the clipped product: no overflow in the unused branch.
        soft = np.log1p(np.exp(np.minimum(bx, self.threshold))) / self.beta
        return np.where(linear, x, soft).astype(x.dtype, copy=False)

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        x, = self.saved_tensors
        bx = x * self.beta
        return where(bx > self.threshold, gy, gy * bx.sigmoid())

    def backward_arrays(self, gy):
        from pytensor.ops._kernel import run_elementwise
        x, = self.saved_arrays
        bx = x * self.beta
        s = run_elementwise("sigmoid_fwd", bx)
        return np.where(bx > self.threshold, gy, gy * s).astype(
            gy.dtype, copy=False)


@tensor_method("softplus")
def softplus(input, beta=1.0, threshold=20.0):
    """Smooth ReLU ``log(1 + exp(beta * x)) / beta``; linear (``x``) where
    ``beta * x > threshold``, for numerical stability.

    Args:
        input (Tensor): the input (floating point).
        beta (float): sharpness.
        threshold (float): above this value of ``beta * x`` return ``x``.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> pytensor.softplus(pytensor.tensor([-1.0, 0.0, 30.0]))
        tensor([ 0.3133,  0.6931, 30.0000])
    """
    float_only("softplus", input)
    return Softplus(float(beta), float(threshold)).apply(input)


class LogSigmoid(Function):
    """``min(x, 0) - log1p(exp(-|x|))``: stable for large |x|;
    d/dx = sigmoid(-x)."""

    name = "log_sigmoid"

    def forward(self, x):
        self.save_for_backward(x)
        return (np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))).astype(
            x.dtype, copy=False)

    def backward(self, gy):
        x, = self.saved_tensors
        return gy * (-x).sigmoid()


def logsigmoid(input):
    """``log(sigmoid(input))``, computed without overflow.

    Example:
        >>> import pytensor
        >>> pytensor.logsigmoid(pytensor.tensor([-200.0, 0.0, 200.0]))
        tensor([-200.0000,   -0.6931,    0.0000])
    """
    float_only("logsigmoid", input)
    return LogSigmoid.apply(input)


def softsign(input):
    """``input / (1 + |input|)`` (composed of differentiable ops, as in
    PyTorch; integer inputs give the default float dtype).

    Example:
        >>> import pytensor
        >>> pytensor.softsign(pytensor.tensor([-3.0, 0.0, 1.0]))
        tensor([-0.7500,  0.0000,  0.5000])
    """
    return input / (input.abs() + 1)


def tanhshrink(input):
    """``input - tanh(input)``.

    Example:
        >>> import pytensor
        >>> pytensor.tanhshrink(pytensor.tensor([0.0, 1.0]))
        tensor([0.0000, 0.2384])
    """
    return input - input.tanh()
