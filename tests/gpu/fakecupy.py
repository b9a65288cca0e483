"""A fake ``cupy`` on the CPU, strict where CuPy is strict, for testing the
GPU code paths of pytensor on machines without a GPU.

Its arrays hold NumPy data but behave like ``cupy.ndarray`` where it
matters for correctness and speed on a real GPU:

- ``np.asarray(x)`` / ``np.array(x)`` / ``x.__array__()`` raise CuPy's
  TypeError ("Implicit conversion to a NumPy array is not allowed");
- NumPy ufuncs and array functions dispatch to it through
  ``__array_ufunc__`` / ``__array_function__`` **only when the real CuPy has
  the same function** (looked up in the installed ``cupy`` package, which
  imports without a GPU), with NumPy arrays among the operands rejected as
  CuPy rejects them (no implicit host-to-device copy); generalized ufuncs
  such as ``np.matmul`` are refused, as older CuPy versions do;
- every array lives on a device (``cuda:0``, ``cuda:1`` ...); kernels run on
  the *current* device and refuse arrays from another one, so code that
  forgets to switch devices fails here as it would on a multi-GPU machine;
- device-to-host reads (``.item()``, ``.get()``, ``bool(x)``, ``float(x)``,
  ``tolist()``, printing, Python iteration, boolean-mask indexing) and
  host-to-device copies (``cupy.asarray(numpy_array)``, NumPy index arrays)
  are allowed but **logged**, so a test can assert an op makes none;
- a memory pool counts bytes per device and calls CuPy-style memory hooks
  on every malloc and free, so ``pytensor.cuda``'s statistics run for real.

Use :func:`installed` (a context manager) to make ``import cupy`` return
this module and to point pytensor's backend at it.
"""
import contextlib
import functools
import sys
import threading
import traceback
import types
import weakref

import numpy as np

try:                                    # the real CuPy's API, for fidelity
    import cupy as _real
except Exception:                       # pragma: no cover
    _real = None

__version__ = "fake"
_MSG = ("Implicit conversion to a NumPy array is not allowed. Please use "
        "`.get()` to construct a NumPy array explicitly.")

# ---------------------------------------------------------------------------
# Event log: host<->device traffic a test can inspect.
_state = types.SimpleNamespace(n_devices=2, current=0, events=None,
                               allow_sync=True)


class DeviceSynchronized(RuntimeError):
    """``cupyx.DeviceSynchronized``: a sync while
    ``allow_synchronize(False)``."""

    def __init__(self, message=None):
        super().__init__(message or "Device synchronization was detected "
                         "while disallowed.")


def _frame():
    """The first stack frame outside this file, as ``file:line``."""
    for fr in reversed(traceback.extract_stack(limit=30)[:-2]):
        if not fr.filename.endswith(("fakecupy.py", "pytensor/backend.py",
                                     "pytensor/creation.py",
                                     "pytensor/_errors.py",
                                     "pytensor/tensor.py")):
            return f"{fr.filename.split('/')[-1]}:{fr.lineno} ({fr.name})"
    return "?"


def _log(kind, what):
    if kind == "sync" and not _state.allow_sync:
        raise DeviceSynchronized()
    ev = _state.events
    if ev is not None:
        ev.append((kind, what, _frame()))


@contextlib.contextmanager
def watch():
    """Collect ``(kind, what, where)`` events of the block; ``kind`` is
    ``"sync"`` (device-to-host read) or ``"upload"`` (host-to-device copy)."""
    prev = _state.events
    _state.events = events = []
    try:
        yield events
    finally:
        _state.events = prev


# ---------------------------------------------------------------------------
# Devices, runtime, memory hooks and the pool
class Device:
    """``cupy.cuda.Device``: a context manager switching the current
    device."""

    def __init__(self, device=None):
        self.id = _state.current if device is None else int(device)
        if not 0 <= self.id < _state.n_devices:
            raise CUDARuntimeError("cudaErrorInvalidDevice: invalid device "
                                   "ordinal")
        self._stack = []

    def __enter__(self):
        self._stack.append(_state.current)
        _state.current = self.id
        return self

    def __exit__(self, *exc):
        _state.current = self._stack.pop()

    def use(self):
        _state.current = self.id

    def synchronize(self):
        pass

    @property
    def compute_capability(self):
        return "90"

    def __eq__(self, other):
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self):
        return hash(self.id)

    def __repr__(self):
        return f"<CUDA Device {self.id}>"


