"""Pure-NumPy reference of every kernel: the oracle the Cython and CuPy
kernels are tested against, and the fallback when the extension is missing.

Every function here has the same name and signature in ``pytensor_ext.cpu``
and ``pytensor_ext.gpu``.  Kernels take and return arrays; they do not
validate user input (the op layer does) beyond what NumPy does.  They work on
CuPy arrays too (through ``_xp``), which keeps this file a usable fallback on
the GPU.

Conventions:
- ``*_fwd(x, ...)`` returns a new array; ``*_bwd(saved, gy, ...)`` returns
  the input gradient.  ``dim`` may be negative.
- ``index_add`` / ``scatter_add`` accumulate *into* ``target`` (modified in
  place) and return it; repeated indices accumulate.
"""
import functools
import math

import numpy as np

KERNEL_NAMES = (
    "sum_to_shape",
    "softmax_fwd", "softmax_bwd", "log_softmax_fwd", "log_softmax_bwd",
    "relu_fwd", "relu_bwd", "sigmoid_fwd", "sigmoid_bwd", "tanh_fwd",
    "tanh_bwd", "gelu_fwd", "gelu_bwd", "silu_fwd", "silu_bwd",
    "erf_fwd", "erfc_fwd", "index_add", "scatter_add",
)


def _xp(x):
    # NumPy scalars (np.float32(1.0), what indexing a 0-d array gives) and
    # ndarray subclasses are NumPy too; anything else is taken for CuPy.
    if x.__class__ is np.ndarray or isinstance(x, (np.ndarray, np.generic)):
        return np
    import cupy
    return cupy


def sum_to_shape(x, shape):
    """Sum ``x`` down to ``shape`` (the reverse of broadcasting).

    Args:
        x: array whose shape broadcasts from ``shape``.
        shape: the target shape (tuple).

    Returns:
        An array of exactly ``shape`` and ``x.dtype``.
    """
    shape = tuple(shape)
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
    y = x.sum(axis=axes, keepdims=True) if axes else x
    if lead:
        y = y.reshape(y.shape[lead:])
    return y.reshape(shape)


# --- softmax family -----------------------------------------------------
def _zero_d(fn):
    """Softmax-family kernels on a 0-d array (PyTorch allows ``dim`` 0 or
    -1 there) run on a 1-element vector."""
    @functools.wraps(fn)
    def wrapper(*args):
        *arrays, dim = args
        if arrays[0].ndim == 0:
            if dim not in (0, -1):
                raise IndexError(
                    f"{fn.__name__}: Dimension out of range (expected to be "
                    f"in range of [-1, 0], but got {dim})")
            return fn(*[a.reshape(1) for a in arrays], 0).reshape(())
        return fn(*args)
    return wrapper


@_zero_d
def softmax_fwd(x, dim):
    """``exp(x - max) / sum(exp(x - max))`` along ``dim``."""
    xp = _xp(x)
    if x.size == 0:
        return xp.empty_like(x)
    m = x.max(axis=dim, keepdims=True)
    e = xp.exp(x - m)
    return e / e.sum(axis=dim, keepdims=True)


@_zero_d
def softmax_bwd(y, gy, dim):
    """Gradient of softmax: ``y * (gy - sum(gy * y))`` along ``dim``."""
    return y * (gy - (gy * y).sum(axis=dim, keepdims=True))


@_zero_d
def log_softmax_fwd(x, dim):
    """``x - max - log(sum(exp(x - max)))`` along ``dim``."""
    xp = _xp(x)
    if x.size == 0:
        return xp.empty_like(x)
    m = x.max(axis=dim, keepdims=True)
    s = x - m
    return s - xp.log(xp.exp(s).sum(axis=dim, keepdims=True))


@_zero_d
def log_softmax_bwd(y, gy, dim):
    """Gradient of log-softmax: ``gy - exp(y) * sum(gy)`` along ``dim``."""
    xp = _xp(y)
    return gy - xp.exp(y) * gy.sum(axis=dim, keepdims=True)


# --- fused activations ----------------------------------------------------
def relu_fwd(x):
    """``max(x, 0)`` (NaN stays NaN)."""
    xp = _xp(x)
    return xp.where(x > 0, x, xp.where(x != x, x, 0)).astype(x.dtype)


