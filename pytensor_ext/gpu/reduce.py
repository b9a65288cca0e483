"""GPU ``sum_to_shape``: a CuPy ``ReductionKernel`` over the broadcast
axes (CuPy picks the reduction strategy from the axes and strides)."""
from pytensor_ext import reference as _ref
from pytensor_ext.gpu._common import is_real
from pytensor_ext.gpu._registry import get, reduction

__all__ = ["sum_to_shape"]

SUM = reduction("pytensor_sum_to_shape", "T x", "T y", "x", "a + b",
                "y = a", "0")


def _axes(xs, shape):
    lead = len(xs) - len(shape)
    if lead < 0:
        raise ValueError
    axes = list(range(lead))
    for i, s in enumerate(shape):
        n = xs[lead + i]
        if s == 1 and n != 1:
            axes.append(lead + i)
        elif s != n:
            raise ValueError
    return tuple(axes)


def sum_to_shape(x, shape):
    """Sum ``x`` down to ``shape`` (the reverse of broadcasting); ``x``
    itself when the shapes match."""
    shape = tuple(shape)
    if x.shape == shape:
        return x
    try:
        axes = _axes(x.shape, shape)
    except (ValueError, TypeError):
        raise ValueError(f"sum_to_shape: cannot sum an array of shape "
                         f"{tuple(x.shape)} to shape {shape}: the target must "
                         "broadcast to the input") from None
    if not is_real(x) or not axes:
        return _ref.sum_to_shape(x, shape)
    return get(SUM)(x, axis=axes, keepdims=True).reshape(shape)
