"""Tensor construction: ``tensor``, ``as_tensor``, ``from_numpy`` and the
factories (``zeros ones full empty arange linspace eye`` and ``*_like``).

Every factory takes ``dtype=``, ``device=`` and ``requires_grad=``, as in
PyTorch.  Python floats become the default dtype (float32), Python ints
int64, bools bool; NumPy arrays keep their dtype.
"""
import numbers

import numpy as np

from pytensor import backend as _backend
from pytensor import dtypes as _dt
from pytensor._errors import public as _public
from pytensor.tensor import Tensor

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones",
           "full", "empty", "arange", "linspace", "logspace", "eye",
           "zeros_like", "ones_like", "full_like", "empty_like",
           "scalar_tensor"]

_ndarray = np.ndarray


def _infer_np_dtype(data, arr):
    """PyTorch's inference: Python floats -> default dtype, ints -> int64."""
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype == np.float64 and not _has_numpy_floats(data):
        return _dt.get_default_dtype().np
    if kind in "iu" and not _has_numpy_ints(data):
        return np.dtype(np.int64)
    return arr.dtype


def _has_numpy_floats(data):
    if isinstance(data, np.ndarray):
        return True
    if isinstance(data, np.floating):
        return True
    if isinstance(data, (list, tuple)) and data:
        return _has_numpy_floats(data[0])
    return False


def _has_numpy_ints(data):
    if isinstance(data, (np.ndarray, np.integer)):
        return True
    if isinstance(data, (list, tuple)) and data:
        return _has_numpy_ints(data[0])
    return False


def _nested_to_array(data):
    """np.array on nested lists that may hold 0-d/1-element Tensors."""
    if isinstance(data, Tensor):
        arr = data._data
        return arr if arr.__class__ is _ndarray else _backend.to_device(
            arr, _backend.CPU)
    if isinstance(data, (list, tuple)):
        if data and any(isinstance(d, (Tensor, list, tuple)) for d in data):
            parts = [_nested_to_array(d) for d in data]
            try:
                return np.stack(parts) if parts else np.array(parts)
            except ValueError:
                raise ValueError(
                    "tensor: expected a sequence of equal-length sequences, "
                    f"got lengths {[len(p) if p.ndim else 0 for p in parts]}"
                ) from None
        return np.array(data)
    return np.asarray(data)


def _to_array(data, dtype=None, device=None, copy=True):
    """The storage array for ``tensor``/``as_tensor``: ``data`` converted to
    ``dtype`` on ``device``.

    With ``device=None``, a Tensor or CuPy array stays on its own device (as
    PyTorch keeps a CUDA tensor's device) unless a default device was set;
    everything else goes to the default device.
    """
    if device is None and not _backend.default_device_was_set() and (
            isinstance(data, Tensor) or _backend.is_cuda_array(data)):
        arr = data._data if isinstance(data, Tensor) else data
        dev = _backend.device_of(arr)
    else:
        dev = _backend.resolve_device(device)
    want = _dt.to_dtype(dtype).np if dtype is not None else None
    if isinstance(data, Tensor) or _backend.is_cuda_array(data):
        arr = data._data if isinstance(data, Tensor) else data
        if not isinstance(data, Tensor) and arr.dtype not in _dt._BY_NP:
            _dt.from_numpy_dtype(arr.dtype)     # raises a clear TypeError
        if _backend.device_of(arr) != dev:
            arr = _backend.to_device(arr, dev)  # a new array: no copy needed
            copy = False

        def convert(xp):
            if want is not None and arr.dtype != want:
                return arr.astype(want)
            return arr.copy() if copy else arr
        return _on_device(dev, convert)
    if isinstance(data, np.ndarray):
        arr = data
    else:
        try:
            arr = _nested_to_array(data)
        except (TypeError, ValueError) as e:
            raise TypeError(f"tensor: could not build a tensor from "
                            f"{type(data).__name__}: {e}") from None
        if arr.dtype == object:
            raise TypeError(
                f"tensor: could not infer a dtype for {type(data).__name__} "
                "(ragged nesting or non-numeric elements?)")
        copy = False
    target = want if want is not None else _infer_np_dtype(data, arr)
    if target not in _dt._BY_NP:
        _dt.from_numpy_dtype(target)        # raises a clear TypeError
    if arr.dtype != target:
        arr = arr.astype(target)
    elif copy and dev.type == "cpu":
        arr = arr.copy()                    # (uploading copies anyway)
    if not arr.flags.c_contiguous and not arr.flags.f_contiguous:
        arr = np.ascontiguousarray(arr)
    return _backend.array_on(dev, arr)


