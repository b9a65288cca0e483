"""``silu`` (``x * sigmoid(x)``, on the ``silu_fwd``/``silu_bwd``
kernels) and ``mish`` (``x * tanh(softplus(x))``), with double backward."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._kernel import run_elementwise
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import float_only
from pytensor.ops.unary._common import make_inplace

__all__ = ["silu", "mish", "silu_", "mish_"]


class SiLU(Function):
    kernel = "silu_fwd"
    name = "silu"

    def forward(self, x):
        self.save_for_backward(x)
        return run_elementwise("silu_fwd", x)

    def backward(self, gy):
        x, = self.saved_tensors
        return SiLUGrad.apply(x, gy)

    def backward_arrays(self, gy):
        x, = self.saved_arrays
        return run_elementwise("silu_bwd", x, gy)


class SiLUGrad(Function):
    """``gy * s (1 + x (1 - s))`` with ``s = sigmoid(x)``.  Linear in
    ``gy``; d/dx = gg * gy * s (1 - s) (2 + x (1 - 2 s))."""

    kernel = "silu_bwd"
    name = "silu_backward"

    def forward(self, x, gy):
        self.save_for_backward(x, gy)
        return run_elementwise("silu_bwd", x, gy)

    def backward(self, gg):
        x, gy = self.saved_tensors
        nx, ngy = self.needs_input_grad
        gx = ggy = None
        if nx:
            s = x.sigmoid()
            gx = gg * gy * (s * (1 - s) * (x * (1 - s * 2) + 2))
        if ngy:
            ggy = SiLUGrad.apply(x, gg)
        return gx, ggy


@tensor_method("silu")
def silu(input, inplace=False):
    """Sigmoid linear unit (swish) ``input * sigmoid(input)``.

    Args:
        input (Tensor): the input (floating point).
        inplace (bool): modify ``input`` in place.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> pytensor.silu(pytensor.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.2689,  0.0000,  1.7616])
    """
    if inplace:
        return silu_(input)
    float_only("silu", input)
    return SiLU.apply(input)


silu_ = make_inplace("silu_", silu)


class Mish(Function):
    """``x * tanh(log1p(exp(x)))`` (PyTorch's formula: no softplus
    threshold; exp overflowing to inf still gives tanh = 1)."""

    def forward(self, x):
        self.save_for_backward(x)
        return (x * np.tanh(np.log1p(np.exp(x)))).astype(x.dtype, copy=False)

    def backward(self, gy):
        x, = self.saved_tensors
        t = x.exp().log1p().tanh()
        return gy * (t + x * x.sigmoid() * (1 - t * t))


@tensor_method("mish")
def mish(input, inplace=False):
    """Mish ``input * tanh(softplus(input))``.

    Example:
        >>> import pytensor
        >>> pytensor.mish(pytensor.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.3034,  0.0000,  0.8651])
    """
    if inplace:
        return mish_(input)
    float_only("mish", input)
    return Mish.apply(input)


mish_ = make_inplace("mish_", mish)
