"""``elu``, ``selu``, ``celu``: one exponential-linear op with PyTorch's
parameters (``alpha``, ``scale``, ``input_scale``).

``x <= 0`` takes the exponential branch, so the gradient at 0 is
``alpha * scale * input_scale`` (1.7581 for SELU), as in PyTorch.
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import float_only
from pytensor.ops.unary._common import make_inplace

__all__ = ["elu", "selu", "celu", "elu_", "selu_", "celu_"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class ELU(Function):
    """``scale * x`` for x > 0, else
    ``alpha * scale * (exp(x * input_scale) - 1)``."""

    name = "elu"

    def __init__(self, alpha, scale=1.0, input_scale=1.0):
        self.alpha, self.scale, self.input_scale = alpha, scale, input_scale

    def forward(self, x):
        self.save_for_backward(x)
        neg = np.expm1(np.minimum(x, 0) * self.input_scale) * (
            self.alpha * self.scale)
        y = np.where(x > 0, x * self.scale, neg)
        return y.astype(x.dtype, copy=False)

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        x, = self.saved_tensors
        # exp of min(x, 0): the unused branch stays finite, so double
        # backward never multiplies a zero by an overflowed inf.
        e = (x.clamp(max=0.0) * self.input_scale).exp()
        k = self.alpha * self.scale * self.input_scale
        return where(x > 0, gy * self.scale, gy * e * k)

    def backward_arrays(self, gy):
        x, = self.saved_arrays
        e = np.exp(np.minimum(x, 0) * self.input_scale)
        k = self.alpha * self.scale * self.input_scale
        return np.where(x > 0, gy * self.scale, gy * e * k).astype(
            gy.dtype, copy=False)


def _elu(op, input, alpha, scale, input_scale):
    float_only(op, input)
    return ELU(float(alpha), scale, input_scale).apply(input)


@tensor_method("elu")
def elu(input, alpha=1.0, inplace=False):
    """Exponential linear unit: ``x`` for x > 0, else
    ``alpha * (exp(x) - 1)``.

    Args:
        input (Tensor): the input (floating point).
        alpha (float): the saturation value for negative inputs.
        inplace (bool): modify ``input`` in place.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> pytensor.elu(pytensor.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.6321,  0.0000,  2.0000])
    """
    if inplace:
        return elu_(input, alpha)
    return _elu("elu", input, alpha, 1.0, 1.0)


@tensor_method("selu")
def selu(input, inplace=False):
    """Scaled ELU with the self-normalizing constants
    (alpha = 1.6733, scale = 1.0507).

    Example:
        >>> import pytensor
        >>> pytensor.selu(pytensor.tensor([-1.0, 0.0, 1.0]))
        tensor([-1.1113,  0.0000,  1.0507])
    """
    if inplace:
        return selu_(input)
    return _elu("selu", input, _SELU_ALPHA, _SELU_SCALE, 1.0)


@tensor_method("celu")
def celu(input, alpha=1.0, inplace=False):
    """Continuously differentiable ELU: ``x`` for x > 0, else
    ``alpha * (exp(x / alpha) - 1)``.

    Example:
        >>> import pytensor
        >>> pytensor.celu(pytensor.tensor([-1.0, 1.0]), alpha=2.0)
        tensor([-0.7869,  1.0000])
    """
    if inplace:
        return celu_(input, alpha)
    if alpha == 0:
        raise RuntimeError("celu: ZeroDivisionError (alpha must not be 0)")
    return _elu("celu", input, alpha, 1.0, 1.0 / float(alpha))


elu_ = make_inplace("elu_", elu)
selu_ = make_inplace("selu_", selu)
celu_ = make_inplace("celu_", celu)
