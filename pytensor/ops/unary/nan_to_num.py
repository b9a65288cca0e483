"""``nan_to_num``: replace NaN and infinities by finite numbers."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops.unary._common import make_inplace

__all__ = ["nan_to_num", "nan_to_num_"]


class NanToNum(Function):
    """The gradient passes where the input is finite and is 0 where it was
    replaced (PyTorch: ``grad * isfinite(x)``)."""

    name = "nan_to_num"

    def __init__(self, nan, posinf, neginf):
        self.nan, self.posinf, self.neginf = nan, posinf, neginf

    def forward(self, x):
        self.save_for_backward(x)
        if x.dtype.kind != "f":
            return x.copy()
        info = np.finfo(x.dtype)
        t = x.dtype.type
        posinf = info.max if self.posinf is None else self.posinf
        neginf = info.min if self.neginf is None else self.neginf
        # Values are cast to the dtype first, as PyTorch does (posinf=1e10
        # in float16 becomes inf).
        return get_xp(x).nan_to_num(x, nan=t(self.nan), posinf=t(posinf),
                                    neginf=t(neginf))

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        from pytensor.ops.compare.isnan import isfinite
        x, = self.saved_tensors
        return where(isfinite(x), gy, 0.0)


@tensor_method("nan_to_num")
def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """Replace NaN by ``nan``, +inf by ``posinf`` and -inf by ``neginf``
    (by default the largest and lowest finite values of the dtype).
    Integer and bool tensors are returned as a copy.

    Args:
        input (Tensor): the input.
        nan (float): the value for NaN.
        posinf (float, optional): the value for +inf.
        neginf (float, optional): the value for -inf.

    Returns:
        Tensor of the input's dtype.

    The gradient is 0 at the replaced elements.

    Example:
        >>> import pytensor
        >>> inf, nan = float("inf"), float("nan")
        >>> x = pytensor.tensor([nan, inf, -inf, 1.0])
        >>> pytensor.nan_to_num(x, nan=0.0, posinf=9.0, neginf=-9.0)
        tensor([ 0.,  9., -9.,  1.])
    """
    return NanToNum(float(nan), None if posinf is None else float(posinf),
                    None if neginf is None else float(neginf)).apply(input)


nan_to_num_ = make_inplace("nan_to_num_", nan_to_num)
