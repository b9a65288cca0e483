"""Argument handling shared by the GPU kernel wrappers (mirrors the CPU
wrappers: native float32/float64 run the compiled kernel, anything else
the NumPy/CuPy reference, which is correct for every dtype)."""
import operator

import numpy as np

from pytensor_ext import reference as _ref
from pytensor_ext.gpu import _registry

_REAL = (np.dtype(np.float32), np.dtype(np.float64))


def is_real(x):
    return getattr(x, "dtype", None) in _REAL


def ctype(x):
    """The C++ type name of a float32/float64 array."""
    return "float" if x.dtype == np.float32 else "double"


def unary(decl, name, x, *extra):
    if not is_real(x):
        return getattr(_ref, name)(x, *extra)
    return _registry.get(decl)(x)


def binary(decl, name, a, g, *extra):
    """A backward kernel ``(saved, gy) -> gx`` with the CPU kernels'
    checks: same float dtype and shape, else the reference (which
    broadcasts and promotes); shapes that do not broadcast raise."""
    if not is_real(a) or a.dtype != g.dtype or a.shape != g.shape:
        try:
            np.broadcast_shapes(a.shape, g.shape)
        except ValueError:
            raise ValueError(
                f"{name}: the saved tensor of shape {tuple(a.shape)} and the "
                f"gradient of shape {tuple(g.shape)} do not broadcast"
            ) from None
        return getattr(_ref, name)(a, g, *extra)
    return _registry.get(decl)(a, g)


def canonical_dim(name, ndim, dim):
    """``dim`` in ``[0, ndim)`` (0 for a 0-d array), with the CPU kernels'
    errors."""
    try:
        d = operator.index(dim)
    except TypeError:
        raise TypeError(f"{name}: dim must be an int, got "
                        f"{type(dim).__name__}") from None
    span = max(ndim, 1)
    if not -span <= d < span:
        raise IndexError(f"{name}: Dimension out of range (expected to be in "
                         f"range of [{-span}, {span - 1}], but got {d})")
    return d % span
