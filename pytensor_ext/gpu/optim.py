"""GPU optimizer updates (CuPy ``ElementwiseKernel``): the same names,
signatures and per-element expressions as ``pytensor_ext/cpu/_optim.pyx``
and :mod:`pytensor_ext.reference`.

One kernel launch updates a parameter and its state in place.  Every
arithmetic operation goes through a correctly rounded intrinsic
(``__fadd_rn``, ``__dmul_rn``, ``__fsqrt_rn``, ...): NVRTC contracts
``a * b + c`` into an FMA by default, and these intrinsics are never
contracted, so the results equal the reference's bit for bit, in float32
and float64, whatever the compiler flags.

Kernels are declared in :mod:`pytensor_ext.gpu._registry` (so they are
listed and NVRTC-compile-checked without a GPU) and built once per device.
Arrays of another dtype or of different shapes go to the reference, which
runs on CuPy arrays too.  Names: ``pytensor_<optimizer>[_<variant>]_step``.
"""
import numpy as np

from pytensor_ext import reference as _ref
from pytensor_ext.gpu._registry import elementwise, get

__all__ = ["sgd_step", "adam_step", "rmsprop_step", "adagrad_step"]

_REAL = (np.dtype(np.float32), np.dtype(np.float64))

# Correctly rounded, never-contracted arithmetic for T = float or double.
_PREAMBLE = r"""
template <typename T> __device__ __forceinline__ T pt_add(T a, T b);
template <typename T> __device__ __forceinline__ T pt_sub(T a, T b);
template <typename T> __device__ __forceinline__ T pt_mul(T a, T b);
template <typename T> __device__ __forceinline__ T pt_div(T a, T b);
template <typename T> __device__ __forceinline__ T pt_sqrt(T a);
template <> __device__ __forceinline__ float pt_add(float a, float b) {
    return __fadd_rn(a, b); }
template <> __device__ __forceinline__ float pt_sub(float a, float b) {
    return __fsub_rn(a, b); }
template <> __device__ __forceinline__ float pt_mul(float a, float b) {
    return __fmul_rn(a, b); }
template <> __device__ __forceinline__ float pt_div(float a, float b) {
    return __fdiv_rn(a, b); }
template <> __device__ __forceinline__ float pt_sqrt(float a) {
    return __fsqrt_rn(a); }
template <> __device__ __forceinline__ double pt_add(double a, double b) {
    return __dadd_rn(a, b); }
template <> __device__ __forceinline__ double pt_sub(double a, double b) {
    return __dsub_rn(a, b); }
template <> __device__ __forceinline__ double pt_mul(double a, double b) {
    return __dmul_rn(a, b); }
template <> __device__ __forceinline__ double pt_div(double a, double b) {
    return __ddiv_rn(a, b); }
template <> __device__ __forceinline__ double pt_sqrt(double a) {
    return __dsqrt_rn(a); }
// PyTorch's lerp: two formulas, chosen by |weight| < 0.5.
template <typename T>
__device__ __forceinline__ T pt_lerp(T start, T end, T w, T one_minus_w,
                                     int small) {
    return small ? pt_add(start, pt_mul(w, pt_sub(end, start)))
                 : pt_sub(end, pt_mul(pt_sub(end, start), one_minus_w));
}
"""

# --- SGD ---------------------------------------------------------------------
SGD = elementwise(
    "pytensor_sgd_step", "T g, T sgn, T lr_neg, T wd, int32 has_wd", "T p",
    "T gi = pt_mul(g, sgn);"
    " if (has_wd) gi = pt_add(gi, pt_mul(wd, p));"
    " p = pt_add(p, pt_mul(lr_neg, gi))", _PREAMBLE)
SGD_MOMENTUM = elementwise(
    "pytensor_sgd_momentum_step",
    "T g, T sgn, T lr_neg, T wd, T mom, T damp1, int32 has_wd,"
    " int32 nesterov, int32 first", "T p, T b",
    "T gi = pt_mul(g, sgn);"
    " if (has_wd) gi = pt_add(gi, pt_mul(wd, p));"
    " T bi = first ? gi : pt_add(pt_mul(b, mom), pt_mul(damp1, gi));"
    " b = bi;"
    " gi = nesterov ? pt_add(gi, pt_mul(mom, bi)) : bi;"
    " p = pt_add(p, pt_mul(lr_neg, gi))", _PREAMBLE)


