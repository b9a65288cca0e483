"""Unary math ops: parity with PyTorch (forward, backward, float32/64,
strided, 0-d, empty), gradcheck, integer dtypes, kinks, NaN/inf and
in-place forms."""
import math

import numpy as np
import pytest

import pytensor
from pytensor.autograd import gradcheck, gradgradcheck
from tests.conftest import require_torch
from tests.parity import OpCase, define_tests, UNARY_SHAPES

POS = (0.5, 2.0)
UNIT = (-0.9, 0.9)


def _away_from_zero(rng, shape, dtype):
    """Values with |x| in [0.5, 2]: both signs, no pole."""
    mag = rng.uniform(0.5, 2.0, size=shape)
    return np.where(rng.random(shape) < 0.5, -mag, mag)


def _off_integers(rng, shape, dtype):
    """Values at least 0.1 from an integer (and from .5 for round), so
    finite differences of step functions are 0."""
    base = rng.integers(-3, 3, size=shape)
    frac = rng.choice([0.15, 0.3, 0.7, 0.85], size=shape)
    return base + frac


def _m(name, *args, **kwargs):
    return lambda T, a: getattr(T, name)(a, *args, **kwargs)


CASES = [
    OpCase("sqrt", _m("sqrt"), UNARY_SHAPES, domain=POS),
    OpCase("sqrt_method", lambda T, a: a.sqrt(), UNARY_SHAPES[:1],
           domain=POS),
    OpCase("rsqrt", _m("rsqrt"), UNARY_SHAPES, domain=POS),
    OpCase("square", _m("square"), UNARY_SHAPES),
    OpCase("abs", _m("abs"), UNARY_SHAPES, domain=_away_from_zero),
    OpCase("absolute", _m("absolute"), UNARY_SHAPES[:1],
           domain=_away_from_zero),
    OpCase("abs_op", lambda T, a: abs(a), UNARY_SHAPES[:1]),
    OpCase("sign", _m("sign"), UNARY_SHAPES),
    # torch's sgn returns a ZeroTensor gradient (not convertible to NumPy);
    # for real inputs it is sign.
    OpCase("sgn", _m("sgn"), UNARY_SHAPES[:2], torch_fn=_m("sign")),
    OpCase("sin", _m("sin"), UNARY_SHAPES),
    OpCase("cos", _m("cos"), UNARY_SHAPES),
    OpCase("tan", _m("tan"), UNARY_SHAPES, domain=(-1.2, 1.2)),
    OpCase("asin", _m("asin"), UNARY_SHAPES, domain=UNIT),
    OpCase("arcsin", _m("arcsin"), UNARY_SHAPES[:1], domain=UNIT),
    OpCase("acos", _m("acos"), UNARY_SHAPES, domain=UNIT),
    OpCase("arccos", _m("arccos"), UNARY_SHAPES[:1], domain=UNIT),
    OpCase("atan", _m("atan"), UNARY_SHAPES),
    OpCase("arctan", _m("arctan"), UNARY_SHAPES[:1]),
    OpCase("sinh", _m("sinh"), UNARY_SHAPES),
    OpCase("cosh", _m("cosh"), UNARY_SHAPES),
    OpCase("tanh", _m("tanh"), UNARY_SHAPES, domain=(-3, 3)),
    OpCase("asinh", _m("asinh"), UNARY_SHAPES),
    OpCase("acosh", _m("acosh"), UNARY_SHAPES, domain=(1.1, 3.0)),
    OpCase("atanh", _m("atanh"), UNARY_SHAPES, domain=UNIT),
    OpCase("arcsinh", _m("arcsinh"), UNARY_SHAPES[:1]),
    OpCase("arccosh", _m("arccosh"), UNARY_SHAPES[:1], domain=(1.1, 3.0)),
    OpCase("arctanh", _m("arctanh"), UNARY_SHAPES[:1], domain=UNIT),
    OpCase("sigmoid", _m("sigmoid"), UNARY_SHAPES, domain=(-6, 6)),
    OpCase("sigmoid_method", lambda T, a: a.sigmoid(), UNARY_SHAPES[:1]),
    OpCase("logit", _m("logit"), UNARY_SHAPES, domain=(0.05, 0.95)),
    OpCase("logit_eps", _m("logit", eps=0.2), UNARY_SHAPES[:2],
           domain=(0.02, 0.98)),
    OpCase("erf", _m("erf"), UNARY_SHAPES),
    OpCase("erfc", _m("erfc"), UNARY_SHAPES),
    OpCase("floor", _m("floor"), UNARY_SHAPES, domain=_off_integers),
    OpCase("ceil", _m("ceil"), UNARY_SHAPES, domain=_off_integers),
    OpCase("round", _m("round"), UNARY_SHAPES, domain=_off_integers),
    OpCase("round_decimals", _m("round", decimals=1), UNARY_SHAPES[:2],
           domain=lambda rng, s, d: np.round(
               rng.uniform(-3, 3, size=s), 1) + 0.02),
    OpCase("round_neg_decimals", _m("round", decimals=-1), UNARY_SHAPES[:1],
           domain=lambda rng, s, d: rng.uniform(-300, 300, size=s)),
    OpCase("trunc", _m("trunc"), UNARY_SHAPES, domain=_off_integers),
    OpCase("fix", _m("fix"), UNARY_SHAPES[:1], domain=_off_integers),
    OpCase("frac", _m("frac"), UNARY_SHAPES, domain=_off_integers),
    OpCase("reciprocal", _m("reciprocal"), UNARY_SHAPES,
           domain=_away_from_zero),
    OpCase("nan_to_num", _m("nan_to_num"), UNARY_SHAPES),
    OpCase("nan_to_num_args", _m("nan_to_num", nan=1.0, posinf=2.0,
                                 neginf=-2.0), UNARY_SHAPES[:1]),
]