class CUDARuntimeError(RuntimeError):
    pass


def _get_device():
    return _state.current


def _device_count():
    return _state.n_devices


def _set_device(i):
    Device(i).use()


def _props(i):
    Device(i)               # validates
    return {"name": b"Fake CUDA Device", "major": 9, "minor": 0,
            "totalGlobalMem": 80 * 2 ** 30, "multiProcessorCount": 132}


runtime = types.SimpleNamespace(
    getDevice=_get_device, setDevice=_set_device,
    getDeviceCount=_device_count, getDeviceProperties=_props,
    memGetInfo=lambda: (80 * 2 ** 30 - _pool.total_bytes(), 80 * 2 ** 30),
    runtimeGetVersion=lambda: 13020, driverGetVersion=lambda: 13020,
    deviceSynchronize=lambda: None, CUDARuntimeError=CUDARuntimeError)

_hooks_local = threading.local()


def get_memory_hooks():
    h = getattr(_hooks_local, "hooks", None)
    if h is None:
        h = _hooks_local.hooks = {}
    return h


class MemoryHook:
    """``cupy.cuda.MemoryHook``: registered per thread with ``with``."""

    name = "MemoryHook"

    def __enter__(self):
        hooks = get_memory_hooks()
        if self.name in hooks:
            raise KeyError(f"memory hook {self.name} already exists")
        hooks[self.name] = self
        return self

    def __exit__(self, *_):
        del get_memory_hooks()[self.name]

    def alloc_preprocess(self, **kw): pass
    def alloc_postprocess(self, **kw): pass
    def malloc_preprocess(self, **kw): pass
    def malloc_postprocess(self, **kw): pass
    def free_preprocess(self, **kw): pass
    def free_postprocess(self, **kw): pass