def _fast(arrays):
    first = arrays[0]
    return (first.dtype in _REAL and all(
        a.dtype == first.dtype and a.shape == first.shape for a in arrays))


def sgd_step(param, grad, momentum_buffer=None, *, lr, momentum=0.0,
             dampening=0.0, weight_decay=0.0, nesterov=False,
             maximize=False, first=False):
    """Fused :func:`pytensor_ext.reference.sgd_step` (same arguments)."""
    has_mom = momentum != 0
    arrays = (param, grad, momentum_buffer) if has_mom else (param, grad)
    if not _fast(arrays):
        return _ref.sgd_step(param, grad, momentum_buffer, lr=lr,
                             momentum=momentum, dampening=dampening,
                             weight_decay=weight_decay, nesterov=nesterov,
                             maximize=maximize, first=first)
    t = param.dtype.type
    sgn = t(-1.0 if maximize else 1.0)
    has_wd = np.int32(weight_decay != 0)
    if not has_mom:
        get(SGD)(grad, sgn, t(-lr), t(weight_decay), has_wd, param)
    else:
        get(SGD_MOMENTUM)(grad, sgn, t(-lr), t(weight_decay), t(momentum),
                          t(1 - dampening), has_wd, np.int32(bool(nesterov)),
                          np.int32(bool(first)), param, momentum_buffer)
    return param


# --- Adam / AdamW ------------------------------------------------------------
def _adam_op(amsgrad):
    second = ("T si = vmax; if (vi > si || vi != vi) si = vi; vmax = si;"
              if amsgrad else "T si = vi;")
    return ("T gi = pt_mul(g, sgn); T pi = p;"
            " if (coupled) gi = pt_add(gi, pt_mul(wd, pi));"
            " pi = pt_mul(pi, decay);"
            " T mi = pt_lerp(m, gi, w1, one_minus_w1, small1); m = mi;"
            " T vi = pt_add(pt_mul(v, beta2), pt_mul(pt_mul(c2, gi), gi));"
            " v = vi; " + second +
            " T denom = pt_add(pt_div(pt_sqrt(si), bc2_sqrt), eps);"
            " p = pt_add(pi, pt_div(pt_mul(ss_neg, mi), denom))")


_ADAM_IN = ("T g, T sgn, T wd, T decay, T w1, T one_minus_w1, int32 small1,"
            " T beta2, T c2, T bc2_sqrt, T eps, T ss_neg, int32 coupled")
ADAM = elementwise("pytensor_adam_step", _ADAM_IN, "T p, T m, T v",
                   _adam_op(False), _PREAMBLE)
ADAM_AMSGRAD = elementwise("pytensor_adam_amsgrad_step", _ADAM_IN,
                           "T p, T m, T v, T vmax", _adam_op(True), _PREAMBLE)


def adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq=None, *,
              lr, beta1, beta2, eps, weight_decay, step, amsgrad=False,
              maximize=False, decoupled_weight_decay=False):
    """Fused :func:`pytensor_ext.reference.adam_step` (same arguments)."""
    arrays = (param, grad, exp_avg, exp_avg_sq) + (
        (max_exp_avg_sq,) if amsgrad else ())
    if not _fast(arrays):
        return _ref.adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                              lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                              weight_decay=weight_decay, step=step,
                              amsgrad=amsgrad, maximize=maximize,
                              decoupled_weight_decay=decoupled_weight_decay)
    t = param.dtype.type
    step_size, bc2_sqrt = _ref.adam_scalars(lr, beta1, beta2, step)
    has_wd = weight_decay != 0
    decay = 1 - lr * weight_decay if has_wd and decoupled_weight_decay \
        else 1.0
    w1 = t(1 - beta1)
    args = (grad, t(-1.0 if maximize else 1.0), t(weight_decay), t(decay),
            w1, t(1) - w1, np.int32(abs(w1) < 0.5), t(beta2), t(1 - beta2),
            t(bc2_sqrt), t(eps), t(-step_size),
            np.int32(has_wd and not decoupled_weight_decay))
    if amsgrad:
        get(ADAM_AMSGRAD)(*args, param, exp_avg, exp_avg_sq, max_exp_avg_sq)
    else:
        get(ADAM)(*args, param, exp_avg, exp_avg_sq)
    return param


