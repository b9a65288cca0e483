"""``scatter`` / ``scatter_`` (from a tensor or a value) and
``scatter_add`` / ``scatter_add_``: the adjoints of ``gather``."""
from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import canonical_dim
from pytensor.ops.index._check import (index_arg, check_bounds, grid_key,
                                       keep, leading_key, shape_list)
from pytensor.ops.index.gather import Gather
from pytensor.ops.shape._views import SliceBackward
from pytensor.tensor import Tensor
from pytensor_ext import kernels_for
from pytensor.ops._util import on_input_device

__all__ = ["scatter", "scatter_add"]


class Scatter(Function):
    """A copy of ``x`` with ``out[index[i][j]][j] = src[i][j]`` (dim 0), or
    ``+=`` when ``add``.  ``src`` may be a Python number (then ``x`` is the
    only Tensor argument)."""

    def __init__(self, dim, index, add=False):
        self.dim, self.index, self.add = dim, index, add

    def forward(self, x, src=None, value=None):
        xp = get_xp(x)
        out = x.copy()
        idx = self.index = keep(self, self.index)
        if src is not None:
            self.src_shape = src.shape
            if src.shape != idx.shape:
                src = src[leading_key(idx.shape)]
            if self.add:
                if idx.size:
                    kernels_for(out).scatter_add(out, self.dim, idx, src)
                return out
            out[grid_key(idx, self.dim, xp)] = src
        else:
            out[grid_key(idx, self.dim, xp)] = value
        return out

    def backward(self, g):
        need = self.needs_input_grad
        gx = gs = None
        if need[0]:
            gx = g if self.add else ScatterZero(self.dim, self.index).apply(g)
        if len(need) > 1 and need[1]:
            gs = Gather(self.dim, self.index).apply(g)
            if gs._data.shape != self.src_shape:
                # src larger than index: the rest of src was not used.
                gs = SliceBackward(leading_key(self.index.shape),
                                   self.src_shape).apply(gs)
        return gx, gs


class ScatterAdd(Scatter):
    """``scatter_add``: :class:`Scatter` with ``add``."""


class ScatterZero(Function):
    """A copy with the scattered positions zeroed (self-adjoint)."""

    name = "scatter_zero"

    def __init__(self, dim, index):
        self.dim, self.index = dim, index

    def forward(self, g):
        out = g.copy()
        out[grid_key(self.index, self.dim, get_xp(g))] = 0
        return out

    def backward(self, gg):
        return ScatterZero(self.dim, self.index).apply(gg)


def _prepare(op, input, dim, index, src):
    arr = input._data
    n = max(arr.ndim, 1)
    d = canonical_dim(dim, n, op)
    idx = index_arg(op, index, arr)
    shape = arr.shape if arr.ndim else (1,)
    ishape = idx.shape if idx.ndim else (1,)
    if len(ishape) != len(shape):
        raise RuntimeError(
            f"{op}: Index tensor must have the same number of dimensions as "
            f"self tensor (index {shape_list(idx.shape)}, self "
            f"{shape_list(arr.shape)})")
    if isinstance(src, Tensor):
        ss = src._data.shape if src._data.ndim else (1,)
        if len(ss) != len(ishape):
            raise RuntimeError(
                f"{op}: Index tensor must have the same number of dimensions "
                f"as src tensor (index {shape_list(idx.shape)}, src "
                f"{shape_list(src.shape)})")
        if src._data.dtype != arr.dtype:
            raise RuntimeError(
                f"{op}(): Expected self.dtype to be equal to src.dtype (got "
                f"{input.dtype.name} and {src.dtype.name})")
    else:
        ss = None
    for k in range(len(ishape)):
        if (k != d and ishape[k] > shape[k]) or (
                ss is not None and ishape[k] > ss[k]):
            raise RuntimeError(
                f"{op}: Expected index {shape_list(idx.shape)} to be no "
                f"larger than self {shape_list(arr.shape)} apart from "
                f"dimension {d}"
                + (f" and to be no larger size than src "
                   f"{shape_list(src.shape)}" if ss is not None else ""))
    check_bounds(op, idx, shape[d], d)
    if arr.ndim == 0:
        idx = idx.reshape(1)
    return d, idx


def _scatter(op, input, dim, index, src, value, add):
    if src is None and value is None:
        raise TypeError(f"{op}: expected src (a Tensor) or value (a number)")
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    if value is not None and isinstance(value, Tensor):
        src, value = value, None
    d, idx = _prepare(op, input, dim, index, src)
    x = input.reshape(1) if input._data.ndim == 0 else input
    fn = (ScatterAdd if add else Scatter)(d, idx, add)
    if src is not None:
        s = src.reshape(1) if src._data.ndim == 0 else src
        out = fn.apply(x, s)
    else:
        if input._data.dtype.kind in "iu" and isinstance(value, float):
            value = int(value)
        out = fn.apply(x, None, value)
    return out.reshape(()) if input._data.ndim == 0 else out


@tensor_method("scatter")
@on_input_device
def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """A copy of ``input`` with values written at ``index`` along ``dim``:
    ``out[index[i][j]][j] = src[i][j]`` for ``dim == 0``, or the number
    ``value`` at those positions.  Where ``index`` repeats a position, one
    of the writes wins.

    Args:
        input (Tensor): the tensor.
        dim (int): the dim along which to index.
        index (Tensor): int64 positions, same number of dims as ``input``.
        src (Tensor or number): the values (a number acts as ``value``).
        value (number): a single value for every position.

    Example:
        >>> import pytensor
        >>> x = pytensor.zeros(2, 3)
        >>> x.scatter(1, pytensor.tensor([[2], [0]]), 7.0)
        tensor([[0., 0., 7.],
                [7., 0., 0.]])
    """
    if reduce is not None:
        raise NotImplementedError("scatter: reduce= is not supported; use "
                                  "scatter_add")
    return _scatter("scatter", input, dim, index, src, value, False)


@tensor_method("scatter_")
@on_input_device
def scatter_(input, dim, index, src=None, value=None, *, reduce=None):
    """In-place :func:`scatter`."""
    if reduce is not None:
        raise NotImplementedError("scatter_: reduce= is not supported; use "
                                  "scatter_add_")
    return inplace(input, "scatter_", _scatter_fn, dim, index, src, value,
                   False)


def _scatter_fn(input, dim, index, src, value, add):
    return _scatter("scatter_add_" if add else "scatter_", input, dim, index,
                    src, value, add)


@tensor_method("scatter_add")
@on_input_device
def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim``
    (``out[index[i][j]][j] += src[i][j]`` for ``dim == 0``); repeated
    positions accumulate.

    Example:
        >>> import pytensor
        >>> pytensor.zeros(3).scatter_add(0, pytensor.tensor([0, 2, 0]),
        ...                               pytensor.tensor([1.0, 2.0, 3.0]))
        tensor([4., 0., 2.])
    """
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add: src must be a Tensor, got "
                        f"{type(src).__name__}")
    return _scatter("scatter_add", input, dim, index, src, None, True)


@tensor_method("scatter_add_")
@on_input_device
def scatter_add_(input, dim, index, src):
    """In-place :func:`scatter_add`."""
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add_: src must be a Tensor, got "
                        f"{type(src).__name__}")
    return inplace(input, "scatter_add_", _scatter_fn, dim, index, src, None,
                   True)
