"""GPU activation kernels (CuPy ``ElementwiseKernel``), named
``pytensor_<op>_<fwd|bwd>``: the same names, signatures and formulas as
``pytensor_ext/cpu/_activation.pyx``.

``T`` is float or double; constants are cast to ``T`` so float32 kernels
never compute in double.  Strided inputs are handled by CuPy's indexer;
outputs are new C-contiguous arrays.
"""
from pytensor_ext.gpu._common import binary, unary
from pytensor_ext.gpu._registry import elementwise

__all__ = ["relu_fwd", "relu_bwd", "sigmoid_fwd", "sigmoid_bwd", "tanh_fwd",
           "tanh_bwd", "gelu_fwd", "gelu_bwd", "silu_fwd", "silu_bwd",
           "erf_fwd", "erfc_fwd"]

# Stable sigmoid, as in the reference: exp(-|x|) never overflows.
_SIGMOID = """
template <typename T>
__device__ __forceinline__ T pt_sigmoid(T x) {
    const T e = exp(-fabs(x));
    const T r = (T)1 / ((T)1 + e);
    return x >= (T)0 ? r : e * r;
}
"""
# sqrt(2/pi), 1/sqrt(2), 1/sqrt(2*pi) and the tanh-form cubic coefficient.
_GELU = """
#define PT_SQRT_2_OVER_PI 0.7978845608028654
#define PT_INV_SQRT_2 0.7071067811865476
#define PT_INV_SQRT_2PI 0.3989422804014327
#define PT_GELU_C 0.044715
"""

RELU_FWD = elementwise(
    "pytensor_relu_fwd", "T x", "T y",
    # NaN <= 0 is false: NaN stays NaN; -0.0 becomes +0.0.
    "y = x <= (T)0 ? (T)0 : x")
RELU_BWD = elementwise(
    "pytensor_relu_bwd", "T y, T gy", "T gx",
    "gx = y > (T)0 ? gy : (T)0")
SIGMOID_FWD = elementwise(
    "pytensor_sigmoid_fwd", "T x", "T y", "y = pt_sigmoid(x)", _SIGMOID)
SIGMOID_BWD = elementwise(
    "pytensor_sigmoid_bwd", "T y, T gy", "T gx",
    "gx = gy * y * ((T)1 - y)")
TANH_FWD = elementwise("pytensor_tanh_fwd", "T x", "T y", "y = tanh(x)")
TANH_BWD = elementwise(
    "pytensor_tanh_bwd", "T y, T gy", "T gx", "gx = gy * ((T)1 - y * y)")
SILU_FWD = elementwise(
    "pytensor_silu_fwd", "T x", "T y", "y = x * pt_sigmoid(x)", _SIGMOID)
SILU_BWD = elementwise(
    "pytensor_silu_bwd", "T x, T gy", "T gx",
    "const T s = pt_sigmoid(x); gx = gy * s * ((T)1 + x * ((T)1 - s))",
    _SIGMOID)
GELU_FWD = elementwise(
    "pytensor_gelu_fwd", "T x", "T y",
    "y = (T)0.5 * x * ((T)1 + erf(x * (T)PT_INV_SQRT_2))", _GELU)
GELU_TANH_FWD = elementwise(
    "pytensor_gelu_tanh_fwd", "T x", "T y",
    "const T inner = (T)PT_SQRT_2_OVER_PI * (x + (T)PT_GELU_C * x * x * x);"
    " y = (T)0.5 * x * ((T)1 + tanh(inner))", _GELU)
GELU_BWD = elementwise(
    "pytensor_gelu_bwd", "T x, T gy", "T gx",
    "const T cdf = (T)0.5 * ((T)1 + erf(x * (T)PT_INV_SQRT_2));"
    " const T pdf = (T)PT_INV_SQRT_2PI * exp((T)-0.5 * x * x);"
    " gx = gy * (cdf + x * pdf)", _GELU)
GELU_TANH_BWD = elementwise(
    "pytensor_gelu_tanh_bwd", "T x, T gy", "T gx",
    "const T t = tanh((T)PT_SQRT_2_OVER_PI"
    " * (x + (T)PT_GELU_C * (x * x * x)));"
    " const T d = (T)PT_SQRT_2_OVER_PI * ((T)1 + (T)3 * (T)PT_GELU_C * x * x);"
    " gx = gy * ((T)0.5 * ((T)1 + t) + (T)0.5 * x * ((T)1 - t * t) * d)",
    _GELU)
ERF_FWD = elementwise("pytensor_erf_fwd", "T x", "T y", "y = erf(x)")
ERFC_FWD = elementwise("pytensor_erfc_fwd", "T x", "T y", "y = erfc(x)")


def _gelu(name, approximate, exact, tanh_form):
    if approximate == "none":
        return exact
    if approximate == "tanh":
        return tanh_form
    raise ValueError(f"{name}: approximate must be 'none' or 'tanh', got "
                     f"{approximate!r}")


def relu_fwd(x):
    """``max(x, 0)``; NaN stays NaN."""
    return unary(RELU_FWD, "relu_fwd", x)


def relu_bwd(y, gy):
    """``gy`` where ``y > 0``, else 0."""
    return binary(RELU_BWD, "relu_bwd", y, gy)


def sigmoid_fwd(x):
    """``1 / (1 + exp(-x))``, stable for large ``|x|``."""
    return unary(SIGMOID_FWD, "sigmoid_fwd", x)


def sigmoid_bwd(y, gy):
    """``gy * y * (1 - y)`` from the output."""
    return binary(SIGMOID_BWD, "sigmoid_bwd", y, gy)


def tanh_fwd(x):
    """``tanh(x)``."""
    return unary(TANH_FWD, "tanh_fwd", x)


def tanh_bwd(y, gy):
    """``gy * (1 - y**2)`` from the output."""
    return binary(TANH_BWD, "tanh_bwd", y, gy)


def gelu_fwd(x, approximate):
    """GELU, exact (``"none"``) or tanh form (``"tanh"``)."""
    decl = _gelu("gelu_fwd", approximate, GELU_FWD, GELU_TANH_FWD)
    return unary(decl, "gelu_fwd", x, approximate)


def gelu_bwd(x, gy, approximate):
    """Gradient of GELU with respect to its input ``x``."""
    decl = _gelu("gelu_bwd", approximate, GELU_BWD, GELU_TANH_BWD)
    return binary(decl, "gelu_bwd", x, gy, approximate)


def silu_fwd(x):
    """``x * sigmoid(x)``."""
    return unary(SILU_FWD, "silu_fwd", x)


def silu_bwd(x, gy):
    """``gy * s * (1 + x * (1 - s))`` with ``s = sigmoid(x)``."""
    return binary(SILU_BWD, "silu_bwd", x, gy)


def erf_fwd(x):
    """The error function."""
    return unary(ERF_FWD, "erf_fwd", x)


def erfc_fwd(x):
    """``1 - erf(x)``, computed directly."""
    return unary(ERFC_FWD, "erfc_fwd", x)