class MemoryPool:
    """Per-device ``used`` and ``total`` bytes; sizes rounded to 512 as
    CuPy's pool rounds them.  Freed blocks stay cached (``total``) until
    ``free_all_blocks``."""

    def __init__(self):
        self.used = {}
        self.cached = {}        # device -> list of cached block sizes

    def malloc(self, nbytes, dev):
        size = -(-nbytes // 512) * 512
        if size == 0:
            return 0
        hooks = list(get_memory_hooks().values())
        for h in hooks:
            h.malloc_preprocess(device_id=dev, size=nbytes, mem_size=size)
        cache = self.cached.setdefault(dev, [])
        if size in cache:
            cache.remove(size)
        else:
            for h in hooks:
                h.alloc_preprocess(device_id=dev, mem_size=size)
            self._grow(dev, size)
            for h in hooks:
                h.alloc_postprocess(device_id=dev, mem_size=size, mem_ptr=1)
        self.used[dev] = self.used.get(dev, 0) + size
        for h in hooks:
            h.malloc_postprocess(device_id=dev, size=nbytes, mem_size=size,
                                 mem_ptr=1, pmem_id=1)
        return size

    def _grow(self, dev, size):
        self._total = getattr(self, "_total", {})
        self._total[dev] = self._total.get(dev, 0) + size

    def free(self, size, dev):
        if not size:
            return
        hooks = list(get_memory_hooks().values())
        for h in hooks:
            h.free_preprocess(device_id=dev, mem_size=size, mem_ptr=1,
                              pmem_id=1)
        self.used[dev] -= size
        self.cached.setdefault(dev, []).append(size)
        for h in hooks:
            h.free_postprocess(device_id=dev, mem_size=size, mem_ptr=1,
                               pmem_id=1)

    # The public API reads the current device, as CuPy's MemoryPool does.
    def used_bytes(self):
        return self.used.get(_state.current, 0)

    def total_bytes(self):
        return getattr(self, "_total", {}).get(_state.current, 0)

    def free_bytes(self):
        return self.total_bytes() - self.used_bytes()

    def free_all_blocks(self, stream=None):
        dev = _state.current
        freed = sum(self.cached.get(dev, []))
        self.cached[dev] = []
        if freed:
            self._total[dev] -= freed


_pool = MemoryPool()


def get_default_memory_pool():
    return _pool


def get_default_pinned_memory_pool():
    return types.SimpleNamespace(free_all_blocks=lambda: None)


class _Stream:
    def synchronize(self):
        pass


cuda = types.SimpleNamespace(
    Device=Device, runtime=runtime, MemoryHook=MemoryHook,
    memory_hook=types.SimpleNamespace(get_memory_hooks=get_memory_hooks,
                                      MemoryHook=MemoryHook),
    get_current_stream=lambda: _Stream(), Stream=types.SimpleNamespace(
        null=_Stream()), MemoryPool=MemoryPool,
    is_available=lambda: True)


def is_available():
    return True


# ---------------------------------------------------------------------------
# Arrays
class _Owner:
    """One allocation: the NumPy array that owns the memory, and its bytes in
    the pool, returned when the last array using it is gone."""

    __slots__ = ("dev", "root", "__weakref__")

    def __init__(self, root, dev):
        self.dev = dev
        self.root = root
        size = _pool.malloc(root.nbytes, dev)
        weakref.finalize(self, _pool.free, size, dev)


_owners = weakref.WeakValueDictionary()     # id(root numpy array) -> owner


def _root(a):
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _wrap(a, dev=None):
    """A fake array over NumPy data: a view of an existing allocation when
    ``a`` shares its memory, else a new allocation on ``dev`` (default: the
    current device, where CuPy puts kernel outputs)."""
    if isinstance(a, np.generic):
        a = np.asarray(a)
    r = _root(a)
    owner = _owners.get(id(r))
    if owner is None or owner.root is not r:
        owner = _Owner(r, _state.current if dev is None else dev)
        _owners[id(r)] = owner
    out = ndarray.__new__(ndarray)
    out._a = a
    out._owner = owner
    return out


def _unwrap_args(obj, allow_host):
    """Replace fake arrays by their data; reject NumPy arrays (CuPy never
    copies host arrays implicitly) unless ``allow_host``; require every
    fake array to be on the current device."""
    if isinstance(obj, ndarray):
        if obj._owner.dev != _state.current:
            raise ValueError(
                f"The device where the array resides ({obj._owner.dev}) is "
                f"different from the current device ({_state.current}). "
                "Peer access is unavailable between these devices.")
        return obj._a
    if isinstance(obj, np.ndarray):
        if not allow_host:
            raise TypeError(f"Unsupported type {type(obj)}")
        _log("upload", f"numpy array {obj.shape}")
        return obj
    if isinstance(obj, (list, tuple)):
        return type(obj)(_unwrap_args(o, allow_host) for o in obj)
    if isinstance(obj, dict):
        return {k: _unwrap_args(v, allow_host) for k, v in obj.items()}
    return obj


def _wrap_result(r):
    if isinstance(r, (np.ndarray, np.generic)):
        return _wrap(r)
    if isinstance(r, tuple):
        return tuple(_wrap_result(x) for x in r)
    if isinstance(r, list):
        return [_wrap_result(x) for x in r]
    return r


def _real_has(path):
    """Whether the installed CuPy has ``path`` (e.g. ``"linalg.norm"``)."""
    if _real is None:
        return True
    obj = _real
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return False
    return True


_SCALARS = (int, float, bool, complex, np.generic)


class ndarray:
    """A fake ``cupy.ndarray`` over NumPy data (see the module docstring)."""

    __array_priority__ = 100
    __hash__ = None

    # -- conversion: implicit is refused, explicit is logged ---------------
    def __array__(self, dtype=None, copy=None):
        raise TypeError(_MSG)

    def get(self, stream=None, order="C", out=None, blocking=True):
        _log("sync", "get()")
        a = np.array(self._a, order=order)
        if out is not None:
            out[...] = a
            return out
        return a

    def item(self, *args):
        _log("sync", "item()")
        return self._a.item(*args)

    def tolist(self):
        _log("sync", "tolist()")
        return self._a.tolist()

    def __bool__(self):
        _log("sync", "bool()")
        return bool(self._a)

    def __int__(self):
        _log("sync", "int()")
        return int(self._a)

    def __float__(self):
        _log("sync", "float()")
        return float(self._a)

    def __complex__(self):
        _log("sync", "complex()")
        return complex(self._a)

    def __index__(self):
        _log("sync", "index()")
        return self._a.__index__()

    def __repr__(self):
        _log("sync", "repr()")
        return repr(self._a)

    __str__ = __repr__

    def __format__(self, spec):
        _log("sync", "format()")
        return format(self._a, spec)

    def __iter__(self):
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        _log("sync", "Python iteration")
        return (self[i] for i in range(self._a.shape[0]))

    def __len__(self):
        if self._a.ndim == 0:
            raise TypeError("len() of unsized object")
        return self._a.shape[0]

    def __dlpack__(self, **_):
        raise BufferError("fake cupy arrays do not export DLPack")

    # -- attributes ---------------------------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)

    @property
    def flags(self):            # CuPy's flags have no ``writeable``
        f = self._a.flags
        return types.SimpleNamespace(c_contiguous=f.c_contiguous,
                                     f_contiguous=f.f_contiguous,
                                     owndata=self._a.base is None)

    @property
    def base(self):
        return None if self._a is self._owner.root else _VIEW_BASE

    @property
    def device(self):
        return Device(self._owner.dev)

    @property
    def data(self):
        ptr = self._a.__array_interface__["data"][0]
        return types.SimpleNamespace(ptr=ptr, device_id=self._owner.dev,
                                     device=Device(self._owner.dev))

    @property
    def T(self):
        return self._view(self._a.T)

    @property
    def mT(self):
        return self._view(np.swapaxes(self._a, -1, -2))

    def _view(self, a):
        out = ndarray.__new__(ndarray)
        out._a = a
        out._owner = self._owner
        return out

    # -- NumPy protocols ----------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc.signature is not None:
            return NotImplemented           # gufuncs (np.matmul): refused
        if method not in ("__call__", "reduce", "accumulate", "reduceat",
                          "outer", "at"):
            return NotImplemented
        if not _real_has(ufunc.__name__) or (
                method != "__call__" and not _real_has(
                    f"{ufunc.__name__}.{method}")):
            return NotImplemented
        out = kwargs.get("out")
        for x in inputs + (tuple(out) if out else ()):
            if not isinstance(x, (ndarray, np.ndarray) + _SCALARS):
                return NotImplemented
        if "out" in kwargs:
            kwargs["out"] = tuple(_unwrap_args(o, False) for o in out)
        r = getattr(ufunc, method)(*_unwrap_args(inputs, False), **kwargs)
        if out:
            return out[0] if len(out) == 1 else out
        return _wrap_result(r)

    def __array_function__(self, func, types_, args, kwargs):
        path = ".".join(func.__module__.split(".")[1:] + [func.__name__])
        if not _real_has(path):
            return NotImplemented
        if func.__name__ in _SYNCING or (func.__name__ == "where" and
                                         len(args) == 1):
            _log("sync", f"numpy.{func.__name__} (data-dependent shape)")
        for t in types_:
            if not issubclass(t, (ndarray, np.ndarray)):
                return NotImplemented
        return _wrap_result(func(*_unwrap_args(args, False),
                                 **_unwrap_args(kwargs, False)))

    # -- indexing ---------------------------------------------------------
    def _key(self, key):
        parts = key if isinstance(key, tuple) else (key,)
        out = []
        for k in parts:
            if isinstance(k, ndarray):
                if k.dtype == np.bool_:
                    _log("sync", "boolean-mask indexing")
                out.append(_unwrap_args(k, False))
            elif isinstance(k, (np.ndarray, list)):
                _log("upload", "host index array")
                out.append(np.asarray(k))
            else:
                out.append(k)
        return tuple(out) if isinstance(key, tuple) else out[0]

    def __getitem__(self, key):
        k = self._key(key)
        parts = key if isinstance(key, tuple) else (key,)
        if any(isinstance(p, (ndarray, np.ndarray, list)) for p in parts):
            _unwrap_args(self, False)   # advanced indexing runs a kernel
        r = self._a[k]
        if isinstance(r, np.generic):
            r = np.asarray(r)
        return _wrap(r)

    def __setitem__(self, key, value):
        _unwrap_args(self, False)
        full = key is Ellipsis or (isinstance(key, slice) and key == slice(
            None))
        if isinstance(value, np.ndarray) and not full:
            raise TypeError(f"Unsupported type {type(value)}")
        if isinstance(value, np.ndarray):
            _log("upload", "setitem from numpy")
        self._a[self._key(key)] = _unwrap_args(value, True)

    # -- methods: only those cupy.ndarray has ------------------------------
    def __getattr__(self, name):
        if name.startswith("_") or not hasattr(np.ndarray, name) or (
                _real is not None and not hasattr(_real.ndarray, name)):
            raise AttributeError(
                f"'cupy.ndarray' object has no attribute '{name}'")
        fn = getattr(self._a, name)
        if not callable(fn):
            return _wrap_result(fn)

        @functools.wraps(fn)
        def method(*args, **kwargs):
            if name in _SYNCING:
                _log("sync", f"ndarray.{name} (data-dependent shape)")
            r = fn(*_unwrap_args(args, False), **_unwrap_args(kwargs, False))
            if not (isinstance(r, np.ndarray) and _root(r) is
                    self._owner.root):
                # Not a view: a kernel ran, on the current device.
                _unwrap_args(self, False)
            return _wrap_result(r)
        return method

    def copy(self, order="C"):
        # CuPy copies onto the *current* device (even from another one).
        return _wrap(np.array(self._a, order=order), _state.current)

    def astype(self, dtype, order="K", casting=None, subok=None, copy=True):
        _unwrap_args(self, False)
        if not copy and self._a.dtype == np.dtype(dtype):
            return self
        return _wrap(self._a.astype(dtype, order=order))

    def view(self, dtype=None):
        return self._view(self._a.view() if dtype is None
                          else self._a.view(dtype))


class _ViewBase:                # ``.base`` of a view is "something"
    pass


_VIEW_BASE = _ViewBase()


def _binop(ufunc, reflected=False):
    def op(self, other):
        args = (other, self) if reflected else (self, other)
        return self.__array_ufunc__(ufunc, "__call__", *args)
    return op


def _iop(ufunc):
    def op(self, other):
        r = self.__array_ufunc__(ufunc, "__call__", self, other, out=(self,))
        return self if r is not NotImplemented else r
    return op


for _name, _uf in (("add", np.add), ("sub", np.subtract),
                   ("mul", np.multiply), ("truediv", np.true_divide),
                   ("floordiv", np.floor_divide), ("mod", np.remainder),
                   ("pow", np.power), ("and", np.bitwise_and),
                   ("or", np.bitwise_or), ("xor", np.bitwise_xor),
                   ("lshift", np.left_shift), ("rshift", np.right_shift)):
    setattr(ndarray, f"__{_name}__", _binop(_uf))
    setattr(ndarray, f"__r{_name}__", _binop(_uf, True))
    setattr(ndarray, f"__i{_name}__", _iop(_uf))
for _name, _uf in (("eq", np.equal), ("ne", np.not_equal), ("lt", np.less),
                   ("le", np.less_equal), ("gt", np.greater),
                   ("ge", np.greater_equal)):
    setattr(ndarray, f"__{_name}__", _binop(_uf))
for _name, _uf in (("neg", np.negative), ("pos", np.positive),
                   ("abs", np.absolute), ("invert", np.invert)):
    setattr(ndarray, f"__{_name}__",
            (lambda uf: lambda self: self.__array_ufunc__(uf, "__call__",
                                                          self))(_uf))


def _matmul(self, other):
    return matmul(self, other)


def _rmatmul(self, other):
    return matmul(other, self)


ndarray.__matmul__ = _matmul
ndarray.__rmatmul__ = _rmatmul
ndarray.__module__ = "cupy"


# ---------------------------------------------------------------------------
# Module functions
def asarray(a, dtype=None, order=None, blocking=False):
    if isinstance(a, ndarray):
        if a._owner.dev != _state.current:
            return a            # CuPy returns it as is (no copy)
        return a if dtype is None or a.dtype == np.dtype(dtype) else \
            a.astype(dtype)
    _log("upload", f"asarray({type(a).__name__})")
    return _wrap(np.array(a, dtype=dtype, order=order or "K"))


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0,
          blocking=False):
    if isinstance(obj, ndarray):
        if not copy and (dtype is None or obj.dtype == np.dtype(dtype)):
            return obj
        return obj.astype(dtype or obj.dtype)
    _log("upload", f"array({type(obj).__name__})")
    return _wrap(np.array(obj, dtype=dtype, order=order, ndmin=ndmin))


