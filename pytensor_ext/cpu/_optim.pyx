# distutils: extra_compile_args = -ffp-contract=off
"""Fused optimizer updates: one pass over a parameter, in place.

PyTorch's single-tensor optimizers run ~8 elementwise ops per parameter,
each a full pass over memory with a temporary; NumPy does the same.  These
kernels read every operand once and write the parameter and its state once,
evaluating per element exactly the expressions of
:mod:`pytensor_ext.reference` (same operations, same order, same rounding:
float32 is computed in float32, float64 in float64, and ``-ffp-contract=off``
keeps the C compiler from fusing a multiply and an add into an FMA, which
would round differently from the reference).  Results therefore equal the
reference bit for bit.

Each ``def`` validates its arrays (same shape and dtype, float32/float64,
C-contiguous NumPy arrays, writeable outputs) and otherwise hands the call
to the reference, which handles any layout and dtype.  Large parameters are
split across OpenMP threads (the update of one element never reads another).
"""
import functools
import numbers

import numpy as np

cimport numpy as cnp
from cython.parallel cimport prange

cnp.import_array()
from libc.math cimport sqrt, sqrtf

from pytensor_ext import reference as _ref

ctypedef fused real:
    float
    double

# Below this many elements the update stays on one thread.  The kernels are
# memory-bound: a second thread pays off only on large tensors, and every
# parallel region ends at a barrier that waits for all threads, so on a
# loaded machine (more runnable threads than cores) a region costs whole OS
# time slices (measured: a 400k-element SGD step went from 0.1 ms to 20 ms
# median with 2 threads on a busy 2-core machine; at 4M elements 2 threads
# gave 2.4x on a quiet one).
cdef Py_ssize_t PARALLEL_MIN = 1 << 20

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)


cdef inline float _sqrt(float x) noexcept nogil:
    return sqrtf(x)


cdef inline double _sqrtd(double x) noexcept nogil:
    return sqrt(x)


cdef bint _fast(arrays, outputs) except -1:
    """True when every array is a C-contiguous NumPy float32/float64 array
    (native byte order) of the first one's shape and dtype, and every output
    is writeable.  Read from the array structs (``numpy.pxd``): the
    attribute route (``.dtype``, ``.shape``, ``.flags``) cost 0.6 us a
    call, a fifth of a small parameter's update."""
    cdef cnp.ndarray first, a
    cdef int typenum, nd, i
    cdef cnp.npy_intp* dims
    obj = arrays[0]
    if type(obj) is not np.ndarray:
        return False
    first = <cnp.ndarray>obj
    typenum = cnp.PyArray_TYPE(first)
    if typenum != cnp.NPY_FLOAT and typenum != cnp.NPY_DOUBLE:
        return False
    nd = cnp.PyArray_NDIM(first)
    dims = cnp.PyArray_DIMS(first)
    for obj in arrays:
        if type(obj) is not np.ndarray:
            return False
        a = <cnp.ndarray>obj
        if (cnp.PyArray_TYPE(a) != typenum or cnp.PyArray_NDIM(a) != nd
                or not cnp.PyArray_ISNOTSWAPPED(a)
                or not cnp.PyArray_IS_C_CONTIGUOUS(a)):
            return False
        for i in range(nd):
            if cnp.PyArray_DIMS(a)[i] != dims[i]:
                return False
    for obj in outputs:
        if not cnp.PyArray_ISWRITEABLE(<cnp.ndarray>obj):
            return False
    return True


cdef inline void* _data(a):
    """The first element of an array that passed :func:`_fast`."""
    return cnp.PyArray_DATA(<cnp.ndarray>a)


cdef inline Py_ssize_t _size(a):
    return cnp.PyArray_SIZE(<cnp.ndarray>a)


_HYPER = ("lr", "momentum", "dampening", "weight_decay", "beta1", "beta2",
          "eps", "alpha", "lr_decay", "step")


