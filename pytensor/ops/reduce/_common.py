"""Pieces shared by the reduction ops: dim arguments, restoring reduced
dims in backward, and the gather/scatter pair that routes a gradient to the
positions an index output selected (max/min/median/sort/topk/kthvalue).
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops._util import canonical_dim, canonical_dims
from pytensor.tensor import Tensor

_int_types = (int, np.integer)


def reduce_dims(input, dim, op, empty_means_all=True):
    """Wrapped dims to reduce: None (and, for sum-like ops, ``()``) means
    every dim.  A 0-d tensor accepts dim 0/-1 and reduces nothing."""
    n = input._data.ndim
    if dim is None:
        return tuple(range(n))
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        return tuple(range(n)) if empty_means_all else ()
    dims = canonical_dims(dim, n, op)
    return dims if n else ()


def one_dim(input, dim, op):
    """One wrapped dim (a 0-d tensor accepts 0 and -1 and gives 0)."""
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}(): dim must be an int, got "
                        f"{type(dim).__name__}")
    return canonical_dim(dim, input._data.ndim, op)


def keep_shape(shape, dims):
    """``shape`` with ``dims`` set to 1 (the keepdim shape)."""
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def restore(g, in_shape, dims, keepdim):
    """Give a reduced tensor (gradient or result) its reduced dims back as
    size 1, so it broadcasts against the input (differentiable)."""
    if keepdim or not dims or len(in_shape) == 0:
        return g
    return g.reshape(keep_shape(in_shape, set(dims)))


def const(arr):
    """A constant Tensor (no grad) around an array (NumPy turns 0-d results
    into scalars; those become 0-d arrays again)."""
    if isinstance(arr, (np.generic, bool, int, float)):
        arr = np.asarray(arr)
    return Tensor._make(arr)


def numel_of(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def require_nonempty(op, shape, dims, full):
    """PyTorch's errors for reductions that have no identity (max, argmax,
    median with dim, ...) when a reduced dim is empty."""
    if full:
        if int(np.prod(shape)) == 0:
            raise RuntimeError(
                f"{op}(): Expected reduction dim to be specified for "
                "input.numel() == 0. Specify the reduction dim with the 'dim' "
                "argument.")
        return
    for d in dims:
        if shape[d] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have "
                             "non-zero size.")


def require_float(op, t, what=None):
    if t._data.dtype.kind != "f":
        raise RuntimeError(
            f"{op}: {what or 'expected a floating point tensor as input'}. "
            f"Got {t.dtype.name.capitalize()}")


def scale_by_count_array(g, mask, count):
    """:func:`scale_by_count` on arrays (the engine's fast path)."""
    return (g / count.astype(g.dtype)) * mask.astype(g.dtype)


def scale_by_count(g, mask, count):
    """``(g / count) * mask`` with constant ``mask``/``count`` arrays: the
    even split of a gradient among tied extrema, written exactly as
    PyTorch's ``scale_grad_by_count`` (a row with no match, e.g. an amax
    over NaNs, gives NaN gradients there, as in PyTorch)."""
    return (g / const(count.astype(g._data.dtype))) * const(
        mask.astype(g._data.dtype))


# ----------------------------------------------------------------------
# gather / scatter along one dim (unique indices per slice)
def _flat_index(idx, dim, shape, xp):
    """Linear indices into a C-contiguous array of ``shape`` for the
    positions ``idx`` selects along ``dim`` (other dims: their own
    coordinate)."""
    nd = len(shape)
    strides = [1] * nd
    for ax in range(nd - 2, -1, -1):
        strides[ax] = strides[ax + 1] * shape[ax + 1]
    lin = idx.astype(np.intp) * strides[dim]
    for ax in range(nd):
        if ax == dim or idx.shape[ax] == 1 and shape[ax] == 1:
            continue
        r = xp.arange(idx.shape[ax], dtype=np.intp) * strides[ax]
        lin = lin + r.reshape((-1,) + (1,) * (nd - ax - 1))
    return lin


class TakeAlong(Function):
    """``take_along_axis(x, idx, dim)`` as a differentiable op; its backward
    scatters into zeros (:class:`PutAlong`)."""

    name = "take_along_dim"

    def __init__(self, idx, dim):
        self.idx, self.dim = idx, dim

    def forward(self, x):
        self.in_shape = x.shape
        return get_xp(x).take_along_axis(x, self.idx, axis=self.dim)

    def backward(self, gy):
        return PutAlong(self.idx, self.dim, self.in_shape).apply(gy)

    def backward_arrays(self, gy):
        return put_along(gy, self.idx, self.dim, self.in_shape)


class PutAlong(Function):
    """Zeros of ``shape`` with ``g`` written where ``idx`` points along
    ``dim`` (indices are unique within each slice, so this is a plain
    assignment); its backward gathers (:class:`TakeAlong`)."""

    name = "put_along_dim"

    def __init__(self, idx, dim, shape):
        self.idx, self.dim, self.shape = idx, dim, shape

    def forward(self, g):
        return put_along(g, self.idx, self.dim, self.shape)

    def backward(self, gy):
        return TakeAlong(self.idx, self.dim).apply(gy)

    def backward_arrays(self, gy):
        return get_xp(gy).take_along_axis(gy, self.idx, axis=self.dim)


def put_along(g, idx, dim, shape):
    """Zeros of ``shape`` with ``g`` at the positions ``idx`` selects along
    ``dim`` (arrays; indices unique within each slice)."""
    xp = get_xp(g)
    out = xp.zeros(int(np.prod(shape)), dtype=g.dtype)
    if out.size:
        lin = _flat_index(idx, dim, shape, xp)
        lin, g = xp.broadcast_arrays(lin, g)
        out[lin.reshape(-1)] = g.reshape(-1)
    return out.reshape(shape)


def select_backward(gy, idx, dim, in_shape, keepdim):
    """Gradient of values that ``idx`` selected along ``dim``: ``gy`` goes
    to the selected positions, zeros elsewhere.  Without ``keepdim``,
    ``gy`` and ``idx`` lack ``dim`` and get it back here."""
    if not keepdim:
        idx = get_xp(idx).expand_dims(idx, dim)
        gy = gy.unsqueeze(dim)
    return PutAlong(idx, dim, in_shape).apply(gy)


class Selecting(Function):
    """Base of the ops that return ``(values, indices)`` where the values
    are elements of the input picked along ``dim`` (max/min with a dim,
    median, kthvalue, sort, topk).  A subclass implements ``pick(x)``,
    returning int64 indices with ``dim`` kept; the values are gathered from
    them and the gradient is routed back to them.  Indices never carry a
    gradient."""

    def __init__(self, dim, keepdim=True):
        self.dim, self.keepdim = dim, keepdim

    def pick(self, x):
        raise NotImplementedError

    def forward(self, x):
        xp = get_xp(x)
        self.in_shape = x.shape
        idx = self.pick(x).astype(np.int64, copy=False)
        values = xp.take_along_axis(x, idx, axis=self.dim)
        if not self.keepdim:
            values = values.squeeze(self.dim)
            idx = idx.squeeze(self.dim)
        self.save_for_backward(idx)
        return values, idx

    def backward(self, gv, gi):
        idx, = self.saved_tensors
        return select_backward(gv, idx._data, self.dim, self.in_shape,
                               self.keepdim)

    def backward_arrays(self, gv, gi):
        idx, = self.saved_arrays
        if not self.keepdim:
            xp = get_xp(idx)
            idx = xp.expand_dims(idx, self.dim)
            gv = xp.expand_dims(gv, self.dim)
        return put_along(gv, idx, self.dim, self.in_shape)


def stable_argsort(x, dim, descending=False):
    """Indices that sort ``x`` along ``dim``, equal elements keeping their
    order, NaN ordered as the largest value (PyTorch's order)."""
    xp = get_xp(x)
    if not descending:
        return xp.argsort(x, axis=dim, kind="stable")
    # A stable descending order: sort the reversed array ascending, then
    # reverse back and map positions (NaNs come first, as in PyTorch).
    r = xp.argsort(xp.flip(x, dim), axis=dim, kind="stable")
    return (x.shape[dim] - 1) - xp.flip(r, dim)


# ----------------------------------------------------------------------
# Linear helpers for zero-safe product gradients (prod, cumprod)
class Shift(Function):
    """Shift along ``dim`` by one place (``step=1``: towards higher
    indices), filling the vacated place with ``fill``.  Affine; its
    backward is the opposite shift filled with 0."""

    name = "shift"

    def __init__(self, dim, step, fill):
        self.dim, self.step, self.fill = dim, step, fill

    def forward(self, x):
        xp = get_xp(x)
        out = xp.full(x.shape, self.fill, dtype=x.dtype)
        n = x.shape[self.dim]
        src = [slice(None)] * x.ndim
        dst = [slice(None)] * x.ndim
        if self.step > 0:
            src[self.dim], dst[self.dim] = slice(0, n - 1), slice(1, n)
        else:
            src[self.dim], dst[self.dim] = slice(1, n), slice(0, n - 1)
        out[tuple(dst)] = x[tuple(src)]
        return out

    def backward(self, gy):
        return Shift(self.dim, -self.step, 0).apply(gy)

    def backward_arrays(self, gy):
        return Shift(self.dim, -self.step, 0).forward(gy)


class Flip(Function):
    """Reverse along ``dim`` (a copy); its own adjoint."""

    name = "flip"

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        return get_xp(x).flip(x, self.dim).copy()

    def backward(self, gy):
        return Flip(self.dim).apply(gy)

    def backward_arrays(self, gy):
        return get_xp(gy).flip(gy, self.dim)
