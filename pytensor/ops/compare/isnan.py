"""Floating-point classification: ``isnan isinf isfinite isposinf
isneginf signbit`` (bool results, no gradient).  Integer and bool tensors
are never NaN or infinite."""
import numpy as np

from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import on_input_device
from pytensor.tensor import Tensor

__all__ = ["isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit"]


def _check(op, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got "
                        f"{type(input).__name__}")
    return input._data


def _bool_result(arr, value):
    return Tensor._make(get_xp(arr).full(arr.shape, value, dtype=bool))


def _wrap(r):
    return Tensor._make(np.asarray(r) if isinstance(r, (np.generic, bool))
                        else r)


@tensor_method("isnan")
@on_input_device
def isnan(input):
    """Elementwise test for NaN.

    Example:
        >>> import pytensor
        >>> pytensor.isnan(pytensor.tensor([1.0, float("nan")]))
        tensor([False,  True])
    """
    x = _check("isnan", input)
    if x.dtype.kind != "f":
        return _bool_result(x, False)
    return _wrap(np.isnan(x))


@tensor_method("isinf")
@on_input_device
def isinf(input):
    """Elementwise test for +inf or -inf.

    Example:
        >>> import pytensor
        >>> pytensor.isinf(pytensor.tensor([1.0, float("inf"), -float("inf")]))
        tensor([False,  True,  True])
    """
    x = _check("isinf", input)
    if x.dtype.kind != "f":
        return _bool_result(x, False)
    return _wrap(np.isinf(x))


@tensor_method("isfinite")
@on_input_device
def isfinite(input):
    """Elementwise test for finite values (not NaN, not infinite).

    Example:
        >>> import pytensor
        >>> inf, nan = float("inf"), float("nan")
        >>> pytensor.isfinite(pytensor.tensor([1.0, inf, nan]))
        tensor([ True, False, False])
    """
    x = _check("isfinite", input)
    if x.dtype.kind != "f":
        return _bool_result(x, True)
    return _wrap(np.isfinite(x))


@tensor_method("isposinf")
@on_input_device
def isposinf(input):
    """Elementwise test for +inf.

    Example:
        >>> import pytensor
        >>> pytensor.isposinf(pytensor.tensor([float("inf"), -float("inf")]))
        tensor([ True, False])
    """
    x = _check("isposinf", input)
    if x.dtype.kind != "f":
        return _bool_result(x, False)
    return _wrap(np.equal(x, np.inf))


@tensor_method("isneginf")
@on_input_device
def isneginf(input):
    """Elementwise test for -inf.

    Example:
        >>> import pytensor
        >>> pytensor.isneginf(pytensor.tensor([float("inf"), -float("inf")]))
        tensor([False,  True])
    """
    x = _check("isneginf", input)
    if x.dtype.kind != "f":
        return _bool_result(x, False)
    return _wrap(np.equal(x, -np.inf))


@tensor_method("signbit")
@on_input_device
def signbit(input):
    """Elementwise test of the sign bit (True for -0.0 and -NaN too).

    Example:
        >>> import pytensor
        >>> pytensor.signbit(pytensor.tensor([-1.0, -0.0, 0.0, 2.0]))
        tensor([ True,  True, False, False])
    """
    x = _check("signbit", input)
    if x.dtype.kind == "b":
        return _bool_result(x, False)
    if x.dtype.kind == "u":
        return _bool_result(x, False)
    return _wrap(np.signbit(x))
