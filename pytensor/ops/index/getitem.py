"""``Tensor.__getitem__``: basic indexing (a view) and advanced indexing (a
gather whose backward scatter-adds through ``pytensor_ext``).

See ``_key.py`` for how a key is split; ``docs/indexing.md`` for the user's
view of the rules.
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops.index import _key
from pytensor.ops.shape._views import Select, Slice
from pytensor.tensor import Tensor
from pytensor_ext import kernels_for
from pytensor.ops._util import on_input_device

__all__ = []

_FULL = slice(None)


class Index(Function):
    """``v[key]`` for an advanced key (index arrays or a mask): a copy."""

    name = "index"

    def __init__(self, plan):
        self.plan = plan

    def forward(self, v):
        if self.needs_input_grad:
            self.plan.freeze()
        return _key.gather(self.plan, v)

    def backward(self, gy):
        return IndexBackward(self.plan).apply(gy)


class IndexBackward(Function):
    """Zeros of the input's shape with the gradient *added* at the indexed
    positions (repeated indices accumulate)."""

    name = "index_backward"
    kernel = "index_add"

    def __init__(self, plan):
        self.plan = plan

    def forward(self, g):
        return scatter_into(self.plan, g, None)

    def backward(self, gg):
        return Index(self.plan).apply(gg)


def scatter_into(plan, src, out):
    """Add ``src`` (of the plan's result shape) into ``out`` (of the plan's
    input shape, modified in place; fresh zeros when None) at the plan's
    positions, through the ``index_add`` kernel (repeated indices
    accumulate).  Returns the result array."""
    xp = get_xp(src)
    shape = plan.shape
    dims = plan.dims
    lin = plan.lin().reshape(-1)
    merged = 1
    for d in dims:
        merged *= shape[d]
    if not plan.front:
        d0 = dims[0]
        pre, post = shape[:d0], shape[d0 + len(dims):]
        mshape = pre + (merged,) + post
        src = src.reshape(pre + (lin.size,) + post)
        axis = d0
        perm = None
    else:
        rest = tuple(d for d in range(len(shape)) if d not in dims)
        rshape = tuple(shape[d] for d in rest)
        mshape = (merged,) + rshape
        src = src.reshape((lin.size,) + rshape)
        axis = 0
        perm = tuple(dims) + rest
    direct = out is not None and perm is None and out.flags.c_contiguous
    if direct:
        target = out.reshape(mshape)            # a view: writes reach out
    else:
        # Allocated in its final (permuted) shape and viewed as ``mshape``:
        # the result is then the allocation itself, not a view of it, so
        # the engine can keep it as a leaf's .grad without a copy (W5: a
        # 50000 x 256 table's gradient, 7 ms of copying per step).
        fresh = xp.zeros(shape if perm is None else
                         tuple(shape[d] for d in perm), src.dtype)
        target = fresh.reshape(mshape)
    if lin.size and target.size:
        if plan.unique:
            # Mask positions never repeat: a plain fancy add suffices.
            target[(_FULL,) * axis + (lin,)] += src
        else:
            kernels_for(target).index_add(target, axis, lin, src)
    if direct:
        return out
    res = fresh if perm is None else fresh.transpose(_inverse(perm))
    if out is None:
        return xp.ascontiguousarray(res)
    out += res
    return out


def _inverse(perm):
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)


def index(x, key):
    """``x[key]`` (the implementation of ``Tensor.__getitem__``)."""
    arr = x._data
    basic, recorded = _key.parse_key(key, arr)
    if basic is not None:
        x = Slice(basic).apply(x)
        arr = x._data
    if recorded is None:
        if basic is None:
            # x[...] / x[:]: an alias, still a view of x.
            return Slice((Ellipsis,)).apply(x)
        return x
    plan = _key.make_plan(recorded, arr.shape, get_xp(arr))
    return Index(plan).apply(x)


_int = int
_slice = slice
_uint8 = np.dtype(np.uint8)


@tensor_method("__getitem__")
@on_input_device
def getitem(self, key):
    """Index like PyTorch (and NumPy): ints, slices (positive steps),
    ``None``, ``...``, bools, integer tensors / lists / arrays and bool
    masks.  Basic indexing returns a view; an index tensor or mask copies.

    Example:
        >>> import pytensor
        >>> x = pytensor.arange(12).reshape(3, 4)
        >>> x[1]
        tensor([4, 5, 6, 7])
        >>> x[:, 1:3]
        tensor([[ 1,  2],
                [ 5,  6],
                [ 9, 10]])
        >>> x[[0, 2], -1]
        tensor([ 3, 11])
        >>> x[x > 8]
        tensor([ 9, 10, 11])
    """
    c = key.__class__
    if c is _int:
        # The hot path: x[i] selects along dim 0.
        shape = self._data.shape
        if not shape:
            return index(self, key)
        n = shape[0]
        if key < -n or key >= n:
            raise IndexError(f"index {key} is out of bounds for dimension 0 "
                             f"with size {n}")
        return Select((key, Ellipsis)).apply(self)
    if c is _slice:
        step = key.step
        if (step is None or (step.__class__ is _int and step > 0)) and \
                self._data.ndim:
            return Slice((key, Ellipsis)).apply(self)
        return index(self, key)
    if c is tuple and _all_basic(key, self._data.shape):
        return Slice(key + (Ellipsis,)).apply(self)
    if c is Tensor:
        # x[idx] / x[mask]: one index tensor, no basic stage.
        arr = key._data
        data = self._data
        if arr.ndim and arr.__class__ is data.__class__ and data.ndim:
            kind = arr.dtype.kind
            if kind == "i" or (kind == "u" and arr.dtype != _uint8):
                return Index(_key.single_plan(arr, data.shape)).apply(self)
            if kind == "b":
                return Index(_key.mask_plan(arr, data.shape)).apply(self)
    return index(self, key)


def _all_basic(key, shape):
    """A tuple of in-range ints and positive-step slices only (x[:, 0])."""
    if len(key) > len(shape):
        return False
    for i, k in enumerate(key):
        c = k.__class__
        if c is _int:
            n = shape[i]
            if k < -n or k >= n:
                return False
        elif c is _slice:
            step = k.step
            if step is not None and (step.__class__ is not _int or
                                     step <= 0):
                return False
        else:
            return False
    return True
