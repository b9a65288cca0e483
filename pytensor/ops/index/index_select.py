"""``index_select`` and ``index_add`` (``index_add_``): whole slices along
one dim, picked or accumulated by a 1-d index; each is the other's
adjoint, and ``index_add`` runs the ``pytensor_ext`` kernel."""
from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import canonical_dim
from pytensor.ops.index._check import (index_arg, check_bounds, keep,
                                       shape_list)
from pytensor.tensor import Tensor
from pytensor_ext import kernels_for
from pytensor.ops._util import on_input_device

__all__ = ["index_select", "index_add"]


class IndexSelect(Function):
    """``x`` restricted to ``index`` along ``dim`` (a copy)."""

    def __init__(self, dim, index):
        self.dim, self.index = dim, index

    def forward(self, x):
        self.in_shape = x.shape
        self.index = keep(self, self.index)
        return get_xp(x).take(x, self.index, axis=self.dim)

    def backward(self, gy):
        return IndexAddInto(self.dim, self.index, self.in_shape).apply(gy)


class IndexAddInto(Function):
    """Zeros of ``shape`` with ``src`` added at ``index`` along ``dim``
    (repeated indices accumulate): the adjoint of :class:`IndexSelect`."""

    name = "index_select_backward"
    kernel = "index_add"

    def __init__(self, dim, index, shape):
        self.dim, self.index, self.shape = dim, index, shape

    def forward(self, src):
        xp = get_xp(src)
        out = xp.zeros(self.shape, src.dtype)
        if self.index.size and out.size:
            kernels_for(out).index_add(out, self.dim, self.index, src)
        return out

    def backward(self, gg):
        return IndexSelect(self.dim, self.index).apply(gg)


class IndexAdd(Function):
    """``x`` with ``alpha * src`` added at ``index`` along ``dim``."""

    kernel = "index_add"

    def __init__(self, dim, index, alpha):
        self.dim, self.index, self.alpha = dim, index, alpha

    def forward(self, x, src):
        xp = get_xp(x)
        self.index = keep(self, self.index)
        out = xp.array(x, copy=True, order="C")
        if self.alpha != 1:
            src = src * src.dtype.type(self.alpha)     # no host array
        if self.index.size and out.size:
            kernels_for(out).index_add(out, self.dim, self.index, src)
        return out

    def backward(self, g):
        nx, ns = self.needs_input_grad
        gs = None
        if ns:
            gs = IndexSelect(self.dim, self.index).apply(g)
            if self.alpha != 1:
                gs = gs * self.alpha
        return (g if nx else None), gs


def dim_index(op, input, dim, index, allow_negative=False):
    """The wrapped dim and the checked 1-d int64 index array."""
    arr = input._data
    d = canonical_dim(dim, arr.ndim, op)
    idx = index_arg(op, index, arr)
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector (got "
                         f"shape {shape_list(idx.shape)})")
    idx = idx.reshape(-1)
    n = arr.shape[d] if arr.ndim else 1
    idx = check_bounds(op, idx, n, d, allow_negative)
    return d, idx


@tensor_method("index_select")
@on_input_device
def index_select(input, dim, index):
    """The slices of ``input`` at ``index`` along ``dim`` (a copy).

    Args:
        input (Tensor): the source.
        dim (int): the dim to index.
        index (Tensor): 1-d (or 0-d) int64/int32 positions in ``[0, n)``.

    Example:
        >>> import pytensor
        >>> x = pytensor.arange(6).reshape(3, 2)
        >>> x.index_select(0, pytensor.tensor([2, 0, 2]))
        tensor([[4, 5],
                [0, 1],
                [4, 5]])
    """
    d, idx = dim_index("index_select", input, dim, index)
    if input._data.ndim == 0:
        return IndexSelect(0, idx).apply(input.reshape(1)).reshape(()) \
            if idx.size == 1 else IndexSelect(0, idx).apply(
                input.reshape(1))
    return IndexSelect(d, idx).apply(input)


def _check_source(op, input, d, idx, source):
    if not isinstance(source, Tensor):
        raise TypeError(f"{op}: source must be a Tensor, got "
                        f"{type(source).__name__}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"{op}(): self ({input.dtype.name}) and source "
            f"({source.dtype.name}) must have the same scalar type")
    xs, ss = input._data.shape, source._data.shape
    xs1 = xs if xs else (1,)
    ss1 = ss if ss else (1,)
    if len(xs1) != len(ss1) or any(a != b for k, (a, b) in
                                   enumerate(zip(xs1, ss1)) if k != d):
        raise RuntimeError(
            f"{op}(): source tensor shape must match self tensor shape, "
            f"excluding the specified dimension. Got self.shape = "
            f"{shape_list(xs)} source.shape = {shape_list(ss)}")
    if ss1[d] != idx.size:
        raise RuntimeError(
            f"{op}(): Number of indices ({idx.size}) should be equal to "
            f"source.size(dim): ({ss1[d]}), for dim: {d}")


@tensor_method("index_add")
@on_input_device
def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha * source`` added at ``index`` along
    ``dim``; repeated indices accumulate.

    Args:
        input (Tensor): the tensor.
        dim (int): the dim to index.
        index (Tensor): 1-d int64/int32 positions.
        source (Tensor): the values; ``source.size(dim) == len(index)``,
            other dims as ``input``.
        alpha (number): scale of ``source``.

    Example:
        >>> import pytensor
        >>> x = pytensor.zeros(3, 2)
        >>> x.index_add(0, pytensor.tensor([0, 2, 0]), pytensor.ones(3, 2),
        ...             alpha=2)
        tensor([[4., 4.],
                [0., 0.],
                [2., 2.]])
    """
    d, idx = dim_index("index_add", input, dim, index)
    _check_source("index_add", input, d, idx, source)
    if input._data.ndim == 0:
        return IndexAdd(0, idx, alpha).apply(
            input.reshape(1), source.reshape(1)).reshape(())
    return IndexAdd(d, idx, alpha).apply(input, source)


def _index_add_fn(input, dim, index, source, alpha):
    return index_add(input, dim, index, source, alpha=alpha)


@tensor_method("index_add_")
@on_input_device
def index_add_(input, dim, index, source, *, alpha=1):
    """In-place :func:`index_add`."""
    return inplace(input, "index_add_", _index_add_fn, dim, index, source,
                   alpha)