def _hyper_error(name, kwargs):
    """The kernel's error for the first hyper-parameter that is not a real
    number a double can hold (or a step below 1), else None."""
    for k in _HYPER:
        if k not in kwargs:
            continue
        v = kwargs[k]
        if isinstance(v, np.ndarray) and v.ndim == 0:
            v = v[()]
        if not isinstance(v, (numbers.Real, np.integer, np.floating)):
            return TypeError(f"{name}: {k} must be a real number, got "
                             f"{type(v).__name__}")
        try:
            float(v)
        except OverflowError:
            return ValueError(f"{name}: {k}={v} does not fit a double")
    step = kwargs.get("step")
    if step is not None and step < 1:
        return ValueError(f"{name}: step must be at least 1, got {step}")
    return None


def _named_errors(fn):
    """Bad hyper-parameters (None, a string, an array, 10**400, step 0)
    fail deep inside the update with Python's or NumPy's words; on that
    error path, name the kernel and the argument instead."""
    name = fn.__name__

    @functools.wraps(fn)
    def kernel(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (TypeError, ValueError, OverflowError, ZeroDivisionError):
            err = _hyper_error(name, kwargs)
            if err is None:
                raise
            raise err from None
    return kernel


# Each kernel is three layers:
# - ``_<name>_range``: the per-element update over ``[lo, hi)``; its
#   ``bint``/``int`` options are compile-time constants at every call site of
#   ``_<name>_dispatch`` (the function is inlined), so the C compiler emits one
#   branch-free, vectorisable loop per combination;
# - ``_<name>_dispatch``: picks the specialised loop for the runtime options;
# - ``_<name>``: runs the dispatch serially, or in OpenMP chunks for large
#   parameters.  The chunks are handed out dynamically: on a loaded machine
#   a thread that the OS puts to sleep then delays the update by one chunk,
#   not by its whole static share.
# ``maximize`` is folded into a multiplication of the gradient by +-1 (exact:
# ``g * -1 == -g``), and AdamW's decay into a multiplication of the parameter
# by ``1 - lr * weight_decay`` (exactly 1 when there is no decay).

cdef Py_ssize_t CHUNK = 8192


# --- SGD ---------------------------------------------------------------------
cdef inline void _sgd_range(real* p, const real* g, real* b, Py_ssize_t lo,
                            Py_ssize_t hi, real sgn, real lr_neg, real wd,
                            real mom, real damp1, bint has_wd, int mode,
                            bint first) noexcept nogil:
    # mode 0: no momentum; 1: heavy-ball momentum; 2: Nesterov momentum.
    cdef Py_ssize_t i
    cdef real gi, bi
    for i in range(lo, hi):
        gi = g[i] * sgn
        if has_wd:
            gi = gi + wd * p[i]
        if mode != 0:
            if first:
                bi = gi
            else:
                bi = b[i] * mom
                bi = bi + damp1 * gi
            b[i] = bi
            if mode == 2:
                gi = gi + mom * bi
            else:
                gi = bi
        p[i] = p[i] + lr_neg * gi


cdef inline void _sgd_dispatch(real* p, const real* g, real* b, Py_ssize_t lo,
                               Py_ssize_t hi, real sgn, real lr_neg, real wd,
                               real mom, real damp1, bint has_wd, int mode,
                               bint first) noexcept nogil:
    if first:           # once per parameter: no need for a fast loop
        _sgd_range(p, g, b, lo, hi, sgn, lr_neg, wd, mom, damp1, has_wd,
                   mode, True)
    elif has_wd:
        if mode == 0:
            _sgd_range(p, g, b, lo, hi, sgn, lr_neg, wd, mom, damp1, True, 0,
                       False)
        elif mode == 1:
            _sgd_range(p, g, b, lo, hi, sgn, lr_neg, wd, mom, damp1, True, 1,
                       False)
        else:
            _sgd_range(p, g, b, lo, hi, sgn, lr_neg, wd, mom, damp1, True, 2,
                       False)
    else:
        if mode == 0:
            _sgd_range(p, g, b, lo, hi, sgn, lr_neg, wd, mom, damp1, False,
                       0, False)
        elif mode == 1:
            _sgd_range(p, g, b, lo, hi, sgn, lr_neg, wd, mom, damp1, False,
                       1, False)
        else:
            _sgd_range(p, g, b, lo, hi, sgn, lr_neg, wd, mom, damp1, False,
                       2, False)


cdef void _sgd(real* pp, const real* gp, real* bp, Py_ssize_t n, real sgn,
               real lr_neg, real wd, real mom, real damp1, bint has_wd,
               int mode, bint first) noexcept nogil:
    cdef Py_ssize_t c
    if n == 0:
        return
    if n < PARALLEL_MIN:
        _sgd_dispatch(pp, gp, bp, 0, n, sgn, lr_neg, wd, mom, damp1, has_wd,
                      mode, first)
        return
    for c in prange((n + CHUNK - 1) // CHUNK, schedule="dynamic"):
        _sgd_dispatch(pp, gp, bp, c * CHUNK, min(c * CHUNK + CHUNK, n), sgn,
                      lr_neg, wd, mom, damp1, has_wd, mode, first)


@_named_errors
def sgd_step(param, grad, momentum_buffer=None, *, lr, momentum=0.0,
             dampening=0.0, weight_decay=0.0, nesterov=False,
             maximize=False, first=False):
    """Fused :func:`pytensor_ext.reference.sgd_step` (same arguments)."""
    has_mom = momentum != 0
    arrays = (param, grad, momentum_buffer) if has_mom else (param, grad)
    outs = (param, momentum_buffer) if has_mom else (param,)
    if not _fast(arrays, outs):
        return _ref.sgd_step(param, grad, momentum_buffer, lr=lr,
                             momentum=momentum, dampening=dampening,
                             weight_decay=weight_decay, nesterov=nesterov,
                             maximize=maximize, first=first)
    buf = momentum_buffer if has_mom else param
    cdef int mode = (2 if nesterov else 1) if has_mom else 0
    cdef double sgn = -1.0 if maximize else 1.0
    cdef double lr_neg = -lr, damp1 = 1 - dampening
    if param.dtype == _F32:
        _sgd[float](<float*>_data(param), <float*>_data(grad),
                    <float*>_data(buf), _size(param), <float>sgn,
                    <float>lr_neg, <float>weight_decay, <float>momentum,
                    <float>damp1, weight_decay != 0, mode, first)
    else:
        _sgd[double](<double*>_data(param), <double*>_data(grad),
                     <double*>_data(buf), _size(param), sgn, lr_neg,
                     weight_decay, momentum, damp1, weight_decay != 0, mode,
                     first)
    return param


# --- Adam / AdamW ------------------------------------------------------------
cdef inline real _lerp(real start, real end, real w, real one_minus_w,
                       bint small) noexcept nogil:
    # PyTorch's lerp: two formulas, chosen by |weight| < 0.5.
    if small:
        return start + w * (end - start)
    return end - (end - start) * one_minus_w


cdef inline void _adam_range(real* p, const real* g, real* m, real* v,
                             real* vmax, Py_ssize_t lo, Py_ssize_t hi,
                             real sgn, real wd, real decay, real w1,
                             real one_minus_w1, real beta2, real c2,
                             real bc2_sqrt, real eps, real ss_neg,
                             bint coupled_wd, bint amsgrad,
                             bint small1) noexcept nogil:
    cdef Py_ssize_t i
    cdef real gi, pi, mi, vi, si, denom
    for i in range(lo, hi):
        gi = g[i] * sgn
        pi = p[i]
        if coupled_wd:
            gi = gi + wd * pi
        pi = pi * decay
        mi = _lerp(m[i], gi, w1, one_minus_w1, small1)
        m[i] = mi
        vi = v[i] * beta2
        vi = vi + (c2 * gi) * gi
        v[i] = vi
        if amsgrad:
            si = vmax[i]
            # torch.maximum: NaN in either operand wins.
            if vi > si or vi != vi:
                si = vi
            vmax[i] = si
        else:
            si = vi
        if real is float:
            denom = _sqrt(si) / bc2_sqrt
        else:
            denom = _sqrtd(si) / bc2_sqrt
        denom = denom + eps
        p[i] = pi + (ss_neg * mi) / denom


cdef inline void _adam_dispatch(real* p, const real* g, real* m, real* v,
                                real* vmax, Py_ssize_t lo, Py_ssize_t hi,
                                real sgn, real wd, real decay, real w1,
                                real one_minus_w1, real beta2, real c2,
                                real bc2_sqrt, real eps, real ss_neg,
                                bint coupled_wd, bint amsgrad,
                                bint small1) noexcept nogil:
    if coupled_wd:
        if amsgrad:
            if small1:
                _adam_range(p, g, m, v, vmax, lo, hi, sgn, wd, decay, w1,
                            one_minus_w1, beta2, c2, bc2_sqrt, eps, ss_neg,
                            True, True, True)
            else:
                _adam_range(p, g, m, v, vmax, lo, hi, sgn, wd, decay, w1,
                            one_minus_w1, beta2, c2, bc2_sqrt, eps, ss_neg,
                            True, True, False)
        else:
            if small1:
                _adam_range(p, g, m, v, vmax, lo, hi, sgn, wd, decay, w1,
                            one_minus_w1, beta2, c2, bc2_sqrt, eps, ss_neg,
                            True, False, True)
            else:
                _adam_range(p, g, m, v, vmax, lo, hi, sgn, wd, decay, w1,
                            one_minus_w1, beta2, c2, bc2_sqrt, eps, ss_neg,
                            True, False, False)
    else:
        if amsgrad:
            if small1:
                _adam_range(p, g, m, v, vmax, lo, hi, sgn, wd, decay, w1,
                            one_minus_w1, beta2, c2, bc2_sqrt, eps, ss_neg,
                            False, True, True)
            else:
                _adam_range(p, g, m, v, vmax, lo, hi, sgn, wd, decay, w1,
                            one_minus_w1, beta2, c2, bc2_sqrt, eps, ss_neg,
                            False, True, False)
        else:
            if small1:
                _adam_range(p, g, m, v, vmax, lo, hi, sgn, wd, decay, w1,
                            one_minus_w1, beta2, c2, bc2_sqrt, eps, ss_neg,
                            False, False, True)
            else:
                _adam_range(p, g, m, v, vmax, lo, hi, sgn, wd, decay, w1,
                            one_minus_w1, beta2, c2, bc2_sqrt, eps, ss_neg,
                            False, False, False)


cdef void _adam(real* pp, const real* gp, real* mp, real* vp, real* xp,
                Py_ssize_t n, real sgn, real wd, real decay, real w1,
                real one_minus_w1, real beta2, real c2, real bc2_sqrt,
                real eps, real ss_neg, bint coupled_wd, bint amsgrad,
                bint small1) noexcept nogil:
    cdef Py_ssize_t c
    if n == 0:
        return
    if n < PARALLEL_MIN:
        _adam_dispatch(pp, gp, mp, vp, xp, 0, n, sgn, wd, decay, w1,
                       one_minus_w1, beta2, c2, bc2_sqrt, eps, ss_neg,
                       coupled_wd, amsgrad, small1)
        return
    for c in prange((n + CHUNK - 1) // CHUNK, schedule="dynamic"):
        _adam_dispatch(pp, gp, mp, vp, xp, c * CHUNK,
                       min(c * CHUNK + CHUNK, n), sgn, wd, decay, w1,
                       one_minus_w1, beta2, c2, bc2_sqrt, eps, ss_neg,
                       coupled_wd, amsgrad, small1)


@_named_errors
def adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq=None, *,
              lr, beta1, beta2, eps, weight_decay, step, amsgrad=False,
              maximize=False, decoupled_weight_decay=False):
    """Fused :func:`pytensor_ext.reference.adam_step` (same arguments)."""
    if amsgrad:
        arrays = (param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq)
        outs = (param, exp_avg, exp_avg_sq, max_exp_avg_sq)
    else:
        arrays = (param, grad, exp_avg, exp_avg_sq)
        outs = (param, exp_avg, exp_avg_sq)
    if not _fast(arrays, outs):
        return _ref.adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                              lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                              weight_decay=weight_decay, step=step,
                              amsgrad=amsgrad, maximize=maximize,
                              decoupled_weight_decay=decoupled_weight_decay)
    step_size, bc2_sqrt = _ref.adam_scalars(lr, beta1, beta2, step)
    vmax = max_exp_avg_sq if amsgrad else exp_avg_sq
    has_wd = weight_decay != 0
    cdef bint coupled = has_wd and not decoupled_weight_decay
    cdef double decay = (1 - lr * weight_decay
                         if has_wd and decoupled_weight_decay else 1.0)
    cdef double sgn = -1.0 if maximize else 1.0
    cdef double w1d = 1 - beta1, c2d = 1 - beta2
    cdef float w1f = <float>w1d
    if param.dtype == _F32:
        _adam[float](<float*>_data(param), <float*>_data(grad),
                     <float*>_data(exp_avg), <float*>_data(exp_avg_sq),
                     <float*>_data(vmax), _size(param), <float>sgn,
                     <float>weight_decay, <float>decay, w1f, <float>1 - w1f,
                     <float>beta2, <float>c2d, <float>bc2_sqrt, <float>eps,
                     <float>(-step_size), coupled, amsgrad,
                     (w1f if w1f >= 0 else -w1f) < <float>0.5)
    else:
        _adam[double](<double*>_data(param), <double*>_data(grad),
                      <double*>_data(exp_avg), <double*>_data(exp_avg_sq),
                      <double*>_data(vmax), _size(param), sgn, weight_decay,
                      decay, w1d, 1 - w1d, beta2, c2d, bc2_sqrt, eps,
                      -step_size, coupled, amsgrad, abs(w1d) < 0.5)
    return param


# --- RMSprop -----------------------------------------------------------------
cdef inline void _rmsprop_range(real* p, const real* g, real* sa, real* ga,
                                real* b, Py_ssize_t lo, Py_ssize_t hi,
                                real sgn, real wd, real alpha, real c, real w,
                                real one_minus_w, real eps, real mom,
                                real lr_neg, bint has_wd, bint centered,
                                bint small, bint has_mom) noexcept nogil:
    cdef Py_ssize_t i
    cdef real gi, s, a, gai, bi
    cdef real minus_one = -1, one = 1
    for i in range(lo, hi):
        gi = g[i] * sgn
        if has_wd:
            gi = gi + wd * p[i]
        s = sa[i] * alpha
        s = s + (c * gi) * gi
        sa[i] = s
        if centered:
            gai = _lerp(ga[i], gi, w, one_minus_w, small)
            ga[i] = gai
            s = s + (minus_one * gai) * gai
        if real is float:
            a = _sqrt(s)
        else:
            a = _sqrtd(s)
        a = a + eps
        if has_mom:
            bi = b[i] * mom
            bi = bi + (one * gi) / a
            b[i] = bi
            p[i] = p[i] + lr_neg * bi
        else:
            p[i] = p[i] + (lr_neg * gi) / a


cdef inline void _rmsprop_dispatch(real* p, const real* g, real* sa, real* ga,
                                   real* b, Py_ssize_t lo, Py_ssize_t hi,
                                   real sgn, real wd, real alpha, real c,
                                   real w, real one_minus_w, real eps,
                                   real mom, real lr_neg, bint has_wd,
                                   bint centered, bint small,
                                   bint has_mom) noexcept nogil:
    # Weight decay and the lerp formula stay runtime branches; centering
    # and momentum change the memory traffic and get their own loops.
    if centered:
        if has_mom:
            _rmsprop_range(p, g, sa, ga, b, lo, hi, sgn, wd, alpha, c, w,
                           one_minus_w, eps, mom, lr_neg, has_wd, True, small,
                           True)
        else:
            _rmsprop_range(p, g, sa, ga, b, lo, hi, sgn, wd, alpha, c, w,
                           one_minus_w, eps, mom, lr_neg, has_wd, True, small,
                           False)
    elif has_mom:
        if has_wd:
            _rmsprop_range(p, g, sa, ga, b, lo, hi, sgn, wd, alpha, c, w,
                           one_minus_w, eps, mom, lr_neg, True, False, small,
                           True)
        else:
            _rmsprop_range(p, g, sa, ga, b, lo, hi, sgn, wd, alpha, c, w,
                           one_minus_w, eps, mom, lr_neg, False, False, small,
                           True)
    elif has_wd:
        _rmsprop_range(p, g, sa, ga, b, lo, hi, sgn, wd, alpha, c, w,
                       one_minus_w, eps, mom, lr_neg, True, False, small,
                       False)
    else:
        _rmsprop_range(p, g, sa, ga, b, lo, hi, sgn, wd, alpha, c, w,
                       one_minus_w, eps, mom, lr_neg, False, False, small,
                       False)


cdef void _rmsprop(real* pp, const real* gp, real* sp, real* ap, real* bp,
                   Py_ssize_t n, real sgn, real wd, real alpha,
                   real c, real w, real one_minus_w, real eps, real mom,
                   real lr_neg, bint has_wd, bint centered, bint small,
                   bint has_mom) noexcept nogil:
    cdef Py_ssize_t k
    if n == 0:
        return
    if n < PARALLEL_MIN:
        _rmsprop_dispatch(pp, gp, sp, ap, bp, 0, n, sgn, wd, alpha, c, w,
                          one_minus_w, eps, mom, lr_neg, has_wd, centered,
                          small, has_mom)
        return
    for k in prange((n + CHUNK - 1) // CHUNK, schedule="dynamic"):
        _rmsprop_dispatch(pp, gp, sp, ap, bp, k * CHUNK,
                          min(k * CHUNK + CHUNK, n), sgn, wd, alpha, c, w,
                          one_minus_w, eps, mom, lr_neg, has_wd, centered,
                          small, has_mom)


@_named_errors
def rmsprop_step(param, grad, square_avg, grad_avg=None, momentum_buffer=None,
                 *, lr, alpha, eps, weight_decay=0.0, momentum=0.0,
                 centered=False, maximize=False):
    """Fused :func:`pytensor_ext.reference.rmsprop_step` (same arguments)."""
    has_mom = momentum > 0
    arrays = [param, grad, square_avg]
    if centered:
        arrays.append(grad_avg)
    if has_mom:
        arrays.append(momentum_buffer)
    if not _fast(arrays, [param] + arrays[2:]):
        return _ref.rmsprop_step(param, grad, square_avg, grad_avg,
                                 momentum_buffer, lr=lr, alpha=alpha, eps=eps,
                                 weight_decay=weight_decay, momentum=momentum,
                                 centered=centered, maximize=maximize)
    ga = grad_avg if centered else square_avg
    buf = momentum_buffer if has_mom else square_avg
    cdef double sgn = -1.0 if maximize else 1.0
    cdef double wd = 1 - alpha
    cdef float wf = <float>wd
    if param.dtype == _F32:
        _rmsprop[float](<float*>_data(param), <float*>_data(grad),
                        <float*>_data(square_avg), <float*>_data(ga),
                        <float*>_data(buf), _size(param), <float>sgn,
                        <float>weight_decay, <float>alpha, <float>wd, wf,
                        <float>1 - wf, <float>eps, <float>momentum,
                        <float>(-lr), weight_decay != 0, centered,
                        (wf if wf >= 0 else -wf) < <float>0.5, has_mom)
    else:
        _rmsprop[double](<double*>_data(param), <double*>_data(grad),
                         <double*>_data(square_avg), <double*>_data(ga),
                         <double*>_data(buf), _size(param), sgn,
                         weight_decay, alpha, wd,
                         wd, 1 - wd, eps, momentum, -lr, weight_decay != 0,
                         centered, abs(wd) < 0.5, has_mom)
    return param


# --- Adagrad -----------------------------------------------------------------
cdef inline void _adagrad_range(real* p, const real* g, real* s,
                                Py_ssize_t lo, Py_ssize_t hi, real sgn,
                                real wd, real eps, real clr_neg,
                                bint has_wd) noexcept nogil:
    cdef Py_ssize_t i
    cdef real gi, si, std
    cdef real one = 1
    for i in range(lo, hi):
        gi = g[i] * sgn
        if has_wd:
            gi = gi + wd * p[i]
        si = s[i] + (one * gi) * gi
        s[i] = si
        if real is float:
            std = _sqrt(si)
        else:
            std = _sqrtd(si)
        std = std + eps
        p[i] = p[i] + (clr_neg * gi) / std


cdef inline void _adagrad_dispatch(real* p, const real* g, real* s,
                                   Py_ssize_t lo, Py_ssize_t hi, real sgn,
                                   real wd, real eps, real clr_neg,
                                   bint has_wd) noexcept nogil:
    if has_wd:
        _adagrad_range(p, g, s, lo, hi, sgn, wd, eps, clr_neg, True)
    else:
        _adagrad_range(p, g, s, lo, hi, sgn, wd, eps, clr_neg, False)


cdef void _adagrad(real* pp, const real* gp, real* sp, Py_ssize_t n,
                   real sgn, real wd, real eps, real clr_neg,
                   bint has_wd) noexcept nogil:
    cdef Py_ssize_t c
    if n == 0:
        return
    if n < PARALLEL_MIN:
        _adagrad_dispatch(pp, gp, sp, 0, n, sgn, wd, eps, clr_neg, has_wd)
        return
    for c in prange((n + CHUNK - 1) // CHUNK, schedule="dynamic"):
        _adagrad_dispatch(pp, gp, sp, c * CHUNK, min(c * CHUNK + CHUNK, n),
                          sgn, wd, eps, clr_neg, has_wd)


@_named_errors
def adagrad_step(param, grad, state_sum, *, lr, lr_decay, eps, weight_decay,
                 step, maximize=False):
    """Fused :func:`pytensor_ext.reference.adagrad_step` (same arguments)."""
    if not _fast((param, grad, state_sum), (param, state_sum)):
        return _ref.adagrad_step(param, grad, state_sum, lr=lr,
                                 lr_decay=lr_decay, eps=eps,
                                 weight_decay=weight_decay, step=step,
                                 maximize=maximize)
    cdef double clr = _ref.adagrad_clr(lr, lr_decay, step)
    cdef double sgn = -1.0 if maximize else 1.0
    if param.dtype == _F32:
        _adagrad[float](<float*>_data(param), <float*>_data(grad),
                        <float*>_data(state_sum), _size(param), <float>sgn, <float>weight_decay, <float>eps,
                        <float>(-clr), weight_decay != 0)
    else:
        _adagrad[double](<double*>_data(param), <double*>_data(grad),
                         <double*>_data(state_sum), _size(param), sgn,
                         weight_decay, eps, -clr, weight_decay != 0)
    return param