# --- RMSprop -----------------------------------------------------------------
def _rmsprop_op(centered, momentum):
    op = ("T gi = pt_mul(g, sgn);"
          " if (has_wd) gi = pt_add(gi, pt_mul(wd, p));"
          " T s = pt_add(pt_mul(sa, alpha), pt_mul(pt_mul(c, gi), gi));"
          " sa = s;")
    if centered:
        op += (" T gai = pt_lerp(ga, gi, w, one_minus_w, is_small); ga = gai;"
               " s = pt_add(s, pt_mul(pt_mul((T)-1, gai), gai));")
    op += " T a = pt_add(pt_sqrt(s), eps);"
    if momentum:
        op += (" T bi = pt_add(pt_mul(b, mom), pt_div(pt_mul((T)1, gi), a));"
               " b = bi; p = pt_add(p, pt_mul(lr_neg, bi))")
    else:
        op += " p = pt_add(p, pt_div(pt_mul(lr_neg, gi), a))"
    return op


_RMS_IN = ("T g, T sgn, T wd, T alpha, T c, T w, T one_minus_w,"
           " int32 is_small, T eps, T mom, T lr_neg, int32 has_wd")
RMSPROP = {
    (centered, momentum): elementwise(
        "pytensor_rmsprop" + ("_centered" if centered else "")
        + ("_momentum" if momentum else "") + "_step", _RMS_IN,
        "T p, T sa" + (", T ga" if centered else "")
        + (", T b" if momentum else ""),
        _rmsprop_op(centered, momentum), _PREAMBLE)
    for centered in (False, True) for momentum in (False, True)}


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
    if not _fast(arrays):
        return _ref.rmsprop_step(param, grad, square_avg, grad_avg,
                                 momentum_buffer, lr=lr, alpha=alpha, eps=eps,
                                 weight_decay=weight_decay, momentum=momentum,
                                 centered=centered, maximize=maximize)
    t = param.dtype.type
    w = t(1 - alpha)
    outs = [param, square_avg] + ([grad_avg] if centered else []) + (
        [momentum_buffer] if has_mom else [])
    get(RMSPROP[(bool(centered), has_mom)])(
        grad, t(-1.0 if maximize else 1.0), t(weight_decay), t(alpha),
        t(1 - alpha), w, t(1) - w, np.int32(abs(w) < 0.5), t(eps),
        t(momentum), t(-lr), np.int32(weight_decay != 0), *outs)
    return param


# --- Adagrad -----------------------------------------------------------------
ADAGRAD = elementwise(
    "pytensor_adagrad_step",
    "T g, T sgn, T wd, T eps, T clr_neg, int32 has_wd", "T p, T s",
    "T gi = pt_mul(g, sgn);"
    " if (has_wd) gi = pt_add(gi, pt_mul(wd, p));"
    " T si = pt_add(s, pt_mul(pt_mul((T)1, gi), gi)); s = si;"
    " T den = pt_add(pt_sqrt(si), eps);"
    " p = pt_add(p, pt_div(pt_mul(clr_neg, gi), den))", _PREAMBLE)


def adagrad_step(param, grad, state_sum, *, lr, lr_decay, eps, weight_decay,
                 step, maximize=False):
    """Fused :func:`pytensor_ext.reference.adagrad_step` (same arguments)."""
    if not _fast((param, grad, state_sum)):
        return _ref.adagrad_step(param, grad, state_sum, lr=lr,
                                 lr_decay=lr_decay, eps=eps,
                                 weight_decay=weight_decay, step=step,
                                 maximize=maximize)
    t = param.dtype.type
    clr = _ref.adagrad_clr(lr, lr_decay, step)
    get(ADAGRAD)(grad, t(-1.0 if maximize else 1.0), t(weight_decay), t(eps),
                 t(-clr), np.int32(weight_decay != 0), param, state_sum)
    return param