def asnumpy(a, stream=None, order="C", out=None, blocking=True):
    if isinstance(a, ndarray):
        return a.get(order=order, out=out)
    return np.asarray(a, order=order)


def get_array_module(*args):
    return sys.modules[__name__] if any(isinstance(a, ndarray)
                                        for a in args) else np


def matmul(a, b, out=None, **kw):
    ua, ub = _unwrap_args((a, b), False)
    if out is not None:
        np.matmul(ua, ub, out=_unwrap_args(out, False), **kw)
        return out
    return _wrap_result(np.matmul(ua, ub, **kw))


def _as_strided(x, shape=None, strides=None):
    """``cupy.lib.stride_tricks.as_strided``: a view of the same memory."""
    if not isinstance(x, ndarray):
        raise TypeError(f"Unsupported type {type(x)}")
    return x._view(np.lib.stride_tricks.as_strided(x._a, shape, strides))


lib = types.SimpleNamespace(stride_tricks=types.SimpleNamespace(
    as_strided=_as_strided))


def from_dlpack(obj, **_):
    raise BufferError("fake cupy has no DLPack")


# CuPy functions whose output shape depends on the data: they read a count
# back from the device (CuPy declares a synchronisation in each).
_SYNCING = {"nonzero", "argwhere", "flatnonzero", "unique", "compress",
            "extract", "place", "choose"}


