# cython: language_level=3
"""Scatter-add kernels: ``index_add`` (backward of ``index_select`` and of
embedding lookups) and ``scatter_add`` (backward of ``gather``).

Both accumulate into ``target`` in place, with repeated indices adding up,
which is what ``np.add.at`` does -- slowly, one element at a time through
the ufunc machinery.  Here every array is addressed through strides (no
copies of ``target`` or ``src``, any layout), the axis being scattered
along is walked in index order, and the other axes are split into an outer
part ``O`` (axes before ``axis``) and an inner part ``K`` (axes after it),
each given by a table of element offsets.  When the inner part is
contiguous in both arrays (the embedding case) a destination row is a
plain vector add.

Threads split ``O`` or, when it is small, ``K``: two threads never write
the same element, so no atomics are needed and the result does not depend
on the thread count (the additions into one element happen in index
order, as in ``np.add.at``).

Indices are checked before anything is written: anything outside
``[-n, n)`` raises IndexError naming the kernel; negative indices count
from the end, as in NumPy and the reference.
"""
cimport numpy as cnp
from cython.parallel cimport prange
from libc.stdint cimport int64_t

from pytensor_ext.cpu._common cimport real, threads_for, real_type
import operator

import numpy as np

from pytensor_ext import reference as _ref

cnp.import_array()

__all__ = ["index_add", "scatter_add"]

# Additions per thread below which a scatter stays on one thread.
cdef Py_ssize_t GRAIN = 1 << 15
# Narrowest slice of the inner axes one thread takes.
cdef Py_ssize_t MIN_K = 64
# Inner lengths below which scatter_add loops over the index axis innermost.
cdef Py_ssize_t SHORT_K = 16


cdef void _scatter(real* t, const real* s, const int64_t* I,
                   Py_ssize_t m, Py_ssize_t n,
                   Py_ssize_t t_ax, Py_ssize_t s_ax, Py_ssize_t i_ax,
                   const Py_ssize_t* to, const Py_ssize_t* so,
                   const Py_ssize_t* io,
                   const Py_ssize_t* tk, const Py_ssize_t* sk,
                   const Py_ssize_t* ik,
                   Py_ssize_t o0, Py_ssize_t o1,
                   Py_ssize_t k0, Py_ssize_t k1,
                   bint per_element, bint unit_inner) noexcept nogil:
    """Outer block [o0, o1) x inner block [k0, k1) of the scatter.

    For each position (o, k) and i in [0, m):
        j = I[i*i_ax]                      (index_add, one index per i)
          or I[io[o] + ik[k] + i*i_ax]     (scatter_add, per element)
        t[to[o] + tk[k] + j*t_ax] += s[so[o] + sk[k] + i*s_ax]
    with j < 0 wrapped to j + n (bounds were checked by the caller).
    ``unit_inner`` (index_add only): tk[k] == sk[k] == k.  For a fixed
    destination the additions always happen in increasing i.
    """
    cdef Py_ssize_t o, i, k, j
    cdef real* tb
    cdef const real* sb
    cdef const int64_t* ib
    for o in range(o0, o1):
        if not per_element and k1 - k0 < SHORT_K:
            # index_add of scalars or short rows: the index axis innermost
            # (a vectorised loop of length 1 costs more in set-up than the
            # addition: 4x slower than np.add.at on a 1-D target).
            for k in range(k0, k1):
                tb = t + to[o] + tk[k]
                sb = s + so[o] + sk[k]
                for i in range(m):
                    j = I[i * i_ax]
                    if j < 0:
                        j = j + n
                    tb[j * t_ax] = tb[j * t_ax] + sb[i * s_ax]
        elif not per_element:
            # index_add: one destination row per i.
            for i in range(m):
                j = I[i * i_ax]
                if j < 0:
                    j = j + n
                tb = t + to[o] + j * t_ax
                sb = s + so[o] + i * s_ax
                if unit_inner:
                    for k in range(k0, k1):
                        tb[k] = tb[k] + sb[k]
                else:
                    for k in range(k0, k1):
                        tb[tk[k]] = tb[tk[k]] + sb[sk[k]]
        elif k1 - k0 >= SHORT_K:
            # scatter_add, long inner axes: k innermost.
            for i in range(m):
                ib = I + io[o] + i * i_ax
                sb = s + so[o] + i * s_ax
                tb = t + to[o]
                for k in range(k0, k1):
                    j = ib[ik[k]]
                    if j < 0:
                        j = j + n
                    tb[tk[k] + j * t_ax] = tb[tk[k] + j * t_ax] + sb[sk[k]]
        else:
            # scatter_add along the last axes (inner length 1 or so): the
            # index axis innermost instead of a loop of length 1.
            for k in range(k0, k1):
                ib = I + io[o] + ik[k]
                sb = s + so[o] + sk[k]
                tb = t + to[o] + tk[k]
                for i in range(m):
                    j = ib[i * i_ax]
                    if j < 0:
                        j = j + n
                    tb[j * t_ax] = tb[j * t_ax] + sb[i * s_ax]


