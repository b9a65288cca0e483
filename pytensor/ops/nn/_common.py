"""Argument checks and small helpers shared by the nn ops."""
import math

from pytensor.tensor import Tensor

__all__ = ["fmt_shape", "check_tensor", "check_float", "check_param",
           "prod"]


def fmt_shape(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


def prod(shape):
    """The number of elements of ``shape`` (1 for ``()``), as an int."""
    return math.prod(shape)


def check_tensor(op, name, x, optional=False):
    if x is None and optional:
        return
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: argument '{name}' must be a Tensor, not "
                        f"{type(x).__name__}")


def check_float(op, x):
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point input, got "
                           f"{x.dtype}")


def check_param(op, name, t, like, shape, per_channel=False):
    """An optional per-feature tensor (weight, bias, running statistics):
    a Tensor of ``like``'s dtype and device whose shape is ``shape``
    (``per_channel``: the ``(C,)`` tensors of batch/group/instance norm,
    reported in PyTorch's words for them)."""
    if t is None:
        return
    check_tensor(op, name, t)
    if tuple(t._data.shape) != tuple(shape):
        if per_channel:
            raise RuntimeError(
                f"{op}: {name} should contain {shape[0]} elements not "
                f"{t._data.size} ({name} shape {fmt_shape(t._data.shape)}, "
                f"input shape {fmt_shape(like._data.shape)})")
        raise RuntimeError(
            f"{op}: Expected {name} to be of same shape as "
            f"normalized_shape, but got {name} of shape "
            f"{fmt_shape(t._data.shape)} and normalized_shape = "
            f"{fmt_shape(shape)}")
    if t._data.dtype != like._data.dtype:
        raise RuntimeError(
            f"{op}: expected {name} to have the input's dtype {like.dtype}, "
            f"got {t.dtype}")
    if t.device != like.device:
        raise RuntimeError(
            f"{op}: expected all tensors to be on the same device, but "
            f"{name} is on {t.device} and the input on {like.device}")
