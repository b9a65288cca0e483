"""Devices, array modules and transfers.

This module and ``pytensor_ext/gpu`` are the only places that import CuPy,
and they do it lazily: ``import pytensor`` works without CuPy, and with CuPy
but no GPU, and then behaves exactly as a CPU-only install.

A tensor's device is a property of its storage array: a ``numpy.ndarray``
lives on ``cpu``, a ``cupy.ndarray`` on ``cuda:<its device id>``.
"""
import numpy as np

__all__ = ["device", "Device", "get_xp", "to_device", "cupy_or_none",
           "cuda_available", "default_device", "set_default_device"]

_ndarray = np.ndarray
_cupy = None            # the module once imported, False when unavailable
_cuda_ok = None         # cached availability


class Device:
    """Where a tensor's storage lives: ``cpu`` or ``cuda:N``.

    Args:
        type: ``"cpu"``, ``"cuda"``, ``"cuda:1"`` or another Device.
        index: the CUDA ordinal when ``type`` is ``"cuda"``.

    Example:
        >>> import pytensor
        >>> pytensor.device("cuda:1")
        device(type='cuda', index=1)
        >>> pytensor.device("cpu").type
        'cpu'
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, Device):
            type, index = type.type, type.index if index is None else index
        elif not isinstance(type, str):
            raise TypeError(f"device: expected a string or Device, got {type!r}")
        else:
            t = type.strip().lower()
            if ":" in t:
                t, _, idx = t.partition(":")
                try:
                    parsed = int(idx)
                except ValueError:
                    raise ValueError(
                        f"device: invalid device string {type!r}; "
                        "expected 'cpu', 'cuda' or 'cuda:N'") from None
                if index is not None and index != parsed:
                    raise ValueError(f"device: {type!r} conflicts with index={index}")
                index = parsed
            type = t
        if type not in ("cpu", "cuda"):
            raise ValueError(
                f"device: unknown device type {type!r}; expected 'cpu' or 'cuda'")
        if index is not None:
            index = int(index)
            if index < 0:
                raise ValueError(f"device: negative index {index}")
        if type == "cpu":
            index = None
        self.type = type
        self.index = index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = Device(other)
            except (ValueError, TypeError):
                return False
        if not isinstance(other, Device):
            return NotImplemented
        # Literal comparison, as in PyTorch: device("cuda") != device("cuda:0").
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))


device = Device
CPU = Device("cpu")
_cuda_devices = {}


def cuda_device(index):
    d = _cuda_devices.get(index)
    if d is None:
        d = _cuda_devices[index] = Device("cuda", index)
    return d


def cupy_or_none():
    """The ``cupy`` module if it imports, else None (never raises)."""
    global _cupy
    if _cupy is None:
        try:
            import cupy
            _cupy = cupy
        except Exception:       # ImportError, or a broken CUDA install
            _cupy = False
    return _cupy or None


def cuda_available():
    """True when CuPy imports and at least one CUDA device answers."""
    global _cuda_ok
    if _cuda_ok is None:
        cp = cupy_or_none()
        ok = False
        if cp is not None:
            try:
                ok = cp.cuda.runtime.getDeviceCount() > 0
            except Exception:
                ok = False
        _cuda_ok = ok
    return _cuda_ok


def current_cuda_index():
    if not cuda_available():
        return None
    return _cupy.cuda.runtime.getDevice()


def require_cuda(what="this operation"):
    if not cuda_available():
        if cupy_or_none() is None:
            why = "CuPy is not installed (pip install 'pytensor-tape[cuda13]')"
        else:
            why = "CuPy found no CUDA device"
        raise RuntimeError(f"{what} needs a CUDA device, but {why}; "
                           "pytensor.cuda.is_available() is False")
    return _cupy


def get_xp(arr):
    """The array module (``numpy`` or ``cupy``) that owns ``arr``."""
    if arr.__class__ is _ndarray:
        return np
    if _cupy and isinstance(arr, _cupy.ndarray):
        return _cupy
    return np


def device_of(arr):
    """The :class:`Device` of a storage array."""
    if arr.__class__ is _ndarray:
        return CPU
    if _cupy and isinstance(arr, _cupy.ndarray):
        return cuda_device(arr.device.id)
    return CPU


def is_cuda_array(arr):
    return arr.__class__ is not _ndarray and bool(_cupy) and isinstance(
        arr, _cupy.ndarray)


_default_device = [CPU]


def default_device():
    """The device factories use when ``device=`` is not given."""
    return _default_device[0]


def set_default_device(dev):
    """Set the device factories use by default (``"cpu"`` or ``"cuda"``)."""
    d = Device(dev) if dev is not None else CPU
    if d.type == "cuda":
        require_cuda("set_default_device('cuda')")
    _default_device[0] = d


def resolve_device(dev):
    """Normalise ``device=`` arguments; None means the default device."""
    if dev is None:
        return _default_device[0]
    if dev.__class__ is Device:
        d = dev
    elif isinstance(dev, int):
        d = Device("cuda", dev)
    else:
        d = Device(dev)
    if d.type == "cuda":
        cp = require_cuda(f"device {str(d)!r}")
        idx = d.index if d.index is not None else cp.cuda.runtime.getDevice()
        n = cp.cuda.runtime.getDeviceCount()
        if idx >= n:
            raise RuntimeError(
                f"device 'cuda:{idx}' does not exist: {n} CUDA device(s) found")
        return cuda_device(idx)
    return CPU


def to_device(arr, dev, copy=False):
    """Move a storage array to the (resolved) device ``dev``."""
    if dev.type == "cpu":
        if arr.__class__ is _ndarray:
            return arr.copy() if copy else arr
        return _cupy.asnumpy(arr)
    cp = _cupy
    with cp.cuda.Device(dev.index):
        if isinstance(arr, cp.ndarray) and arr.device.id == dev.index:
            return arr.copy() if copy else arr
        return cp.asarray(arr) if not isinstance(arr, cp.ndarray) else arr.copy()


def array_on(dev, np_array):
    """Place a freshly built NumPy array on ``dev`` (no-op for the CPU)."""
    if dev.type == "cpu":
        return np_array
    with _cupy.cuda.Device(dev.index):
        return _cupy.asarray(np_array)
