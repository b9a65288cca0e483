"""Activation ops: parity with PyTorch (torch / torch.nn.functional),
gradcheck and gradgradcheck, kinks, NaN/inf behaviour of the softmax
family, integer inputs, in-place forms."""
import math

import numpy as np
import pytest

import pytensor
from pytensor.autograd import gradgradcheck
from tests.conftest import require_torch
from tests.parity import OpCase, define_tests, UNARY_SHAPES


def F(T):
    """``torch.nn.functional`` for torch; pytensor exposes them flat."""
    return T.nn.functional if T.__name__ == "torch" else T


def _act(name, **kw):
    return lambda T, a: getattr(F(T), name)(a, **kw)


WIDE = (-8.0, 8.0)
SOFTMAX_SHAPES = [((3, 4),), ((2, 3, 4),), ((),), ((0, 3),), ((5,),)]

CASES = [
    OpCase("relu", lambda T, a: T.relu(a), UNARY_SHAPES),
    OpCase("relu_method", lambda T, a: a.relu(), UNARY_SHAPES[:1]),
    OpCase("relu6", _act("relu6"), UNARY_SHAPES, domain=WIDE),
    OpCase("hardtanh", _act("hardtanh"), UNARY_SHAPES),
    OpCase("hardtanh_range", _act("hardtanh", min_val=-0.5, max_val=1.5),
           UNARY_SHAPES[:1]),
    OpCase("leaky_relu", _act("leaky_relu"), UNARY_SHAPES),
    OpCase("leaky_relu_slope", _act("leaky_relu", negative_slope=0.3),
           UNARY_SHAPES[:1]),
    OpCase("threshold", _act("threshold", threshold=0.5, value=-3.0),
           UNARY_SHAPES),
    OpCase("gelu", _act("gelu"), UNARY_SHAPES, domain=(-4, 4)),
    OpCase("gelu_tanh", _act("gelu", approximate="tanh"), UNARY_SHAPES,
           domain=(-4, 4)),
    OpCase("silu", _act("silu"), UNARY_SHAPES, domain=(-5, 5)),
    OpCase("mish", _act("mish"), UNARY_SHAPES, domain=(-5, 5)),
    OpCase("elu", _act("elu"), UNARY_SHAPES),
    OpCase("elu_alpha", _act("elu", alpha=0.5), UNARY_SHAPES[:1]),
    OpCase("selu", _act("selu"), UNARY_SHAPES),
    OpCase("celu", _act("celu", alpha=0.7), UNARY_SHAPES),
    OpCase("softplus", _act("softplus"), UNARY_SHAPES, domain=(-5, 5)),
    OpCase("softplus_beta_threshold", _act("softplus", beta=2.0,
                                           threshold=1.0), UNARY_SHAPES[:2]),
    OpCase("logsigmoid", _act("logsigmoid"), UNARY_SHAPES, domain=(-6, 6)),
    OpCase("softsign", _act("softsign"), UNARY_SHAPES),
    OpCase("tanhshrink", _act("tanhshrink"), UNARY_SHAPES),
    OpCase("hardsigmoid", _act("hardsigmoid"), UNARY_SHAPES, domain=(-5, 5)),
    OpCase("hardswish", _act("hardswish"), UNARY_SHAPES, domain=(-5, 5)),
    OpCase("softmax_last", lambda T, a: T.softmax(a, -1), SOFTMAX_SHAPES,
           domain=(-4, 4)),
    OpCase("softmax_dim0", lambda T, a: T.softmax(a, 0), SOFTMAX_SHAPES,
           domain=(-4, 4)),
    OpCase("softmax_mid", lambda T, a: a.softmax(1), [((2, 3, 4),)],
           domain=(-4, 4)),
    OpCase("softmax_dtype", lambda T, a: T.softmax(a, 1, dtype=T.float64),
           SOFTMAX_SHAPES[:1]),
    OpCase("log_softmax_last", lambda T, a: T.log_softmax(a, -1),
           SOFTMAX_SHAPES, domain=(-4, 4)),
    OpCase("log_softmax_dim0", lambda T, a: T.log_softmax(a, 0),
           SOFTMAX_SHAPES, domain=(-4, 4)),
    OpCase("log_softmax_mid", lambda T, a: a.log_softmax(1), [((2, 3, 4),)],
           domain=(-4, 4)),
    OpCase("log_softmax_dtype",
           lambda T, a: T.log_softmax(a, 0, dtype=T.float64),
           SOFTMAX_SHAPES[:1]),
    OpCase("softmin", lambda T, a: F(T).softmin(a, dim=1),
           [((3, 4),), ((2, 3, 4),)]),
    OpCase("softmax_large", lambda T, a: T.softmax(a * 1000, -1),
           [((3, 4),)], gradcheck=False),
    OpCase("log_softmax_large", lambda T, a: T.log_softmax(a * 1000, -1),
           [((3, 4),)], gradcheck=False),
]