cdef void _run(real* t, const real* s, const int64_t* I,
               Py_ssize_t m, Py_ssize_t n,
               Py_ssize_t t_ax, Py_ssize_t s_ax, Py_ssize_t i_ax,
               const Py_ssize_t* to, const Py_ssize_t* so,
               const Py_ssize_t* io, Py_ssize_t O,
               const Py_ssize_t* tk, const Py_ssize_t* sk,
               const Py_ssize_t* ik, Py_ssize_t K,
               bint per_element, bint unit_inner) noexcept nogil:
    cdef int nt = threads_for(m * O * K, GRAIN)
    cdef Py_ssize_t w, b
    if nt > 1 and O >= nt:
        for b in prange(O, num_threads=nt, schedule="static"):
            _scatter(t, s, I, m, n, t_ax, s_ax, i_ax, to, so, io, tk, sk, ik,
                     b, b + 1, 0, K, per_element, unit_inner)
        return
    if nt > 1 and K >= 2 * MIN_K:
        w = (K + nt - 1) // nt
        if w < MIN_K:
            w = MIN_K
        for b in prange(0, K, w, num_threads=nt, schedule="static"):
            _scatter(t, s, I, m, n, t_ax, s_ax, i_ax, to, so, io, tk, sk, ik,
                     0, O, b, min(b + w, K), per_element, unit_inner)
        return
    _scatter(t, s, I, m, n, t_ax, s_ax, i_ax, to, so, io, tk, sk, ik,
             0, O, 0, K, per_element, unit_inner)


cdef bint _minmax_ok(const int64_t* p, Py_ssize_t count, Py_ssize_t n) noexcept nogil:
    """True when every index is in [-n, n)."""
    cdef Py_ssize_t i
    cdef int64_t lo = 0, hi = 0, v
    if count == 0:
        return True
    lo = p[0]
    hi = p[0]
    for i in range(count):
        v = p[i]
        lo = v if v < lo else lo
        hi = v if v > hi else hi
    return lo >= -n and hi < n


# --- preparation (C-level: this runs on every call, small scatters included) --
cdef cnp.ndarray _offsets(cnp.ndarray a, int d0, int d1,
                          const cnp.npy_intp* shape):
    """Element offsets in ``a`` of every position of ``shape[d0:d1]`` (C
    order) along ``a``'s axes ``d0..d1-1``, as an intp array (``[0]`` when
    the range is empty).  An odometer over the strides."""
    cdef int nd = d1 - d0, d
    cdef Py_ssize_t item = cnp.PyArray_ITEMSIZE(a), i, off = 0
    cdef const cnp.npy_intp* strides = cnp.PyArray_STRIDES(a)
    cdef cnp.npy_intp count = 1
    cdef Py_ssize_t sh[64]
    cdef Py_ssize_t st[64]
    cdef Py_ssize_t ctr[64]
    for d in range(nd):
        sh[d] = shape[d0 + d]
        st[d] = strides[d0 + d] // item
        ctr[d] = 0
        count *= sh[d]
    cdef cnp.ndarray out = cnp.PyArray_EMPTY(1, &count, cnp.NPY_INTP, 0)
    cdef Py_ssize_t* v = <Py_ssize_t*>cnp.PyArray_DATA(out)
    for i in range(count):
        v[i] = off
        d = nd - 1
        while d >= 0:           # advance the odometer
            ctr[d] += 1
            off += st[d]
            if ctr[d] < sh[d]:
                break
            off -= st[d] * sh[d]
            ctr[d] = 0
            d -= 1
    return out


cdef inline Py_ssize_t* _ptr(cnp.ndarray a) noexcept:
    return <Py_ssize_t*>cnp.PyArray_DATA(a)


