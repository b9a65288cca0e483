"""Argument parsing, shape checks and output sizes shared by the
convolution and pooling ops, with PyTorch's rules and (prefixed by the op
name) its error messages.

Everything here works on Python ints and tuples; the ops hand the results
to the kernels as ``(h, w)`` pairs (1-d ops use a height of 1).
"""
import numbers

from pytensor.tensor import Tensor

__all__ = []


def fmt(shape):
    return "[" + ", ".join(str(int(s)) for s in shape) + "]"


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def conv_param(op, name, value, n):
    """A conv argument (stride, padding, dilation, output_padding) as a
    tuple of ``n`` ints: an int, or a sequence of 1 or ``n`` ints."""
    if _is_int(value):
        return (int(value),) * n
    if isinstance(value, (tuple, list)) and all(_is_int(v) for v in value):
        if len(value) == n:
            return tuple(int(v) for v in value)
        if len(value) == 1:
            return (int(value[0]),) * n
        raise RuntimeError(
            f"{op}: expected {name} to be a single integer value or a list "
            f"of {n} values to match the convolution dimensions, but got "
            f"{name}={fmt(value)}")
    raise TypeError(f"{op}: argument '{name}' must be an int or a tuple of "
                    f"{n} ints, not {type(value).__name__}")


def pool_param(op, name, value, n, default=None):
    """A pooling argument: an int, or a sequence of 1 or ``n`` ints; an
    empty sequence or None means ``default`` (stride defaults to the
    kernel size)."""
    if default is not None and (value is None or (
            isinstance(value, (tuple, list)) and len(value) == 0)):
        return default
    if _is_int(value):
        return (int(value),) * n
    if isinstance(value, (tuple, list)) and all(_is_int(v) for v in value) \
            and len(value) in (1, n):
        return tuple(int(v) for v in value) * (n if len(value) == 1 else 1)
    if isinstance(value, (tuple, list)) and all(_is_int(v) for v in value):
        what = {"kernel_size": "must either be a single int, or a tuple of",
                "stride": "must either be omitted, a single int, or a tuple "
                          "of",
                "padding": "must either be a single int, or a tuple of",
                "dilation": "must be either a single int, or a tuple of"}[
                    name]
        count = "two ints" if n == 2 else "one int"
        raise RuntimeError(f"{op}: {name} {what} {count}")
    raise TypeError(f"{op}: argument '{name}' must be an int or a tuple of "
                    f"ints, not {type(value).__name__}")


def check_tensor(op, name, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: argument '{name}' must be a Tensor, not "
                        f"{type(x).__name__}")


def conv_out(size, k, s, p_total, d):
    """Number of windows along one axis (``p_total``: padding on both
    sides together)."""
    return (size + p_total - d * (k - 1) - 1) // s + 1


def pool_out(op, size, k, s, p, d, ceil_mode):
    """PyTorch's ``pooling_output_shape``: with ``ceil_mode`` the last
    window may hang over the end, but must start inside the input or the
    left padding."""
    num = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def float_or_int(op, x):
    """Reject bool (and complex) inputs as PyTorch does."""
    k = x._data.dtype.kind
    if k not in "fiu":
        raise NotImplementedError(f"{op}: not implemented for "
                                  f"'{x._data.dtype.name}'")


def float_only(op, x):
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f"{op}: not implemented for "
                                  f"'{x._data.dtype.name}' (floating point "
                                  f"only)")