define_tests(CASES, globals())


# --------------------------------------------------------------------------
# Kinks.
KINKS = [
    ("relu", lambda T, x: T.relu(x), [0.0, -0.0, 1.0, -1.0]),
    ("relu6", lambda T, x: F(T).relu6(x), [0.0, 6.0, 3.0, 7.0, -1.0]),
    ("hardtanh", lambda T, x: F(T).hardtanh(x), [-1.0, 1.0, 0.0, 2.0]),
    ("leaky_relu", lambda T, x: F(T).leaky_relu(x, 0.2), [0.0, -1.0, 1.0]),
    ("threshold", lambda T, x: F(T).threshold(x, 1.0, 5.0), [1.0, 2.0, 0.0]),
    ("elu", lambda T, x: F(T).elu(x, alpha=0.5), [0.0, -1.0, 1.0]),
    ("selu", lambda T, x: F(T).selu(x), [0.0, -1.0, 1.0]),
    ("celu", lambda T, x: F(T).celu(x, alpha=2.0), [0.0, -1.0, 1.0]),
    ("hardsigmoid", lambda T, x: F(T).hardsigmoid(x),
     [-3.0, 3.0, 0.0, -4.0, 4.0]),
    ("hardswish", lambda T, x: F(T).hardswish(x),
     [-3.0, 3.0, 0.0, -4.0, 4.0]),
    ("softplus", lambda T, x: F(T).softplus(x, beta=2.0, threshold=4.0),
     [2.0, 2.0000001, 1.9999, -50.0, 50.0]),
    ("softsign", lambda T, x: F(T).softsign(x), [0.0, -0.0]),
    ("gelu", lambda T, x: F(T).gelu(x), [0.0, -30.0, 30.0]),
    ("mish", lambda T, x: F(T).mish(x), [0.0, -100.0, 100.0]),
    ("silu", lambda T, x: F(T).silu(x), [0.0, -800.0, 800.0]),
    ("logsigmoid", lambda T, x: F(T).logsigmoid(x), [0.0, -800.0, 800.0]),
]


@pytest.mark.parametrize("name,fn,values", KINKS, ids=[k[0] for k in KINKS])
def test_kinks_and_extremes_match_torch(name, fn, values):
    torch = require_torch()
    x = pytensor.tensor(values, dtype=pytensor.float64, requires_grad=True)
    y = fn(pytensor, x)
    y.sum().backward()
    tx = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    ty = fn(torch, tx)
    ty.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(),
                               rtol=1e-12, atol=0)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12,
                               atol=0)


def test_relu_gradient_at_zero_is_zero():
    x = pytensor.tensor([0.0], requires_grad=True)
    pytensor.relu(x).sum().backward()
    assert x.grad.tolist() == [0.0]


def test_relu_keeps_nan():
    assert math.isnan(pytensor.relu(pytensor.tensor([math.nan])).item())


# --------------------------------------------------------------------------
# Softmax family: -inf, +inf, NaN and large values.
SOFTMAX_SPECIAL = [
    [[0.0, -math.inf, 1.0], [-math.inf, -math.inf, -math.inf]],
    [[math.inf, 0.0, 1.0], [1e30, -1e30, 0.0]],
    [[math.nan, 0.0, 1.0], [88.0, 89.0, 90.0]],
    [[-math.inf, 2.0, -math.inf], [1e4, 1e4 + 1, 1e4 - 1]],
]


@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("vals", SOFTMAX_SPECIAL)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_special_values_match_torch(fn, vals, dtype):
    torch = require_torch()
    x = pytensor.tensor(vals, dtype=getattr(pytensor, dtype),
                        requires_grad=True)
    tx = torch.tensor(vals, dtype=getattr(torch, dtype), requires_grad=True)
    y = getattr(F(pytensor), fn)(x, dim=1)
    ty = getattr(F(torch), fn)(tx, dim=1)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(),
                               rtol=1e-6, atol=1e-7)
    g = np.arange(6, dtype=dtype).reshape(2, 3) / 7
    y.backward(pytensor.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5,
                               atol=1e-6)