def relu_bwd(y, gy):
    """``gy`` where the output is positive, else 0 (0 at the kink)."""
    xp = _xp(y)
    return xp.where(y > 0, gy, 0).astype(gy.dtype)


def sigmoid_fwd(x):
    """``1 / (1 + exp(-x))``, stable for large |x|."""
    xp = _xp(x)
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


def sigmoid_bwd(y, gy):
    """``gy * y * (1 - y)`` from the output."""
    return gy * y * (1 - y)


def tanh_fwd(x):
    return _xp(x).tanh(x)


def tanh_bwd(y, gy):
    """``gy * (1 - y**2)`` from the output."""
    return gy * (1 - y * y)


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _np_special(fn, x):
    """``fn`` (math.erf or math.erfc) per element of a NumPy array or
    scalar (NumPy has no ufunc for them), exact to double precision; 0-d in,
    0-d array out."""
    x = np.asarray(x)
    if not x.size:
        return x.copy()
    y = np.frompyfunc(fn, 1, 1)(x.astype(np.float64))
    return np.asarray(y, dtype=np.float64).astype(x.dtype)


def erf_fwd(x):
    """The error function, elementwise."""
    xp = _xp(x)
    if xp is np:
        return _np_special(math.erf, x)
    import cupyx.scipy.special as sp
    return sp.erf(x)


def erfc_fwd(x):
    """The complementary error function ``1 - erf(x)``, accurate for large
    x (computed directly, not as 1 - erf)."""
    xp = _xp(x)
    if xp is np:
        return _np_special(math.erfc, x)
    import cupyx.scipy.special as sp
    return sp.erfc(x)


def _check_approximate(name, approximate):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"{name}: approximate must be 'none' or 'tanh', "
                         f"got {approximate!r}")


def gelu_fwd(x, approximate):
    """GELU: ``x * Phi(x)`` (``approximate="none"``) or the tanh form."""
    _check_approximate("gelu_fwd", approximate)
    xp = _xp(x)
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)
        return (0.5 * x * (1 + xp.tanh(inner))).astype(x.dtype)
    return (0.5 * x * (1 + erf_fwd(x * _INV_SQRT_2))).astype(x.dtype)


def gelu_bwd(x, gy, approximate):
    """Gradient of GELU w.r.t. its input."""
    _check_approximate("gelu_bwd", approximate)
    xp = _xp(x)
    if approximate == "tanh":
        x3 = x * x * x
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * x3)
        t = xp.tanh(inner)
        d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
        g = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * d_inner
        return (gy * g).astype(gy.dtype)
    cdf = 0.5 * (1 + erf_fwd(x * _INV_SQRT_2))
    pdf = _INV_SQRT_2PI * xp.exp(-0.5 * x * x)
    return (gy * (cdf + x * pdf)).astype(gy.dtype)


def silu_fwd(x):
    """``x * sigmoid(x)``."""
    return (x * sigmoid_fwd(x)).astype(x.dtype)


def silu_bwd(x, gy):
    """``gy * s * (1 + x * (1 - s))`` with ``s = sigmoid(x)``."""
    s = sigmoid_fwd(x)
    return (gy * s * (1 + x * (1 - s))).astype(gy.dtype)


# --- scatter-add (backward of indexing, gather, embedding) ---------------
def _check_index(name, index, n, axis):
    """Indices must lie in ``[-n, n)`` (negative ones count from the end, as
    in NumPy); checked before anything is written."""
    if index.dtype.kind not in "iu":
        raise TypeError(f"{name}: index must be an integer array, got "
                        f"{index.dtype}")
    if index.size:
        lo, hi = int(index.min()), int(index.max())
        if lo < -n or hi >= n:
            bad = lo if lo < -n else hi
            raise IndexError(f"{name}: index {bad} is out of bounds for "
                             f"dimension {axis} with size {n}")


def _wrap_axis(name, axis, ndim):
    """``axis`` in ``[0, ndim)``; a 0-d target has no axis to scatter along
    (``axis % 0`` would raise ZeroDivisionError)."""
    if ndim == 0:
        raise IndexError(f"{name}: expected a target with at least one "
                         "dimension, got a 0-d array")
    return axis % ndim


