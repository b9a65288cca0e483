# cython: language_level=3
"""Fused activation kernels: relu, sigmoid, tanh, gelu (erf and tanh forms)
and silu, forward and backward; plus erf/erfc.

Each kernel walks the flat array in chunks of ``CHUNK`` elements.  A chunk
computes the argument of its transcendental function into a stack buffer,
calls the vector math (libmvec through ``_vmath``) on the buffer, and
combines: three passes over L1-resident data instead of NumPy's five to
eight passes over memory, and one vectorised exp instead of a scalar one.
Chunks are spread over OpenMP threads once the array is large enough
(``GRAIN_*``, measured: below it the parallel region costs more than it
saves).

Signatures and semantics are those of :mod:`pytensor_ext.reference`;
arrays that are not native float32/float64 (and subclasses) go to the
reference.  Outputs are new C-contiguous arrays.
"""
cimport numpy as cnp
from cython.parallel cimport prange

from pytensor_ext.cpu._common cimport (
    real, CHUNK, vexp, vtanh, verf, verfc, rabs, threads_for, real_type,
    c_array, empty_like_c)
import numpy as np

from pytensor_ext import reference as _ref

cnp.import_array()

__all__ = ["relu_fwd", "relu_bwd", "sigmoid_fwd", "sigmoid_bwd", "tanh_fwd",
           "tanh_bwd", "gelu_fwd", "gelu_bwd", "silu_fwd", "silu_bwd",
           "erf_fwd", "erfc_fwd"]

# Elements per thread below which a kernel stays on one thread (a parallel
# region costs a few microseconds).  Measured on the 2-core dev machine,
# 1 vs 2 threads, best of 15: relu breaks even at 2^16 elements and gains
# 1.15-1.8x from 2^18 on (memory-bound); silu/gelu break even at 2^13 and
# gain 1.5-2x from 2^15 on.  Parallel from 2 * GRAIN elements.
cdef Py_ssize_t GRAIN_CHEAP = 1 << 17
cdef Py_ssize_t GRAIN_TRANS = 1 << 14

cdef enum Op:
    RELU_FWD
    SIGMOID_FWD
    TANH_FWD
    SILU_FWD
    GELU_FWD
    GELU_TANH_FWD
    ERF_FWD
    ERFC_FWD
    RELU_BWD
    SIGMOID_BWD
    TANH_BWD
    SILU_BWD
    GELU_BWD
    GELU_TANH_BWD

# Written as double; each use casts to the kernel's type (``<real>``) so a
# float32 kernel never promotes to double (as the reference does: NumPy
# treats Python floats as weak scalars).
cdef double SQRT_2_OVER_PI = 0.7978845608028654
cdef double INV_SQRT_2 = 0.7071067811865476
cdef double INV_SQRT_2PI = 0.3989422804014327
cdef double GELU_C = 0.044715


# --- chunk bodies ------------------------------------------------------------
cdef inline void _sigmoid(const real* x, real* y, real* t,
                          Py_ssize_t n) noexcept nogil:
    """y = sigmoid(x) in the stable form of the reference: with
    e = exp(-|x|), 1/(1+e) for x >= 0 and e/(1+e) otherwise (no overflow,
    no 0/0 for large |x|; NaN stays NaN)."""
    cdef Py_ssize_t j
    cdef real one = 1, zero = 0, r, er
    for j in range(n):
        t[j] = -rabs(x[j])
    vexp(t, t, n)
    for j in range(n):
        # Both branches computed, then selected: a ternary of two divisions
        # would be a branch (mispredicted half the time) instead of a blend.
        r = one / (one + t[j])
        er = t[j] * r
        y[j] = r if x[j] >= zero else er


cdef void _unary_chunk(Op op, const real* x, real* y,
                       Py_ssize_t n) noexcept nogil:
    cdef real t[CHUNK]
    cdef real u[CHUNK]
    cdef Py_ssize_t j
    cdef real zero = 0, one = 1, half = 0.5
    cdef real c0 = <real>SQRT_2_OVER_PI, c1 = <real>GELU_C
    cdef real r2 = <real>INV_SQRT_2
    if op == RELU_FWD:
        for j in range(n):
            # One compare, so gcc emits a vector select (no branch): NaN <= 0
            # is false, so NaN is kept; -0.0 becomes +0.0 like the reference.
            y[j] = zero if x[j] <= zero else x[j]
    elif op == SIGMOID_FWD:
        _sigmoid(x, y, t, n)
    elif op == TANH_FWD:
        vtanh(x, y, n)
    elif op == SILU_FWD:
        _sigmoid(x, u, t, n)
        for j in range(n):
            y[j] = x[j] * u[j]
    elif op == GELU_FWD:
        for j in range(n):
            t[j] = x[j] * r2
        verf(t, t, n)
        for j in range(n):
            y[j] = half * x[j] * (one + t[j])
    elif op == GELU_TANH_FWD:
        for j in range(n):
            t[j] = c0 * (x[j] + c1 * x[j] * x[j] * x[j])
        vtanh(t, t, n)
        for j in range(n):
            y[j] = half * x[j] * (one + t[j])
    elif op == ERF_FWD:
        verf(x, y, n)
    elif op == ERFC_FWD:
        verfc(x, y, n)


