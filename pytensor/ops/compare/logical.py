"""``logical_and/or/xor/not`` and the bitwise operators ``& | ^ ~`` on bool
and integer tensors (no gradient)."""
import numpy as np

from pytensor.ops._registry import tensor_method
from pytensor.ops._util import (promote, broadcast_error, same_device,
                                on_device_of)
from pytensor.tensor import Tensor

__all__ = ["logical_and", "logical_or", "logical_xor", "logical_not",
           "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not"]


def _arr(x):
    return x._data if isinstance(x, Tensor) else x


def _binary(op, ufunc, a, b, bitwise):
    if bitwise:
        a, b = promote(op, a, b)
        for v in (a, b):
            kind = v._data.dtype.kind if isinstance(v, Tensor) else (
                "f" if isinstance(v, float) else "i")
            if kind == "f":
                raise TypeError(
                    f"{op}: bitwise operations need bool or integer "
                    f"tensors, got a floating point operand")
    a, b = same_device(op, a, b)
    x, y = _arr(a), _arr(b)
    try:
        with on_device_of(x if isinstance(a, Tensor) else y):
            r = ufunc(x, y)
    except ValueError:
        raise broadcast_error(op, a, b) from None
    except OverflowError:
        n = a if not isinstance(a, Tensor) else b
        raise RuntimeError(f"{op}: Overflow when unpacking long: {n} does "
                           "not fit the tensor's dtype") from None
    return Tensor._make(_host_scalar(r))


def _host_scalar(r):
    # NumPy returns scalars for 0-d inputs; CuPy always returns arrays (and
    # np.asarray on a CuPy array would force a host copy).
    return np.asarray(r) if isinstance(r, (np.generic, bool)) else r


def logical_and(input, other):
    """Elementwise logical AND of truth values (bool result)."""
    return _binary("logical_and", np.logical_and, input, other, False)


def logical_or(input, other):
    """Elementwise logical OR (bool result)."""
    return _binary("logical_or", np.logical_or, input, other, False)


def logical_xor(input, other):
    """Elementwise logical XOR (bool result)."""
    return _binary("logical_xor", np.logical_xor, input, other, False)


def logical_not(input):
    """Elementwise logical NOT (bool result).

    Example:
        >>> import pytensor
        >>> pytensor.logical_not(pytensor.tensor([0.0, 2.0]))
        tensor([ True, False])
    """
    with on_device_of(input._data):
        return Tensor._make(_host_scalar(np.logical_not(input._data)))


def bitwise_and(input, other):
    """``input & other`` on bool/integer tensors."""
    return _binary("bitwise_and", np.bitwise_and, input, other, True)


def bitwise_or(input, other):
    """``input | other`` on bool/integer tensors."""
    return _binary("bitwise_or", np.bitwise_or, input, other, True)


def bitwise_xor(input, other):
    """``input ^ other`` on bool/integer tensors."""
    return _binary("bitwise_xor", np.bitwise_xor, input, other, True)


def bitwise_not(input):
    """``~input``: logical NOT for bool, two's complement for integers."""
    if input._data.dtype.kind == "f":
        raise TypeError("bitwise_not: ~ needs a bool or integer tensor, got "
                        f"{input.dtype}")
    with on_device_of(input._data):
        return Tensor._make(_host_scalar(np.invert(input._data)))


for _names, _fn in ((("logical_and",), logical_and),
                    (("logical_or",), logical_or),
                    (("logical_xor",), logical_xor),
                    (("logical_not",), logical_not),
                    (("bitwise_and", "__and__", "__rand__"), bitwise_and),
                    (("bitwise_or", "__or__", "__ror__"), bitwise_or),
                    (("bitwise_xor", "__xor__", "__rxor__"), bitwise_xor),
                    (("bitwise_not", "__invert__"), bitwise_not)):
    tensor_method(*_names)(_fn)


@tensor_method("__iand__")
def _iand(self, other):
    from pytensor.autograd.inplace import inplace
    return inplace(self, "bitwise_and_", bitwise_and, other)


@tensor_method("__ior__")
def _ior(self, other):
    from pytensor.autograd.inplace import inplace
    return inplace(self, "bitwise_or_", bitwise_or, other)


@tensor_method("__ixor__")
def _ixor(self, other):
    from pytensor.autograd.inplace import inplace
    return inplace(self, "bitwise_xor_", bitwise_xor, other)


def _inplace_forms():
    """``x.logical_and_(y)``, ``x.bitwise_not_()`` ...: written into ``x``
    (cast to its dtype), like PyTorch's."""
    from pytensor.ops.unary._common import make_inplace
    for fn in (logical_and, logical_or, logical_xor, logical_not,
               bitwise_and, bitwise_or, bitwise_xor, bitwise_not):
        make_inplace(fn.__name__ + "_", fn)


_inplace_forms()
