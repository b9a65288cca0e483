"""``Tensor.__setitem__`` and ``index_put`` / ``index_put_``: in-place
writes through an indexing key, with autograd.

A basic key writes through a view, so the in-place machinery
(``pytensor.autograd.inplace``) gives the base a ``CopySlices`` node and
only the region is copied.  An advanced key runs :class:`IndexPut` (a copy
of the input with the positions replaced) and writes its result back.
Without autograd (``no_grad``, or nothing requires grad) the value is
written straight into the storage.
"""
import numbers

import numpy as np

from pytensor.autograd import inplace as _inplace
from pytensor.autograd.function import Function
from pytensor.autograd.grad_mode import state as _state
from pytensor.autograd.tape import user_frame
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops.index import _key
from pytensor.ops.index.getitem import (Index, Slice, scatter_into)
from pytensor.tensor import Tensor
from pytensor.ops._util import on_input_device

__all__ = ["index_put"]


class IndexPut(Function):
    """A copy of ``x`` with ``x[key] = value`` (or ``+= value`` when
    ``accumulate``).  The gradient reaches ``x`` outside the written
    positions (everywhere when accumulating) and ``value`` at them."""

    name = "index_put"
    kernel = "index_add"

    def __init__(self, plan, accumulate=False):
        self.plan = plan
        self.accumulate = accumulate

    def forward(self, x, value):
        plan = self.plan
        if self.needs_input_grad:
            plan.freeze()
        out = x.copy()
        if self.accumulate:
            plan.check()        # the add kernel gets no out-of-range index
            xp = get_xp(x)
            v = xp.broadcast_to(xp.asarray(value, dtype=x.dtype),
                                plan.result_shape())
            return scatter_into(plan, v, out)
        try:
            out[_key.full_key(plan)] = value
        except IndexError:
            plan.check()
            raise
        return out

    def backward(self, g):
        nx, nv = self.needs_input_grad
        gx = gv = None
        if nx:
            gx = g if self.accumulate else IndexZero(self.plan).apply(g)
        if nv:
            gv = Index(self.plan).apply(g)
        return gx, gv


class IndexZero(Function):
    """A copy with the indexed positions set to zero (linear and
    self-adjoint)."""

    name = "index_zero"

    def __init__(self, plan):
        self.plan = plan

    def forward(self, g):
        out = g.copy()
        out[_key.full_key(self.plan)] = 0
        return out

    def backward(self, gg):
        return IndexZero(self.plan).apply(gg)


def _shape_list(s):
    return "[" + ", ".join(map(str, s)) + "]"


def _value_for(op, value, region_shape, like):
    """The value as a Tensor of ``like``'s dtype whose shape broadcasts to
    ``region_shape`` (leading size-1 dims dropped, as PyTorch does), or a
    Python number."""
    if isinstance(value, Tensor):
        v = value
    elif isinstance(value, (bool, int, float, np.generic)):
        return value.item() if isinstance(value, np.generic) else value
    else:
        from pytensor.creation import tensor
        v = tensor(value, dtype=like.dtype, device=like.device)
    vs = v._data.shape
    n = len(region_shape)
    if len(vs) > n:
        lead = len(vs) - n
        if any(s != 1 for s in vs[:lead]):
            raise _shape_error(op, vs, region_shape)
        v = v.reshape(vs[lead:])
        vs = vs[lead:]
    for a, b in zip(vs[::-1], region_shape[::-1]):
        if a != b and a != 1:
            raise _shape_error(op, value.shape, region_shape)
    if v._data.dtype != like._data.dtype:
        v = v.to(like.dtype)
    return v


def _shape_error(op, vs, rs):
    return RuntimeError(
        f"{op}: shape mismatch: value tensor of shape {_shape_list(vs)} "
        f"cannot be broadcast to indexing result of shape "
        f"{_shape_list(rs)}")


def _raw(value, like):
    """A value as something NumPy/CuPy can assign into ``like``."""
    if isinstance(value, Tensor):
        arr = value._data
        if arr.__class__ is not like.__class__:
            from pytensor import backend
            arr = backend.to_device(arr, backend.device_of(like))
        return arr
    return value


