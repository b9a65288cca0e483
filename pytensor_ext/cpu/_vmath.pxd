# cython: language_level=3
"""Vectorised exp/log/tanh/erf/erfc on contiguous arrays (see
include/pt_vmath.h): libmvec AVX2 variants found at run time, scalar libm
otherwise.  ``x`` and ``y`` may be the same array."""

cdef void vexp_f32(const float* x, float* y, Py_ssize_t n) noexcept nogil
cdef void vexp_f64(const double* x, double* y, Py_ssize_t n) noexcept nogil
cdef void vlog_f32(const float* x, float* y, Py_ssize_t n) noexcept nogil
cdef void vlog_f64(const double* x, double* y, Py_ssize_t n) noexcept nogil
cdef void vtanh_f32(const float* x, float* y, Py_ssize_t n) noexcept nogil
cdef void vtanh_f64(const double* x, double* y, Py_ssize_t n) noexcept nogil
cdef void verf_f32(const float* x, float* y, Py_ssize_t n) noexcept nogil
cdef void verf_f64(const double* x, double* y, Py_ssize_t n) noexcept nogil
cdef void verfc_f32(const float* x, float* y, Py_ssize_t n) noexcept nogil
cdef void verfc_f64(const double* x, double* y, Py_ssize_t n) noexcept nogil