define_tests(CASES, globals())


# --------------------------------------------------------------------------
# Integer and bool inputs: result dtypes (and values) as PyTorch's, or an
# error where PyTorch has no kernel.
INT_OPS = ("sqrt rsqrt square abs absolute sign sgn sin cos tan asin "
           "arcsin acos arccos atan arctan sinh cosh tanh asinh acosh atanh "
           "sigmoid erf erfc floor ceil round trunc fix frac reciprocal "
           "nan_to_num logit neg exp log").split()
INT_DTYPES = ("int64", "int32", "uint8", "bool")


@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize("name", INT_OPS)
def test_integer_inputs(name, dtype):
    torch = require_torch()
    vals = np.array([[3, 0, 1], [2, 5, 1]])
    tt = torch.tensor(vals).to(getattr(torch, dtype))
    pt = pytensor.tensor(vals).to(getattr(pytensor, dtype))
    try:
        expected = getattr(torch, name)(tt)
    except (RuntimeError, NotImplementedError):
        with pytest.raises(RuntimeError, match=rf"^({name}|abs|trunc):"):
            getattr(pytensor, name)(pt)
        return
    got = getattr(pytensor, name)(pt)
    assert got.dtype.name == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(got.numpy().astype(np.float64),
                               expected.numpy().astype(np.float64),
                               rtol=1e-6, atol=1e-6)
    assert not got.requires_grad


def test_round_decimals_on_integers_raises():
    with pytest.raises(RuntimeError, match="round"):
        pytensor.round(pytensor.tensor([15, 25]), decimals=-1)


def test_float16_keeps_dtype():
    x = pytensor.tensor([0.5, 1.0], dtype=pytensor.float16)
    for name in ("sqrt", "sigmoid", "tanh", "erf", "floor", "abs", "exp"):
        assert getattr(pytensor, name)(x).dtype is pytensor.float16, name


# --------------------------------------------------------------------------
# Kinks: PyTorch's exact gradient conventions.
def _grad(fn, values, dtype=pytensor.float64):
    x = pytensor.tensor(values, dtype=dtype, requires_grad=True)
    fn(x).sum().backward()
    return x.grad.tolist()


def _torch_grad(fn, values):
    torch = require_torch()
    x = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    fn(x).sum().backward()
    return x.grad.tolist()


KINKS = [
    ("abs", lambda T, x: T.abs(x), [0.0, -0.0, 1.0, -1.0]),
    ("sign", lambda T, x: T.sign(x), [0.0, 1.0, -1.0]),
    ("sqrt", lambda T, x: T.sqrt(x), [0.0, -0.0, 1.0, -1.0]),
    ("rsqrt", lambda T, x: T.rsqrt(x), [0.0, -0.0, 4.0]),
    ("floor", lambda T, x: T.floor(x), [-1.0, 0.0, 2.0, 2.5]),
    ("ceil", lambda T, x: T.ceil(x), [-1.0, 0.0, 2.0]),
    ("round", lambda T, x: T.round(x), [0.5, 1.5, -0.5]),
    ("trunc", lambda T, x: T.trunc(x), [-1.0, 0.0, 1.0]),
    ("frac", lambda T, x: T.frac(x), [-1.0, 0.0, 1.5]),
    ("asin", lambda T, x: T.asin(x), [1.0, -1.0, 2.0]),
    ("acosh", lambda T, x: T.acosh(x), [1.0, 0.5]),
    ("atanh", lambda T, x: T.atanh(x), [1.0, -1.0]),
    ("reciprocal", lambda T, x: T.reciprocal(x), [0.0, -0.0, 2.0]),
    ("logit", lambda T, x: T.logit(x), [0.0, 1.0, -0.1, 1.1, 0.5]),
    ("logit_eps", lambda T, x: T.logit(x, eps=0.1),
     [0.0, 0.1, 0.9, 1.0, -0.1, 0.5]),
    ("nan_to_num", lambda T, x: T.nan_to_num(x),
     [math.nan, math.inf, -math.inf, 1.0]),
    ("erfc", lambda T, x: T.erfc(x), [0.0, 30.0, -30.0]),
    ("sigmoid", lambda T, x: T.sigmoid(x), [-800.0, 0.0, 800.0]),
    ("tanh", lambda T, x: T.tanh(x), [-800.0, 0.0, 800.0]),
]