def index_add(target, axis, index, src):
    """``target.index_add_(axis, index, src)``: for each i,
    ``target[..., index[i], ...] += src[..., i, ...]`` along ``axis``
    (repeated indices accumulate).  Modifies and returns ``target``."""
    xp = _xp(target)
    axis = _wrap_axis("index_add", axis, target.ndim)
    _check_index("index_add", index, target.shape[axis], axis)
    t = xp.moveaxis(target, axis, 0)
    s = xp.moveaxis(src, axis, 0)
    if xp is np:
        np.add.at(t, index, s)
    else:
        import cupyx
        cupyx.scatter_add(t, index, s)
    return target


def scatter_add(target, axis, index, src):
    """``target.scatter_add_(axis, index, src)``: ``target[index[i][j]][j]
    += src[i][j]`` for ``axis=0`` (and likewise for other axes); ``index``
    has the shape of ``src`` (or smaller, using its leading region).
    Modifies and returns ``target``."""
    xp = _xp(target)
    axis = _wrap_axis("scatter_add", axis, target.ndim)
    _check_index("scatter_add", index, target.shape[axis], axis)
    idx = list(xp.indices(index.shape, sparse=True))
    idx[axis] = index
    s = src[tuple(slice(0, n) for n in index.shape)]
    if xp is np:
        np.add.at(target, tuple(idx), s)
    else:
        import cupyx
        cupyx.scatter_add(target, tuple(idx), s)
    return target


# =========================================================================
# Optimizer updates (pytensor.optim)
#
# One fused, in-place update per parameter.  Each reproduces the
# single-tensor ("foreach=False") path of PyTorch 2.13's optimizer one
# PyTorch op at a time, in the same order and with the same rounding:
# float32 and float64 are computed in their own type (every arithmetic
# operation rounded once), with the Python-float hyper-parameters cast to
# that type as PyTorch's CPU kernels cast them; float16 is computed in
# float32 with float32 hyper-parameters and rounded to float16 once per
# PyTorch op, as PyTorch's kernels for reduced-precision types do.  The
# compiled kernels in ``cpu/_optim.pyx`` and ``gpu/optim.py`` evaluate
# exactly these expressions per element (float32/float64), so they agree
# with this reference bit for bit.
#
# PyTorch itself can differ from these by an ulp here and there: its AVX2
# kernels contract some multiply-adds into FMAs (``lerp_``, ``addcmul_``,
# ``add(alpha=)``) and its ``sqrt`` (MKL VML) is not correctly rounded.
# =========================================================================
KERNEL_NAMES = KERNEL_NAMES + (
    "sgd_step", "adam_step", "rmsprop_step", "adagrad_step",
)


def _same(x):
    return x


def _opmath(a):
    """``(scalar type, up, down)`` for arrays of ``a``'s dtype: ``up``
    converts an operand to the type the arithmetic runs in and ``down``
    rounds an op's result back to the storage type (both the identity
    except for float16, computed in float32)."""
    if a.dtype == np.float16:
        def up(x):
            return x.astype(np.float32)

        def down(x):
            return x.astype(np.float16)
        return np.float32, up, down
    return a.dtype.type, _same, _same


def _lerp_(start, end, weight):
    """``start.lerp_(end, weight)`` for a Python-float weight, with
    PyTorch's two formulas (the weight is first cast to the op type)."""
    t, up, _ = _opmath(start)
    w = t(weight)
    s, e = up(start), up(end)
    if abs(w) < 0.5:
        start[...] = s + w * (e - s)
    else:
        start[...] = e - (e - s) * (t(1) - w)


def adam_scalars(lr, beta1, beta2, step):
    """``(step_size, bias_correction2_sqrt)`` of Adam's step ``step``,
    computed in Python floats exactly as PyTorch does."""
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    return lr / bias_correction1, bias_correction2 ** 0.5


