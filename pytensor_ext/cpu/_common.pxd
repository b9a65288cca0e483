# cython: language_level=3
"""Shared pieces of the CPU kernels: the ``real`` fused type, typed
dispatchers to the vector math and row reductions, the OpenMP thread
heuristic, and the array checks every ``def`` wrapper runs.

Everything here is ``inline`` and compiled into each kernel module; the only
cross-module calls go to :mod:`pytensor_ext.cpu._vmath` (one copy of the
libmvec dispatch state).
"""
cimport numpy as cnp
from libc.math cimport fabs, fabsf
from openmp cimport omp_get_max_threads

from pytensor_ext.cpu._vmath cimport (
    vexp_f32, vexp_f64, vlog_f32, vlog_f64, vtanh_f32, vtanh_f64,
    verf_f32, verf_f64, verfc_f32, verfc_f64)

ctypedef fused real:
    float
    double

cdef extern from "pt_reduce.h" nogil:
    float pt_sum_f32(const float* x, Py_ssize_t n)
    double pt_sum_f64(const double* x, Py_ssize_t n)
    float pt_max_f32(const float* x, Py_ssize_t n)
    double pt_max_f64(const double* x, Py_ssize_t n)
    float pt_dot_f32(const float* x, const float* y, Py_ssize_t n)
    double pt_dot_f64(const double* x, const double* y, Py_ssize_t n)
    void pt_addrows_f32(const float* x, float* out, Py_ssize_t nrows,
                        Py_ssize_t stride, Py_ssize_t ncols)
    void pt_addrows_f64(const double* x, double* out, Py_ssize_t nrows,
                        Py_ssize_t stride, Py_ssize_t ncols)

# Elements per chunk of the blocked elementwise kernels: the chunk and its
# temporaries stay in L1 (3 x 512 x 8 bytes for double).
cdef enum:
    CHUNK = 512


# --- typed dispatch -------------------------------------------------------
cdef inline void vexp(const real* x, real* y, Py_ssize_t n) noexcept nogil:
    if real is float:
        vexp_f32(x, y, n)
    else:
        vexp_f64(x, y, n)


cdef inline void vlog(const real* x, real* y, Py_ssize_t n) noexcept nogil:
    if real is float:
        vlog_f32(x, y, n)
    else:
        vlog_f64(x, y, n)


cdef inline void vtanh(const real* x, real* y, Py_ssize_t n) noexcept nogil:
    if real is float:
        vtanh_f32(x, y, n)
    else:
        vtanh_f64(x, y, n)


cdef inline void verf(const real* x, real* y, Py_ssize_t n) noexcept nogil:
    if real is float:
        verf_f32(x, y, n)
    else:
        verf_f64(x, y, n)


cdef inline void verfc(const real* x, real* y, Py_ssize_t n) noexcept nogil:
    if real is float:
        verfc_f32(x, y, n)
    else:
        verfc_f64(x, y, n)


cdef inline real vsum(const real* x, Py_ssize_t n) noexcept nogil:
    if real is float:
        return pt_sum_f32(x, n)
    else:
        return pt_sum_f64(x, n)


cdef inline real vmax(const real* x, Py_ssize_t n) noexcept nogil:
    if real is float:
        return pt_max_f32(x, n)
    else:
        return pt_max_f64(x, n)


cdef inline real vdot(const real* x, const real* y, Py_ssize_t n) noexcept nogil:
    if real is float:
        return pt_dot_f32(x, y, n)
    else:
        return pt_dot_f64(x, y, n)


cdef inline real rabs(real v) noexcept nogil:
    if real is float:
        return fabsf(v)
    else:
        return fabs(v)


cdef inline void vaddrows(const real* x, real* out, Py_ssize_t nrows,
                          Py_ssize_t stride, Py_ssize_t ncols) noexcept nogil:
    """out[c] += x[r * stride + c] summed over the rows (AVX2 clone where
    the CPU has it)."""
    if real is float:
        pt_addrows_f32(x, out, nrows, stride, ncols)
    else:
        pt_addrows_f64(x, out, nrows, stride, ncols)


# --- threads --------------------------------------------------------------
cdef inline int threads_for(Py_ssize_t work, Py_ssize_t grain) noexcept nogil:
    """OpenMP threads for ``work`` units when one thread should get at least
    ``grain`` of them: 1 (run serially, no parallel region) for small work,
    at most ``omp_get_max_threads()`` (``OMP_NUM_THREADS``)."""
    cdef int nt = omp_get_max_threads()
    cdef Py_ssize_t k
    if nt <= 1 or work < 2 * grain:
        return 1
    k = work // grain
    return nt if k >= nt else <int>k


# Work (elements) per dynamically scheduled chunk of the window kernels
# (convolution, pooling): threads take chunks as they go, so a thread the
# OS delays (a busy machine) holds up at most one chunk, not half of the
# work as a static split would.
cdef enum:
    SCHED_WORK = 1 << 16


cdef inline Py_ssize_t sched_chunk(Py_ssize_t per_task) noexcept nogil:
    """Tasks per dynamic chunk when each task is ``per_task`` elements."""
    if per_task < 1:
        per_task = 1
    return SCHED_WORK // per_task if per_task < SCHED_WORK else 1


# --- array checks ---------------------------------------------------------
cdef inline int real_type(object x) noexcept:
    """NPY_FLOAT32 or NPY_FLOAT64 for a native-endian float32/float64 NumPy
    array (not a subclass), else -1: the caller falls back to the NumPy
    reference, which is correct for every dtype."""
    cdef cnp.ndarray a
    cdef int t
    if type(x) is not cnp.ndarray:
        return -1
    a = <cnp.ndarray>x
    t = cnp.PyArray_TYPE(a)
    if (t == cnp.NPY_FLOAT32 or t == cnp.NPY_FLOAT64) and \
            cnp.PyArray_ISNOTSWAPPED(a):
        return t
    return -1


cdef inline cnp.ndarray c_array(object x):
    """``x`` itself when C-contiguous and aligned, else a C-contiguous copy
    (the kernels index raw pointers, so strides are resolved here)."""
    cdef cnp.ndarray a = <cnp.ndarray>x
    if cnp.PyArray_ISCARRAY_RO(a):
        return a
    return <cnp.ndarray>cnp.PyArray_NewCopy(a, cnp.NPY_CORDER)


cdef inline cnp.ndarray empty_like_c(cnp.ndarray a):
    """A new C-contiguous array of ``a``'s shape and (native) dtype."""
    return <cnp.ndarray>cnp.PyArray_EMPTY(
        cnp.PyArray_NDIM(a), cnp.PyArray_DIMS(a), cnp.PyArray_TYPE(a), 0)