@pytest.mark.parametrize("name,fn,values", KINKS, ids=[k[0] for k in KINKS])
def test_kink_gradients_match_torch(name, fn, values):
    torch = require_torch()
    got = _grad(lambda x: fn(pytensor, x), values)
    expected = _torch_grad(lambda x: fn(torch, x), values)
    np.testing.assert_array_equal(np.array(got), np.array(expected))


def test_abs_gradient_at_zero_is_zero():
    assert _grad(pytensor.abs, [0.0, -0.0]) == [0.0, 0.0]


def test_sqrt_gradient_at_zero_is_inf():
    assert _grad(pytensor.sqrt, [0.0]) == [math.inf]


def test_round_half_to_even():
    x = pytensor.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5])
    assert pytensor.round(x).tolist() == [-2.0, -2.0, -0.0, 0.0, 2.0, 2.0,
                                          4.0]


def test_round_decimals_matches_torch():
    torch = require_torch()
    vals = [2.675, 1.005, 0.125, 0.375, -2.5, 1234.5, 1e300]
    for d in (2, 1, -2):
        for dt in ("float32", "float64"):
            got = pytensor.round(pytensor.tensor(vals, dtype=getattr(
                pytensor, dt)), decimals=d)
            exp = torch.round(torch.tensor(vals, dtype=getattr(torch, dt)),
                              decimals=d)
            np.testing.assert_array_equal(got.numpy(), exp.numpy())


# --------------------------------------------------------------------------
# NaN and inf.
def test_nan_and_inf_forward_match_torch():
    torch = require_torch()
    vals = [math.nan, math.inf, -math.inf, 0.0, -0.0]
    for name in ("sqrt", "rsqrt", "abs", "sign", "sgn", "sin", "tanh",
                 "sigmoid", "erf", "erfc", "floor", "ceil", "round", "trunc",
                 "frac", "reciprocal", "atan", "asinh", "logit", "square"):
        got = getattr(pytensor, name)(pytensor.tensor(vals)).numpy()
        exp = getattr(torch, name)(torch.tensor(vals)).numpy()
        np.testing.assert_array_equal(got, exp, err_msg=name)


def test_nan_to_num_defaults_and_float16():
    torch = require_torch()
    vals = [math.nan, math.inf, -math.inf, 1.0]
    for dt in ("float16", "float32", "float64"):
        got = pytensor.nan_to_num(pytensor.tensor(vals, dtype=getattr(
            pytensor, dt)), posinf=1e10)
        exp = torch.nan_to_num(torch.tensor(vals, dtype=getattr(torch, dt)),
                               posinf=1e10)
        np.testing.assert_array_equal(got.numpy(), exp.numpy())
    got = pytensor.nan_to_num(pytensor.tensor(vals))
    assert got.tolist() == [0.0, float(np.finfo(np.float32).max),
                            float(np.finfo(np.float32).min), 1.0]


def test_sign_of_nan_is_zero():
    assert pytensor.sign(pytensor.tensor([math.nan])).tolist() == [0.0]


# --------------------------------------------------------------------------
# Double backward of the kernel-backed ops.
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "erf", "erfc", "sqrt",
                                  "reciprocal", "atan", "logit"])
def test_gradgradcheck(name):
    rng = np.random.default_rng(0)
    lo, hi = (0.2, 0.8) if name == "logit" else (0.5, 2.0)
    x = pytensor.tensor(rng.uniform(lo, hi, size=(2, 3)),
                        dtype=pytensor.float64, requires_grad=True)
    assert gradgradcheck(getattr(pytensor, name), (x,))


def test_sigmoid_tanh_double_backward_values_match_torch():
    torch = require_torch()
    vals = [-2.0, -0.3, 0.0, 0.7, 3.0]
    for name in ("sigmoid", "tanh"):
        x = pytensor.tensor(vals, dtype=pytensor.float64, requires_grad=True)
        g, = pytensor.autograd.grad(getattr(pytensor, name)(x).sum(), x,
                                    create_graph=True)
        gg, = pytensor.autograd.grad((g * g).sum(), x)
        tx = torch.tensor(vals, dtype=torch.float64, requires_grad=True)
        tg, = torch.autograd.grad(getattr(torch, name)(tx).sum(), tx,
                                  create_graph=True)
        tgg, = torch.autograd.grad((tg * tg).sum(), tx)
        np.testing.assert_allclose(gg.numpy(), tgg.numpy(), rtol=1e-12)


