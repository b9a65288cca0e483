"""``maximum``/``minimum`` (NaN-propagating) and ``fmax``/``fmin``
(NaN-ignoring), elementwise over two broadcast tensors.

Gradients follow PyTorch 2.13 exactly:

- ``maximum``/``minimum``: where the operands tie, each gets half of the
  gradient; a NaN comparison is neither a win nor a loss, so both get it.
- ``fmax``/``fmin``: the whole gradient goes to the operand that was
  chosen; on a tie, or when ``other`` is NaN, that is ``input``.
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import promote, broadcast_error

__all__ = ["maximum", "minimum", "fmax", "fmin"]


class Maximum(Function):
    ufunc = staticmethod(np.maximum)

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return self.ufunc(a, b)

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        a, b = self.saved_tensors
        na, nb = self.needs_input_grad
        half = where(a == b, gy * 0.5, gy)
        a_loses, b_loses = self._losers(a, b)
        return (where(a_loses, 0.0, half) if na else None,
                where(b_loses, 0.0, half) if nb else None)

    def backward_arrays(self, gy):
        a, b = self.saved_arrays
        na, nb = self.needs_input_grad
        half = np.where(np.equal(a, b), gy * 0.5, gy)
        a_loses, b_loses = self._losers(a, b)
        zero = gy.dtype.type(0)
        return (np.where(a_loses, zero, half) if na else None,
                np.where(b_loses, zero, half) if nb else None)

    @staticmethod
    def _losers(a, b):
        return a < b, a > b


class Minimum(Maximum):
    ufunc = staticmethod(np.minimum)

    @staticmethod
    def _losers(a, b):
        return a > b, a < b


class Fmax(Function):
    ufunc = staticmethod(np.fmax)

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return self.ufunc(a, b)

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        from pytensor.ops.compare.isnan import isnan
        a, b = self.saved_tensors
        na, nb = self.needs_input_grad
        a_wins = self._wins(a, b) | isnan(b)
        return (where(a_wins, gy, 0.0) if na else None,
                where(a_wins, 0.0, gy) if nb else None)

    @staticmethod
    def _wins(a, b):
        return a >= b


class Fmin(Fmax):
    ufunc = staticmethod(np.fmin)

    @staticmethod
    def _wins(a, b):
        return a <= b


def _apply(cls, op, input, other):
    a, b = promote(op, input, other)
    if not hasattr(a, "_data") or not hasattr(b, "_data"):
        # PyTorch takes only Tensors here; a number becomes a 0-d tensor
        # of the result dtype (it never needs a gradient).
        from pytensor.ops._util import as_tensor_like
        if hasattr(a, "_data"):
            b = as_tensor_like(b, a)
        else:
            a = as_tensor_like(a, b)
    try:
        return cls.apply(a, b)
    except ValueError:
        raise broadcast_error(op, a, b) from None


@tensor_method("maximum")
def maximum(input, other):
    """Elementwise maximum of two tensors, broadcasting; NaN if either is
    NaN.

    Ties split the gradient evenly between the two inputs (PyTorch's
    convention).

    Args:
        input (Tensor): the first tensor.
        other (Tensor): the second tensor.

    Shape:
        Broadcast of the two shapes.

    Returns:
        Tensor of the promoted dtype.

    Example:
        >>> import pytensor
        >>> a = pytensor.tensor([1.0, 5.0, 2.0], requires_grad=True)
        >>> b = pytensor.tensor([3.0, 4.0, 2.0])
        >>> y = pytensor.maximum(a, b)
        >>> y
        tensor([3., 5., 2.], grad_fn=<MaximumBackward>)
        >>> y.sum().backward()
        >>> a.grad
        tensor([0.0000, 1.0000, 0.5000])
    """
    return _apply(Maximum, "maximum", input, other)


@tensor_method("minimum")
def minimum(input, other):
    """Elementwise minimum of two tensors, broadcasting; NaN if either is
    NaN.  Ties split the gradient evenly.

    Example:
        >>> import pytensor
        >>> pytensor.minimum(pytensor.tensor([1, 5]), pytensor.tensor([3, 4]))
        tensor([1, 4])
    """
    return _apply(Minimum, "minimum", input, other)


@tensor_method("fmax")
def fmax(input, other):
    """Elementwise maximum that ignores NaN: if exactly one operand is NaN
    the other is returned (NaN only when both are).

    Example:
        >>> import pytensor
        >>> nan = float("nan")
        >>> pytensor.fmax(pytensor.tensor([1.0, nan, nan]),
        ...               pytensor.tensor([2.0, 0.0, nan]))
        tensor([2., 0., nan])
    """
    return _apply(Fmax, "fmax", input, other)


@tensor_method("fmin")
def fmin(input, other):
    """Elementwise minimum that ignores NaN (see :func:`fmax`).

    Example:
        >>> import pytensor
        >>> pytensor.fmin(pytensor.tensor([1.0, float("nan")]),
        ...               pytensor.tensor([2.0, 0.0]))
        tensor([1., 0.])
    """
    return _apply(Fmin, "fmin", input, other)
