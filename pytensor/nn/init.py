"""``nn.init``: fill tensors in place with PyTorch's initialisation schemes.

Every function writes into the tensor's storage outside autograd (as
PyTorch's do under ``no_grad``), bumps its version, returns it, and draws
from pytensor's default generator (seeded by ``pytensor.manual_seed``) or
the ``generator=`` given.  Distributions and fan computations are
PyTorch's; the random streams are pytensor's own (not bit-identical).
"""
import math
import warnings

import numpy as np

from pytensor.ops._util import on_input_device
from pytensor.tensor import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_",
           "constant_", "ones_", "zeros_", "eye_", "dirac_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
           "kaiming_normal_", "orthogonal_", "sparse_"]


# ----------------------------------------------------------------------
# Writing and drawing
def _check(fn, tensor):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fn}: expected a Tensor, got "
                        f"{type(tensor).__name__}")


def _write(tensor, arr, op):
    """Store ``arr`` (any float array of the tensor's shape, on its device)
    in place, cast to the tensor's dtype."""
    dst = tensor._data
    if dst.__class__ is not np.ndarray and isinstance(arr, np.ndarray):
        # A host-computed value for a GPU tensor: one explicit copy.
        from pytensor.backend import to_device
        arr = to_device(arr.astype(dst.dtype), tensor.device)
    dst[...] = arr
    tensor._bump_version(op)
    return tensor


def _draw(tensor, generator, fn):
    """``fn(g)`` with ``g`` a NumPy (CPU) or CuPy (GPU) random Generator,
    for the tensor's device; returns a float64 array of its shape."""
    from pytensor.random import _draw as draw
    return draw(tensor.device, generator, fn)


def _xp(tensor):
    from pytensor.backend import get_xp
    return get_xp(tensor._data)