def test_softmax_minus_inf_gets_zero_probability():
    y = pytensor.softmax(pytensor.tensor([0.0, -math.inf, 0.0]), 0)
    assert y.tolist() == [0.5, 0.0, 0.5]
    y = pytensor.softmax(pytensor.tensor([-math.inf, -math.inf]), 0)
    assert all(math.isnan(v) for v in y.tolist())


def test_log_softmax_large_values_are_stable():
    x = pytensor.tensor([[1e4, 0.0, -1e4]], requires_grad=True)
    y = pytensor.log_softmax(x, 1)
    assert y.tolist() == [[0.0, -1e4, -2e4]]
    y.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_softmax_implicit_dim_warns_like_torch():
    x = pytensor.ones(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        y = pytensor.softmax(x)
    assert np.allclose(y.numpy(), 1 / 3)


def test_softmax_errors():
    with pytest.raises(IndexError, match="^softmax: Dimension out of range"):
        pytensor.softmax(pytensor.ones(2, 3), 2)
    with pytest.raises(RuntimeError, match="^log_softmax: expected a "
                       "floating point"):
        pytensor.log_softmax(pytensor.tensor([1, 2]), 0)
    y = pytensor.softmax(pytensor.tensor([1, 2]), 0, dtype=pytensor.float32)
    assert y.dtype is pytensor.float32


# --------------------------------------------------------------------------
# Double backward.
DOUBLE = [
    ("softmax", lambda x: pytensor.softmax(x, 1)),
    ("softmax_dim0", lambda x: pytensor.softmax(x, 0)),
    ("log_softmax", lambda x: pytensor.log_softmax(x, 1)),
    ("log_softmax_dim0", lambda x: pytensor.log_softmax(x, 0)),
    ("softmin", lambda x: pytensor.softmin(x, 1)),
    ("sigmoid", pytensor.sigmoid),
    ("tanh", pytensor.tanh),
    ("relu", pytensor.relu),
    ("relu6", lambda x: pytensor.relu6(x * 4)),
    ("leaky_relu", lambda x: pytensor.leaky_relu(x, 0.1)),
    ("hardtanh", pytensor.hardtanh),
    ("gelu", pytensor.gelu),
    ("gelu_tanh", lambda x: pytensor.gelu(x, approximate="tanh")),
    ("silu", pytensor.silu),
    ("mish", pytensor.mish),
    ("elu", lambda x: pytensor.elu(x, 0.7)),
    ("selu", pytensor.selu),
    ("celu", lambda x: pytensor.celu(x, 2.0)),
    ("softplus", lambda x: pytensor.softplus(x, beta=2.0, threshold=1.0)),
    ("logsigmoid", pytensor.logsigmoid),
    ("softsign", pytensor.softsign),
    ("tanhshrink", pytensor.tanhshrink),
    ("hardsigmoid", lambda x: pytensor.hardsigmoid(x * 4)),
    ("hardswish", lambda x: pytensor.hardswish(x * 4)),
]


@pytest.mark.parametrize("name,fn", DOUBLE, ids=[d[0] for d in DOUBLE])
def test_gradgradcheck(name, fn):
    rng = np.random.default_rng(7)
    x = pytensor.tensor(rng.uniform(-1.5, 1.5, size=(3, 4)),
                        dtype=pytensor.float64, requires_grad=True)
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "gelu", "silu",
                                  "elu", "softplus", "mish"])
def test_double_backward_values_match_torch(name):
    torch = require_torch()
    rng = np.random.default_rng(11)
    vals = rng.uniform(-2, 2, size=(2, 5))
    w = rng.standard_normal((2, 5))
    kw = {"dim": 1} if "softmax" in name else {}

    def run(T, approximate=None):
        x = T.tensor(vals, requires_grad=True)
        y = getattr(F(T), name)(x, **kw)
        g, = T.autograd.grad((y * T.tensor(w)).sum(), x, create_graph=True)
        gg, = T.autograd.grad((g * g).sum(), x)
        return gg.detach().numpy()

    np.testing.assert_allclose(run(pytensor), run(torch), rtol=1e-9,
                               atol=1e-12)


