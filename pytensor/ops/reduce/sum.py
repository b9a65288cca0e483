"""``sum`` and ``mean`` over all or some dims."""
import numpy as np

from pytensor import dtypes as _dt
from pytensor.backend import get_xp as _xp
from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import canonical_dims, on_device_of
from pytensor.backend import get_xp
from pytensor.tensor import Tensor
from pytensor.ops.reduce._common import const

__all__ = ["sum", "mean", "nansum", "nanmean"]


def _keep_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


class Sum(Function):
    """Sum over ``dims``; the gradient is broadcast back."""

    def __init__(self, dims, keepdim, np_dtype=None):
        self.dims, self.keepdim, self.np_dtype = dims, keepdim, np_dtype

    def forward(self, x):
        self.in_shape = x.shape
        return x.sum(axis=self.dims, keepdims=self.keepdim,
                     dtype=self.np_dtype)

    def backward(self, gy):
        if not self.keepdim and self.dims:
            gy = gy.reshape(_keep_shape(self.in_shape, set(self.dims)))
        g = gy.expand(self.in_shape)
        return g

    def backward_arrays(self, gy):
        if not self.keepdim and self.dims:
            gy = gy.reshape(_keep_shape(self.in_shape, set(self.dims)))
        return _xp(gy).broadcast_to(gy, self.in_shape)


class Mean(Function):
    def __init__(self, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim

    def forward(self, x):
        self.in_shape = x.shape
        self.count = int(np.prod([x.shape[d] for d in self.dims])) \
            if self.dims else 1
        # sum / count rather than x.mean(): the mean of an empty slice is
        # NaN silently, as in PyTorch (NumPy warns).
        with np.errstate(invalid="ignore", divide="ignore"):
            s = x.sum(axis=self.dims, keepdims=self.keepdim)
            return s / x.dtype.type(self.count)

    def backward(self, gy):
        if not self.keepdim and self.dims:
            gy = gy.reshape(_keep_shape(self.in_shape, set(self.dims)))
        return gy.expand(self.in_shape) / max(self.count, 1)

    def backward_arrays(self, gy):
        if not self.keepdim and self.dims:
            gy = gy.reshape(_keep_shape(self.in_shape, set(self.dims)))
        return _xp(gy).broadcast_to(gy / max(self.count, 1), self.in_shape)


def _dims_arg(input, dim, op):
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(input._data.ndim))
    dims = canonical_dims(dim, input._data.ndim, op)
    # A 0-d tensor accepts dim 0/-1 and reduces nothing (NumPy has no axis).
    return dims if input._data.ndim else ()


@tensor_method("sum")
def sum(input, dim=None, keepdim=False, dtype=None):
    """Sum of elements over ``dim`` (all when None).

    Args:
        input (Tensor): the tensor.
        dim (int or tuple of ints, optional): dims to reduce.
        keepdim (bool): keep reduced dims with size 1.
        dtype: accumulate and return in this dtype.

    Returns:
        Tensor. Integer and bool inputs sum to int64, as in PyTorch.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x.sum(), x.sum(0), x.sum(1, keepdim=True)
        (tensor(10.), tensor([4., 6.]), tensor([[3.],
                [7.]]))
    """
    dims = _dims_arg(input, dim, "sum")
    if dtype is not None:
        npd = _dt.to_dtype(dtype).np
        if npd != input._data.dtype:
            input = input.to(dtype)
    elif input._data.dtype.kind in "biu":
        npd = np.dtype(np.int64)
    else:
        npd = None
    return Sum(dims, bool(keepdim), npd).apply(input)


@tensor_method("mean")
def mean(input, dim=None, keepdim=False, dtype=None):
    """Arithmetic mean over ``dim`` (all when None); floating inputs only,
    as in PyTorch (pass ``dtype=`` for integer tensors).

    Example:
        >>> import pytensor
        >>> pytensor.tensor([[1.0, 2.0], [3.0, 4.0]]).mean(1)
        tensor([1.5000, 3.5000])
    """
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be "
            f"either a floating point or complex dtype. Got: "
            f"{input.dtype.name.capitalize()}")
    dims = _dims_arg(input, dim, "mean")
    return Mean(dims, bool(keepdim)).apply(input)


class NanSum(Function):
    """Sum treating NaN as zero; the gradient skips the NaNs."""

    def __init__(self, dims, keepdim, np_dtype=None):
        self.dims, self.keepdim, self.np_dtype = dims, keepdim, np_dtype

    def forward(self, x):
        self.in_shape = x.shape
        self.save_for_backward(x)
        if x.dtype.kind != "f":
            return x.sum(axis=self.dims, keepdims=self.keepdim,
                         dtype=self.np_dtype)
        xp = get_xp(x)
        return xp.nansum(x, axis=self.dims, keepdims=self.keepdim,
                         dtype=self.np_dtype)

    def backward(self, gy):
        x, = self.saved_tensors
        if not self.keepdim and self.dims:
            gy = gy.reshape(_keep_shape(self.in_shape, set(self.dims)))
        keep = ~get_xp(x._data).isnan(x._data)
        return gy * const(keep.astype(x._data.dtype))

    def backward_arrays(self, gy):
        x, = self.saved_arrays
        if not self.keepdim and self.dims:
            gy = gy.reshape(_keep_shape(self.in_shape, set(self.dims)))
        return gy * (~get_xp(x).isnan(x)).astype(x.dtype)


@tensor_method("nansum")
def nansum(input, dim=None, keepdim=False, dtype=None):
    """Sum over ``dim`` treating NaN as zero (see :func:`sum`).

    Example:
        >>> import pytensor
        >>> pytensor.tensor([1.0, float("nan"), 2.0]).nansum()
        tensor(3.)
    """
    dims = _dims_arg(input, dim, "nansum")
    if dtype is not None:
        npd = _dt.to_dtype(dtype).np
        if npd != input._data.dtype:
            input = input.to(dtype)
    elif input._data.dtype.kind in "biu":
        npd = np.dtype(np.int64)
    else:
        npd = None
    return NanSum(dims, bool(keepdim), npd).apply(input)


@tensor_method("nanmean")
def nanmean(input, dim=None, keepdim=False, dtype=None):
    """Mean over the non-NaN elements (NaN where there are none).

    Example:
        >>> import pytensor
        >>> pytensor.tensor([[1.0, float("nan")], [2.0, 4.0]]).nanmean(1)
        tensor([1., 3.])
    """
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex "
            f"dtype but got {input.dtype.name.capitalize()}")
    dims = _dims_arg(input, dim, "nanmean")
    x = input._data
    with on_device_of(x):
        count = (~get_xp(x).isnan(x)).sum(axis=dims, keepdims=bool(keepdim))
        count = get_xp(x).asarray(count, dtype=x.dtype)
    total = NanSum(dims, bool(keepdim)).apply(input)
    return total / Tensor._make(count)
