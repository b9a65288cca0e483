"""Kernels on raw arrays: one name and signature, three implementations.

- :mod:`pytensor_ext.reference`: pure NumPy, the test oracle;
- :mod:`pytensor_ext.cpu`: Cython (typed memoryviews, ``nogil``, OpenMP);
- :mod:`pytensor_ext.gpu`: CuPy kernels, imported lazily.

:func:`kernels_for` is the *only* place that chooses between them.  This
package knows nothing of Tensors or autograd, and importing it never fails:
``HAVE_CPU_EXT`` says whether the compiled kernels loaded (CI fails when they
did not), ``HAVE_GPU`` whether CuPy found a device.
"""
import importlib

import numpy as np

from pytensor_ext import reference
from pytensor_ext import cpu

__all__ = ["kernels_for", "reference", "cpu", "gpu", "HAVE_CPU_EXT",
           "HAVE_GPU", "KERNEL_NAMES"]

HAVE_CPU_EXT = cpu.HAVE_CPU_EXT
KERNEL_NAMES = reference.KERNEL_NAMES
_ndarray = np.ndarray
_gpu = None


def _load_gpu():
    global _gpu
    if _gpu is None:
        # import_module, not ``from pytensor_ext import gpu``: the latter
        # looks the name up through this module's __getattr__ first, which
        # would call back here forever.
        _gpu = importlib.import_module("pytensor_ext.gpu")
    return _gpu


def kernels_for(array):
    """The kernel namespace for an array: ``cpu`` for NumPy arrays, ``gpu``
    for CuPy arrays."""
    if array.__class__ is _ndarray:
        return cpu
    return _gpu if _gpu is not None else _load_gpu()


def __getattr__(name):
    if name == "gpu":
        return _load_gpu()
    if name == "HAVE_GPU":
        try:
            return _load_gpu().available()
        except Exception:
            return False
    raise AttributeError(f"module 'pytensor_ext' has no attribute {name!r}")
