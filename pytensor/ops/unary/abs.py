"""``abs``/``absolute``, ``sign``, ``sgn``: integer dtypes are kept."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops.unary._common import make_inplace, zeros_grad, no_bool

__all__ = ["abs", "absolute", "sign", "sgn", "abs_", "absolute_", "sign_",
           "sgn_"]


def _sign_array(x):
    """(0 < x) - (x < 0) rather than np.sign: NaN gives 0 like PyTorch."""
    return np.greater(x, 0).astype(x.dtype) - np.less(x, 0).astype(x.dtype)


class Abs(Function):
    """|x|; d/dx = sign(x), which is 0 at 0 (PyTorch's subgradient)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.abs(x)

    def backward(self, gy):
        x, = self.saved_tensors
        return gy * sign(x)

    def backward_arrays(self, gy):
        x, = self.saved_arrays
        return gy * _sign_array(x).astype(gy.dtype, copy=False)


class Sign(Function):
    """-1, 0 or +1; NaN maps to 0 as in PyTorch.  Zero gradient."""

    def forward(self, x):
        if x.dtype.kind == "b":
            return x.copy()
        return _sign_array(x)

    def backward(self, gy):
        return zeros_grad(gy)


@tensor_method("abs", "absolute", "__abs__")
def abs(input):
    """Elementwise absolute value; integer tensors stay integer.

    Args:
        input (Tensor): the input (not bool).

    Returns:
        Tensor

    The gradient at 0 is 0 (PyTorch's convention).

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([-2.0, 0.0, 3.0], requires_grad=True)
        >>> x.abs().sum().backward()
        >>> x.grad
        tensor([-1.,  0.,  1.])
        >>> pytensor.abs(pytensor.tensor([-3, 4]))
        tensor([3, 4])
    """
    no_bool("abs", input)
    return Abs.apply(input)


absolute = abs


@tensor_method("sign")
def sign(input):
    """Elementwise sign: -1, 0 or 1 (0 for NaN), in the input's dtype.

    Example:
        >>> import pytensor
        >>> pytensor.sign(pytensor.tensor([-2.5, 0.0, 3.0, float("nan")]))
        tensor([-1.,  0.,  1.,  0.])
    """
    return Sign.apply(input)


@tensor_method("sgn")
def sgn(input):
    """The sign; for real tensors the same as :func:`sign`.

    Example:
        >>> import pytensor
        >>> pytensor.sgn(pytensor.tensor([-4, 0, 7]))
        tensor([-1,  0,  1])
    """
    return Sign.apply(input)


abs_ = make_inplace("abs_", abs)
absolute_ = make_inplace("absolute_", absolute)
sign_ = make_inplace("sign_", sign)
sgn_ = make_inplace("sgn_", sgn)
