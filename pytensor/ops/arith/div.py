"""``div``/``true_divide`` (``/``), with ``rounding_mode``."""
from pytensor import dtypes as _dt
from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.ops._kernel import binary_kernels, kernels_for
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import promote, broadcast_error

__all__ = ["div", "divide", "true_divide"]


class Div(Function):
    """``a / b``; d/da = gy / b, d/db = -gy * a / b**2."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return binary_kernels(a, b).div_fwd(a, b)

    def backward(self, gy):
        a, b = self.saved_tensors
        na, nb = self.needs_input_grad
        ga = gy / b if na else None
        gb = -gy * a / (b * b) if nb else None
        return ga, gb

    def backward_arrays(self, gy):
        a, b = self.saved_arrays
        na, nb = self.needs_input_grad
        k = kernels_for(gy)
        return (k.div_fwd(gy, b) if na else None), \
            (-gy * a / (b * b) if nb else None)


def _int_to_float(x):
    if hasattr(x, "_data") and x._data.dtype.kind in "biu":
        return x.to(_dt.get_default_dtype())
    return x


@tensor_method("div", "divide", "true_divide", "__truediv__")
def div(input, other, rounding_mode=None):
    """Elementwise division, broadcasting.

    Args:
        input, other (Tensor or number): dividend and divisor.
        rounding_mode (None, "trunc" or "floor"): None is true division
            (integers divide as floats); "trunc" rounds toward zero and
            "floor" down, keeping integer dtypes.

    Example:
        >>> import pytensor
        >>> pytensor.tensor([7, -7]) / 2
        tensor([ 3.5000, -3.5000])
        >>> pytensor.div(pytensor.tensor([7, -7]), 2, rounding_mode="trunc")
        tensor([ 3, -3])
    """
    if rounding_mode is not None:
        from pytensor.ops.arith.floor_divide import _rounded_div
        return _rounded_div(input, other, rounding_mode)
    a, b = promote("div", input, other)
    a, b = _int_to_float(a), _int_to_float(b)
    if not hasattr(a, "_data") and isinstance(a, int):
        a = float(a)
    if not hasattr(b, "_data") and isinstance(b, int):
        b = float(b)
    try:
        return Div.apply(a, b)
    except ValueError:
        raise broadcast_error("div", a, b) from None


divide = true_divide = div


@tensor_method("__rtruediv__")
def _rdiv(self, other):
    return div(other, self)


@tensor_method("div_", "divide_", "true_divide_", "__itruediv__")
def div_(self, other, rounding_mode=None):
    """In-place division."""
    return inplace(self, "div_", div, other, rounding_mode)
