"""``pytensor.cuda``: CUDA devices, streams of random numbers and memory
statistics, through CuPy.

Everything here answers sensibly without CuPy or a GPU: ``is_available()``
is False, ``device_count()`` 0, the memory statistics 0, ``synchronize``
and the seeding functions do nothing, and the functions that need a device
(``current_device``, ``get_device_name`` ...) raise a RuntimeError that says
why there is none.

Memory statistics come from CuPy's default memory pool, which every CuPy
allocation in the process goes through (pytensor's and the user's own):

- ``memory_allocated``: bytes of live arrays (rounded up to CuPy's 512-byte
  allocation unit, as PyTorch's counter is rounded to its blocks);
- ``memory_reserved``: bytes the pool holds from the driver (live arrays plus
  cached free blocks); ``empty_cache()`` returns the cached blocks;
- ``max_memory_allocated`` / ``max_memory_reserved``: the peaks since start
  or since ``reset_peak_memory_stats()``.  They are exact: a CuPy memory
  hook counts every allocation and free as it happens, so a temporary that
  lived between two queries still raises the peak.  The hook is registered
  in the thread that first used CUDA (CuPy's hooks are per thread);
  allocations made in other threads are seen at the next query.  Its cost
  is a few Python calls per allocation; ``PYTENSOR_CUDA_MEMORY_HOOK=0`` in
  the environment turns it off (the peaks are then sampled at each query,
  as the current values always are).
"""
import contextlib
import os

from pytensor import backend as _backend

__all__ = ["is_available", "device_count", "current_device", "set_device",
           "device", "synchronize", "manual_seed", "manual_seed_all", "seed",
           "seed_all", "initial_seed", "default_generator",
           "memory_allocated", "max_memory_allocated", "memory_reserved",
           "max_memory_reserved", "reset_peak_memory_stats",
           "reset_max_memory_allocated", "memory_stats", "empty_cache",
           "mem_get_info", "get_device_name", "get_device_properties",
           "get_device_capability"]

_generators = {}


# ---------------------------------------------------------------------------
# Devices
def is_available():
    """True when CuPy imports and sees at least one CUDA device.

    Example:
        >>> import pytensor
        >>> isinstance(pytensor.cuda.is_available(), bool)
        True
    """
    return _backend.cuda_available()


def device_count():
    """Number of CUDA devices (0 without CuPy or a GPU)."""
    return _backend.cuda_device_count()


def _index(dev, what):
    """The CUDA ordinal a ``device`` argument names (None: the current)."""
    cp = _backend.require_cuda(what)
    if dev is None:
        return cp.cuda.runtime.getDevice()
    d = _backend.resolve_device(dev)
    if d.type != "cuda":
        raise ValueError(f"{what}: expected a CUDA device, got {d}")
    return d.index


def _on(idx):
    """Make ``idx`` current for the block (no switch when it already is)."""
    cp = _backend.cupy_or_none()
    if cp.cuda.runtime.getDevice() == idx:
        return contextlib.nullcontext()
    return cp.cuda.Device(idx)


def current_device():
    """Ordinal of the current CUDA device."""
    cp = _backend.require_cuda("pytensor.cuda.current_device()")
    return cp.cuda.runtime.getDevice()


def set_device(device):
    """Make ``device`` (an int, ``"cuda:N"`` or a Device) current: ``"cuda"``
    tensors are created there."""
    idx = _index(device, "pytensor.cuda.set_device()")
    _backend.cupy_or_none().cuda.Device(idx).use()


@contextlib.contextmanager
def device(device):
    """Context manager making ``device`` current for the block, like
    ``torch.cuda.device``."""
    idx = _index(device, "pytensor.cuda.device()")
    with _backend.cupy_or_none().cuda.Device(idx):
        yield


def synchronize(device=None):
    """Wait until all queued work on the (current) CUDA device is done.

    Without CUDA it does nothing, so timing code runs on either device.
    """
    if not is_available():
        return
    idx = _index(device, "pytensor.cuda.synchronize()")
    _backend.cupy_or_none().cuda.Device(idx).synchronize()


def _props(device, what):
    idx = _index(device, what)
    return idx, _backend.cupy_or_none().cuda.runtime.getDeviceProperties(idx)


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def get_device_name(device=None):
    """The name of a CUDA device, e.g. ``'NVIDIA H100 80GB HBM3'``."""
    _, p = _props(device, "pytensor.cuda.get_device_name()")
    return _text(p["name"])


