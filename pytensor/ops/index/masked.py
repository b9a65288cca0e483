"""``masked_fill`` (``masked_fill_``), ``masked_select`` and
``masked_scatter`` (``masked_scatter_``): ops driven by a bool mask that
broadcasts with the input."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops.index import _key
from pytensor.ops.index._check import keep, shape_list
from pytensor.ops.index.getitem import Index
from pytensor.tensor import Tensor
from pytensor.ops._util import on_input_device

__all__ = ["masked_fill", "masked_select", "masked_scatter"]


class MaskedFill(Function):
    """``value`` where ``mask``, else ``x`` (broadcast).  ``value`` is a 0-d
    tensor (which gets the summed gradient of the filled positions) or a
    number."""

    def __init__(self, mask):
        self.mask = mask

    def forward(self, x, value):
        xp = get_xp(x)
        self.mask = keep(self, self.mask)
        if hasattr(value, "dtype"):
            v = value
        elif xp is np:
            v = np.asarray(value, x.dtype)
        else:
            v = xp.full((), value, x.dtype)     # filled on the GPU
        return xp.where(self.mask, v, x)

    def backward(self, g):
        nx, nv = self.needs_input_grad
        gx = MaskedFill(self.mask).apply(g, 0) if nx else None
        gv = None
        if nv:
            # where(mask, g, 0) summed by the engine down to the 0-d value.
            gv = MaskedFill(~self.mask).apply(g, 0)
        return gx, gv


def _mask_arg(op, mask, like):
    if not isinstance(mask, Tensor):
        raise TypeError(f"{op}: mask must be a bool Tensor, got "
                        f"{type(mask).__name__}")
    arr = mask._data
    if arr.dtype != np.bool_:
        raise RuntimeError(f"{op} only supports boolean masks, but got mask "
                           f"with dtype {mask.dtype.name}")
    if mask.device != like.device:
        raise RuntimeError(f"{op}: expected the mask on {like.device}, but "
                           f"it is on {mask.device}")
    return arr


def _broadcast(op, a, b):
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        raise RuntimeError(f"{op}: the shape of the mask {shape_list(b)} is "
                           f"not broadcastable with the input's "
                           f"{shape_list(a)}") from None


@tensor_method("masked_fill")
@on_input_device
def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` where ``mask`` is True (the mask
    broadcasts with ``input``).

    Args:
        input (Tensor): the tensor.
        mask (Tensor): bool.
        value (number or 0-d Tensor): the fill value, cast to ``input``'s
            dtype; a tensor value receives a gradient.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[1.0, -2.0], [-3.0, 4.0]])
        >>> x.masked_fill(x < 0, 0.0)
        tensor([[1., 0.],
                [0., 4.]])
    """
    op = "masked_fill"
    m = _mask_arg(op, mask, input)
    _broadcast(op, input._data.shape, m.shape)
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                f"{op} only supports a 0-dimensional value tensor, but got "
                f"tensor with {value._data.ndim} dimension(s).")
        if value._data.dtype != input._data.dtype:
            value = value.to(input.dtype)
    elif isinstance(value, (bool, int, float, np.generic)):
        if isinstance(value, np.generic):
            value = value.item()
        if input._data.dtype.kind in "iu" and isinstance(value, float):
            value = int(value)
    else:
        raise TypeError(f"{op}: value must be a number or a 0-d Tensor, got "
                        f"{type(value).__name__}")
    return MaskedFill(m).apply(input, value)


@tensor_method("masked_fill_")
@on_input_device
def masked_fill_(input, mask, value):
    """In-place :func:`masked_fill` (the mask must broadcast to
    ``input``'s shape)."""
    return inplace(input, "masked_fill_", masked_fill, mask, value)


class MaskedSelect(Index):
    """``x[mask]`` with ``x`` and ``mask`` broadcast: a 1-d copy."""

    name = "masked_select"