def test_kernel_backed_backward_nodes():
    x = pytensor.randn(2, 3, requires_grad=True)
    for fn, fwd, bwd in ((lambda t: pytensor.softmax(t, 1), "softmax_fwd",
                          "SoftmaxGrad"),
                         (lambda t: pytensor.log_softmax(t, 1),
                          "log_softmax_fwd", "LogSoftmaxGrad"),
                         (pytensor.relu, "relu_fwd", "ReLUGrad"),
                         (pytensor.gelu, "gelu_fwd", "GELUGrad"),
                         (pytensor.silu, "silu_fwd", "SiLUGrad")):
        y = fn(x)
        assert type(y.grad_fn).kernel == fwd
        g, = pytensor.autograd.grad(y.sum(), x, create_graph=True)
        assert type(g.grad_fn).__name__ == bwd


# --------------------------------------------------------------------------
# Integer inputs and argument errors.
@pytest.mark.parametrize("name", ["relu", "relu6", "hardtanh", "leaky_relu",
                                  "elu", "selu", "celu", "gelu", "silu",
                                  "mish", "softplus", "softsign",
                                  "hardsigmoid", "hardswish", "logsigmoid",
                                  "tanhshrink"])
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_integer_inputs_match_torch(name, dtype):
    torch = require_torch()
    vals = [[-2, 0, 3], [7, 1, -1]]
    tt = torch.tensor(vals).to(getattr(torch, dtype))
    pt = pytensor.tensor(vals).to(getattr(pytensor, dtype))
    try:
        exp = getattr(F(torch), name)(tt)
    except (RuntimeError, NotImplementedError):
        ops = rf"^({name}|hardtanh|abs|neg|sub)"
        with pytest.raises(RuntimeError, match=ops):
            getattr(pytensor, name)(pt)
        return
    got = getattr(pytensor, name)(pt)
    assert got.dtype.name == str(exp.dtype).replace("torch.", "")
    np.testing.assert_allclose(got.numpy(), exp.numpy(), rtol=1e-6)


def test_argument_errors():
    x = pytensor.ones(3)
    with pytest.raises(RuntimeError, match="^gelu: approximate"):
        pytensor.gelu(x, approximate="erf")
    with pytest.raises(ValueError, match="^hardtanh: min_val"):
        pytensor.hardtanh(x, 2.0, 1.0)


# --------------------------------------------------------------------------
# In-place forms (on non-leaves, through autograd).
INPLACE = [
    ("relu_", lambda T, y: T.relu_(y)),
    ("relu_method", lambda T, y: y.relu_()),
    ("relu_inplace_kw", lambda T, y: F(T).relu(y, inplace=True)),
    ("relu6", lambda T, y: F(T).relu6(y, inplace=True)),
    ("hardtanh", lambda T, y: F(T).hardtanh(y, -0.5, 0.5, inplace=True)),
    ("leaky_relu", lambda T, y: F(T).leaky_relu(y, 0.2, inplace=True)),
    ("elu", lambda T, y: F(T).elu(y, 0.5, inplace=True)),
    ("selu", lambda T, y: F(T).selu(y, inplace=True)),
    ("celu", lambda T, y: F(T).celu(y, 1.5, inplace=True)),
    ("silu", lambda T, y: F(T).silu(y, inplace=True)),
    ("mish", lambda T, y: F(T).mish(y, inplace=True)),
    ("hardsigmoid", lambda T, y: F(T).hardsigmoid(y, inplace=True)),
    ("hardswish", lambda T, y: F(T).hardswish(y, inplace=True)),
    ("threshold", lambda T, y: F(T).threshold(y, 0.1, 2.0, inplace=True)),
]


@pytest.mark.parametrize("name,fn", INPLACE, ids=[i[0] for i in INPLACE])
def test_inplace_activations_match_torch(name, fn):
    torch = require_torch()
    rng = np.random.default_rng(5)
    vals = rng.uniform(-2, 2, size=(3, 4))
    w = rng.standard_normal((3, 4))
    results = []
    for T in (pytensor, torch):
        x = T.tensor(vals, requires_grad=True)
        y = x * 1.5
        out = fn(T, y)
        assert out is y
        (y * T.tensor(w)).sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


def test_relu_inplace_on_leaf_raises():
    x = pytensor.tensor([-1.0, 1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="^relu_: a leaf Variable"):
        pytensor.relu_(x)