def _function(name):
    """``cupy.<name>`` backed by ``numpy.<name>`` (host arrays refused)."""
    np_fn = getattr(np, name)
    if isinstance(np_fn, type) or not callable(np_fn):
        return np_fn            # dtypes (cupy.float32 is numpy.float32) ...

    @functools.wraps(np_fn)
    def fn(*args, **kwargs):
        if name in _SYNCING or (name == "where" and len(args) == 1):
            _log("sync", f"cupy.{name} (data-dependent shape)")
        return _wrap_result(np_fn(*_unwrap_args(args, False),
                                  **_unwrap_args(kwargs, False)))
    return fn


def __getattr__(name):
    if name.startswith("__") or not hasattr(np, name) or not _real_has(name):
        raise AttributeError(f"module 'cupy' has no attribute '{name}'")
    fn = _function(name)
    globals()[name] = fn
    return fn


class _Generator:
    """``cupy.random.Generator``: only the methods CuPy has (no
    ``permutation``, ``normal``, ``choice``)."""

    def __init__(self, seed):
        self._g = np.random.default_rng(seed)
        self._dev = _state.current

    def _draw(self, method, *args, **kwargs):
        if _state.current != self._dev:
            raise ValueError("generator used on another device")
        return _wrap(np.asarray(getattr(self._g, method)(*args, **kwargs)))

    def random(self, size=None, dtype=np.float64, out=None):
        return self._draw("random", size, dtype=dtype)

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        return self._draw("standard_normal", size, dtype=dtype)

    def integers(self, low, high=None, size=None, dtype=np.int64,
                 endpoint=False):
        return self._draw("integers", low, high, size, dtype=dtype,
                          endpoint=endpoint)

    def uniform(self, low=0.0, high=1.0, size=None, dtype=np.float64):
        return _wrap(self._g.uniform(low, high, size).astype(dtype))


