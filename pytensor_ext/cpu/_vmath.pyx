# cython: language_level=3
"""Vectorised transcendental math shared by the CPU kernels.

The C implementation is ``include/pt_vmath.h``: glibc's libmvec AVX2
functions, looked up with ``dlsym`` when the CPU has AVX2+FMA, else the
scalar libm functions.  Both keep IEEE NaN/Inf semantics; no fast-math.
Kernel modules ``cimport`` the ``v*_f32``/``v*_f64`` functions; Python sees
:func:`level`, :func:`set_level` (tests force the scalar path with it) and
:func:`apply` (accuracy tests).
"""
cimport numpy as cnp
from openmp cimport omp_get_max_threads, omp_set_num_threads
import numpy as np

cnp.import_array()

cdef extern from "pt_vmath.h" nogil:
    int pt_vm_init()
    int pt_vm_set_level(int level)
    int pt_vm_level()
    int PT_VM_SCALAR
    int PT_VM_AVX2
    void pt_vexp_f32(const float*, float*, Py_ssize_t)
    void pt_vexp_f64(const double*, double*, Py_ssize_t)
    void pt_vlog_f32(const float*, float*, Py_ssize_t)
    void pt_vlog_f64(const double*, double*, Py_ssize_t)
    void pt_vtanh_f32(const float*, float*, Py_ssize_t)
    void pt_vtanh_f64(const double*, double*, Py_ssize_t)
    void pt_verf_f32(const float*, float*, Py_ssize_t)
    void pt_verf_f64(const double*, double*, Py_ssize_t)
    void pt_verfc_f32(const float*, float*, Py_ssize_t)
    void pt_verfc_f64(const double*, double*, Py_ssize_t)

__all__ = ["level", "set_level", "apply", "LEVELS", "num_threads",
           "set_num_threads"]

LEVELS = ("scalar", "avx2")
pt_vm_init()
BEST = LEVELS[pt_vm_level()]


cdef void vexp_f32(const float* x, float* y, Py_ssize_t n) noexcept nogil:
    pt_vexp_f32(x, y, n)
cdef void vexp_f64(const double* x, double* y, Py_ssize_t n) noexcept nogil:
    pt_vexp_f64(x, y, n)
cdef void vlog_f32(const float* x, float* y, Py_ssize_t n) noexcept nogil:
    pt_vlog_f32(x, y, n)
cdef void vlog_f64(const double* x, double* y, Py_ssize_t n) noexcept nogil:
    pt_vlog_f64(x, y, n)
cdef void vtanh_f32(const float* x, float* y, Py_ssize_t n) noexcept nogil:
    pt_vtanh_f32(x, y, n)
cdef void vtanh_f64(const double* x, double* y, Py_ssize_t n) noexcept nogil:
    pt_vtanh_f64(x, y, n)
cdef void verf_f32(const float* x, float* y, Py_ssize_t n) noexcept nogil:
    pt_verf_f32(x, y, n)
cdef void verf_f64(const double* x, double* y, Py_ssize_t n) noexcept nogil:
    pt_verf_f64(x, y, n)
cdef void verfc_f32(const float* x, float* y, Py_ssize_t n) noexcept nogil:
    pt_verfc_f32(x, y, n)
cdef void verfc_f64(const double* x, double* y, Py_ssize_t n) noexcept nogil:
    pt_verfc_f64(x, y, n)


def level():
    """The implementation in use: ``"avx2"`` (libmvec) or ``"scalar"``."""
    return LEVELS[pt_vm_level()]


def set_level(name):
    """Use ``name`` (``"scalar"``, ``"avx2"`` or ``"best"``) where this
    machine has it; returns the level now in use.  For tests and benchmarks:
    the choice is process-wide and not thread-safe."""
    if name == "best":
        name = BEST
    if name not in LEVELS:
        raise ValueError(f"set_level: unknown level {name!r}; "
                         f"expected one of {LEVELS + ('best',)}")
    return LEVELS[pt_vm_set_level(LEVELS.index(name))]


ctypedef void (*vfun_f32)(const float*, float*, Py_ssize_t) noexcept nogil
ctypedef void (*vfun_f64)(const double*, double*, Py_ssize_t) noexcept nogil
_NAMES = ("exp", "log", "tanh", "erf", "erfc")
cdef vfun_f32[5] _F32 = [vexp_f32, vlog_f32, vtanh_f32, verf_f32, verfc_f32]
cdef vfun_f64[5] _F64 = [vexp_f64, vlog_f64, vtanh_f64, verf_f64, verfc_f64]


def num_threads():
    """The most OpenMP threads a kernel uses (``OMP_NUM_THREADS``, or
    :func:`set_num_threads`); small arrays always run on one."""
    return omp_get_max_threads()


def set_num_threads(int n):
    """Cap the OpenMP threads of the kernels called from this thread (for
    benchmarks and for sharing a machine); returns the previous cap."""
    if n < 1:
        raise ValueError(f"set_num_threads: expected n >= 1, got {n}")
    cdef int before = omp_get_max_threads()
    omp_set_num_threads(n)
    return before


def apply(str name, x):
    """``name`` (exp, log, tanh, erf or erfc) of a float32/float64 array
    through the vectorised path; returns a new C-contiguous array."""
    if name not in _NAMES:
        raise ValueError(f"apply: unknown function {name!r}")
    cdef int k = _NAMES.index(name)
    cdef cnp.ndarray a = np.array(x, order="C", copy=True)
    cdef Py_ssize_t n = a.size
    cdef int t = cnp.PyArray_TYPE(a)
    cdef void* p = cnp.PyArray_DATA(a)
    if t == cnp.NPY_FLOAT32:
        with nogil:
            _F32[k](<float*>p, <float*>p, n)
    elif t == cnp.NPY_FLOAT64:
        with nogil:
            _F64[k](<double*>p, <double*>p, n)
    else:
        raise TypeError(f"apply: expected float32 or float64, got {a.dtype}")
    return a
