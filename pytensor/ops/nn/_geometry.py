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


def pool_checks(op, kernel, stride, padding, dilation, full_name=None):
    """PyTorch's pooling argument checks (``pool2d_shape_check`` and the
    effective-kernel padding check), with its messages."""
    if any(k <= 0 for k in kernel):
        raise RuntimeError(
            f"{op}: kernel size should be greater than zero, but got "
            f"kH: {kernel[0]} kW: {kernel[-1]}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{op}: stride should not be zero")
    if any(p < 0 for p in padding):
        raise RuntimeError(f"{op}: pad must be non-negative, but got pad: "
                           f"{min(padding)}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(
            f"{op}: dilation should be greater than zero, but got "
            f"dilationH: {dilation[0]} dilationW: {dilation[-1]}")
    for k, p, d in zip(kernel, padding, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"{op}: pad should be at most half of effective kernel size, "
                f"but got pad={p}, kernel_size={k} and dilation={d}")
    if any(p > k // 2 for k, p in zip(kernel, padding)):
        raise RuntimeError(
            f"{op}: pad should be smaller than or equal to half of kernel "
            f"size, but got padW = {padding[-1]}, padH = {padding[0]}, "
            f"kW = {kernel[-1]}, kH = {kernel[0]}")


def pool_input(op, x, spatial):
    """Check a pooling input: ``spatial`` + 1 (unbatched) or + 2 dims, every
    non-batch dim non-zero.  Returns True when batched."""
    nd = x.ndim
    if nd not in (spatial + 1, spatial + 2) or any(
            s == 0 for s in x.shape[-(spatial + 1):]):
        lo, hi = spatial + 1, spatial + 2
        raise RuntimeError(
            f"{op}: Expected {lo}D or {hi}D (batch mode) tensor with optional "
            f"0 dim batch size for input, but got: {fmt(x.shape)}")
    return nd == spatial + 2


def output_too_small(op, x, out_hw):
    c = x.shape[-3] if x.ndim >= 3 else 1
    ins = "x".join(str(s) for s in (c,) + tuple(x.shape[-2:]))
    outs = "x".join(str(s) for s in (c,) + tuple(out_hw))
    return RuntimeError(
        f"{op}: Given input size: ({ins}). Calculated output size: ({outs}). "
        f"Output size is too small")


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
