"""``index_copy`` and ``index_fill`` (and their in-place forms): overwrite
whole slices along one dim at a 1-d index."""
from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops.index._check import keep
from pytensor.ops.index.index_select import (IndexSelect, dim_index,
                                             _check_source)
from pytensor.tensor import Tensor
from pytensor.ops._util import on_input_device

__all__ = ["index_copy", "index_fill"]

_FULL = slice(None)


class IndexFill(Function):
    """``x`` with the slices at ``index`` along ``dim`` set to ``value``
    (a 0-d tensor, or a number passed through)."""

    def __init__(self, dim, index):
        self.dim, self.index = dim, index

    def key(self):
        return (_FULL,) * self.dim + (self.index,)

    def forward(self, x, value):
        self.index = keep(self, self.index)
        out = x.copy()
        out[self.key()] = value
        return out

    def backward(self, g):
        nx, nv = self.needs_input_grad
        gx = IndexFill(self.dim, self.index).apply(g, 0) if nx else None
        gv = None
        if nv:
            # Each filled position counts once, however often it is listed.
            xp = get_xp(self.index)
            if xp.__name__ == "numpy":
                uniq = xp.unique(self.index)
                gv = IndexSelect(self.dim, uniq).apply(g).sum()
            else:
                # unique() would read the count back from the GPU: mark the
                # filled positions in a mask instead.
                from pytensor.ops.arith.where import where
                hit = xp.zeros(g.shape[self.dim], dtype=bool)
                hit[self.index] = True
                shape = [1] * g.ndim
                shape[self.dim] = hit.size
                gv = where(Tensor._make(hit.reshape(shape)), g, 0.0).sum()
        return gx, gv


class IndexCopy(Function):
    """``x`` with the slices at ``index`` along ``dim`` replaced by those
    of ``src``."""

    def __init__(self, dim, index):
        self.dim, self.index = dim, index

    def forward(self, x, src):
        self.index = keep(self, self.index)
        out = x.copy()
        out[(_FULL,) * self.dim + (self.index,)] = src
        return out

    def backward(self, g):
        nx, ns = self.needs_input_grad
        gx = IndexFill(self.dim, self.index).apply(g, 0) if nx else None
        gs = IndexSelect(self.dim, self.index).apply(g) if ns else None
        return gx, gs


def _fill_value(op, input, value):
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                f"{op} only supports a 0-dimensional value tensor, but got "
                f"tensor with {value._data.ndim} dimension(s).")
        if value._data.dtype != input._data.dtype:
            value = value.to(input.dtype)
        return value
    if input._data.dtype.kind in "iu" and isinstance(value, float):
        return int(value)
    return value


@tensor_method("index_fill")
@on_input_device
def index_fill(input, dim, index, value):
    """A copy of ``input`` with the slices at ``index`` along ``dim`` set to
    ``value`` (a number or a 0-d tensor, which then gets a gradient).
    Negative indices count from the end.

    Example:
        >>> import pytensor
        >>> pytensor.zeros(2, 3).index_fill(1, pytensor.tensor([0, -1]), 5.0)
        tensor([[5., 0., 5.],
                [5., 0., 5.]])
    """
    d, idx = dim_index("index_fill", input, dim, index, allow_negative=True)
    v = _fill_value("index_fill", input, value)
    if input._data.ndim == 0:
        return IndexFill(0, idx).apply(input.reshape(1), v).reshape(())
    return IndexFill(d, idx).apply(input, v)


@tensor_method("index_fill_")
@on_input_device
def index_fill_(input, dim, index, value):
    """In-place :func:`index_fill`."""
    return inplace(input, "index_fill_", index_fill, dim, index, value)


@tensor_method("index_copy")
@on_input_device
def index_copy(input, dim, index, source):
    """A copy of ``input`` with the slices at ``index`` along ``dim``
    replaced by the slices of ``source`` (in order).

    Example:
        >>> import pytensor
        >>> x = pytensor.zeros(3, 2)
        >>> x.index_copy(0, pytensor.tensor([2, 0]),
        ...              pytensor.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor([[3., 4.],
                [0., 0.],
                [1., 2.]])
    """
    d, idx = dim_index("index_copy", input, dim, index)
    _check_source("index_copy", input, d, idx, source)
    if input._data.ndim == 0:
        return IndexCopy(0, idx).apply(input.reshape(1),
                                       source.reshape(1)).reshape(())
    return IndexCopy(d, idx).apply(input, source)


@tensor_method("index_copy_")
@on_input_device
def index_copy_(input, dim, index, source):
    """In-place :func:`index_copy`."""
    return inplace(input, "index_copy_", index_copy, dim, index, source)