def get_device_capability(device=None):
    """``(major, minor)`` compute capability of a CUDA device."""
    _, p = _props(device, "pytensor.cuda.get_device_capability()")
    return int(p["major"]), int(p["minor"])


class _DeviceProperties:
    __slots__ = ("name", "major", "minor", "total_memory",
                 "multi_processor_count", "index")

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major="
                f"{self.major}, minor={self.minor}, total_memory="
                f"{self.total_memory // 2 ** 20}MB, multi_processor_count="
                f"{self.multi_processor_count})")


def get_device_properties(device=None):
    """Name, compute capability, memory and SM count of a CUDA device."""
    idx, p = _props(device, "pytensor.cuda.get_device_properties()")
    out = _DeviceProperties()
    out.index = idx
    out.name = _text(p["name"])
    out.major, out.minor = int(p["major"]), int(p["minor"])
    out.total_memory = int(p["totalGlobalMem"])
    out.multi_processor_count = int(p["multiProcessorCount"])
    return out


def mem_get_info(device=None):
    """``(free, total)`` bytes of a CUDA device, as the driver reports them
    (all processes, not only this one's pool)."""
    idx = _index(device, "pytensor.cuda.mem_get_info()")
    with _on(idx):
        free, total = _backend.cupy_or_none().cuda.runtime.memGetInfo()
    return int(free), int(total)


# ---------------------------------------------------------------------------
# Random numbers
def default_generator(device=None):
    """The default random generator of a CUDA device (the current one when
    ``device`` is None).  CUDA factories draw from it unless given a
    ``generator=``."""
    from pytensor.random import Generator
    if device is None or not isinstance(device, _backend.Device) or \
            device.index is None:
        idx = _index(device, "pytensor.cuda.default_generator()")
    else:
        idx = device.index
    g = _generators.get(idx)
    if g is None:
        g = _generators[idx] = Generator(_backend.cuda_device(idx))
    return g


def manual_seed(seed):
    """Seed the current CUDA device's generator (nothing without CUDA)."""
    if not is_available():
        return
    default_generator().manual_seed(seed)


def manual_seed_all(seed):
    """Seed every CUDA device's generator (nothing without CUDA)."""
    for i in range(device_count()):
        default_generator(_backend.cuda_device(i)).manual_seed(seed)


def seed():
    """Seed the current CUDA device's generator from OS entropy."""
    if is_available():
        default_generator().seed()


def seed_all():
    """Seed every CUDA device's generator from OS entropy."""
    for i in range(device_count()):
        default_generator(_backend.cuda_device(i)).seed()


def initial_seed():
    """The seed of the current CUDA device's generator."""
    return default_generator().initial_seed()


# ---------------------------------------------------------------------------
# Memory statistics
_tracker = None


def _make_tracker(cp):
    class AllocationCounter(cp.cuda.MemoryHook):
        """Counts bytes handed out by / returned to the memory pool, per
        device, and keeps their peak.  CuPy calls these methods around every
        pool ``malloc`` and ``free`` (with keyword arguments)."""

        name = "pytensor.cuda.memory_stats"

        def __init__(self):
            self.current = {}
            self.peak = {}
            self.reserved_peak = {}

        def malloc_postprocess(self, device_id=0, mem_size=0, mem_ptr=0,
                               **_):
            if not mem_ptr:
                return
            cur = self.current.get(device_id, 0) + mem_size
            self.current[device_id] = cur
            if cur > self.peak.get(device_id, 0):
                self.peak[device_id] = cur

        def free_postprocess(self, device_id=0, mem_size=0, **_):
            self.current[device_id] = self.current.get(device_id, 0) - mem_size

        def alloc_postprocess(self, device_id=0, mem_ptr=0, **_):
            # A new block from the driver: the pool grew (runs on the
            # allocating device, which is current).
            if not mem_ptr:
                return
            total = cp.get_default_memory_pool().total_bytes()
            if total > self.reserved_peak.get(device_id, 0):
                self.reserved_peak[device_id] = total

    return AllocationCounter()


def _start_memory_tracking():
    """Register the allocation counter in the calling thread (idempotent;
    called when CUDA is first found available)."""
    global _tracker
    if _tracker is None and os.environ.get(
            "PYTENSOR_CUDA_MEMORY_HOOK", "1") == "0":
        _tracker = False
    if _tracker is False:
        return None
    cp = _backend.cupy_or_none()
    try:
        if _tracker is None:
            _tracker = _make_tracker(cp)
        hooks = cp.cuda.memory_hook.get_memory_hooks()
        if _tracker.name not in hooks:
            _tracker.__enter__()
    except Exception:           # an exotic CuPy build: stats degrade to
        _tracker = False        # sampling at query time
    return _tracker or None


