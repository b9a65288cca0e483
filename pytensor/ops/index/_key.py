"""Parsing an indexing key (``x[key]``) into a view part and a gather part.

PyTorch indexes in two stages, and so do we:

1. *basic* indexing walks the key left to right: an int selects (drops the
   dim), a slice slices, ``None`` inserts a dim, ``...`` skips dims.  An
   index tensor (or a list, a NumPy array, a bool) leaves its dim in place
   and is *recorded* with the position it has in the result so far.  This
   stage is a view of the input (one NumPy basic-indexing key).
2. if anything was recorded, *advanced* indexing gathers from that view
   with the recorded index arrays (broadcast together), following NumPy's
   rule: the broadcast index dims replace the indexed dims when those are
   adjacent, and go first otherwise.

This differs from NumPy in one place, as PyTorch does: an int next to an
index tensor selects first instead of being broadcast with it
(``x[0, :, [0, 1]]`` has shape ``(3, 2)`` for ``x`` of shape ``(2, 3, 4)``).

The result of the second stage is an :class:`AdvPlan`, which the forward,
the backward (a scatter-add through ``pytensor_ext``) and ``__setitem__``
share, so a key is parsed once.
"""
import warnings

import numpy as np

from pytensor.tensor import Tensor

__all__ = ["parse_key", "AdvPlan", "make_plan", "index_array"]

_ndarray = np.ndarray
_generic_int = np.integer
_INDEX_KINDS = "iub"
_FULL = slice(None)


def _bad_type(obj):
    name = "float" if isinstance(obj, float) else type(obj).__name__
    return IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or "
        f"byte Variables are valid indices (got {name})")


def _index_dtype_error():
    return IndexError("tensors used as indices must be long, int, byte or "
                      "bool tensors")


def _treat_as_tuple(key):
    """PyTorch's (NumPy's legacy) heuristic: a short list holding slices,
    ``None``, ``...``, tensors or sequences is a tuple of indices."""
    if len(key) >= 32:
        return False
    for obj in key:
        if (obj is None or obj is Ellipsis or isinstance(
                obj, (slice, Tensor, list, tuple, _ndarray))):
            return True
    return False


def index_array(obj, like):
    """An index tensor / array / list as an array on ``like``'s device.
    Returns None for objects that are not array-like indices."""
    if isinstance(obj, Tensor):
        arr = obj._data
    elif isinstance(obj, _ndarray):
        arr = obj
    elif isinstance(obj, list):
        arr = np.asarray(obj)
        if arr.size == 0:
            arr = arr.astype(np.int64)
        elif arr.dtype.kind not in _INDEX_KINDS or arr.dtype == object:
            raise _index_dtype_error()
    else:
        return None
    if arr.__class__ is not like.__class__:
        from pytensor import backend
        arr = backend.to_device(arr, backend.device_of(like))
    return arr


