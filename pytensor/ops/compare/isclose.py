"""``isclose``, ``allclose``, ``equal``: tolerance and exact comparisons
(no gradient)."""
import numpy as np

from pytensor import dtypes as _dt
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import (broadcast_error, as_tensor_like,
                                on_input_device)
from pytensor.tensor import Tensor

__all__ = ["isclose", "allclose", "equal"]


@on_input_device
def _close_arrays(op, a, b, rtol, atol, equal_nan):
    """PyTorch's algorithm: exact equality (infinities included), NaN ==
    NaN if asked, else ``|a - b| <= atol + rtol * |b|`` for finite errors;
    integer tensors compute the errors in the default float dtype."""
    x, y = a._data, b._data
    if not rtol >= 0:                   # NaN too
        raise RuntimeError(
            f"{op}: rtol must be greater than or equal to zero, but got "
            f"{rtol}")
    if not atol >= 0:
        raise RuntimeError(
            f"{op}: atol must be greater than or equal to zero, but got "
            f"{atol}")
    xp = get_xp(x)
    try:
        close = xp.equal(x, y)
    except ValueError:
        raise broadcast_error(op, a, b) from None
    kind = x.dtype.kind
    if equal_nan and kind == "f":
        close |= xp.isnan(x) & xp.isnan(y)
    if rtol == 0 and atol == 0 or kind == "b":
        return close
    if kind != "f":
        ft = _dt.get_default_dtype().np
        x, y = x.astype(ft), y.astype(ft)
    err = xp.abs(x - y)
    allowed = atol + xp.abs(rtol * y)
    close |= xp.isfinite(err) & (err <= allowed)
    return close


def _operands(op, input, other):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got "
                        f"{type(input).__name__}")
    if not isinstance(other, Tensor):
        other = as_tensor_like(other, input)
    if input.dtype is not other.dtype:
        raise RuntimeError(
            f"{op}: expected input and other to have the same dtype, but "
            f"got {input.dtype.name} and {other.dtype.name}")
    if input.device != other.device:
        # 0-d CPU tensors join a GPU; any other mix raises, naming both.
        from pytensor.ops._util import same_device
        input, other = same_device(op, input, other)
    return input, other


@tensor_method("isclose")
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (bool),
    broadcasting.

    Equal infinities are close; NaN is close to NaN only with
    ``equal_nan=True``.  Both tensors must have the same dtype.

    Args:
        input (Tensor): the first tensor.
        other (Tensor): the second tensor.
        rtol (float): relative tolerance.
        atol (float): absolute tolerance.
        equal_nan (bool): treat NaNs as equal.

    Returns:
        Tensor of bool.

    Example:
        >>> import pytensor
        >>> pytensor.isclose(pytensor.tensor([1.0, 1.001, float("nan")]),
        ...                  pytensor.tensor([1.0, 1.0, float("nan")]))
        tensor([ True, False, False])
    """
    a, b = _operands("isclose", input, other)
    r = _close_arrays("isclose", a, b, float(rtol), float(atol), equal_nan)
    return Tensor._make(np.asarray(r) if isinstance(r, np.generic) else r)


@tensor_method("allclose")
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True if :func:`isclose` holds for every element (a Python bool).

    Example:
        >>> import pytensor
        >>> pytensor.allclose(pytensor.tensor([1.0, 2.0]),
        ...                   pytensor.tensor([1.0, 2.000001]))
        True
    """
    a, b = _operands("allclose", input, other)
    r = _close_arrays("allclose", a, b, float(rtol), float(atol), equal_nan)
    return bool(r.all())


@tensor_method("equal")
def equal(input, other):
    """True if both tensors have the same shape and the same values (a
    Python bool; dtypes may differ, NaN is never equal).

    Example:
        >>> import pytensor
        >>> a = pytensor.tensor([1, 2])
        >>> pytensor.equal(a, pytensor.tensor([1.0, 2.0]))
        True
        >>> a.equal(pytensor.tensor([1]))
        False
    """
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError("equal: expected two Tensors")
    if input.device != other.device:
        raise RuntimeError(
            f"equal: expected all tensors to be on the same device, but "
            f"found {input.device} and {other.device}")
    if input.shape != other.shape:
        return False
    return bool(get_xp(input._data).equal(input._data, other._data).all())