random = types.SimpleNamespace(default_rng=lambda seed=None: _Generator(seed),
                               Generator=_Generator)


# ---------------------------------------------------------------------------
# cupyx: the parts pytensor_ext's reference kernels use on CuPy arrays.
def _special(name):
    try:
        import scipy.special as sps
        fn = getattr(sps, name)
    except (ImportError, AttributeError):   # pragma: no cover
        import math
        one = getattr(math, name)

        def fn(a):
            out = np.frompyfunc(one, 1, 1)(np.asarray(a, np.float64))
            return np.asarray(out, np.float64).astype(np.asarray(a).dtype)

    def kernel(x, *args):
        if not isinstance(x, ndarray):
            raise TypeError(f"Unsupported type {type(x)}")
        return _wrap_result(fn(_unwrap_args(x, False), *args))
    kernel.__name__ = name
    return kernel


def _scatter_add(a, slices, value):
    """``cupyx.scatter_add``: ``a[slices] += value`` with repeats summed."""
    np.add.at(_unwrap_args(a, False), _unwrap_args(slices, False),
              _unwrap_args(value, False))


_special_ns = types.ModuleType("cupyx.scipy.special")
for _n in ("erf", "erfc", "erfinv", "erfcinv", "gammaln", "digamma",
           "expit", "log_expit", "ndtr", "ndtri", "i0", "i1", "logit"):
    setattr(_special_ns, _n, _special(_n))
