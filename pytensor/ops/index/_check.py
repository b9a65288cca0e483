"""Validation shared by the index ops (gather, scatter, index_select, ...):
index tensors as int64 arrays on the right device, bounds with PyTorch's
wording, and the sparse grid keys that turn ``gather``/``scatter`` into
NumPy indexing."""
import numpy as np

from pytensor.tensor import Tensor

__all__ = ["index_arg", "check_bounds", "grid_key", "leading_key",
           "shape_list", "keep"]


def keep(node, arr):
    """The index (or mask) array a recording node holds for backward, as a
    private copy: a later in-place write into the user's index tensor must
    not change the gradient.  Nodes that do not record keep ``arr``."""
    return arr.copy() if node.needs_input_grad else arr


def shape_list(s):
    return "[" + ", ".join(str(int(v)) for v in s) + "]"


def index_arg(op, index, like, long_only=False):
    """``index`` (a Tensor) as a contiguous int64 array on ``like``'s
    device (``like`` is an array)."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}: index must be a Tensor, got "
                        f"{type(index).__name__}")
    arr = index._data
    kind = arr.dtype.kind
    if kind not in "iu" or (long_only and arr.dtype != np.int64):
        want = "int64" if long_only else "int32/int64"
        raise RuntimeError(f"{op}: Expected dtype {want} for index, but got "
                           f"{index.dtype.name}")
    if arr.__class__ is not like.__class__ or (
            arr.__class__ is not np.ndarray and
            arr.data.device_id != like.data.device_id):
        from pytensor.backend import device_of
        raise RuntimeError(
            f"{op}: expected all tensors to be on the same device, but "
            f"found at least two devices, {device_of(like)} and "
            f"{index.device}! (the index is on {index.device}, the input on "
            f"{device_of(like)})")
    if arr.dtype != np.int64:
        arr = arr.astype(np.int64)
    elif not arr.flags.c_contiguous:
        arr = arr.copy()
    return arr


def check_bounds(op, idx, n, dim, allow_negative=False):
    """IndexError for entries outside ``[0, n)`` (``[-n, n)`` when
    ``allow_negative``, in which case negatives are wrapped)."""
    if idx.size == 0:
        return idx
    lo, hi = min_max(idx)
    low = -n if allow_negative else 0
    if lo < low or hi >= n:
        bad = hi if hi >= n else lo
        raise IndexError(f"{op}: index {bad} is out of bounds for dimension "
                         f"{dim} with size {n}")
    if lo < 0:
        idx = idx + (idx < 0) * n
    return idx


def min_max(a):
    """``(min, max)`` of an index array as ints: one read-back from a GPU
    (the bounds check is a synchronisation there; PyTorch asserts on the
    device instead)."""
    if a.__class__ is np.ndarray:
        return int(a.min()), int(a.max())
    from pytensor.backend import get_xp
    lo, hi = get_xp(a).stack([a.min(), a.max()]).get().tolist()
    return int(lo), int(hi)


def grid_key(index, dim, xp):
    """The NumPy key that addresses ``t[..., index[i, j, ...], ...]`` (at
    ``dim``) for every position of ``index``: gather is ``x[key]`` and
    scatter is ``x[key] = src``."""
    # The sparse grid of ``np.indices(shape, sparse=True)``, built by hand
    # so that it works on CuPy as well.
    nd = index.ndim
    key = []
    for k, n in enumerate(index.shape):
        if k == dim:
            key.append(index)
        else:
            key.append(xp.arange(n).reshape((1,) * k + (n,) +
                                            (1,) * (nd - k - 1)))
    return tuple(key)


def leading_key(shape):
    """The key of the leading ``shape`` region of a larger array."""
    return tuple(slice(0, s) for s in shape) + (Ellipsis,)
