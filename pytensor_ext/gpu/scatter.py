"""GPU ``index_add`` / ``scatter_add`` (``cuda/scatter.cu``, atomicAdd).

The axes other than ``axis`` are described by offset tables (outer axes
before ``axis``, inner axes after it), built on the host from the arrays'
strides and uploaded in one copy; the kernels then work for any layout
and write ``target`` in place.  Indices are bounds-checked before the
launch (one device reduction and a sync), so a bad index raises
IndexError naming the kernel and nothing is written.
"""
import numpy as np

from pytensor_ext import reference as _ref
from pytensor_ext.gpu._common import canonical_dim, ctype, is_real
from pytensor_ext.gpu._memo import cupy
from pytensor_ext.gpu._registry import raw_function, raw_module

__all__ = ["index_add", "scatter_add"]

SCATTER = raw_module("scatter.cu", [
    f"pytensor_{k}<{t}>" for k in ("index_add", "scatter_add")
    for t in ("float", "double")])

_THREADS = 256
_MAX_GRID = 2 ** 31 - 1


def _offsets(shape, strides):
    """Element offsets of every position of ``shape`` (C order)."""
    off = np.zeros(1, dtype=np.int64)
    for size, st in zip(shape, strides):
        off = (off[:, None] + np.arange(size, dtype=np.int64) * st).ravel()
    return off


def _estrides(a):
    return tuple(s // a.itemsize for s in a.strides)


def _index(name, index):
    cp = cupy()
    index = cp.asarray(index)
    if index.dtype.kind not in "iu":
        raise TypeError(f"{name}: index must be an integer array, got "
                        f"{index.dtype}")
    return index.astype(cp.int64, copy=False)


def _check_bounds(name, index, n, axis):
    if index.size == 0:
        return
    bad = (index < -n) | (index >= n)
    if bool(bad.any()):                          # one sync
        value = int(index[bad].ravel()[0])
        raise IndexError(f"{name}: index {value} is out of bounds for "
                         f"dimension {axis} with size {n}")


def _plain(a):
    return all(s % a.itemsize == 0 and (s != 0 or n <= 1)
               for n, s in zip(a.shape, a.strides))


def _prepare(name, target, src):
    """src as target's dtype, not overlapping target; None -> reference."""
    cp = cupy()
    if not is_real(target) or not _plain(target):
        return None
    if src.dtype != target.dtype:
        if src.dtype.kind not in "fiub":
            return None
        src = src.astype(target.dtype)
    if not _plain(src) or cp.may_share_memory(target, src):
        src = cp.array(src, order="C", copy=True)
    return src


def _launch(kernel, target, src, index, axis, shape, per_element):
    cp = cupy()
    m = shape[axis]
    n = target.shape[axis]
    ts, ss = _estrides(target), _estrides(src)
    tables = [_offsets(shape[:axis], ts[:axis]),
              _offsets(shape[:axis], ss[:axis]),
              _offsets(shape[axis + 1:], ts[axis + 1:]),
              _offsets(shape[axis + 1:], ss[axis + 1:])]
    if per_element:
        ist = _estrides(index)
        tables += [_offsets(shape[:axis], ist[:axis]),
                   _offsets(shape[axis + 1:], ist[axis + 1:])]
    O, K = tables[0].size, tables[2].size
    total = O * m * K
    if total == 0:
        return
    bounds = np.cumsum([0] + [t.size for t in tables])
    dev = cp.asarray(np.concatenate(tables))     # one host-to-device copy
    to, so, tk, sk = (dev[bounds[i]:bounds[i + 1]] for i in range(4))
    fn = raw_function(SCATTER, f"pytensor_{kernel}<{ctype(target)}>")
    grid = (min((total + _THREADS - 1) // _THREADS, _MAX_GRID),)
    i64 = np.int64
    if per_element:
        io, ik = (dev[bounds[i]:bounds[i + 1]] for i in (4, 5))
        fn(grid, (_THREADS,), (target, src, index, i64(m), i64(n),
                               i64(ts[axis]), i64(ss[axis]),
                               i64(_estrides(index)[axis]), to, so, io,
                               i64(O), tk, sk, ik, i64(K)))
    else:
        fn(grid, (_THREADS,), (target, src, index, i64(m), i64(n),
                               i64(ts[axis]), i64(ss[axis]), to, so, i64(O),
                               tk, sk, i64(K)))


def index_add(target, axis, index, src):
    """``target.index_add_(axis, index, src)``; repeated indices accumulate.
    Modifies and returns ``target``."""
    index = _index("index_add", index)
    if index.ndim > 1:
        raise ValueError(f"index_add: index must be 1-D, got shape "
                         f"{tuple(index.shape)}")
    index = index.reshape(-1)
    if target.ndim == 0:
        return _ref.index_add(target, axis, index, src)
    ax = canonical_dim("index_add", target.ndim, axis)
    want = target.shape[:ax] + (index.shape[0],) + target.shape[ax + 1:]
    if tuple(src.shape) != want:
        raise ValueError(
            f"index_add: source of shape {tuple(src.shape)} does not match "
            f"target of shape {tuple(target.shape)} with {index.shape[0]} "
            f"indices along dimension {ax} (expected {want})")
    _check_bounds("index_add", index, target.shape[ax], ax)
    s = _prepare("index_add", target, src)
    if s is None:
        return _ref.index_add(target, ax, index, src)
    _launch("index_add", target, s, cupy().ascontiguousarray(index), ax,
            s.shape, False)
    return target


def scatter_add(target, axis, index, src):
    """``target.scatter_add_(axis, index, src)``; repeated indices
    accumulate.  Modifies and returns ``target``."""
    index = _index("scatter_add", index)
    nd = target.ndim
    ax = canonical_dim("scatter_add", nd, axis)
    if index.ndim != nd or src.ndim != nd:
        raise ValueError(
            f"scatter_add: index ({index.ndim}-d), src ({src.ndim}-d) and "
            f"target ({nd}-d) must have the same number of dimensions")
    for d in range(nd):
        if index.shape[d] > src.shape[d] or (
                d != ax and index.shape[d] > target.shape[d]):
            raise ValueError(
                f"scatter_add: expected index {tuple(index.shape)} to be no "
                f"larger than src {tuple(src.shape)} in every dimension and "
                f"than target {tuple(target.shape)} apart from dimension "
                f"{ax}")
    if nd == 0:
        return _ref.scatter_add(target, ax, index, src)
    _check_bounds("scatter_add", index, target.shape[ax], ax)
    s = _prepare("scatter_add", target, src)
    if s is None:
        return _ref.scatter_add(target, ax, index, src)
    _launch("scatter_add", target, s, index, ax, tuple(index.shape), True)
    return target