def _direct_write(x, dest, key, value, op, plan=None):
    """Write without autograd (no_grad, or nothing requires grad).  NumPy
    checks the bounds of index arrays before it writes anything; its
    IndexError is replaced by PyTorch's (``plan.check()``)."""
    try:
        dest[key] = _raw(value, dest)
    except IndexError:
        if plan is not None:
            plan.check()
        raise
    except ValueError as e:
        msg = str(e)
        if "read-only" in msg:
            raise RuntimeError(
                f"{op}: unsupported operation: more than one element of the "
                "written-to tensor refers to a single memory location (an "
                "expanded tensor?). Please clone() the tensor before "
                "performing the operation.") from None
        if "broadcast" in msg or "shape" in msg:
            if plan is not None:
                plan.check()            # an index out of range comes first
            region = dest[key].shape
            raise _shape_error(op, getattr(value, "shape", ()),
                               region) from None
        raise
    x._get_vc().bump(op, user_frame(3))


def _check_value(value, x):
    """Numbers, Tensors and (as a convenience PyTorch lacks) lists and
    arrays of numbers can be assigned; anything else is PyTorch's
    TypeError."""
    if isinstance(value, (Tensor, numbers.Number, np.generic)) and not \
            isinstance(value, (complex, np.complexfloating)):
        return
    if isinstance(value, (np.ndarray, list, tuple)):
        try:
            kind = np.asarray(value).dtype.kind
        except ValueError:              # ragged
            kind = "O"
        if kind in "biuf":
            return
        raise TypeError(f"index_put_: can't assign a {type(value).__name__} "
                        f"of non-numeric values to a {x.dtype.name} tensor")
    raise TypeError(f"index_put_: can't assign a {type(value).__name__} to "
                    f"a {x.dtype.name} tensor")


def _needs_graph(x, value):
    return _state.enabled and (
        x._requires_grad or (isinstance(value, Tensor)
                             and value._requires_grad))


@tensor_method("__setitem__")
@on_input_device
def setitem(self, key, value):
    """``self[key] = value`` in place; ``value`` is a number or a Tensor
    that broadcasts to ``self[key]``'s shape (and is cast to its dtype).

    Gradients flow to ``value`` at the written positions and to the old
    contents of ``self`` everywhere else.

    Example:
        >>> import pytensor
        >>> x = pytensor.zeros(2, 3)
        >>> x[0] = 1.0
        >>> x[:, -1] = pytensor.tensor([5.0, 6.0])
        >>> x[x == 0] = -1.0
        >>> x
        tensor([[ 1.,  1.,  5.],
                [-1., -1.,  6.]])
    """
    arr = self._data
    vc = value.__class__
    if vc is not Tensor and vc is not float and vc is not int and \
            vc is not bool:
        _check_value(value, self)
    if key.__class__ is Tensor and key._data.ndim and arr.ndim and \
            key._data.__class__ is arr.__class__ and \
            key._data.dtype.kind in "ib":
        basic, recorded = None, [(0, key._data)]    # x[idx] = v, x[mask] = v
    else:
        basic, recorded = _key.parse_key(key, arr)
    op = "index_put_"
    if isinstance(value, Tensor) and value._data.ndim == 0 and \
            value.device != self.device and value.device.type == "cpu":
        value = value.to(self.device)   # a CPU scalar, as PyTorch allows
    if isinstance(value, Tensor) and value.device != self.device:
        raise RuntimeError(
            f"{op}: expected the value on {self.device}, but it is on "
            f"{value.device}")
    if recorded is not None and isinstance(value, Tensor) and \
            value._data.dtype != arr.dtype and not (
                value._data.ndim == 0 and len(recorded) == 1
                and recorded[0][1].dtype.kind == "b"):
        # PyTorch casts values only for basic keys, and for a 0-d value
        # under a single mask (its masked_fill path).
        raise RuntimeError(
            f"{op}: Index put requires the source and destination dtypes "
            f"match, got {self.dtype.name} for the destination and "
            f"{value.dtype.name} for the source.")
    if not _needs_graph(self, value):
        _inplace.check_inplace(self, op)
        dest = arr[basic] if basic is not None else arr
        if recorded is None:
            _direct_write(self, dest, Ellipsis, _cast(value, arr), op)
        else:
            plan = _key.make_plan(recorded, dest.shape, get_xp(dest))
            _direct_write(self, dest, _key.full_key(plan), _cast(value, arr),
                          op, plan)
        return
    _inplace.check_inplace(self, op)
    target = Slice(basic).apply(self) if basic is not None else self
    if recorded is None:
        if basic is None:
            target = Slice((Ellipsis,)).apply(self)
        v = _value_for(op, value, target._data.shape, target)
        _inplace.inplace(target, "copy_", _assign, v)
        return
    plan = _key.make_plan(recorded, target._data.shape,
                          get_xp(target._data))
    v = _value_for(op, value, plan.result_shape(), target)
    _inplace.inplace(target, op, _put, plan, v, False)