def test_sigmoid_backward_node_is_the_fused_kernel():
    x = pytensor.tensor([0.5], requires_grad=True)
    y = pytensor.sigmoid(x)
    g, = pytensor.autograd.grad(y.sum(), x, create_graph=True)
    assert type(g.grad_fn).__name__ == "SigmoidGrad"
    assert type(y.grad_fn).kernel == "sigmoid_fwd"


# --------------------------------------------------------------------------
# In-place forms.
INPLACE = [
    ("sqrt_", POS), ("rsqrt_", POS), ("square_", (-2, 2)), ("abs_", (-2, 2)),
    ("absolute_", (-2, 2)), ("sign_", (-2, 2)), ("sgn_", (-2, 2)),
    ("sin_", (-2, 2)), ("cos_", (-2, 2)), ("tan_", (-1, 1)),
    ("asin_", UNIT), ("arcsin_", UNIT), ("acos_", UNIT), ("arccos_", UNIT),
    ("atan_", (-2, 2)), ("arctan_", (-2, 2)), ("sinh_", (-2, 2)),
    ("cosh_", (-2, 2)), ("tanh_", (-2, 2)), ("asinh_", (-2, 2)),
    ("acosh_", (1.1, 3)), ("atanh_", UNIT), ("arcsinh_", (-2, 2)),
    ("arccosh_", (1.1, 3)), ("arctanh_", UNIT), ("sigmoid_", (-2, 2)),
    ("logit_", (0.1, 0.9)), ("erf_", (-2, 2)), ("erfc_", (-2, 2)),
    ("floor_", (-2, 2)), ("ceil_", (-2, 2)), ("round_", (-2, 2)),
    ("trunc_", (-2, 2)), ("fix_", (-2, 2)), ("frac_", (-2, 2)),
    ("reciprocal_", POS), ("nan_to_num_", (-2, 2)), ("exp_", (-2, 2)),
    ("log_", POS), ("neg_", (-2, 2)), ("exp2_", (-2, 2)),
    ("expm1_", (-2, 2)), ("log2_", POS), ("log10_", POS), ("log1p_", POS),
]


@pytest.mark.parametrize("name,domain", INPLACE, ids=[i[0] for i in INPLACE])
def test_inplace_matches_torch(name, domain):
    """``y = x * 2; y.op_(); (y * w).sum().backward()`` against torch's
    out-of-place op (torch has no derivative for some in-place forms, such
    as ``asinh_``): same values, same x.grad, ``y`` returned and bumped."""
    torch = require_torch()
    rng = np.random.default_rng(1)
    vals = rng.uniform(*domain, size=(2, 3)) / 2
    w = rng.standard_normal((2, 3))
    x = pytensor.tensor(vals, requires_grad=True)
    y = x * 2
    out = getattr(y, name)()
    assert out is y
    assert y._version == 1
    (y * pytensor.tensor(w)).sum().backward()
    tname = {"sgn_": "sign"}.get(name, name[:-1])
    tx = torch.tensor(vals, requires_grad=True)
    ty = getattr(torch, tname)(tx * 2)
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(),
                               rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5,
                               atol=1e-6)


def test_inplace_on_integer_tensor_needing_float_raises():
    x = pytensor.tensor([1, 4])
    with pytest.raises(RuntimeError, match="sqrt_.*can't be cast"):
        x.sqrt_()
    y = pytensor.tensor([-1, 4])
    assert y.abs_().tolist() == [1, 4]


def test_inplace_on_leaf_requiring_grad_raises():
    x = pytensor.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="^sin_: a leaf Variable"):
        x.sin_()
    with pytensor.no_grad():
        x.sin_()
    assert x.tolist() == pytest.approx([math.sin(1.0), math.sin(2.0)],
                                       rel=1e-6)


def test_inplace_saved_output_is_detected():
    # exp saves its output; overwriting it afterwards must make backward
    # raise, naming the in-place op.
    x = pytensor.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.sqrt_()
    with pytest.raises(RuntimeError, match="sqrt_"):
        y.sum().backward()


def test_integer_dtype_ops_have_no_grad():
    x = pytensor.tensor([1.5, -2.5], requires_grad=True)
    assert pytensor.floor(x).requires_grad
    assert not pytensor.isnan(x).requires_grad


def test_gradcheck_abs_away_from_kink():
    x = pytensor.tensor([[-1.5, 0.3], [2.0, -0.7]], dtype=pytensor.float64,
                        requires_grad=True)
    assert gradcheck(pytensor.abs, (x,))