_scipy_ns = types.ModuleType("cupyx.scipy")
_scipy_ns.special = _special_ns


@contextlib.contextmanager
def _allow_synchronize(allow):
    prev = _state.allow_sync
    _state.allow_sync = allow
    try:
        yield
    finally:
        _state.allow_sync = prev


cupyx = types.ModuleType("cupyx")
cupyx.scipy = _scipy_ns
cupyx.scatter_add = _scatter_add
cupyx.allow_synchronize = _allow_synchronize
cupyx.DeviceSynchronized = DeviceSynchronized
_CUPYX = {"cupyx": cupyx, "cupyx.scipy": _scipy_ns,
          "cupyx.scipy.special": _special_ns}


# ---------------------------------------------------------------------------
@contextlib.contextmanager
def installed(n_devices=2):
    """Make ``import cupy`` give this module and pytensor see ``n_devices``
    fake GPUs; kernels come from ``pytensor_ext.reference`` (the fake cannot
    run CuPy kernels).  Everything is restored on exit."""
    import pytensor_ext
    from pytensor import backend, cuda as pcuda
    mod = sys.modules[__name__]
    saved_x = {k: sys.modules.get(k) for k in _CUPYX}
    saved = dict(cupy=sys.modules.get("cupy"), b_cupy=backend._cupy,
                 b_ok=backend._cuda_ok, b_n=backend._n_devices,
                 ext_gpu=pytensor_ext._gpu, tracker=pcuda._tracker,
                 gens=dict(pcuda._generators),
                 default=backend._default_device[0])
    _state.n_devices, _state.current = n_devices, 0
    global _pool
    _pool = MemoryPool()
    sys.modules["cupy"] = mod
    sys.modules.update(_CUPYX)
    backend._cupy = mod
    backend._cuda_ok = None
    backend._cuda_devices.clear()
    pytensor_ext._gpu = pytensor_ext.reference
    pcuda._tracker = None
    pcuda._generators.clear()
    try:
        assert backend.cuda_available()
        yield mod
    finally:
        if pcuda._tracker:
            with contextlib.suppress(KeyError):
                pcuda._tracker.__exit__()
        for k, v in list(saved_x.items()) + [("cupy", saved["cupy"])]:
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
        backend._cupy, backend._cuda_ok = saved["b_cupy"], saved["b_ok"]
        backend._n_devices = saved["b_n"]
        backend._cuda_devices.clear()
        backend._default_device[0] = saved["default"]
        pytensor_ext._gpu = saved["ext_gpu"]
        pcuda._tracker = saved["tracker"]
        pcuda._generators.clear()
        pcuda._generators.update(saved["gens"])