def _finish(arr, requires_grad):
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor (a copy) from data.

    Args:
        data: a number, (nested) list/tuple, NumPy array or Tensor.
        dtype: the pytensor dtype; inferred when None.
        device: ``"cpu"`` or ``"cuda[:N]"``.
        requires_grad (bool): make it a leaf that records operations.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> pytensor.tensor([[1, 2], [3, 4]])
        tensor([[1, 2],
                [3, 4]])
        >>> pytensor.tensor(2.5, dtype=pytensor.float64)
        tensor(2.5000, dtype=pytensor.float64)
    """
    return _finish(_to_array(data, dtype, device, copy=True), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like :func:`tensor`, but shares memory with ``data`` when it is already
    a Tensor or array of the requested dtype and device."""
    if isinstance(data, Tensor):
        want = _dt.to_dtype(dtype) if dtype is not None else None
        if (want is None or want is data.dtype) and (
                device is None or
                _backend.resolve_device(device) == data.device):
            return data
        return data.to(device=device, dtype=want)
    return _finish(_to_array(data, dtype, device, copy=False), False)


asarray = as_tensor


def from_numpy(array):
    """A tensor sharing memory with a NumPy array (writes are seen by both).

    Example:
        >>> import numpy as np, pytensor
        >>> a = np.zeros(3, dtype=np.float32)
        >>> t = pytensor.from_numpy(a)
        >>> a[0] = 5
        >>> t
        tensor([5., 0., 0.])
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got "
                        f"{type(array).__name__})")
    _dt.from_numpy_dtype(array.dtype)
    return Tensor._make(array)


def _shape_arg(size, op):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, numbers.Integral):
            raise TypeError(f"{op}: size must be ints, got {size!r}")
        if s < 0:
            raise RuntimeError(f"{op}: trying to create tensor with negative "
                               f"dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _resolve(dtype, device, default=None):
    d = _dt.to_dtype(dtype) if dtype is not None else (
        default or _dt.get_default_dtype())
    return d.np, _backend.resolve_device(device)


def _on_device(dev, make):
    """Run ``make(xp)`` with ``dev``'s array module, on that device (CuPy
    allocates on the current device)."""
    if dev.type == "cpu":
        return make(np)
    cp = _backend.cupy_or_none()
    with cp.cuda.Device(dev.index):
        return make(cp)


def _filled(op, size, value, dtype, device, requires_grad):
    npd, dev = _resolve(dtype, device)
    shape = _shape_arg(size, op)
    if dev.type == "cpu":
        arr = np.full(shape, value, npd)
    else:
        arr = _on_device(dev, lambda xp: xp.full(shape, value, npd))
    return _finish(arr, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of zeros of the given size (ints or one tuple)."""
    return _filled("zeros", size, 0, dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of ones of the given size."""
    return _filled("ones", size, 1, dtype, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    """An uninitialised tensor (here: zero-filled, so no garbage is shown)."""
    return _filled("empty", size, 0, dtype, device, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value``; the dtype follows
    the value (bool, int64 or the default float) when not given."""
    if dtype is None:
        if isinstance(fill_value, Tensor):
            fill_value = fill_value.item()
        dtype = _dt.result_type(fill_value)
    return _filled("full", (size,) if not isinstance(size, (tuple, list))
                   else (tuple(size),), fill_value, dtype, device,
                   requires_grad)


def _like(t, dtype, device):
    return (t.dtype if dtype is None else dtype,
            t.device if device is None else device)


def zeros_like(input, dtype=None, device=None, requires_grad=False):
    d, dev = _like(input, dtype, device)
    return zeros(input.shape, dtype=d, device=dev, requires_grad=requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False):
    d, dev = _like(input, dtype, device)
    return ones(input.shape, dtype=d, device=dev, requires_grad=requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False):
    d, dev = _like(input, dtype, device)
    return empty(input.shape, dtype=d, device=dev, requires_grad=requires_grad)


def full_like(input, fill_value, dtype=None, device=None,
              requires_grad=False):
    d, dev = _like(input, dtype, device)
    return full(input.shape, fill_value, dtype=d, device=dev,
                requires_grad=requires_grad)


def scalar_tensor(value, dtype=None, device=None, requires_grad=False):
    """A 0-d tensor holding ``value`` (default float dtype); filled on the
    device, no host copy."""
    if isinstance(value, Tensor):
        value = value.item()
    return _filled("scalar_tensor", ((),), value,
                   dtype or _dt.get_default_dtype(), device, requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None,
           requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive) by ``step``.

    The dtype is int64 when all of start/end/step are integers, else the
    default float dtype.

    Example:
        >>> import pytensor
        >>> pytensor.arange(3)
        tensor([0, 1, 2])
        >>> pytensor.arange(0, 1, 0.25)
        tensor([0.0000, 0.2500, 0.5000, 0.7500])
    """
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v
            for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            f"arange: upper bound and larger bound inconsistent with step "
            f"sign (start={start}, end={end}, step={step})")
    if dtype is None:
        is_int = all(isinstance(v, numbers.Integral) for v in vals)
        dtype = _dt.int64 if is_int else _dt.get_default_dtype()
    npd, dev = _resolve(dtype, device)
    # Compute in float64 (or int64) and cast, as PyTorch does, so that
    # float32 ranges have the exact length ceil((end-start)/step).
    n = int(np.ceil((end - start) / step))
    work = np.float64 if npd.kind == "f" else np.int64
    arr = _on_device(dev, lambda xp: (
        start + xp.arange(n, dtype=work) * step).astype(npd))
    return _finish(arr, requires_grad)


def linspace(start, end, steps, dtype=None, device=None,
             requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if steps < 0:
        raise RuntimeError("linspace: number of steps must be non-negative")
    npd, dev = _resolve(dtype, device)
    arr = _on_device(dev, lambda xp: xp.linspace(
        float(start), float(end), int(steps)).astype(npd))
    return _finish(arr, requires_grad)


def logspace(start, end, steps, base=10.0, dtype=None, device=None,
             requires_grad=False):
    npd, dev = _resolve(dtype, device)
    arr = _on_device(dev, lambda xp: xp.logspace(
        float(start), float(end), int(steps), base=base).astype(npd))
    return _finish(arr, requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    """The ``n x m`` identity matrix."""
    npd, dev = _resolve(dtype, device)
    arr = _on_device(dev, lambda xp: xp.eye(
        n, n if m is None else m, dtype=npd))
    return _finish(arr, requires_grad)


# ---------------------------------------------------------------------------
# ``Tensor.new_*``: factories that default to the tensor's dtype and device.
def _new_kw(self, dtype, device):
    return (self.dtype if dtype is None else dtype,
            self.device if device is None else device)


def _new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    """A new tensor from ``data`` with this tensor's dtype and device by
    default (a copy, as :func:`tensor`)."""
    d, dev = _new_kw(self, dtype, device)
    return tensor(data, dtype=d, device=dev, requires_grad=requires_grad)


def _new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
    """Zeros of ``size``, with this tensor's dtype and device by default.

    Example:
        >>> import pytensor
        >>> pytensor.tensor([1], dtype=pytensor.int32).new_zeros(2, 2)
        tensor([[0, 0],
                [0, 0]], dtype=pytensor.int32)
    """
    d, dev = _new_kw(self, dtype, device)
    return zeros(*size, dtype=d, device=dev, requires_grad=requires_grad)


def _new_ones(self, *size, dtype=None, device=None, requires_grad=False):
    """Ones of ``size``, with this tensor's dtype and device by default."""
    d, dev = _new_kw(self, dtype, device)
    return ones(*size, dtype=d, device=dev, requires_grad=requires_grad)


def _new_empty(self, *size, dtype=None, device=None, requires_grad=False):
    """An uninitialised tensor of ``size`` (this tensor's dtype/device)."""
    d, dev = _new_kw(self, dtype, device)
    return empty(*size, dtype=d, device=dev, requires_grad=requires_grad)


def _new_full(self, size, fill_value, dtype=None, device=None,
              requires_grad=False):
    """``fill_value`` everywhere, with this tensor's dtype and device by
    default."""
    d, dev = _new_kw(self, dtype, device)
    return full(size, fill_value, dtype=d, device=dev,
                requires_grad=requires_grad)


def _get_device(self):
    """The CUDA ordinal of a CUDA tensor; -1 for a CPU tensor (PyTorch)."""
    d = self.device
    return -1 if d.type == "cpu" else d.index


for _name, _fn in (("new_tensor", _new_tensor), ("new_zeros", _new_zeros),
                   ("new_ones", _new_ones), ("new_empty", _new_empty),
                   ("new_full", _new_full), ("get_device", _get_device)):
    _fn.__name__ = _name
    setattr(Tensor, _name, _public(_fn, _name, method=True))
Tensor.is_cpu = property(lambda self: self._data.__class__ is _ndarray,
                         doc="True for a tensor on the CPU.")
