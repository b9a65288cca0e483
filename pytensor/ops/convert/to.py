"""``Tensor.to``: differentiable dtype casts and device transfers."""
import numpy as np

from pytensor import backend as _backend
from pytensor import dtypes as _dt
from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.tensor import Tensor

__all__ = []


class Cast(Function):
    """``y = x.astype(dtype)``; the gradient is cast back to x's dtype."""

    def __init__(self, np_dtype):
        self.np_dtype = np_dtype

    def forward(self, x):
        self.src = x.dtype
        return x.astype(self.np_dtype)

    def backward(self, gy):
        if self.src.kind != "f":
            return None
        return Cast(self.src).apply(gy)


class ToDevice(Function):
    """Copy to another device; the gradient travels back."""

    name = "to_device"

    def __init__(self, device):
        self.device = device

    def forward(self, x):
        self.src = _backend.device_of(x)
        return _backend.to_device(x, self.device, copy=True)

    def backward(self, gy):
        return ToDevice(self.src).apply(gy)

    @classmethod
    def kernel_name(cls, device):
        return "cudaMemcpy"


def _parse_to_args(self, args, kwargs):
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments "
                        f"{sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, _dt.dtype) or (
                isinstance(a, type) and issubclass(a, (np.generic, float, int,
                                                       bool))) or isinstance(
                a, np.dtype):
            dtype = a
        elif isinstance(a, (str, _backend.Device, int)) and not isinstance(
                a, bool):
            if isinstance(a, str) and a.replace("pytensor.", "") in _dt._BY_NAME:
                dtype = a
            else:
                device = a
        elif isinstance(a, bool):
            copy = a
        elif a is None:
            continue
        else:
            raise TypeError(f"to(): unsupported argument {a!r}")
    return dtype, device, copy


@tensor_method("to")
def to(self, *args, **kwargs):
    """Convert dtype and/or device: ``to(dtype)``, ``to(device)``,
    ``to(device, dtype)``, ``to(other)``, ``to(dtype=..., device=...,
    copy=False)``.  Returns ``self`` when nothing changes (unless ``copy``).

    Example:
        >>> import pytensor
        >>> pytensor.tensor([1.5, 2.5]).to(pytensor.int64)
        tensor([1, 2])
    """
    dtype, device, copy = _parse_to_args(self, args, kwargs)
    out = self
    if device is not None:
        dev = _backend.resolve_device(device)
        if dev != self.device:
            out = ToDevice(dev).apply(out)
            copy = False
    if dtype is not None:
        npd = _dt.to_dtype(dtype).np
        if npd != out._data.dtype:
            out = Cast(npd).apply(out)
            copy = False
    if copy:
        out = out.clone()
    return out


def _caster(name, d):
    def cast(self, memory_format=None):
        return to(self, d)
    cast.__name__ = cast.__qualname__ = name
    cast.__doc__ = f"``self.to({d!r})``."
    return cast


for _name, _d in (("float", _dt.float32), ("double", _dt.float64),
                  ("half", _dt.float16), ("long", _dt.int64),
                  ("int", _dt.int32), ("short", _dt.int16),
                  ("bool", _dt.bool_), ("byte", _dt.uint8),
                  ("char", _dt.int8)):
    setattr(Tensor, _name, _caster(_name, _d))


@tensor_method("type")
def type_(self, dtype=None):
    """Without arguments, the type name (``'pytensor.FloatTensor'``); with
    one, the tensor cast to it."""
    if dtype is None:
        names = {"float32": "FloatTensor", "float64": "DoubleTensor",
                 "float16": "HalfTensor", "int64": "LongTensor",
                 "int32": "IntTensor", "int16": "ShortTensor",
                 "int8": "CharTensor", "uint8": "ByteTensor",
                 "bool": "BoolTensor"}
        prefix = "pytensor.cuda." if self.is_cuda else "pytensor."
        return prefix + names[self.dtype.name]
    return to(self, dtype)


@tensor_method("type_as")
def type_as(self, other):
    return to(self, other.dtype)


@tensor_method("cpu")
def cpu(self):
    """This tensor on the CPU (``self`` if already there)."""
    return to(self, "cpu")


@tensor_method("cuda")
def cuda(self, device=None, non_blocking=False):
    """This tensor on a CUDA device (``cuda:0`` by default)."""
    if device is None:
        device = "cuda"
    elif isinstance(device, int):
        device = f"cuda:{device}"
    return to(self, device)