def parse_key(key, arr):
    """Split ``key`` for an array ``arr`` into the basic stage and the
    recorded index arrays.

    Returns:
        ``(basic, recorded)``: ``basic`` is a NumPy basic-indexing key (a
        tuple ending in ``...``, so that 0-d results stay arrays) or None
        when the first stage is the identity; ``recorded`` is a list of
        ``(result_dim, array)`` or None.
    """
    if key.__class__ is tuple:
        items = key
    elif key.__class__ is list and _treat_as_tuple(key):
        warnings.warn(
            "Using a non-tuple sequence for multidimensional indexing is "
            "deprecated; use x[tuple(seq)] instead of x[seq].",
            UserWarning, stacklevel=3)
        items = tuple(key)
    else:
        items = (key,)
    shape = arr.shape
    ndim = len(shape)

    # How many input dims the key names (None, ... and bools name none).
    specified = 0
    ellipsis = False
    conv = []
    for obj in items:
        c = obj.__class__
        if c is int or c is slice:
            specified += 1
        elif obj is None or c is bool:
            pass
        elif obj is Ellipsis:
            if ellipsis:
                raise IndexError("an index can only have a single ellipsis "
                                 "('...')")
            ellipsis = True
        elif isinstance(obj, (bool, np.bool_)):
            obj = bool(obj)
        elif isinstance(obj, _generic_int):
            obj = int(obj)
            specified += 1
        else:
            a = index_array(obj, arr)
            if a is None:
                if isinstance(obj, (str, bytes, dict, set, float, complex)) \
                        or not hasattr(obj, "__index__"):
                    raise _bad_type(obj)
                obj = int(obj.__index__())
                specified += 1
            else:
                kind = a.dtype.kind
                if kind not in _INDEX_KINDS:
                    raise _index_dtype_error()
                if a.ndim == 0:
                    # A 0-d int index selects (a view); a 0-d bool acts like
                    # a Python bool, as in PyTorch.
                    obj = bool(a) if kind == "b" or a.dtype == np.uint8 \
                        else int(a)
                    if obj.__class__ is int:
                        specified += 1
                else:
                    if a.dtype == np.uint8:
                        warnings.warn(
                            "indexing with dtype uint8 is deprecated, please "
                            "use a dtype bool instead.", UserWarning,
                            stacklevel=3)
                        a = a.astype(bool)
                    obj = a
                    specified += a.ndim if a.dtype.kind == "b" else 1
        conv.append(obj)
    if specified > ndim:
        if ndim == 0 and conv and conv[0].__class__ is int:
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in "
                "Python or `tensor.item<T>()` in C++ to convert a 0-dim "
                "tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")

    basic = []
    recorded = None
    trivial = True
    sdim = 0        # the input dim the next item applies to
    rdim = 0        # the result dim it lands on
    for i, obj in enumerate(conv):
        c = obj.__class__
        if c is int:
            n = shape[sdim]
            if obj < -n or obj >= n:
                raise IndexError(f"index {obj} is out of bounds for "
                                 f"dimension {i} with size {n}")
            basic.append(obj)
            trivial = False
            sdim += 1
        elif c is slice:
            step = obj.step
            if step is not None:
                step = step.__index__()
                if step <= 0:
                    raise ValueError("slice step cannot be zero" if step == 0
                                     else "step must be greater than zero")
            if obj.start is not None or obj.stop is not None or (
                    step is not None and step != 1):
                trivial = False
            basic.append(obj)
            sdim += 1
            rdim += 1
        elif obj is None:
            basic.append(None)
            trivial = False
            rdim += 1
        elif obj is Ellipsis:
            skip = ndim - specified
            basic.extend((_FULL,) * skip)
            sdim += skip
            rdim += skip
        elif c is bool:
            # Unsqueeze, then index the new dim with [0] (True) or [] (False).
            basic.append(None)
            trivial = False
            if recorded is None:
                recorded = []
            xp = _xp(arr)
            recorded.append((rdim, xp.zeros(1 if obj else 0, np.int64)))
            rdim += 1
        else:                       # an index array
            k = obj.ndim if obj.dtype.kind == "b" else 1
            basic.extend((_FULL,) * k)
            if recorded is None:
                recorded = []
            recorded.append((rdim, obj))
            sdim += k
            rdim += k
    if trivial:
        return None, recorded
    basic.append(Ellipsis)
    return tuple(basic), recorded


def _xp(arr):
    if arr.__class__ is _ndarray:
        return np
    from pytensor.backend import get_xp
    return get_xp(arr)


def _shape_list(s):
    return "[" + ", ".join(str(int(v)) for v in s) + "]"


def _check_bounds(a, n, dim):
    """IndexError naming the first index outside ``[-n, n)``."""
    if a.size == 0:
        return
    from pytensor.ops.index._check import min_max
    lo, hi = min_max(a)
    if lo < -n or hi >= n:
        bad = hi if hi >= n else lo
        raise IndexError(f"index {bad} is out of bounds for dimension {dim} "
                         f"with size {n}")


def _wrap(a, n):
    """Negative indices wrapped to ``[0, n)``, as int64."""
    if a.dtype != np.int64:
        a = a.astype(np.int64)
    if a.__class__ is not _ndarray:
        return a + (a < 0) * n      # no read-back on a GPU
    if a.size and int(a.min()) < 0:
        a = a + (a < 0) * n
    return a


