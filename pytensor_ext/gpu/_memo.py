"""Lazy CuPy import and per-device memoisation of compiled kernels.

CuPy is imported on first use only, so ``import pytensor_ext.gpu`` works
(and lists every kernel) on machines without CuPy or without a GPU.
"""
import functools

_cupy = None


def cupy():
    """The ``cupy`` module (imported on first call).

    Raises:
        ImportError: CuPy is not installed.
    """
    global _cupy
    if _cupy is None:
        import cupy as cp
        _cupy = cp
    return _cupy


def memoize_per_device(fn):
    """Cache ``fn(*args)`` per current CUDA device: compiled kernels and
    modules belong to one device's context."""
    cache = {}

    @functools.wraps(fn)
    def wrapper(*args):
        key = (cupy().cuda.runtime.getDevice(),) + args
        try:
            return cache[key]
        except KeyError:
            value = cache[key] = fn(*args)
            return value

    wrapper.cache = cache
    return wrapper