cdef bint _is_range(cnp.ndarray off) noexcept:
    cdef Py_ssize_t* v = _ptr(off)
    cdef Py_ssize_t i
    for i in range(cnp.PyArray_SIZE(off)):
        if v[i] != i:
            return False
    return True


cdef bint _plain(cnp.ndarray a) noexcept:
    """Aligned, element-multiple strides, no zero stride on an axis longer
    than one (distinct positions are distinct memory, which the race-free
    thread split relies on)."""
    cdef int d
    cdef Py_ssize_t item = cnp.PyArray_ITEMSIZE(a)
    cdef const cnp.npy_intp* st = cnp.PyArray_STRIDES(a)
    cdef const cnp.npy_intp* sh = cnp.PyArray_DIMS(a)
    if not cnp.PyArray_ISALIGNED(a):
        return False
    for d in range(cnp.PyArray_NDIM(a)):
        if st[d] % item or (st[d] == 0 and sh[d] > 1):
            return False
    return True


cdef void _extent(cnp.ndarray a, char** lo, char** hi) noexcept:
    """The byte range ``[lo, hi)`` that ``a``'s elements can touch."""
    cdef int d
    cdef const cnp.npy_intp* st = cnp.PyArray_STRIDES(a)
    cdef const cnp.npy_intp* sh = cnp.PyArray_DIMS(a)
    cdef char* base = <char*>cnp.PyArray_DATA(a)
    lo[0] = base
    hi[0] = base + cnp.PyArray_ITEMSIZE(a)
    for d in range(cnp.PyArray_NDIM(a)):
        if sh[d] == 0:
            hi[0] = base
            return
        if st[d] < 0:
            lo[0] += st[d] * (sh[d] - 1)
        else:
            hi[0] += st[d] * (sh[d] - 1)


cdef bint _may_overlap(cnp.ndarray a, cnp.ndarray b) noexcept:
    """np.may_share_memory (memory bounds only), without its call cost."""
    cdef char* alo
    cdef char* ahi
    cdef char* blo
    cdef char* bhi
    _extent(a, &alo, &ahi)
    _extent(b, &blo, &bhi)
    return alo < bhi and blo < ahi and alo < ahi and blo < bhi


cdef int _axis(str name, object axis, int ndim) except -1:
    cdef Py_ssize_t d
    cdef int span = ndim if ndim > 0 else 1
    try:
        d = operator.index(axis)
    except TypeError:
        raise TypeError(f"{name}: dim must be an int, got "
                        f"{type(axis).__name__}") from None
    except OverflowError:               # beyond Py_ssize_t
        d = span
    if d < -span or d >= span:
        raise IndexError(f"{name}: Dimension out of range (expected to be in "
                         f"range of [{-span}, {span - 1}], but got {axis})")
    return d + span if d < 0 else d     # (C modulo would keep the sign)


cdef cnp.ndarray _index_array(str name, object index):
    """``index`` as a C-contiguous int64 array (a copy only if needed)."""
    cdef cnp.ndarray a
    if type(index) is cnp.ndarray:
        a = <cnp.ndarray>index
    else:
        a = np.asarray(index)
    cdef int t = cnp.PyArray_TYPE(a)
    if t == cnp.NPY_INT64 and cnp.PyArray_ISCARRAY_RO(a) and \
            cnp.PyArray_ISNOTSWAPPED(a):
        return a
    if a.dtype.kind not in "iu":
        raise TypeError(f"{name}: index must be an integer array, got "
                        f"{a.dtype}")
    # (not np.ascontiguousarray: it turns a 0-d array into a 1-d one)
    return np.array(a, dtype=np.int64, order="C", copy=None)


cdef int _check_bounds(str name, cnp.ndarray idx, Py_ssize_t n,
                       int axis) except -1:
    cdef bint ok
    cdef const int64_t* p = <const int64_t*>cnp.PyArray_DATA(idx)
    cdef Py_ssize_t count = cnp.PyArray_SIZE(idx)
    if count < 4096:
        ok = _minmax_ok(p, count, n)
    else:
        with nogil:
            ok = _minmax_ok(p, count, n)
    if not ok:
        flat = idx.ravel()
        bad = flat[(flat < -n) | (flat >= n)][0]
        raise IndexError(f"{name}: index {int(bad)} is out of bounds for "
                         f"dimension {axis} with size {n}")
    return 0