cdef void _binary_chunk(Op op, const real* a, const real* g, real* y,
                        Py_ssize_t n) noexcept nogil:
    """``a`` is the saved tensor (the output y for relu/sigmoid/tanh, the
    input x for silu/gelu), ``g`` the incoming gradient."""
    cdef real t[CHUNK]
    cdef real u[CHUNK]
    cdef Py_ssize_t j
    cdef real zero = 0, one = 1, half = 0.5, three = 3
    cdef real c0 = <real>SQRT_2_OVER_PI, c1 = <real>GELU_C
    cdef real r2 = <real>INV_SQRT_2, p0 = <real>INV_SQRT_2PI
    cdef real s, d, v
    if op == RELU_BWD:
        for j in range(n):
            v = g[j]        # an unconditional load, so the select vectorises
            y[j] = v if a[j] > zero else zero
    elif op == SIGMOID_BWD:
        for j in range(n):
            y[j] = g[j] * a[j] * (one - a[j])
    elif op == TANH_BWD:
        for j in range(n):
            y[j] = g[j] * (one - a[j] * a[j])
    elif op == SILU_BWD:
        _sigmoid(a, u, t, n)
        for j in range(n):
            s = u[j]
            y[j] = g[j] * s * (one + a[j] * (one - s))
    elif op == GELU_BWD:
        for j in range(n):
            t[j] = a[j] * r2
            u[j] = -half * a[j] * a[j]
        verf(t, t, n)
        vexp(u, u, n)
        for j in range(n):
            y[j] = g[j] * (half * (one + t[j]) + a[j] * (p0 * u[j]))
    elif op == GELU_TANH_BWD:
        for j in range(n):
            t[j] = c0 * (a[j] + c1 * (a[j] * a[j] * a[j]))
        vtanh(t, t, n)
        for j in range(n):
            d = c0 * (one + three * c1 * a[j] * a[j])
            y[j] = g[j] * (half * (one + t[j])
                           + half * a[j] * (one - t[j] * t[j]) * d)


# --- drivers -----------------------------------------------------------------
cdef void _unary_run(Op op, const real* x, real* y, Py_ssize_t n,
                     Py_ssize_t grain) noexcept nogil:
    cdef Py_ssize_t nb = (n + CHUNK - 1) // CHUNK, b, s
    cdef int nt = threads_for(n, grain)
    if nt > 1:
        for b in prange(nb, num_threads=nt, schedule="static"):
            s = b * CHUNK
            _unary_chunk(op, x + s, y + s, min(<Py_ssize_t>CHUNK, n - s))
    else:
        for b in range(nb):
            s = b * CHUNK
            _unary_chunk(op, x + s, y + s, min(<Py_ssize_t>CHUNK, n - s))


cdef void _binary_run(Op op, const real* a, const real* g, real* y,
                      Py_ssize_t n, Py_ssize_t grain) noexcept nogil:
    cdef Py_ssize_t nb = (n + CHUNK - 1) // CHUNK, b, s
    cdef int nt = threads_for(n, grain)
    if nt > 1:
        for b in prange(nb, num_threads=nt, schedule="static"):
            s = b * CHUNK
            _binary_chunk(op, a + s, g + s, y + s,
                          min(<Py_ssize_t>CHUNK, n - s))
    else:
        for b in range(nb):
            s = b * CHUNK
            _binary_chunk(op, a + s, g + s, y + s,
                          min(<Py_ssize_t>CHUNK, n - s))


cdef object _unary(Op op, object x, int t, Py_ssize_t grain):
    cdef cnp.ndarray a = c_array(x)
    cdef cnp.ndarray out = empty_like_c(a)
    cdef Py_ssize_t n = cnp.PyArray_SIZE(a)
    cdef void* px = cnp.PyArray_DATA(a)
    cdef void* py = cnp.PyArray_DATA(out)
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _unary_run[float](op, <float*>px, <float*>py, n, grain)
        else:
            _unary_run[double](op, <double*>px, <double*>py, n, grain)
    return out


