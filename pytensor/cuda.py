"""``pytensor.cuda``: CUDA device queries through CuPy (lazy; everything
answers sensibly without CuPy or a GPU)."""
from pytensor import backend as _backend

__all__ = ["is_available", "device_count", "current_device", "synchronize",
           "manual_seed", "manual_seed_all", "memory_allocated",
           "max_memory_allocated", "empty_cache", "set_device",
           "default_generator", "get_device_name", "reset_peak_memory_stats",
           "memory_reserved"]

_generators = {}
_peak = {}


def is_available():
    """True when CuPy imports and sees at least one CUDA device."""
    return _backend.cuda_available()


def device_count():
    """Number of CUDA devices (0 without CuPy or a GPU)."""
    if not is_available():
        return 0
    return _backend.cupy_or_none().cuda.runtime.getDeviceCount()


def current_device():
    """Ordinal of the current CUDA device."""
    cp = _backend.require_cuda("pytensor.cuda.current_device()")
    return cp.cuda.runtime.getDevice()


def set_device(device):
    cp = _backend.require_cuda("pytensor.cuda.set_device()")
    d = _backend.resolve_device(device if not isinstance(device, int)
                                else f"cuda:{device}")
    cp.cuda.Device(d.index).use()


def get_device_name(device=None):
    cp = _backend.require_cuda("pytensor.cuda.get_device_name()")
    idx = current_device() if device is None else _backend.resolve_device(
        device if not isinstance(device, int) else f"cuda:{device}").index
    props = cp.cuda.runtime.getDeviceProperties(idx)
    name = props["name"]
    return name.decode() if isinstance(name, bytes) else name


def synchronize(device=None):
    """Wait for all work on the (current) CUDA device to finish."""
    if not is_available():
        return
    cp = _backend.cupy_or_none()
    if device is None:
        cp.cuda.Device().synchronize()
    else:
        d = _backend.resolve_device(device if not isinstance(device, int)
                                    else f"cuda:{device}")
        cp.cuda.Device(d.index).synchronize()


def default_generator(device):
    """The default random generator of a CUDA device."""
    from pytensor.random import Generator
    g = _generators.get(device.index)
    if g is None:
        g = _generators[device.index] = Generator(str(device))
    return g


def manual_seed(seed):
    """Seed the current CUDA device's generator (no-op without CUDA)."""
    if not is_available():
        return
    dev = _backend.resolve_device("cuda")
    default_generator(dev).manual_seed(seed)


def manual_seed_all(seed):
    """Seed every CUDA device's generator (no-op without CUDA)."""
    for i in range(device_count()):
        default_generator(_backend.cuda_device(i)).manual_seed(seed)


def _pool():
    cp = _backend.cupy_or_none()
    return cp.get_default_memory_pool() if cp is not None else None


def memory_allocated(device=None):
    """Bytes held by live tensors in CuPy's memory pool (0 without CUDA)."""
    if not is_available():
        return 0
    used = _pool().used_bytes()
    idx = 0 if device is None else getattr(device, "index", device) or 0
    _peak[idx] = max(_peak.get(idx, 0), used)
    return used


def max_memory_allocated(device=None):
    """The peak of :func:`memory_allocated` seen so far."""
    if not is_available():
        return 0
    memory_allocated(device)
    idx = 0 if device is None else getattr(device, "index", device) or 0
    return _peak.get(idx, 0)


def reset_peak_memory_stats(device=None):
    idx = 0 if device is None else getattr(device, "index", device) or 0
    _peak[idx] = memory_allocated(device)


def memory_reserved(device=None):
    """Bytes CuPy's pool holds from the driver (used + cached)."""
    if not is_available():
        return 0
    return _pool().total_bytes()


def empty_cache():
    """Return cached, unused blocks of CuPy's pool to the driver."""
    if is_available():
        _pool().free_all_blocks()