cdef object _prepare(str name, object target, cnp.ndarray src):
    """The src array to scatter (target's dtype, not overlapping target), or
    None when the compiled kernel does not apply (the reference runs)."""
    cdef int t = real_type(target)
    if t < 0:
        return None
    cdef cnp.ndarray tg = <cnp.ndarray>target
    if not cnp.PyArray_ISWRITEABLE(tg):
        raise ValueError(f"{name}: the target array is read-only")
    if not _plain(tg):
        return None
    if cnp.PyArray_TYPE(src) != t or not cnp.PyArray_ISNOTSWAPPED(src):
        if src.dtype.kind not in "fiub":
            return None
        src = src.astype(target.dtype)
    if not _plain(src) or _may_overlap(tg, src):
        src = <cnp.ndarray>cnp.PyArray_NewCopy(src, cnp.NPY_CORDER)
    return src


cdef int _launch(int t, cnp.ndarray target, cnp.ndarray src,
                 cnp.ndarray idx, int axis, const cnp.npy_intp* shape,
                 bint per_element) except -1:
    """Build the offset tables of the outer (before ``axis``) and inner
    (after it) axes of ``shape`` -- the index's shape for scatter_add, src's
    for index_add -- and run the kernel without the GIL."""
    cdef int nd = cnp.PyArray_NDIM(target)
    cdef Py_ssize_t item = cnp.PyArray_ITEMSIZE(target)
    cdef Py_ssize_t m = shape[axis]
    cdef Py_ssize_t n = cnp.PyArray_DIMS(target)[axis]
    cdef cnp.ndarray to = _offsets(target, 0, axis, shape)
    cdef cnp.ndarray so = _offsets(src, 0, axis, shape)
    cdef cnp.ndarray tk = _offsets(target, axis + 1, nd, shape)
    cdef cnp.ndarray sk = _offsets(src, axis + 1, nd, shape)
    cdef cnp.ndarray io = to, ik = tk
    cdef Py_ssize_t i_ax = 1
    if per_element:
        io = _offsets(idx, 0, axis, shape)
        ik = _offsets(idx, axis + 1, nd, shape)
        i_ax = cnp.PyArray_STRIDES(idx)[axis] // 8
    cdef Py_ssize_t K = cnp.PyArray_SIZE(tk), O = cnp.PyArray_SIZE(to)
    cdef bint unit = not per_element and _is_range(tk) and _is_range(sk)
    cdef Py_ssize_t* vto = _ptr(to)
    cdef Py_ssize_t* vso = _ptr(so)
    cdef Py_ssize_t* vio = _ptr(io)
    cdef Py_ssize_t* vtk = _ptr(tk)
    cdef Py_ssize_t* vsk = _ptr(sk)
    cdef Py_ssize_t* vik = _ptr(ik)
    cdef void* pt = cnp.PyArray_DATA(target)
    cdef void* ps = cnp.PyArray_DATA(src)
    cdef const int64_t* pi = <const int64_t*>cnp.PyArray_DATA(idx)
    cdef Py_ssize_t t_ax = cnp.PyArray_STRIDES(target)[axis] // item
    cdef Py_ssize_t s_ax = cnp.PyArray_STRIDES(src)[axis] // item
    if m == 0 or O == 0 or K == 0:
        return 0
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _run[float](<float*>pt, <const float*>ps, pi, m, n, t_ax, s_ax,
                        i_ax, vto, vso, vio, O, vtk, vsk, vik, K,
                        per_element, unit)
        else:
            _run[double](<double*>pt, <const double*>ps, pi, m, n, t_ax,
                         s_ax, i_ax, vto, vso, vio, O, vtk, vsk, vik, K,
                         per_element, unit)
    return 0


cdef object _add_at(str name, object target, cnp.ndarray idx, object src):
    """A 1-D target: ``np.add.at`` itself.  Its 1-D fast path (NumPy 2)
    measured 15-25% faster than the loop here plus the separate bounds
    pass (100k scalars into 1000 slots), and it also checks every index
    before writing anything; only its error message is replaced."""
    try:
        np.add.at(target, idx, src)
    except IndexError:
        _check_bounds(name, idx, target.shape[0], 0)
        raise
    return target