cdef object _binary(str name, Op op, object a, object g, Py_ssize_t grain,
                    tuple extra=()):
    """Validate (same native float dtype and shape, else the reference,
    which broadcasts and promotes like NumPy) and run a backward kernel."""
    cdef int t = real_type(a)
    if t < 0 or real_type(g) != t or a.shape != g.shape:
        if isinstance(a, np.ndarray) and isinstance(g, np.ndarray):
            try:
                np.broadcast_shapes(a.shape, g.shape)
            except ValueError:
                raise ValueError(
                    f"{name}: the saved tensor of shape {tuple(a.shape)} and "
                    f"the gradient of shape {tuple(g.shape)} do not "
                    "broadcast") from None
        return getattr(_ref, name)(a, g, *extra)
    cdef cnp.ndarray ac = c_array(a)
    cdef cnp.ndarray gc = c_array(g)
    cdef cnp.ndarray out = empty_like_c(gc)
    cdef Py_ssize_t n = cnp.PyArray_SIZE(ac)
    cdef void* pa = cnp.PyArray_DATA(ac)
    cdef void* pg = cnp.PyArray_DATA(gc)
    cdef void* py = cnp.PyArray_DATA(out)
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _binary_run[float](op, <float*>pa, <float*>pg, <float*>py, n,
                               grain)
        else:
            _binary_run[double](op, <double*>pa, <double*>pg, <double*>py, n,
                                grain)
    return out


cdef inline Op _gelu_op(str name, object approximate, Op exact, Op tanh_op):
    if approximate == "none":
        return exact
    if approximate == "tanh":
        return tanh_op
    raise ValueError(f"{name}: approximate must be 'none' or 'tanh', "
                     f"got {approximate!r}")


# --- public kernels ----------------------------------------------------------
def relu_fwd(x):
    """``max(x, 0)``; NaN stays NaN."""
    cdef int t = real_type(x)
    if t < 0:
        return _ref.relu_fwd(x)
    return _unary(RELU_FWD, x, t, GRAIN_CHEAP)


def relu_bwd(y, gy):
    """``gy`` where ``y > 0``, else 0 (0 at the kink)."""
    return _binary("relu_bwd", RELU_BWD, y, gy, GRAIN_CHEAP)


def sigmoid_fwd(x):
    """``1 / (1 + exp(-x))``, stable for large ``|x|``."""
    cdef int t = real_type(x)
    if t < 0:
        return _ref.sigmoid_fwd(x)
    return _unary(SIGMOID_FWD, x, t, GRAIN_TRANS)


def sigmoid_bwd(y, gy):
    """``gy * y * (1 - y)`` from the output ``y``."""
    return _binary("sigmoid_bwd", SIGMOID_BWD, y, gy, GRAIN_CHEAP)


def tanh_fwd(x):
    """``tanh(x)``."""
    cdef int t = real_type(x)
    if t < 0:
        return _ref.tanh_fwd(x)
    return _unary(TANH_FWD, x, t, GRAIN_TRANS)


def tanh_bwd(y, gy):
    """``gy * (1 - y**2)`` from the output ``y``."""
    return _binary("tanh_bwd", TANH_BWD, y, gy, GRAIN_CHEAP)


def gelu_fwd(x, approximate):
    """GELU ``x * Phi(x)`` (``approximate="none"``) or its tanh form
    (``"tanh"``)."""
    cdef Op op = _gelu_op("gelu_fwd", approximate, GELU_FWD, GELU_TANH_FWD)
    cdef int t = real_type(x)
    if t < 0:
        return _ref.gelu_fwd(x, approximate)
    return _unary(op, x, t, GRAIN_TRANS)


def gelu_bwd(x, gy, approximate):
    """Gradient of GELU with respect to its input ``x``."""
    cdef Op op = _gelu_op("gelu_bwd", approximate, GELU_BWD, GELU_TANH_BWD)
    return _binary("gelu_bwd", op, x, gy, GRAIN_TRANS, (approximate,))


def silu_fwd(x):
    """``x * sigmoid(x)``."""
    cdef int t = real_type(x)
    if t < 0:
        return _ref.silu_fwd(x)
    return _unary(SILU_FWD, x, t, GRAIN_TRANS)


def silu_bwd(x, gy):
    """``gy * s * (1 + x * (1 - s))`` with ``s = sigmoid(x)``."""
    return _binary("silu_bwd", SILU_BWD, x, gy, GRAIN_TRANS)


def erf_fwd(x):
    """The error function, elementwise."""
    cdef int t = real_type(x)
    if t < 0:
        return _ref.erf_fwd(x)
    return _unary(ERF_FWD, x, t, GRAIN_TRANS)


def erfc_fwd(x):
    """``1 - erf(x)``, computed directly (accurate for large ``x``)."""
    cdef int t = real_type(x)
    if t < 0:
        return _ref.erfc_fwd(x)
    return _unary(ERFC_FWD, x, t, GRAIN_TRANS)
