"""``pow`` (``**``), with tensor or scalar exponent and base."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import promote, broadcast_error

__all__ = ["pow", "float_power"]


class Pow(Function):
    """``a ** b``.

    d/da = b * a**(b-1) (0 where b == 0, so that ``x ** 0`` has a zero
    gradient at x = 0 as in PyTorch); d/db = a**b * log(a), taken as 0
    where a == 0 and b >= 0 (PyTorch's convention, avoiding 0 * -inf).
    """

    def forward(self, a, b):
        self.save_for_backward(a, b)
        if a.__class__ is np.ndarray and a.dtype.kind in "iu" and (
                np.any(np.asarray(b) < 0)):
            raise RuntimeError(
                "pow: integers to negative integer powers are not allowed.")
        return a ** b

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        a, b = self.saved_tensors
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            if isinstance(b, (int, float)):
                ga = gy * 0.0 if b == 0 else gy * (b * a ** (b - 1))
            else:
                ga = where(b == 0, 0.0, gy * b * a ** (b - 1))
        if nb:
            if isinstance(a, (int, float)):
                import math
                gb = gy * (a ** b) * (math.log(a) if a > 0 else
                                      (0.0 if a == 0 else float("nan")))
            else:
                ga_safe = where((a == 0) & (b >= 0), 0.0, (a ** b) * a.log())
                gb = gy * ga_safe
        return ga, gb


@tensor_method("pow", "__pow__")
def pow(input, exponent):
    """Elementwise ``input ** exponent``, broadcasting.

    Example:
        >>> import pytensor
        >>> pytensor.tensor([1.0, 2.0, 3.0]) ** 2
        tensor([1., 4., 9.])
        >>> 2 ** pytensor.tensor([1.0, 2.0])
        tensor([2., 4.])
    """
    a, b = promote("pow", input, exponent)
    try:
        return Pow.apply(a, b)
    except ValueError:
        raise broadcast_error("pow", a, b) from None


@tensor_method("__rpow__")
def _rpow(self, other):
    return pow(other, self)


@tensor_method("pow_", "__ipow__")
def pow_(self, exponent):
    return inplace(self, "pow_", pow, exponent)


@tensor_method("float_power")
def float_power(input, exponent):
    """``pow`` computed in float64."""
    from pytensor import dtypes as _dt
    a = input.to(_dt.float64) if hasattr(input, "_data") else float(input)
    b = exponent.to(_dt.float64) if hasattr(exponent, "_data") else exponent
    return pow(a, b)