def _set_memory_hook(enabled):
    """Turn the allocation counter on or off in this thread (benchmarks use
    it to measure its cost); returns the previous state."""
    global _tracker
    cp = _backend.cupy_or_none()
    hooks = cp.cuda.memory_hook.get_memory_hooks() if cp else {}
    was = bool(_tracker) and _tracker.name in hooks
    if enabled and not was:
        if _tracker is False:
            _tracker = None
        _start_memory_tracking()
    elif not enabled and was:
        _tracker.__exit__()
    return was


def _pool():
    return _backend.cupy_or_none().get_default_memory_pool()


def _refresh(idx):
    """Read the pool's exact counters for device ``idx`` and fold them into
    the peaks; returns ``(used, reserved)``.  A device that has never
    allocated reads 0 without being touched (switching to it would create
    a CUDA context there)."""
    t = _tracker or None
    cp = _backend.cupy_or_none()
    if t is not None and idx not in t.current and \
            idx != cp.cuda.runtime.getDevice():
        return 0, 0
    with _on(idx):
        pool = _pool()
        used, reserved = int(pool.used_bytes()), int(pool.total_bytes())
    if t is not None:
        t.current[idx] = used
        if used > t.peak.get(idx, 0):
            t.peak[idx] = used
        if reserved > t.reserved_peak.get(idx, 0):
            t.reserved_peak[idx] = reserved
    return used, reserved


def memory_allocated(device=None):
    """Bytes of live CuPy arrays on a CUDA device (0 without CUDA).

    Example:
        >>> import pytensor
        >>> pytensor.cuda.memory_allocated() >= 0
        True
    """
    if not is_available():
        return 0
    return _refresh(_index(device, "pytensor.cuda.memory_allocated()"))[0]


def max_memory_allocated(device=None):
    """The peak of :func:`memory_allocated` since the program started or
    :func:`reset_peak_memory_stats` was called (0 without CUDA)."""
    if not is_available():
        return 0
    idx = _index(device, "pytensor.cuda.max_memory_allocated()")
    used = _refresh(idx)[0]
    t = _tracker or None
    return max(used, t.peak.get(idx, 0)) if t is not None else used


def memory_reserved(device=None):
    """Bytes CuPy's pool holds from the driver: live arrays plus cached
    free blocks (0 without CUDA)."""
    if not is_available():
        return 0
    return _refresh(_index(device, "pytensor.cuda.memory_reserved()"))[1]


def max_memory_reserved(device=None):
    """The peak of :func:`memory_reserved` (0 without CUDA)."""
    if not is_available():
        return 0
    idx = _index(device, "pytensor.cuda.max_memory_reserved()")
    reserved = _refresh(idx)[1]
    t = _tracker or None
    return max(reserved, t.reserved_peak.get(idx, 0)) if t is not None \
        else reserved


def reset_peak_memory_stats(device=None):
    """Restart the peaks from the current values."""
    if not is_available():
        return
    idx = _index(device, "pytensor.cuda.reset_peak_memory_stats()")
    used, reserved = _refresh(idx)
    t = _tracker or None
    if t is not None:
        t.peak[idx] = used
        t.reserved_peak[idx] = reserved


reset_max_memory_allocated = reset_peak_memory_stats


def memory_stats(device=None):
    """The memory counters under PyTorch's key names."""
    if not is_available():
        return {}
    return {
        "allocated_bytes.all.current": memory_allocated(device),
        "allocated_bytes.all.peak": max_memory_allocated(device),
        "reserved_bytes.all.current": memory_reserved(device),
        "reserved_bytes.all.peak": max_memory_reserved(device),
    }


def empty_cache():
    """Return the pool's cached free blocks (and pinned host buffers) to the
    driver; live tensors are untouched."""
    if not is_available():
        return
    cp = _backend.cupy_or_none()
    t = _tracker or None
    devices = set(t.current) if t is not None else set()
    devices.add(cp.cuda.runtime.getDevice())
    for idx in sorted(devices):
        with _on(idx):
            _pool().free_all_blocks()
    try:
        cp.get_default_pinned_memory_pool().free_all_blocks()
    except Exception:
        pass
