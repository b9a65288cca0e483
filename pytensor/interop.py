"""DLPack: zero-copy exchange of tensors with other array libraries.

``pytensor.from_dlpack(obj)`` views the memory of anything that speaks
DLPack (a NumPy array, a torch tensor, a CuPy array, a JAX array, or a raw
DLPack capsule) as a pytensor Tensor on the same device, without copying;
``Tensor.__dlpack__`` / ``__dlpack_device__`` let those libraries view a
pytensor tensor the same way (``torch.from_dlpack(t)``, ``np.from_dlpack(t)``,
``cupy.from_dlpack(t)``).  Writes through either side are seen by the other.

A tensor that requires grad cannot be exported (as in PyTorch): the other
library's writes would bypass autograd.  Export ``t.detach()`` instead.
"""
import ctypes

import numpy as np

from pytensor import backend as _backend
from pytensor import dtypes as _dt

__all__ = ["from_dlpack", "to_dlpack", "DLDeviceType"]


class DLDeviceType:
    """DLPack device codes (``__dlpack_device__()[0]``)."""

    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLCUDAManaged = 13


_HOST = (DLDeviceType.kDLCPU, DLDeviceType.kDLCUDAHost)
_CUDA = (DLDeviceType.kDLCUDA, DLDeviceType.kDLCUDAManaged)


def from_dlpack(ext_tensor):
    """A Tensor sharing memory with ``ext_tensor`` (no copy).

    Args:
        ext_tensor: an object with ``__dlpack__`` and ``__dlpack_device__``
            (NumPy arrays, torch tensors, CuPy arrays ...), or a DLPack
            ``PyCapsule`` (e.g. from ``torch.utils.dlpack.to_dlpack``),
            which is consumed.

    Returns:
        Tensor: on the CPU for host memory, on ``cuda:N`` for GPU memory; it
        does not require grad.

    Raises:
        TypeError: for objects that do not speak DLPack, and for dtypes
            pytensor does not support.
        RuntimeError: for GPU memory when CUDA is unavailable, or devices
            other than CPU and CUDA.

    Example:
        >>> import numpy as np, pytensor
        >>> a = np.arange(3.0)
        >>> t = pytensor.from_dlpack(a)
        >>> a[0] = 7.0
        >>> t
        tensor([7., 1., 2.], dtype=pytensor.float64)
    """
    from pytensor.tensor import Tensor
    if isinstance(ext_tensor, Tensor):
        return Tensor._make(ext_tensor._data)
    if hasattr(ext_tensor, "__dlpack__"):
        dev_type, dev_id = ext_tensor.__dlpack_device__()
        source = ext_tensor
    elif _is_capsule(ext_tensor):
        dev_type, dev_id = _capsule_device(ext_tensor)
        source = _Capsule(ext_tensor, (dev_type, dev_id))
    else:
        raise TypeError(
            f"from_dlpack: expected an object with __dlpack__ (a NumPy "
            f"array, torch tensor, CuPy array ...) or a DLPack capsule, got "
            f"{type(ext_tensor).__name__}")
    dev_type, dev_id = int(dev_type), int(dev_id)
    if dev_type in _HOST:
        arr = np.from_dlpack(source)
    elif dev_type in _CUDA:
        cp = _backend.require_cuda(f"from_dlpack (memory on cuda:{dev_id})")
        with cp.cuda.Device(dev_id):
            arr = cp.from_dlpack(source if source is ext_tensor
                                 else source.capsule)
    else:
        raise RuntimeError(
            f"from_dlpack: unsupported DLPack device type {dev_type}; "
            "pytensor reads CPU (1) and CUDA (2) memory")
    if arr.dtype not in _dt._BY_NP:
        raise TypeError(f"from_dlpack: pytensor does not support dtype "
                        f"{arr.dtype}; supported: "
                        f"{', '.join(d.name for d in _dt.ALL)}")
    return Tensor._make(arr)


