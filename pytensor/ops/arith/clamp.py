"""``clamp``/``clip`` (bounds as numbers or tensors, either may be None),
``clamp_min``, ``clamp_max`` and their in-place forms.

Forward is ``min(max(x, min), max)``: NaN in ``x`` stays NaN, and when
``min > max`` every element becomes ``max`` (PyTorch's definition).

Gradients, as PyTorch 2.13 (``clamp_backward`` and
``clamp_backward_min_max``):

- ``x`` gets the gradient where ``min <= x <= max`` (boundaries
  *included*), 0 elsewhere and at NaN;
- a tensor ``min`` gets it where ``x < min`` (and ``min < max`` when both
  bounds are given); a tensor ``max`` where ``x > max`` or ``max < min``.
"""
import numpy as np

from pytensor import dtypes as _dt
from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import broadcast_error, _check_scalar
from pytensor.tensor import Tensor

__all__ = ["clamp", "clip", "clamp_min", "clamp_max", "clamp_", "clip_",
           "clamp_min_", "clamp_max_"]


class Clamp(Function):
    """``min(max(x, lo), hi)``; ``lo``/``hi`` are arrays, numbers or None."""

    def forward(self, x, lo, hi):
        self.save_for_backward(x, lo, hi)
        y = x
        if lo is not None:
            y = np.maximum(y, lo)
        if hi is not None:
            y = np.minimum(y, hi)
        if y is x:
            y = x.copy()
        return y

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        x, lo, hi = self.saved_tensors
        nx = self.needs_input_grad[0]
        nlo = self.needs_input_grad[1]
        nhi = self.needs_input_grad[2]
        gx = glo = ghi = None
        if nx:
            if lo is not None and hi is not None:
                inside = (x >= lo) & (x <= hi)
            elif lo is not None:
                inside = x >= lo
            else:
                inside = x <= hi
            gx = where(inside, gy, 0.0)
        if nlo:
            below = x < lo
            if hi is not None:
                below = below & (lo < hi)
            glo = where(below, gy, 0.0)
        if nhi:
            above = x > hi
            if lo is not None:
                above = above | (hi < lo)
            ghi = where(above, gy, 0.0)
        return gx, glo, ghi

    def backward_arrays(self, gy):
        x, lo, hi = self.saved_arrays
        nx, nlo, nhi = self.needs_input_grad
        zero = gy.dtype.type(0)
        gx = glo = ghi = None
        if nx:
            if lo is not None and hi is not None:
                inside = np.greater_equal(x, lo) & np.less_equal(x, hi)
            elif lo is not None:
                inside = np.greater_equal(x, lo)
            else:
                inside = np.less_equal(x, hi)
            gx = np.where(inside, gy, zero)
        if nlo:
            below = np.less(x, lo)
            if hi is not None:
                below = below & np.less(lo, hi)
            glo = np.where(below, gy, zero)
        if nhi:
            above = np.greater(x, hi)
            if lo is not None:
                above = above | np.less(hi, lo)
            ghi = np.where(above, gy, zero)
        return gx, glo, ghi


def _bound(op, v, like):
    if v is None or isinstance(v, Tensor):
        return v
    return _check_scalar(op, like, v) if v.__class__ not in (int, float) \
        else v


def _clamp(op, input, min, max):
    if min is None and max is None:
        raise RuntimeError(
            f"{op}: At least one of 'min' or 'max' must not be None")
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor input, got "
                        f"{type(input).__name__}")
    lo = _bound(op, min, input)
    hi = _bound(op, max, input)
    res = _dt.result_type(*(v for v in (input, lo, hi) if v is not None))
    x = input if input.dtype is res else input.to(res)
    if isinstance(lo, Tensor) and lo.dtype is not res:
        lo = lo.to(res)
    if isinstance(hi, Tensor) and hi.dtype is not res:
        hi = hi.to(res)
    try:
        return Clamp.apply(x, lo, hi)
    except ValueError:
        other = lo if isinstance(lo, Tensor) else hi
        raise broadcast_error(op, x, other) from None


@tensor_method("clamp", "clip")
def clamp(input, min=None, max=None):
    """Clamp every element into ``[min, max]``.

    Args:
        input (Tensor): the input.
        min (number, Tensor or None): the lower bound (broadcast).
        max (number, Tensor or None): the upper bound (broadcast); at least
            one bound must be given.  If ``min > max`` the result is
            ``max`` everywhere.

    Shape:
        Broadcast of the shapes of ``input`` and tensor bounds.

    Returns:
        Tensor of ``result_type(input, min, max)``: an integer tensor with
        float bounds becomes the default float dtype.

    The gradient passes where ``min <= input <= max`` (bounds included), as
    in PyTorch.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([-2.0, 0.0, 1.0, 3.0], requires_grad=True)
        >>> y = x.clamp(0.0, 1.0)
        >>> y
        tensor([0., 0., 1., 1.], grad_fn=<ClampBackward>)
        >>> y.sum().backward()
        >>> x.grad
        tensor([0., 1., 1., 0.])
    """
    return _clamp("clamp", input, min, max)


clip = clamp


@tensor_method("clamp_min")
def clamp_min(input, min):
    """``clamp(input, min=min)``.

    Example:
        >>> import pytensor
        >>> pytensor.clamp_min(pytensor.tensor([-1, 2]), 0)
        tensor([0, 2])
    """
    return _clamp("clamp_min", input, min, None)


@tensor_method("clamp_max")
def clamp_max(input, max):
    """``clamp(input, max=max)``.

    Example:
        >>> import pytensor
        >>> pytensor.clamp_max(pytensor.tensor([-1.0, 2.0]), 1.0)
        tensor([-1.,  1.])
    """
    return _clamp("clamp_max", input, None, max)


@tensor_method("clamp_", "clip_")
def clamp_(input, min=None, max=None):
    """In-place :func:`clamp` (an integer tensor cannot take float bounds).

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([-2.0, 0.5, 3.0])
        >>> x.clamp_(max=1.0)
        tensor([-2.0000,  0.5000,  1.0000])
    """
    return inplace(input, "clamp_", clamp, min, max)


clip_ = clamp_


@tensor_method("clamp_min_")
def clamp_min_(input, min):
    """In-place :func:`clamp_min`."""
    return inplace(input, "clamp_min_", clamp_min, min)


@tensor_method("clamp_max_")
def clamp_max_(input, max):
    """In-place :func:`clamp_max`."""
    return inplace(input, "clamp_max_", clamp_max, max)
