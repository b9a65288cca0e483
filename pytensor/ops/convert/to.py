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
    """Copy to another device; the gradient travels back to the source.

    Transfers are synchronous: ``cupy.asarray`` (host to device),
    ``cupy.asnumpy`` (device to host) or a peer copy (device to device).
    """

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
        if device is not None and device.type == "cpu":
            return "cupy.asnumpy"
        return "cupy.asarray"


def _is_dtype_arg(a):
    if isinstance(a, (_dt.dtype, np.dtype)):
        return True
    if isinstance(a, type):
        return a in (float, int, bool) or issubclass(a, np.generic)
    if isinstance(a, str):
        return a.replace("pytensor.", "").replace("torch.", "") in _dt._BY_NAME
    return False


def _is_device_arg(a):
    return isinstance(a, (str, _backend.Device)) or (
        isinstance(a, (int, np.integer)) and not isinstance(a, bool))


def _parse_to_args(self, args, kwargs):
    """PyTorch's three signatures: ``to(dtype, non_blocking, copy)``,
    ``to(device, dtype, non_blocking, copy)``, ``to(other, non_blocking,
    copy)``, plus keywords."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments "
                        f"{sorted(kwargs)}")
    args = list(args)
    if args and isinstance(args[0], Tensor):
        other = args.pop(0)
        dtype, device = other.dtype, other.device
    elif args and _is_dtype_arg(args[0]):
        dtype = args.pop(0)
    elif args and (args[0] is None or _is_device_arg(args[0])):
        device = args.pop(0)
        if args and (args[0] is None or _is_dtype_arg(args[0])):
            dtype = args.pop(0)
    elif args and not isinstance(args[0], bool):
        raise TypeError(
            f"to(): expected a dtype, a device or a Tensor, got "
            f"{type(args[0]).__name__} ({args[0]!r})")
    # What remains are the positional flags: non_blocking, then copy.
    if len(args) > 2 or not all(isinstance(a, bool) for a in args):
        raise TypeError(
            f"to(): unsupported arguments {args!r}; the signatures are "
            "to(dtype), to(device, dtype), to(other) and keywords dtype=, "
            "device=, non_blocking=, copy=")
    if len(args) == 2:
        copy = args[1]
    return dtype, device, bool(copy)


@tensor_method("to")
def to(self, *args, **kwargs):
    """Convert dtype and/or device: ``to(dtype)``, ``to(device)``,
    ``to(device, dtype)``, ``to(other)``, ``to(dtype=..., device=...,
    copy=False)``.  Returns ``self`` when nothing changes (unless ``copy``).

    Device transfers and casts are differentiable: the gradient of a tensor
    moved to the GPU arrives back on its own device.  ``non_blocking`` is
    accepted and ignored (transfers are synchronous).

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([1.5, 2.5])
        >>> x.to(pytensor.int64)
        tensor([1, 2])
        >>> x.to("cpu") is x, x.to("cpu", copy=True) is x
        (True, False)
    """
    dtype, device, copy = _parse_to_args(self, args, kwargs)
    out = self
    npd = _dt.to_dtype(dtype).np if dtype is not None else None
    dev = None
    if device is not None:
        dev = _backend.resolve_device(device, what="to()")
        if dev == self.device:
            dev = None
    cast = npd is not None and npd != self._data.dtype
    if dev is not None and cast and npd.itemsize <= self._data.itemsize:
        # Cast first when it does not grow the data: fewer bytes to move.
        out = Cast(npd).apply(out)
        cast = False
    if dev is not None:
        out = ToDevice(dev).apply(out)
    if cast:
        out = Cast(npd).apply(out)
    if copy and out is self:
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
    """This tensor on a CUDA device (the current one by default); ``self``
    if already there.

    Raises:
        RuntimeError: without CuPy or a GPU, saying which is missing.
    """
    if device is None:
        device = "cuda"
    dev = _backend.resolve_device(device, what="Tensor.cuda()")
    if dev.type != "cuda":
        raise ValueError(f"Tensor.cuda(): expected a CUDA device, got {dev}")
    return to(self, dev)