# ----------------------------------------------------------------------
# Gains and fans
def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (PyTorch's table).

    ============ ======================================
    linear, conv 1
    sigmoid      1
    tanh         5/3
    relu         sqrt(2)
    leaky_relu   sqrt(2 / (1 + negative_slope^2))
    selu         3/4
    ============ ======================================

    Args:
        nonlinearity (str): the function's name.
        param: the negative slope for ``leaky_relu`` (default 0.01).

    Example:
        >>> from pytensor import nn
        >>> round(nn.init.calculate_gain("leaky_relu", 0.2), 4)
        1.3868
    """
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif (not isinstance(param, bool) and isinstance(param, int)
              or isinstance(param, float)):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    """``(fan_in, fan_out)``: ``size(1) * receptive field`` and
    ``size(0) * receptive field`` (the receptive field is the product of
    the dims after the first two)."""
    dimensions = tensor.dim()
    if dimensions < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer "
            "than 2 dimensions")
    num_input_fmaps = tensor.shape[1]
    num_output_fmaps = tensor.shape[0]
    receptive_field_size = 1
    for s in tensor.shape[2:]:
        receptive_field_size *= s
    return (num_input_fmaps * receptive_field_size,
            num_output_fmaps * receptive_field_size)


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(
            f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


# ----------------------------------------------------------------------
# Basic fills
@on_input_device
def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with samples of U(a, b).

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> w = nn.init.uniform_(pytensor.empty(1000), -2.0, 2.0)
        >>> a = w.numpy()
        >>> bool(a.min() >= -2), bool(a.max() < 2)
        (True, True)
    """
    _check("uniform_", tensor)
    shape = tensor.shape
    arr = _draw(tensor, generator, lambda g: g.uniform(a, b, shape))
    return _write(tensor, arr, "uniform_")


@on_input_device
def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with samples of N(mean, std²)."""
    _check("normal_", tensor)
    shape = tensor.shape
    arr = _draw(tensor, generator,
                lambda g: g.standard_normal(shape) * std + mean)
    return _write(tensor, arr, "normal_")


def _erfinv(y):
    """Inverse error function on a float64 NumPy array (Giles' single
    precision approximation refined by two Newton steps on ``erf``)."""
    w = -np.log((1.0 - y) * (1.0 + y))
    small = w < 5.0
    ws = w - 2.5
    p_s = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
              0.00021858087, -0.00125372503, -0.00417768164,
              0.246640727, 1.50140941):
        p_s = c + p_s * ws
    wl = np.sqrt(np.maximum(w, 5.0)) - 3.0
    p_l = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
              -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):
        p_l = c + p_l * wl
    x = np.where(small, p_s, p_l) * y
    erf = np.frompyfunc(math.erf, 1, 1)
    for _ in range(2):
        err = erf(x).astype(np.float64) - y
        x = x - err / (2.0 / math.sqrt(math.pi) * np.exp(-x * x))
    return x


@on_input_device
def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with samples of N(mean, std²) truncated to [a, b].

    Samples outside [a, b] are redrawn (rejection sampling, exact) while
    the interval holds a reasonable share of the mass; far in a tail the
    inverse-CDF method is used, as PyTorch does.
    """
    _check("trunc_normal_", tensor)
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.", stacklevel=2)
    shape = tensor.shape
    n = tensor.numel()

    def norm_cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    lo, hi = norm_cdf((a - mean) / std), norm_cdf((b - mean) / std)

    def sample(g):
        if hi - lo >= 0.05:
            out = g.standard_normal(n) * std + mean
            bad = (out < a) | (out > b)
            while bad.any():
                k = int(bad.sum())
                out[bad] = g.standard_normal(k) * std + mean
                bad = (out < a) | (out > b)
            return out.reshape(shape)
        u = g.uniform(2 * lo - 1, 2 * hi - 1, n)
        if not isinstance(u, np.ndarray):
            u = u.get()
        x = _erfinv(np.asarray(u, np.float64)) * std * math.sqrt(2.0) + mean
        return np.clip(x, a, b).reshape(shape)
    arr = _draw(tensor, generator, sample)
    return _write(tensor, arr, "trunc_normal_")


@on_input_device
def constant_(tensor, val):
    """Fill with the value ``val``."""
    _check("constant_", tensor)
    return _write(tensor, val, "constant_")


@on_input_device
def ones_(tensor):
    """Fill with ones."""
    return constant_(tensor, 1.0)


@on_input_device
def zeros_(tensor):
    """Fill with zeros."""
    return constant_(tensor, 0.0)


@on_input_device
def eye_(tensor):
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal)."""
    _check("eye_", tensor)
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    xp = _xp(tensor)
    return _write(tensor, xp.eye(*tensor.shape), "eye_")


@on_input_device
def dirac_(tensor, groups=1):
    """Fill a 3/4/5-d convolution weight with the Dirac delta, so the
    convolution preserves its input (per group)."""
    _check("dirac_", tensor)
    dimensions = tensor.ndim
    if dimensions not in [3, 4, 5]:
        raise ValueError(
            "Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_chans_per_grp = sizes[0] // groups
    min_dim = min(out_chans_per_grp, sizes[1])
    arr = np.zeros(sizes)
    centre = tuple(s // 2 for s in sizes[2:])
    for g in range(groups):
        for d in range(min_dim):
            arr[(g * out_chans_per_grp + d, d) + centre] = 1
    from pytensor.backend import to_device
    return _write(tensor, to_device(arr, tensor.device), "dirac_")


# ----------------------------------------------------------------------
# Schemes
def _no_op_if_empty(tensor, name):
    if tensor.numel() == 0:
        warnings.warn("Initializing zero-element tensors is a no-op",
                      stacklevel=3)
        return True
    return False


@on_input_device
def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot uniform: U(-a, a) with ``a = gain * sqrt(6 / (fan_in +
    fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


@on_input_device
def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot normal: N(0, std²) with ``std = gain * sqrt(2 / (fan_in +
    fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


@on_input_device
def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu",
                     generator=None):
    """He uniform: U(-bound, bound), ``bound = gain * sqrt(3 / fan)`` with
    ``gain = calculate_gain(nonlinearity, a)``.

    ``nn.Linear`` uses ``a=sqrt(5)``, which gives ``bound = 1 /
    sqrt(fan_in)``.

    Example:
        >>> import math, pytensor
        >>> from pytensor import nn
        >>> w = nn.init.kaiming_uniform_(pytensor.empty(64, 16),
        ...                              a=math.sqrt(5))
        >>> float(abs(w.detach().numpy()).max()) <= 1 / math.sqrt(16)
        True
    """
    _check("kaiming_uniform_", tensor)
    if _no_op_if_empty(tensor, "kaiming_uniform_"):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


@on_input_device
def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu",
                    generator=None):
    """He normal: N(0, std²), ``std = gain / sqrt(fan)``."""
    _check("kaiming_normal_", tensor)
    if _no_op_if_empty(tensor, "kaiming_normal_"):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


@on_input_device
def orthogonal_(tensor, gain=1, generator=None):
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian
    one (sign-corrected so the distribution is uniform), times ``gain``;
    trailing dims are flattened."""
    _check("orthogonal_", tensor)
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are "
                         "supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = _draw(tensor, generator, lambda g: g.standard_normal((rows, cols)))
    xp = _xp(tensor)
    if rows < cols:
        flat = flat.T
    q, r = xp.linalg.qr(flat)
    q = q * xp.sign(xp.diag(r))
    if rows < cols:
        q = q.T
    return _write(tensor, (q * gain).reshape(tensor.shape), "orthogonal_")


@on_input_device
def sparse_(tensor, sparsity, std=0.01, generator=None):
    """A 2-D tensor with ``ceil(sparsity * rows)`` zeros per column and
    N(0, std²) elsewhere."""
    _check("sparse_", tensor)
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = int(math.ceil(sparsity * rows))

    def sample(g):
        out = g.standard_normal((rows, cols)) * std
        for c in range(cols):
            # (CuPy's generator has no permutation(): argsort of uniforms)
            perm = g.permutation(rows) if hasattr(g, "permutation") else \
                g.random(rows).argsort()
            out[perm[:num_zeros], c] = 0
        return out
    return _write(tensor, _draw(tensor, generator, sample), "sparse_")
