"""Calling ``pytensor_ext`` kernels from ops.

The compiled kernels (Cython on the CPU, CuPy on the GPU) are written for
contiguous float32/float64 arrays; their wrappers validate exactly that.
These helpers make the op side hand them what they accept:

- :func:`kernels` picks ``kernels_for(x)`` for float32/float64 arrays and
  the NumPy reference (which takes any dtype, on either device) otherwise,
  so float16 and the integer paths of ``relu`` keep working;
- :func:`run_elementwise` calls an elementwise kernel on C-contiguous,
  same-dtype, 1-d views (0-d and strided inputs included) and restores the
  shape;
- :func:`run_along` calls a kernel that works along ``dim`` (softmax
  family) on C-contiguous arrays of at least one dimension.
"""
import numpy as np

import pytensor_ext
from pytensor.dtypes import NP_F32, NP_F64
from pytensor_ext import cpu as _cpu, kernels_for as _ext_kernels_for

__all__ = ["kernels", "kernels_for", "run_elementwise", "run_along",
           "contiguous", "binary_kernels"]

_ndarray = np.ndarray
_F32, _F64 = NP_F32, NP_F64
_FAST = (_F32, _F64)


def kernels_for(array):
    """``pytensor_ext.kernels_for`` (``cpu`` for NumPy arrays, ``gpu`` for
    CuPy arrays), compiled here with the ops: a backward calls it per node,
    and a call into the uncompiled package costs an interpreter frame."""
    if type(array) is _ndarray:
        return _cpu
    return _ext_kernels_for(array)


def kernels(x):
    """The kernel namespace for array ``x`` (see the module docstring)."""
    if x.dtype in _FAST:
        return kernels_for(x)
    return pytensor_ext.reference


def contiguous(x):
    """``x`` if C-contiguous, else a C-contiguous copy (NumPy or CuPy)."""
    if x.flags.c_contiguous:
        return x
    if type(x) is np.ndarray:
        return np.ascontiguousarray(x)
    return x.copy(order="C")


def _arrays(arrays):
    """NumPy turns 0-d results into scalars; kernels take arrays."""
    return tuple(np.asarray(a) if isinstance(a, np.generic) else a
                 for a in arrays)


def _flat(a, dtype):
    if a.dtype != dtype:
        a = a.astype(dtype)
    return contiguous(a).reshape(-1)


def run_elementwise(name, *arrays, extra=()):
    """``kernels(arrays[0]).<name>(*arrays, *extra)``.

    All arrays must have one shape; they are cast to the first one's dtype
    (an upstream gradient may arrive in another float dtype).  ``extra``
    holds non-array arguments (``approximate`` for GELU), passed
    positionally.  The compiled kernels take arrays of any shape and layout,
    so the common case (float32/float64, one dtype) goes straight to them;
    the rest is flattened to contiguous 1-d views first.
    """
    first = arrays[0]
    cls = type(first)
    if cls is _ndarray:         # (identity checks before a tuple search)
        dt = first.dtype
        fast = dt is _F32 or dt is _F64 or dt in _FAST
    else:
        dt = getattr(first, "dtype", None)
        fast = dt in _FAST and not isinstance(first, np.generic)
    if fast:
        for a in arrays[1:]:
            if type(a) is not cls or a.dtype != dt or \
                    a.shape != first.shape:
                break
        else:
            if extra:
                return getattr(kernels_for(first), name)(*arrays, *extra)
            return getattr(kernels_for(first), name)(*arrays)
    return _run_flat(name, arrays, extra)


def _run_flat(name, arrays, extra):
    # (A separate function: compiled, the generator expressions here would
    # make run_elementwise allocate a closure scope on every call.)
    arrays = _arrays(arrays)
    first = arrays[0]
    shape = first.shape
    if first.size == 0:
        return first.copy()
    fn = getattr(kernels(first), name)
    out = fn(*(_flat(a, first.dtype) for a in arrays), *extra)
    return out.reshape(shape)


def run_along(name, dim, *arrays):
    """``kernels(arrays[0]).<name>(*arrays, dim)`` on contiguous arrays; a
    0-d input is computed as shape ``(1,)``."""
    arrays = _arrays(arrays)
    first = arrays[0]
    shape = first.shape
    if first.size == 0:
        return first.copy()
    fn = getattr(kernels(first), name)
    if first.ndim == 0:
        arrays = tuple(a.reshape(1) for a in arrays)
        dim = 0
    args = tuple(contiguous(a if a.dtype == first.dtype else
                            a.astype(first.dtype)) for a in arrays)
    return fn(*args, dim).reshape(shape)


def binary_kernels(a, b):
    """The kernel namespace for a binary op's operands, either of which may
    be a Python number (then the other is the array)."""
    if type(a) is _ndarray:         # the common case, without getattr
        return _cpu
    return kernels_for(a if getattr(a, "ndim", None) is not None else b)
