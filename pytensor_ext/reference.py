"""Pure-NumPy reference of every kernel: the oracle the Cython and CuPy
kernels are tested against, and the fallback when the extension is missing.

Every function here has the same name and signature in ``pytensor_ext.cpu``
and ``pytensor_ext.gpu``.  Kernels take and return arrays only; they do not
validate beyond what NumPy does (the Python layer validates user input).
"""
import numpy as np

KERNEL_NAMES = ("sum_to_shape",)


def _xp(x):
    return np if x.__class__ is np.ndarray else __import__("cupy")


def sum_to_shape(x, shape):
    """Sum ``x`` down to ``shape`` (the reverse of broadcasting).

    Args:
        x: array whose shape broadcasts from ``shape``.
        shape: the target shape (tuple).

    Returns:
        An array of exactly ``shape`` and ``x.dtype``.
    """
    shape = tuple(shape)
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
    y = x.sum(axis=axes, keepdims=True) if axes else x
    if lead:
        y = y.reshape(y.shape[lead:])
    return y.reshape(shape)
