"""Devices, array modules and transfers.

This module and ``pytensor_ext/gpu`` are the only places that import CuPy,
and they do it lazily: ``import pytensor`` works without CuPy, and with CuPy
but no GPU, and then behaves exactly as a CPU-only install.

A tensor's device is a property of its storage array: a ``numpy.ndarray``
lives on ``cpu``, a ``cupy.ndarray`` on ``cuda:<its device id>``.  Nothing
else records it, so a tensor can never disagree with its storage.

Ops never test for CuPy themselves: ``get_xp(arr)`` gives the array module
when an op must create arrays, and ``pytensor_ext.kernels_for(arr)`` the
kernel namespace.
"""
import numpy as np

__all__ = ["device", "Device", "get_xp", "to_device", "cupy_or_none",
           "cuda_available", "default_device", "set_default_device",
           "resolve_device", "device_of", "is_cuda_array", "as_host",
           "device_guard", "require_cuda"]

_ndarray = np.ndarray
_cupy = None            # the module once imported, False when unavailable
_cuda_ok = None         # cached availability
_n_devices = 0          # CUDA device count, once known


class Device:
    """Where a tensor's storage lives: ``cpu`` or ``cuda:N``.

    Args:
        type: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, another Device, or an int
            (a CUDA ordinal, as in ``torch.device(0)``).
        index: the CUDA ordinal when ``type`` is ``"cuda"``; None means the
            current CUDA device when a tensor is created.

    Two devices are equal when type and index are both equal, as in PyTorch
    (``device("cuda") != device("cuda:0")``); a device also equals its
    string form (``t.device == "cpu"``).

    Example:
        >>> import pytensor
        >>> pytensor.device("cuda:1")
        device(type='cuda', index=1)
        >>> pytensor.device("cuda", 0), pytensor.device(2)
        (device(type='cuda', index=0), device(type='cuda', index=2))
        >>> pytensor.device("cpu").type, str(pytensor.device("cuda:1"))
        ('cpu', 'cuda:1')
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, Device):
            if index is not None and type.index is not None and \
                    index != type.index:
                raise ValueError(
                    f"device: {type} conflicts with index={index}")
            type, index = type.type, type.index if index is None else index
        elif isinstance(type, (int, np.integer)) and \
                not isinstance(type, bool):
            if index is not None:
                raise ValueError("device: an int device takes no index")
            type, index = "cuda", int(type)
        elif not isinstance(type, str):
            raise TypeError(
                f"device: expected a string, int or Device, got "
                f"{type.__class__.__name__} ({type!r})")
        else:
            type, index = _parse(type, index)
        if type not in ("cpu", "cuda"):
            raise ValueError(
                f"device: unsupported device type {type!r}; pytensor runs on "
                "'cpu' and 'cuda' (e.g. 'cuda:0')")
        if index is not None:
            if isinstance(index, bool) or not isinstance(
                    index, (int, np.integer)):
                raise TypeError(f"device: index must be an int, got {index!r}")
            index = int(index)
            if index < 0:
                raise ValueError(
                    f"device: device index must be non-negative, got {index}")
        if type == "cpu":
            if index not in (None, 0):
                raise ValueError(
                    f"device: there is one CPU device; got 'cpu:{index}'")
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
        return self.type == other.type and self.index == other.index

    def __ne__(self, other):
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (Device, (self.type, self.index))

    def __enter__(self):
        # ``with pytensor.device("cuda:1"):`` makes the factories default to
        # it, as ``with torch.device(...)`` does.  Devices carry no state, so
        # the previous default goes on a module-level stack.
        _exit_stack.append(_default_device[0])
        try:
            set_default_device(self)
        except BaseException:
            _exit_stack.pop()
            raise
        return self

    def __exit__(self, *exc):
        _default_device[0] = _exit_stack.pop()
        return False


def _parse(s, index):
    """``"cuda:1"`` -> ("cuda", 1), with a clear error for anything else."""
    t = s.strip().lower()
    if not t:
        raise ValueError("device: empty device string; expected 'cpu', "
                         "'cuda' or 'cuda:N'")
    typ, sep, idx = t.partition(":")
    if sep:
        if not idx.isdigit():
            raise ValueError(
                f"device: invalid device string {s!r}; expected 'cpu', "
                "'cuda' or 'cuda:N' with N a non-negative integer")
        parsed = int(idx)
        if index is not None and index != parsed:
            raise ValueError(f"device: {s!r} conflicts with index={index}")
        index = parsed
    if typ not in ("cpu", "cuda"):
        raise ValueError(
            f"device: invalid device string {s!r}: unsupported device type "
            f"{typ!r}; pytensor runs on 'cpu' and 'cuda' (e.g. 'cuda:0')")
    return typ, index


_exit_stack = []
device = Device
CPU = Device("cpu")
_cuda_devices = {}


def cuda_device(index):
    """The (cached) ``Device`` for CUDA ordinal ``index``."""
    d = _cuda_devices.get(index)
    if d is None:
        d = _cuda_devices[index] = Device("cuda", index)
    return d


# ---------------------------------------------------------------------------
# CuPy and CUDA availability
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
    global _cuda_ok, _n_devices
    if _cuda_ok is None:
        cp = cupy_or_none()
        n = 0
        if cp is not None:
            try:
                n = int(cp.cuda.runtime.getDeviceCount())
            except Exception:       # no driver, no device, broken install
                n = 0
        _n_devices = n
        _cuda_ok = n > 0
        if _cuda_ok:
            # Start counting allocations now, so peak memory is exact.
            from pytensor import cuda as _cuda_mod
            _cuda_mod._start_memory_tracking()
    return _cuda_ok


def cuda_device_count():
    return _n_devices if cuda_available() else 0


def unavailable_reason():
    """Why CUDA cannot be used here (for error messages)."""
    if cupy_or_none() is None:
        return ("CuPy is not installed (pip install 'pytensor-tape[cuda13]' "
                "or 'pytensor-tape[cuda12]')")
    try:
        _cupy.cuda.runtime.getDeviceCount()
    except Exception as e:
        return f"CuPy found no usable CUDA device ({type(e).__name__}: {e})"
    return "CuPy found no CUDA device"


def require_cuda(what="this operation"):
    """The ``cupy`` module, or a RuntimeError saying why CUDA is unusable."""
    if not cuda_available():
        raise RuntimeError(f"{what} needs a CUDA device, but "
                           f"{unavailable_reason()}; "
                           "pytensor.cuda.is_available() is False")
    return _cupy


def current_cuda_index():
    """The current CUDA device ordinal (None without CUDA)."""
    if not cuda_available():
        return None
    return _cupy.cuda.runtime.getDevice()


# ---------------------------------------------------------------------------
# Arrays
def get_xp(arr):
    """The array module (``numpy`` or ``cupy``) that owns ``arr``.

    Example:
        >>> import numpy as np
        >>> from pytensor.backend import get_xp
        >>> get_xp(np.zeros(2)) is np
        True
    """
    if arr.__class__ is _ndarray:
        return np
    if _cupy and isinstance(arr, _cupy.ndarray):
        return _cupy
    return np


def xp_for(dev):
    """The array module that allocates on the resolved device ``dev``."""
    return np if dev.type == "cpu" else _cupy


def is_cuda_array(arr):
    return arr.__class__ is not _ndarray and bool(_cupy) and isinstance(
        arr, _cupy.ndarray)


def device_of(arr):
    """The :class:`Device` of a storage array."""
    if arr.__class__ is _ndarray:
        return CPU
    if _cupy and isinstance(arr, _cupy.ndarray):
        return cuda_device(arr.data.device_id)
    return CPU


def as_host(arr):
    """``arr`` as a NumPy array (a device-to-host copy for CuPy arrays)."""
    if arr.__class__ is _ndarray:
        return arr
    if _cupy and isinstance(arr, _cupy.ndarray):
        return _cupy.asnumpy(arr)
    return np.asarray(arr)


def device_guard(arr):
    """A context manager that makes ``arr``'s GPU current, or None when it
    already is (or ``arr`` is not a CuPy array).

    CuPy launches kernels and allocates outputs on the *current* device, so
    an op on ``cuda:1`` tensors must run with device 1 current; PyTorch does
    the same with its device guards.
    """
    if arr.__class__ is _ndarray or not _cupy or not isinstance(
            arr, _cupy.ndarray):
        return None
    idx = arr.data.device_id
    if idx == _cupy.cuda.runtime.getDevice():
        return None
    return _cupy.cuda.Device(idx)


# ---------------------------------------------------------------------------
# Default device and resolution of ``device=`` arguments
_default_device = [None]        # None: never set (the CPU)


def default_device():
    """The device factories use when ``device=`` is not given."""
    d = _default_device[0]
    return CPU if d is None else d


def set_default_device(dev):
    """Set the device factories use by default (``"cpu"`` or ``"cuda"``);
    None restores the CPU.

    Example:
        >>> import pytensor
        >>> from pytensor.backend import set_default_device, default_device
        >>> set_default_device("cpu"); default_device()
        device(type='cpu')
        >>> set_default_device(None)
    """
    if dev is None:
        _default_device[0] = None
        return
    _default_device[0] = resolve_device(dev, what="set_default_device()")


def default_device_was_set():
    return _default_device[0] is not None


_parsed = {}                    # device string -> Device


def resolve_device(dev, what=None):
    """Normalise a ``device=`` argument to a concrete :class:`Device`.

    None means the default device; ``"cuda"`` (no index) the current CUDA
    device; an int a CUDA ordinal.  CUDA devices are checked to exist;
    ``what`` names the caller in the error when CUDA is unusable.
    """
    if dev is None:
        d = _default_device[0]
        return CPU if d is None else d
    if dev.__class__ is Device:
        d = dev
    elif isinstance(dev, str):
        if dev == "cpu":
            return CPU
        d = _parsed.get(dev)
        if d is None:
            d = Device(dev)
            if len(_parsed) < 64:       # the few strings a program uses
                _parsed[dev] = d
    else:
        d = Device(dev)
    if d.type == "cpu":
        return CPU
    where = f"device {str(d)!r}"
    cp = require_cuda(f"{what}: {where}" if what else where)
    idx = d.index if d.index is not None else cp.cuda.runtime.getDevice()
    if idx >= _n_devices:
        raise RuntimeError(
            f"{what + ': ' if what else ''}device 'cuda:{idx}' does not "
            f"exist: {_n_devices} CUDA "
            f"device(s) found (valid ordinals 0..{_n_devices - 1})")
    return cuda_device(idx)


# ---------------------------------------------------------------------------
# Transfers
def to_device(arr, dev, copy=False):
    """Move a storage array to the (resolved) device ``dev``.

    Same device: ``arr`` itself, or a copy when ``copy``.  Host to device:
    ``cupy.asarray``; device to host: ``cupy.asnumpy``; device to device:
    a copy made with the destination current (CuPy copies peer to peer).
    """
    if dev.type == "cpu":
        if arr.__class__ is _ndarray:
            return arr.copy() if copy else arr
        if _cupy and isinstance(arr, _cupy.ndarray):
            return _cupy.asnumpy(arr)
        return np.array(arr) if copy else np.asarray(arr)
    cp = _cupy
    with cp.cuda.Device(dev.index):
        if isinstance(arr, cp.ndarray):
            if arr.data.device_id == dev.index:
                return arr.copy() if copy else arr
            return arr.copy()       # on the current (destination) device
        return cp.asarray(arr)


def array_on(dev, np_array):
    """Place a freshly built NumPy array on ``dev`` (no-op for the CPU)."""
    if dev.type == "cpu":
        return np_array
    with _cupy.cuda.Device(dev.index):
        return _cupy.asarray(np_array)