# --- public kernels -------------------------------------------------------------
def index_add(target, axis, index, src):
    """``target.index_add_(axis, index, src)``: for each ``i``,
    ``target[..., index[i], ...] += src[..., i, ...]`` along ``axis``;
    repeated indices accumulate.  Modifies and returns ``target``.

    Raises:
        IndexError: an index outside ``[-n, n)`` (``n = target.shape[axis]``)
            or ``axis`` out of range; nothing is written then.
        ValueError: shapes that do not fit, a read-only target.
        TypeError: a non-integer index.
    """
    cdef cnp.ndarray idx = _index_array("index_add", index)
    if cnp.PyArray_NDIM(idx) > 1:
        raise ValueError(f"index_add: index must be 1-D, got shape "
                         f"{(<object>idx).shape}")
    if cnp.PyArray_NDIM(idx) == 0:
        idx = idx.reshape(1)
    if type(target) is not cnp.ndarray or target.ndim == 0:
        return _ref.index_add(target, axis, idx, src)
    cdef cnp.ndarray s = np.asarray(src)
    cdef int ax = _axis("index_add", axis, target.ndim)
    cdef Py_ssize_t m = cnp.PyArray_DIMS(idx)[0]
    tshape = target.shape
    want = tshape[:ax] + (m,) + tshape[ax + 1:]
    if (<object>s).shape != want:
        raise ValueError(
            f"index_add: source of shape {(<object>s).shape} does not match "
            f"target of shape {tuple(tshape)} with {m} indices along "
            f"dimension {ax} (expected {want})")
    if cnp.PyArray_NDIM(<cnp.ndarray>target) == 1:
        prepared = _prepare("index_add", target, s)
        if prepared is not None:
            return _add_at("index_add", target, idx, prepared)
    _check_bounds("index_add", idx, tshape[ax], ax)
    prepared = _prepare("index_add", target, s)
    if prepared is None:
        return _ref.index_add(target, ax, idx, src)
    s = prepared
    _launch(real_type(target), target, s, idx, ax, cnp.PyArray_DIMS(s),
            False)
    return target


def scatter_add(target, axis, index, src):
    """``target.scatter_add_(axis, index, src)``: for every position ``p``
    of ``index``, ``target[p with p[axis] = index[p]] += src[p]``; repeated
    indices accumulate.  ``index`` has ``target``'s number of dimensions and
    is no larger than ``src`` (and than ``target`` off ``axis``); only its
    region of ``src`` is used.  Modifies and returns ``target``.

    Raises:
        IndexError: an index outside ``[-n, n)`` or ``axis`` out of range;
            nothing is written then.
        ValueError: shapes that do not fit, a read-only target.
        TypeError: a non-integer index.
    """
    cdef cnp.ndarray idx = _index_array("scatter_add", index)
    if type(target) is not cnp.ndarray:
        return _ref.scatter_add(target, axis, idx, src)
    cdef cnp.ndarray s = np.asarray(src)
    cdef int nd = target.ndim, d
    cdef int ax = _axis("scatter_add", axis, nd)
    if cnp.PyArray_NDIM(idx) != nd or cnp.PyArray_NDIM(s) != nd:
        raise ValueError(
            f"scatter_add: index ({idx.ndim}-d), src ({s.ndim}-d) and "
            f"target ({nd}-d) must have the same number of dimensions")
    cdef const cnp.npy_intp* ish = cnp.PyArray_DIMS(idx)
    cdef const cnp.npy_intp* ssh = cnp.PyArray_DIMS(s)
    cdef const cnp.npy_intp* tsh = cnp.PyArray_DIMS(<cnp.ndarray>target)
    for d in range(nd):
        if ish[d] > ssh[d] or (d != ax and ish[d] > tsh[d]):
            raise ValueError(
                f"scatter_add: expected index {(<object>idx).shape} to be no "
                f"larger than src {(<object>s).shape} in every dimension and "
                f"than target {tuple(target.shape)} apart from dimension "
                f"{ax}")
    if nd == 1:
        prepared = _prepare("scatter_add", target, s)
        if prepared is not None:
            return _add_at("scatter_add", target, idx,
                           prepared[:cnp.PyArray_DIMS(idx)[0]])
    _check_bounds("scatter_add", idx, tsh[ax] if nd else 1, ax)
    if nd == 0:
        return _ref.scatter_add(target, ax, idx, src)
    prepared = _prepare("scatter_add", target, s)
    if prepared is None:
        return _ref.scatter_add(target, ax, idx, src)
    s = prepared
    _launch(real_type(target), target, s, idx, ax, ish, True)
    return target
