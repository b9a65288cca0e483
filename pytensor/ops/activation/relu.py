"""``relu`` (fused kernels ``relu_fwd``/``relu_bwd``), ``relu6``,
``hardtanh``, ``leaky_relu``, ``threshold`` and their in-place forms.

Kinks follow PyTorch: relu'(0) = 0; hardtanh/relu6 pass the gradient only
strictly inside ``(min_val, max_val)``; leaky_relu'(0) = negative_slope;
threshold passes it only where ``x > threshold``.
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._kernel import run_elementwise
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import float_only
from pytensor.ops.unary._common import make_inplace

__all__ = ["relu", "relu_", "relu6", "hardtanh", "hardtanh_", "leaky_relu",
           "leaky_relu_", "threshold", "threshold_"]


class ReLU(Function):
    """max(x, 0) (NaN stays NaN); the output is saved for the backward."""

    kernel = "relu_fwd"
    name = "relu"

    def forward(self, x):
        y = run_elementwise("relu_fwd", x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        y, = self.saved_tensors
        return ReLUGrad.apply(y, gy)

    def backward_arrays(self, gy):
        y, = self.saved_arrays
        return run_elementwise("relu_bwd", y, gy)


class ReLUGrad(Function):
    """``gy`` where ``y > 0``, else 0.  Linear in ``gy`` (its own adjoint)
    and piecewise constant in ``y``, so double backward is exact."""

    kernel = "relu_bwd"
    name = "relu_backward"

    def forward(self, y, gy):
        self.save_for_backward(y)
        return run_elementwise("relu_bwd", y, gy)

    def backward(self, gg):
        y, = self.saved_tensors
        return None, (ReLUGrad.apply(y, gg) if self.needs_input_grad[1]
                      else None)


def _no_bool(op, input, what):
    if input._data.dtype.kind == "b":
        raise RuntimeError(f"{op}: Boolean inputs not supported for {what}")


@tensor_method("relu")
def relu(input, inplace=False):
    """Rectified linear unit ``max(input, 0)``, elementwise.

    Args:
        input (Tensor): the input (integer tensors stay integer).
        inplace (bool): modify ``input`` in place (as ``relu_``).

    Returns:
        Tensor

    The gradient at 0 is 0 (PyTorch's convention).

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        >>> y = pytensor.relu(x)
        >>> y
        tensor([0., 0., 2.], grad_fn=<ReLUBackward>)
        >>> y.sum().backward()
        >>> x.grad
        tensor([0., 0., 1.])
    """
    if inplace:
        return relu_(input)
    _no_bool("relu", input, "relu")
    return ReLU.apply(input)


relu_ = make_inplace("relu_", relu)


class Hardtanh(Function):
    """clip(x, lo, hi); gradient where lo < x < hi (strictly)."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, x):
        self.save_for_backward(x)
        return np.minimum(np.maximum(x, self.lo), self.hi).astype(
            x.dtype, copy=False)

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        x, = self.saved_tensors
        return where((x > self.lo) & (x < self.hi), gy, 0.0)

    def backward_arrays(self, gy):
        x, = self.saved_arrays
        return np.where((x > self.lo) & (x < self.hi), gy, 0).astype(
            gy.dtype, copy=False)


@tensor_method("hardtanh")
def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``clamp(input, min_val, max_val)`` as an activation: the gradient is
    zero at the boundaries themselves (unlike :func:`clamp`).

    Args:
        input (Tensor): the input.
        min_val (float): the lower end of the linear region.
        max_val (float): the upper end.
        inplace (bool): modify ``input`` in place.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> pytensor.hardtanh(pytensor.tensor([-2.0, 0.5, 2.0]))
        tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError("hardtanh: min_val cannot be greater than max_val "
                         f"(got {min_val} and {max_val})")
    if inplace:
        return hardtanh_(input, min_val, max_val)
    _no_bool("hardtanh", input, "hardtanh")
    if input._data.dtype.kind in "iu":
        min_val, max_val = int(min_val), int(max_val)
    return Hardtanh(min_val, max_val).apply(input)


hardtanh_ = make_inplace("hardtanh_", hardtanh)


def relu6(input, inplace=False):
    """``min(max(input, 0), 6)`` (``hardtanh(input, 0, 6)``); the gradient
    is 0 at 0 and at 6.

    Example:
        >>> import pytensor
        >>> pytensor.relu6(pytensor.tensor([-1.0, 3.0, 8.0]))
        tensor([0., 3., 6.])
    """
    return hardtanh(input, 0.0, 6.0, inplace)


class LeakyReLU(Function):
    """x if x > 0 else slope * x; gradient 1 or slope (slope at 0)."""

    name = "leaky_relu"

    def __init__(self, slope):
        self.slope = slope

    def forward(self, x):
        self.save_for_backward(x)
        # max(x, 0) + slope * min(x, 0): exact on both sides, NaN stays NaN,
        # and several times faster than np.where on float arrays.
        y = np.maximum(x, 0) + np.minimum(x, 0) * self.slope
        return y.astype(x.dtype, copy=False)

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        x, = self.saved_tensors
        return where(x > 0, gy, gy * self.slope)

    def backward_arrays(self, gy):
        x, = self.saved_arrays
        return np.where(x > 0, gy, gy * self.slope).astype(gy.dtype,
                                                           copy=False)


@tensor_method("leaky_relu")
def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``input`` where positive, else ``negative_slope * input``.

    Args:
        input (Tensor): the input (floating point).
        negative_slope (float): the slope for negative inputs.
        inplace (bool): modify ``input`` in place.

    Returns:
        Tensor

    The gradient at 0 is ``negative_slope`` (PyTorch's convention).

    Example:
        >>> import pytensor
        >>> pytensor.leaky_relu(pytensor.tensor([-2.0, 3.0]), 0.1)
        tensor([-0.2000,  3.0000])
    """
    if inplace:
        return leaky_relu_(input, negative_slope)
    float_only("leaky_relu", input)
    return LeakyReLU(float(negative_slope)).apply(input)


leaky_relu_ = make_inplace("leaky_relu_", leaky_relu)


class Threshold(Function):
    def __init__(self, threshold, value):
        self.threshold, self.value = threshold, value

    def forward(self, x):
        self.save_for_backward(x)
        return np.where(x > self.threshold, x, self.value).astype(
            x.dtype, copy=False)

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        x, = self.saved_tensors
        return where(x > self.threshold, gy, 0.0)


@tensor_method("threshold")
def threshold(input, threshold, value, inplace=False):
    """``input`` where ``input > threshold``, else ``value``.

    Example:
        >>> import pytensor
        >>> pytensor.threshold(pytensor.tensor([0.5, 1.0, 2.0]), 1.0, -5.0)
        tensor([-5., -5.,  2.])
    """
    if inplace:
        return threshold_(input, threshold, value)
    _no_bool("threshold", input, "threshold")
    return Threshold(threshold, value).apply(input)


threshold_ = make_inplace("threshold_", threshold)