def _cast(value, arr):
    """Values written without autograd get ``arr``'s dtype (PyTorch casts,
    truncating floats written into integer tensors)."""
    if isinstance(value, Tensor):
        if value._data.dtype != arr.dtype:
            return Tensor._make(value._data.astype(arr.dtype))
        return value
    if isinstance(value, (bool, int, float, np.generic)):
        if arr.dtype.kind in "iu" and isinstance(value, (float, np.floating)):
            return int(value)
        return value
    return Tensor._make(np.asarray(value).astype(arr.dtype))


def _assign(target, v):
    """The out-of-place result of ``target.copy_(v)``: ``v`` broadcast to
    ``target``'s shape."""
    if isinstance(v, Tensor):
        if v._data.shape != target._data.shape:
            v = v.expand(target._data.shape)
        return v
    xp = get_xp(target._data)
    if target._data.dtype.kind in "iu" and isinstance(v, float):
        v = int(v)
    return Tensor._make(xp.full(target._data.shape, v,
                                dtype=target._data.dtype))


def _put(x, plan, value, accumulate):
    if not isinstance(value, Tensor):
        xp = get_xp(x._data)
        if x._data.dtype.kind in "iu" and isinstance(value, float):
            value = int(value)
        value = Tensor._make(xp.asarray(value, dtype=x._data.dtype)
                             if xp is np else   # filled on the GPU
                             xp.full((), value, dtype=x._data.dtype))
    return IndexPut(plan, accumulate).apply(x, value)


def _parse_indices(op, input, indices):
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"{op}: indices must be a tuple of Tensors, got "
                        f"{type(indices).__name__}")
    items = tuple(slice(None) if i is None else i for i in indices)
    for i in items:
        if not isinstance(i, (Tensor, slice)):
            raise TypeError(f"{op}: indices must be Tensors (or None), got "
                            f"{type(i).__name__}")
    basic, recorded = _key.parse_key(items, input._data)
    if basic is not None or recorded is None:
        # Only full slices (None) and index tensors are allowed, so a
        # basic stage means a 0-d index tensor selected a dim.
        raise IndexError(f"{op}: indices must be Tensors with at least one "
                         "dimension")
    plan = _key.make_plan(recorded, input._data.shape, get_xp(input._data))
    plan.check()        # before any write (and before the add kernel)
    return plan


@tensor_method("index_put")
@on_input_device
def index_put(input, indices, values, accumulate=False):
    """Out-of-place ``input[indices] = values`` (``+=`` if ``accumulate``:
    repeated indices then add up).

    Args:
        input (Tensor): the tensor.
        indices (tuple of Tensor): one index tensor (or None) per leading
            dim, as in ``input[indices]``.
        values (Tensor or number): broadcast to ``input[indices]``'s shape.
        accumulate (bool): add instead of overwrite.

    Example:
        >>> import pytensor
        >>> x = pytensor.zeros(3)
        >>> x.index_put((pytensor.tensor([0, 0, 2]),), pytensor.tensor(1.0),
        ...             accumulate=True)
        tensor([2., 0., 1.])
    """
    plan = _parse_indices("index_put", input, indices)
    v = _value_for("index_put", values, plan.result_shape(), input)
    return _put(input, plan, v, accumulate)


@tensor_method("index_put_")
@on_input_device
def index_put_(input, indices, values, accumulate=False):
    """In-place :func:`index_put`."""
    plan = _parse_indices("index_put_", input, indices)
    v = _value_for("index_put_", values, plan.result_shape(), input)
    return _inplace.inplace(input, "index_put_", _put, plan, v, accumulate)