class AdvPlan:
    """The advanced stage of one indexing key, for a view of shape
    ``shape``.

    On the CPU, index arrays are kept as given (negatives included): NumPy
    checks bounds while it gathers, and a failure is re-checked here for
    PyTorch's message (:meth:`check`), so the hot path pays no extra pass.
    CuPy does not check, so on a GPU the bounds are checked up front.

    Attributes:
        key: the NumPy key applied to the view (full slices and index
            arrays), or None for a single index array (``take_dim``).
        dims: the view dims the index arrays cover, in order.
        front: True when those dims are not adjacent, so the broadcast
            index dims lead the result (NumPy's rule).
        shape: the view's shape.
        arrays: the broadcast index arrays (None for a single mask).
        mask: the bool mask when the key is one mask alone.
    """

    __slots__ = ("key", "dims", "front", "shape", "arrays", "mask",
                 "_lin", "unique", "take_dim")

    def freeze(self):
        """Privately copy the index arrays and mask (see ``_check.keep``);
        called by recording nodes before the user can write into them."""
        if self.mask is not None:
            self.mask = self.mask.copy()
            d = self.dims[0]
            self.key = (_FULL,) * d + (self.mask,)
            return
        self.arrays = tuple(a.copy() for a in self.arrays)
        if self.key is not None:
            key = list(self.key)
            for d, a in zip(self.dims, self.arrays):
                key[d] = a
            self.key = tuple(key)

    def check(self):
        """Raise PyTorch's IndexError for an out-of-range index."""
        if self.arrays is not None:
            for d, a in zip(self.dims, self.arrays):
                _check_bounds(a, self.shape[d], d)

    def lin(self):
        """The broadcast index as linear offsets into the merged indexed
        dims, non-negative (computed once, on first need: backward and
        accumulating writes)."""
        lin = self._lin
        if lin is not None:
            return lin
        if self.mask is not None:
            xp = _xp(self.mask)
            lin = xp.flatnonzero(self.mask)
        else:
            shape = self.shape
            dims = self.dims
            arrays = self.arrays
            lin = _wrap(arrays[0], shape[dims[0]])
            for d, a in zip(dims[1:], arrays[1:]):
                lin = lin * shape[d] + _wrap(a, shape[d])
        self._lin = lin
        return lin

    def result_shape(self):
        """The shape of ``view[key]``."""
        shape = self.shape
        dims = self.dims
        if self.mask is not None:
            b = (int(self.lin().size),)
        else:
            b = tuple(self.arrays[0].shape)
        rest = tuple(s for d, s in enumerate(shape) if d not in dims)
        if self.front:
            return b + rest
        d0 = dims[0]
        return shape[:d0] + b + shape[d0 + len(dims):]


def _new_plan(shape):
    p = AdvPlan()
    p.shape = shape
    p._lin = None
    p.mask = None
    p.take_dim = None
    p.unique = False
    p.key = None
    p.arrays = None
    return p


def single_plan(a, shape, d=0):
    """The plan of ``v[(slice(None),) * d + (a,)]`` for one integer index
    array ``a`` (the hot path of ``x[idx]``)."""
    p = _new_plan(shape)
    if a.__class__ is not _ndarray:
        _check_bounds(a, shape[d], d)
    p.dims = (d,)
    p.arrays = (a,)
    p.front = False
    p.take_dim = d
    return p


def mask_plan(m, shape, d=0):
    """The plan of ``v[(slice(None),) * d + (m,)]`` for one bool mask
    (checked against ``shape``)."""
    for j in range(m.ndim):
        if d + j >= len(shape) or m.shape[j] != shape[d + j]:
            raise IndexError(
                f"The shape of the mask {_shape_list(m.shape)} at index {j} "
                f"does not match the shape of the indexed tensor "
                f"{_shape_list(shape)} at index {d + j}")
    p = _new_plan(shape)
    # NumPy indexes with the mask directly (faster than its nonzero
    # arrays); its positions never repeat.
    p.mask = m
    p.dims = tuple(range(d, d + m.ndim))
    p.front = False
    p.unique = True
    p.key = (_FULL,) * d + (m,)
    return p


def make_plan(recorded, shape, xp):
    """Validate the recorded index arrays against the view ``shape`` and
    build the :class:`AdvPlan`."""
    if len(recorded) == 1:
        rdim, a = recorded[0]
        if a.dtype.kind == "b":
            return mask_plan(a, shape, rdim)
        return single_plan(a, shape, rdim)
    dims = []
    arrays = []
    for rdim, a in recorded:
        if a.dtype.kind == "b":
            mask_plan(a, shape, rdim)           # shape check only
            dims.extend(range(rdim, rdim + a.ndim))
            arrays.extend(xp.nonzero(a))
        else:
            if a.__class__ is not _ndarray:
                _check_bounds(a, shape[rdim], rdim)
            dims.append(rdim)
            arrays.append(a)
    shapes = [tuple(a.shape) for a in arrays]
    if len(set(shapes)) > 1:
        try:
            arrays = list(xp.broadcast_arrays(*arrays))
        except ValueError:
            raise IndexError(
                "shape mismatch: indexing tensors could not be broadcast "
                "together with shapes "
                + ", ".join(_shape_list(s) for s in shapes)) from None
    p = _new_plan(shape)
    p.dims = tuple(dims)
    p.arrays = tuple(arrays)
    p.front = dims[-1] - dims[0] != len(dims) - 1
    key = [_FULL] * (dims[-1] + 1)
    for d, a in zip(dims, arrays):
        key[d] = a
    p.key = tuple(key)
    return p


def gather(plan, v):
    """``v[key]`` for the plan (a copy)."""
    try:
        d = plan.take_dim
        if d is not None:
            return v.take(plan.arrays[0], axis=d)
        return v[plan.key]
    except IndexError:
        plan.check()
        raise


def full_key(plan):
    """A NumPy key equivalent to the plan, usable for assignment."""
    if plan.key is not None:
        return plan.key
    d = plan.take_dim
    return (_FULL,) * d + (plan.arrays[0],)