def sgd_step(param, grad, momentum_buffer=None, *, lr, momentum=0.0,
             dampening=0.0, weight_decay=0.0, nesterov=False,
             maximize=False, first=False):
    """One SGD update of ``param`` in place (PyTorch's ``_single_tensor_sgd``).

    Args:
        param, grad: arrays of one shape and float dtype.
        momentum_buffer: the momentum buffer (same shape), updated in
            place; unused when ``momentum == 0``.
        first: the buffer is uninitialised: set it to the (decayed)
            gradient instead of averaging into it.
        lr, momentum, dampening, weight_decay, nesterov, maximize: as in
            ``optim.SGD``.
    """
    t, up, down = _opmath(param)
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = down(up(g) + t(weight_decay) * up(param))
    if momentum != 0:
        buf = momentum_buffer
        if first:
            buf[...] = g
        else:
            buf *= t(momentum)
            buf += t(1 - dampening) * up(g)
        if nesterov:
            g = down(up(g) + t(momentum) * up(buf))
        else:
            g = buf
    param += t(-lr) * up(g)
    return param


def adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq=None, *,
              lr, beta1, beta2, eps, weight_decay, step, amsgrad=False,
              maximize=False, decoupled_weight_decay=False):
    """One Adam/AdamW update in place (PyTorch's ``_single_tensor_adam``).

    Args:
        param, grad, exp_avg, exp_avg_sq: arrays of one shape and dtype;
            all but ``grad`` are updated in place.
        max_exp_avg_sq: AMSGrad's running maximum (used when ``amsgrad``).
        step: the step number after incrementing (1 on the first step).
        decoupled_weight_decay: AdamW's ``param *= 1 - lr * weight_decay``
            instead of adding ``weight_decay * param`` to the gradient.
    """
    xp = _xp(param)
    t, up, down = _opmath(param)
    g = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= t(1 - lr * weight_decay)
        else:
            g = down(up(g) + t(weight_decay) * up(param))
    _lerp_(exp_avg, g, 1 - beta1)
    exp_avg_sq *= t(beta2)
    exp_avg_sq += (t(1 - beta2) * up(g)) * up(g)
    step_size, bias_correction2_sqrt = adam_scalars(lr, beta1, beta2, step)
    if amsgrad:
        xp.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        second = max_exp_avg_sq
    else:
        second = exp_avg_sq
    denom = down(xp.sqrt(up(second)))
    denom = down(up(denom) / t(bias_correction2_sqrt))
    denom = down(up(denom) + t(eps))
    param += (t(-step_size) * up(exp_avg)) / up(denom)
    return param


def rmsprop_step(param, grad, square_avg, grad_avg=None, momentum_buffer=None,
                 *, lr, alpha, eps, weight_decay=0.0, momentum=0.0,
                 centered=False, maximize=False):
    """One RMSprop update in place (PyTorch's ``_single_tensor_rmsprop``).

    Args:
        square_avg: running average of squared gradients (in place).
        grad_avg: running average of gradients (``centered``, in place).
        momentum_buffer: the momentum buffer (``momentum > 0``, in place).
    """
    xp = _xp(param)
    t, up, down = _opmath(param)
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = down(up(g) + t(weight_decay) * up(param))
    square_avg *= t(alpha)
    square_avg += (t(1 - alpha) * up(g)) * up(g)
    if centered:
        _lerp_(grad_avg, g, 1 - alpha)
        avg = down(up(square_avg) + (t(-1) * up(grad_avg)) * up(grad_avg))
        avg = down(xp.sqrt(up(avg)))
    else:
        avg = down(xp.sqrt(up(square_avg)))
    avg = down(up(avg) + t(eps))
    if momentum > 0:
        momentum_buffer *= t(momentum)
        momentum_buffer += (t(1) * up(g)) / up(avg)
        param += t(-lr) * up(momentum_buffer)
    else:
        param += (t(-lr) * up(g)) / up(avg)
    return param


def adagrad_clr(lr, lr_decay, step):
    """Adagrad's decayed learning rate at step ``step`` (Python floats)."""
    return lr / (1 + (step - 1) * lr_decay)


def adagrad_step(param, grad, state_sum, *, lr, lr_decay, eps, weight_decay,
                 step, maximize=False):
    """One Adagrad update in place (PyTorch's ``_single_tensor_adagrad``,
    dense gradients)."""
    xp = _xp(param)
    t, up, down = _opmath(param)
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = down(up(g) + t(weight_decay) * up(param))
    clr = adagrad_clr(lr, lr_decay, step)
    state_sum += (t(1) * up(g)) * up(g)
    std = down(xp.sqrt(up(state_sum)))
    std = down(up(std) + t(eps))
    param += (t(-clr) * up(g)) / up(std)
    return param