@tensor_method("masked_select")
@on_input_device
def masked_select(input, mask):
    """The entries of ``input`` where ``mask`` is True, as a 1-d tensor
    (``input`` and ``mask`` broadcast together).

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[1, 2], [3, 4]])
        >>> x.masked_select(pytensor.tensor([True, False]))
        tensor([1, 3])
    """
    op = "masked_select"
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        raise RuntimeError(f"{op}: expected BoolTensor for mask (got "
                           f"{getattr(mask, 'dtype', type(mask).__name__)})")
    m = _mask_arg(op, mask, input)
    shape = _broadcast(op, input._data.shape, m.shape)
    x = input if input._data.shape == shape else input.expand(shape)
    if m.shape != shape:
        m = get_xp(m).broadcast_to(m, shape)
    if not shape:
        x, m = x.reshape(1), m.reshape(1)
        shape = (1,)
    plan = _key.make_plan([(0, m)], shape, get_xp(m))
    return MaskedSelect(plan).apply(x)


class MaskedScatter(Function):
    """``x`` with the True positions of ``mask`` filled, in order, by the
    first entries of ``source``."""

    def __init__(self, mask):
        self.mask = mask

    def forward(self, x, source):
        self.mask = keep(self, self.mask)
        self.src_shape = source.shape
        self.count = int(self.mask.sum())
        out = x.copy()
        out[self.mask] = source.reshape(-1)[:self.count]
        return out

    def backward(self, g):
        nx, ns = self.needs_input_grad
        gx = MaskedFill(self.mask).apply(g, 0) if nx else None
        gs = None
        if ns:
            gs = MaskedScatterSourceGrad(self.mask, self.src_shape).apply(g)
        return gx, gs


class MaskedScatterSourceGrad(Function):
    """``g[mask]`` placed at the front of zeros of ``source``'s shape."""

    name = "masked_scatter_backward"

    def __init__(self, mask, shape):
        self.mask, self.shape = mask, shape

    def forward(self, g):
        xp = get_xp(g)
        vals = g[self.mask]
        out = xp.zeros(int(np.prod(self.shape)), g.dtype)
        out[:vals.size] = vals
        return out.reshape(self.shape)

    def backward(self, gg):
        xp = get_xp(gg._data)
        zeros = Tensor._make(xp.zeros(self.mask.shape, gg._data.dtype))
        return MaskedScatter(self.mask).apply(zeros, gg)


@tensor_method("masked_scatter")
@on_input_device
def masked_scatter(input, mask, source):
    """A copy of ``input`` whose True ``mask`` positions take the entries
    of ``source`` in row-major order (``source`` needs at least as many
    entries as the mask has True values).

    Example:
        >>> import pytensor
        >>> x = pytensor.zeros(2, 3)
        >>> m = pytensor.tensor([[True, False, True], [False, True, False]])
        >>> x.masked_scatter(m, pytensor.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor([[1., 0., 2.],
                [0., 3., 0.]])
    """
    op = "masked_scatter"
    m = _mask_arg(op, mask, input)
    if not isinstance(source, Tensor):
        raise TypeError(f"{op}: source must be a Tensor, got "
                        f"{type(source).__name__}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"{op}: expected self and source to have same dtypes but got "
            f"{input.dtype.name} and {source.dtype.name}")
    shape = _broadcast(op, input._data.shape, m.shape)
    x = input if input._data.shape == shape else input.expand(shape)
    if m.shape != shape:
        m = get_xp(m).ascontiguousarray(get_xp(m).broadcast_to(m, shape))
    if int(m.sum()) > source._data.size:
        raise RuntimeError(f"{op}: Number of elements of source "
                           f"({source._data.size}) < number of ones in mask "
                           f"({int(m.sum())})")
    return MaskedScatter(m).apply(x, source)


@tensor_method("masked_scatter_")
@on_input_device
def masked_scatter_(input, mask, source):
    """In-place :func:`masked_scatter`."""
    return inplace(input, "masked_scatter_", masked_scatter, mask, source)
