"""Helpers shared by op files: operand promotion, argument checks, errors.

Kept small and fast: ``binary_operands`` runs on every arithmetic op.
"""
import contextlib
import functools
import numbers

import numpy as np

from pytensor import backend as _backend
from pytensor import dtypes as _dt
from pytensor.autograd.function import resolve_devices
from pytensor.tensor import Tensor

_BY_NP = _dt._BY_NP
_py_scalars = (int, float, bool)
_F32, _F64 = _dt.NP_F32, _dt.NP_F64


def is_tensor(x):
    return isinstance(x, Tensor)


def promote(op, a, b):
    """Promote two operands (Tensors or Python numbers) per PyTorch.

    Returns ``(a, b)`` where Tensors have been cast (differentiably) to the
    result dtype and numbers are left as Python numbers: NumPy treats those
    as "weak", so they do not change the array's dtype.
    """
    ta = isinstance(a, Tensor)
    tb = isinstance(b, Tensor)
    if ta and tb:
        da, db = a._data.dtype, b._data.dtype
        if da is db or da == db:
            return a, b
        res = _dt.result_type(a, b).np
        if da != res:
            a = a.to(_BY_NP[res])
        if db != res:
            b = b.to(_BY_NP[res])
        return a, b
    if ta:
        t, s = a, b
    elif tb:
        t, s = b, a
    else:
        raise TypeError(f"{op}: expected at least one Tensor, got "
                        f"{type(a).__name__} and {type(b).__name__}")
    sc = type(s)
    if sc is not float and sc is not int:
        s = _check_scalar(op, t, s)
        sc = None               # (_kind_of_scalar refuses complex)
    # An int or float never promotes a float tensor: no kind lookups then.
    dt = t._data.dtype
    if (sc is None or (dt is not _F32 and dt is not _F64)) and \
            _rank(_kind_of_scalar(s)) > _rank(dt.kind):
        # A float scalar with an integer tensor computes in the default
        # float dtype (PyTorch), not float64 (NumPy).
        t = t.to(_dt.result_type(t, s))
    return (t, s) if ta else (s, t)


def _check_scalar(op, t, s):
    if isinstance(s, np.ndarray):
        raise TypeError(f"{op}: got a NumPy array operand; wrap it with "
                        "pytensor.tensor(...) first")
    if isinstance(s, np.generic):
        return s.item()
    if not isinstance(s, numbers.Number):
        raise TypeError(f"{op}: unsupported operand type "
                        f"{type(s).__name__} (with a Tensor of dtype "
                        f"{t.dtype})")
    return s


def _rank(kind):
    return 0 if kind == "b" else 2 if kind == "f" else 1


def _kind_of_scalar(s):
    c = type(s)
    if c is float:
        return "f"
    if c is bool:
        return "b"
    if c is int or isinstance(s, numbers.Integral):
        return "i"
    if isinstance(s, complex):
        raise TypeError("complex numbers are not supported by pytensor")
    return "f"


def broadcast_error(op, a, b):
    sa = list(getattr(a, "shape", ()))
    sb = list(getattr(b, "shape", ()))
    n = max(len(sa), len(sb))
    pa = [1] * (n - len(sa)) + sa
    pb = [1] * (n - len(sb)) + sb
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return RuntimeError(
                f"{op}: the size of tensor a ({pa[i]}) must match the size "
                f"of tensor b ({pb[i]}) at non-singleton dimension {i} "
                f"(shapes {sa} and {sb})")
    return RuntimeError(f"{op}: shapes {sa} and {sb} are not broadcastable")


def canonical_dim(dim, ndim, op):
    """Wrap a possibly negative dim; IndexError naming the op if invalid."""
    n = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    if not -n <= dim < n:
        raise IndexError(
            f"{op}: Dimension out of range (expected to be in range of "
            f"[{-n}, {n - 1}], but got {dim})")
    return int(dim) % n if ndim else 0


def canonical_dims(dim, ndim, op):
    """A tuple of wrapped dims from None (all), an int or a sequence."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        return (canonical_dim(dim, ndim, op),)
    dims = tuple(canonical_dim(d, ndim, op) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"{op}: dim {list(dim)} appears multiple times in "
                           "the list of dims")
    return dims


def float_only(op, t):
    if t._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point tensor, got "
                           f"{t.dtype}")


def to_float(t):
    """Integer/bool tensors become the default float dtype (as PyTorch's
    ``exp``, ``sqrt``, ``mean``... do); float tensors are unchanged."""
    dt = t._data.dtype
    if dt is _F32 or dt is _F64 or dt.kind == "f":
        return t
    return t.to(_dt.get_default_dtype())


def as_tensor_like(x, like):
    """A Python number or array as a tensor of ``like``'s dtype and device."""
    if isinstance(x, Tensor):
        return x
    from pytensor.creation import tensor
    return tensor(x, dtype=like.dtype, device=like.device)


def same_device(op, *args):
    """``args`` with their Tensors on one device, for ops that do not go
    through ``Function.apply`` (comparisons, logical ops): 0-d CPU tensors
    join a GPU, any other mix raises a RuntimeError naming the op and both
    devices (``Function.apply`` does the same for every other op)."""
    first = None
    for a in args:
        if isinstance(a, Tensor):
            arr = a._data
            if first is None:
                first = arr
            elif type(arr) is not type(first) or (
                    type(arr) is not np.ndarray
                    and arr.data.device_id != first.data.device_id):
                moved = resolve_devices(op, args)
                return args if moved is None else moved
    return args


_no_guard = contextlib.nullcontext()


def on_input_device(fn):
    """Decorator for ops that compute on raw arrays outside
    ``Function.apply`` (comparisons, ``argmax``, ``isnan`` ...): run with
    the first Tensor argument's GPU current, as ``Function.apply`` does for
    every other op.  CuPy launches kernels and allocates on the *current*
    device, so without it a ``cuda:1`` tensor would be computed on
    ``cuda:0``.  A class check and nothing else for CPU tensors."""
    @functools.wraps(fn)
    def op(*args, **kwargs):
        for a in args:
            if isinstance(a, Tensor):
                guard = _backend.device_guard(a._data)
                if guard is not None:
                    with guard:
                        return fn(*args, **kwargs)
                break
        return fn(*args, **kwargs)
    return op


def on_device_of(arr):
    """A context manager making ``arr``'s GPU current (CuPy runs kernels on
    the current device); a no-op for NumPy arrays and the current GPU."""
    g = _backend.device_guard(arr)
    return _no_guard if g is None else g