def to_dlpack(tensor):
    """A DLPack capsule viewing ``tensor`` (the legacy exchange form, as
    ``torch.utils.dlpack.to_dlpack``); prefer passing the tensor itself to
    the consumer's ``from_dlpack``."""
    return tensor.__dlpack__()


def export(tensor, stream=None, max_version=None, dl_device=None,
           copy=None):
    """``Tensor.__dlpack__``: the storage array's capsule, with PyTorch's
    refusal for tensors that require grad."""
    if tensor._requires_grad:
        raise RuntimeError(
            "Can't export tensors that require gradient, use "
            "tensor.detach()")
    kw = {}
    if stream is not None:
        kw["stream"] = stream
    if max_version is not None:
        kw["max_version"] = max_version
    if dl_device is not None:
        kw["dl_device"] = dl_device
    if copy is not None:
        kw["copy"] = copy
    return tensor._data.__dlpack__(**kw)


def cuda_array_interface(tensor):
    """``Tensor.__cuda_array_interface__``: the CuPy array's, for CUDA
    tensors; AttributeError for CPU tensors (so ``hasattr`` is False), as
    in PyTorch."""
    arr = tensor._data
    if not _backend.is_cuda_array(arr):
        raise AttributeError(
            f"Can't get __cuda_array_interface__ on non-CUDA tensor type: "
            f"{tensor.type()}. If CUDA data is required use tensor.cuda() to "
            "copy tensor to device memory.")
    if tensor._requires_grad:
        raise RuntimeError(
            "Can't get __cuda_array_interface__ on Variable that requires "
            "grad. If gradients aren't required, use var.detach() to get "
            "Variable that doesn't require grad.")
    return arr.__cuda_array_interface__


def export_device(tensor):
    """``Tensor.__dlpack_device__``: ``(device type, device id)``."""
    return tuple(int(v) for v in tensor._data.__dlpack_device__())


# ---------------------------------------------------------------------------
# Raw capsules: read the device from the DLTensor inside, then hand the
# capsule to NumPy (through a small object, as np.from_dlpack wants one) or
# to CuPy (which takes capsules).
class _Capsule:
    __slots__ = ("capsule", "device")

    def __init__(self, capsule, device):
        self.capsule, self.device = capsule, device

    def __dlpack__(self, **_):
        return self.capsule

    def __dlpack_device__(self):
        return self.device


def _is_capsule(obj):
    return type(obj).__name__ == "PyCapsule"


_get_name = ctypes.pythonapi.PyCapsule_GetName
_get_name.restype = ctypes.c_char_p
_get_name.argtypes = [ctypes.py_object]
_get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_get_pointer.restype = ctypes.c_void_p
_get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


def _capsule_device(capsule):
    """``(device_type, device_id)`` of the DLTensor in a capsule."""
    name = _get_name(capsule)
    if name == b"dltensor":
        # DLManagedTensor { DLTensor dl_tensor {void *data; DLDevice
        # device; ...} ...}: the device follows the data pointer.
        offset = ctypes.sizeof(ctypes.c_void_p)
    elif name == b"dltensor_versioned":
        # DLManagedTensorVersioned { DLPackVersion version (2 x uint32);
        # void *manager_ctx; void (*deleter)(); uint64 flags; DLTensor }.
        offset = 8 + 2 * ctypes.sizeof(ctypes.c_void_p) + 8 + \
            ctypes.sizeof(ctypes.c_void_p)
    elif name in (b"used_dltensor", b"used_dltensor_versioned"):
        raise RuntimeError("from_dlpack: this DLPack capsule was already "
                           "consumed (a capsule can be used once)")
    else:
        raise TypeError(f"from_dlpack: not a DLPack capsule (name "
                        f"{name!r})")
    ptr = _get_pointer(capsule, name)
    dev = (ctypes.c_int32 * 2).from_address(ptr + offset)
    return int(dev[0]), int(dev[1])
