"""Arithmetic ops beyond the core four: floor_divide / div rounding modes,
remainder, fmod, maximum/minimum/fmax/fmin, clamp, lerp, atan2,
addcmul/addcdiv.  Parity with PyTorch, gradcheck, integer semantics, ties
and boundaries, errors, in-place forms."""
import math

import numpy as np
import pytest

import pytensor
from tests.conftest import require_torch
from tests.parity import OpCase, define_tests, UNARY_SHAPES, BINARY_SHAPES


def _away_from_zero(rng, shape, dtype):
    mag = rng.uniform(0.5, 2.0, size=shape)
    return np.where(rng.random(shape) < 0.5, -mag, mag)


def _grid(rng, shape, dtype):
    """Values on a 0.5 grid: ties between two such inputs are common."""
    return rng.integers(-2, 3, size=shape) * 0.5


DIV_DOMAIN = [(-3.0, 3.0), _away_from_zero]
TERNARY_SHAPES = [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)),
                  ((), (2, 3), ()), ((0, 2), (2,), (1, 2))]

CASES = [
    OpCase("floor_divide", lambda T, a, b: T.floor_divide(a, b),
           BINARY_SHAPES, domain=DIV_DOMAIN, grad=False),
    OpCase("floordiv_op", lambda T, a, b: a // b, BINARY_SHAPES[:2],
           domain=DIV_DOMAIN, grad=False),
    OpCase("floordiv_scalar", lambda T, a: a // 0.75, UNARY_SHAPES,
           grad=False),
    OpCase("rfloordiv_scalar", lambda T, a: 3 // a, UNARY_SHAPES[:2],
           domain=_away_from_zero, grad=False),
    OpCase("div_floor", lambda T, a, b: T.div(a, b, rounding_mode="floor"),
           BINARY_SHAPES, domain=DIV_DOMAIN),
    OpCase("div_trunc", lambda T, a, b: T.div(a, b, rounding_mode="trunc"),
           BINARY_SHAPES, domain=DIV_DOMAIN),
    OpCase("div_trunc_scalar", lambda T, a: T.div(a, -0.7,
                                                  rounding_mode="trunc"),
           UNARY_SHAPES[:2]),
    OpCase("remainder", lambda T, a, b: T.remainder(a, b), BINARY_SHAPES,
           domain=DIV_DOMAIN),
    OpCase("mod_op", lambda T, a, b: a % b, BINARY_SHAPES[:2],
           domain=DIV_DOMAIN),
    OpCase("mod_scalar", lambda T, a: a % -1.5, UNARY_SHAPES),
    # PyTorch has no derivative for remainder(Scalar, Tensor); pytensor's
    # (-floor(a / b)) is checked by gradcheck and test_rmod_gradient.
    OpCase("rmod_scalar", lambda T, a: 2.5 % a, UNARY_SHAPES[:2],
           domain=_away_from_zero, grad=False),
    OpCase("fmod", lambda T, a, b: T.fmod(a, b), BINARY_SHAPES,
           domain=DIV_DOMAIN),
    OpCase("fmod_scalar", lambda T, a: T.fmod(a, 0.8), UNARY_SHAPES),
    OpCase("maximum", lambda T, a, b: T.maximum(a, b), BINARY_SHAPES),
    OpCase("minimum", lambda T, a, b: T.minimum(a, b), BINARY_SHAPES),
    OpCase("maximum_ties", lambda T, a, b: T.maximum(a, b),
           BINARY_SHAPES[:3], domain=_grid, gradcheck=False),
    OpCase("minimum_ties", lambda T, a, b: T.minimum(a, b),
           BINARY_SHAPES[:3], domain=_grid, gradcheck=False),
    OpCase("fmax", lambda T, a, b: T.fmax(a, b), BINARY_SHAPES),
    OpCase("fmin", lambda T, a, b: T.fmin(a, b), BINARY_SHAPES),
    OpCase("fmax_ties", lambda T, a, b: T.fmax(a, b), BINARY_SHAPES[:3],
           domain=_grid, gradcheck=False),
    OpCase("fmin_ties", lambda T, a, b: T.fmin(a, b), BINARY_SHAPES[:3],
           domain=_grid, gradcheck=False),
    OpCase("clamp", lambda T, a: T.clamp(a, -0.5, 0.7), UNARY_SHAPES),
    OpCase("clamp_min_only", lambda T, a: a.clamp(min=-0.3), UNARY_SHAPES),
    OpCase("clamp_max_only", lambda T, a: a.clamp(max=0.3), UNARY_SHAPES),
    OpCase("clip", lambda T, a: T.clip(a, -0.5, 0.7), UNARY_SHAPES[:1]),
    OpCase("clamp_min_fn", lambda T, a: T.clamp_min(a, 0.2),
           UNARY_SHAPES[:2]),
    OpCase("clamp_max_fn", lambda T, a: T.clamp_max(a, 0.2),
           UNARY_SHAPES[:2]),
    OpCase("clamp_tensors", lambda T, a, lo, hi: T.clamp(a, lo, hi),
           # (PyTorch's own backward fails for a 0-d input with larger bounds.)
           TERNARY_SHAPES[:2] + [((2, 3), (), (3,)), TERNARY_SHAPES[3]],
           domain=[(-2, 2), (-1.5, -0.2), (0.2, 1.5)]),
    OpCase("clamp_tensors_crossed", lambda T, a, lo, hi: T.clamp(a, lo, hi),
           TERNARY_SHAPES[:2], domain=[(-2, 2), (-1, 1), (-1, 1)]),
    OpCase("clamp_tensor_min", lambda T, a, lo: T.clamp(a, min=lo),
           BINARY_SHAPES[:4]),
    OpCase("clamp_tensor_max", lambda T, a, hi: T.clamp(a, max=hi),
           BINARY_SHAPES[:4]),
    OpCase("clamp_boundary", lambda T, a: T.clamp(a, -0.5, 0.5),
           UNARY_SHAPES[:2], domain=_grid, gradcheck=False),
    OpCase("lerp_scalar", lambda T, a, b: T.lerp(a, b, 0.3),
           BINARY_SHAPES),
    OpCase("lerp_scalar_big", lambda T, a, b: a.lerp(b, 0.8),
           BINARY_SHAPES[:2]),
    OpCase("lerp_tensor", lambda T, a, b, w: T.lerp(a, b, w),
           TERNARY_SHAPES, domain=[(-2, 2), (-2, 2), (-0.5, 1.5)]),
    OpCase("atan2", lambda T, a, b: T.atan2(a, b), BINARY_SHAPES),
    OpCase("arctan2", lambda T, a, b: T.arctan2(a, b), BINARY_SHAPES[:1]),
    OpCase("addcmul", lambda T, x, a, b: T.addcmul(x, a, b, value=0.5),
           TERNARY_SHAPES),
    OpCase("addcmul_method", lambda T, x, a, b: x.addcmul(a, b),
           TERNARY_SHAPES[:1]),
    OpCase("addcdiv", lambda T, x, a, b: T.addcdiv(x, a, b, value=-2.0),
           TERNARY_SHAPES, domain=[(-2, 2), (-2, 2), _away_from_zero]),
    OpCase("true_divide", lambda T, a, b: T.true_divide(a, b),
           BINARY_SHAPES[:2], domain=DIV_DOMAIN),
]

define_tests(CASES, globals())


# --------------------------------------------------------------------------
# Integer and mixed-dtype semantics.
INT_CASES = [
    ("floordiv", lambda T, a, b: a // b),
    ("floor_divide_scalar", lambda T, a, b: T.floor_divide(a, 3)),
    ("rfloordiv", lambda T, a, b: 7 // b),
    ("div_floor", lambda T, a, b: T.div(a, b, rounding_mode="floor")),
    ("div_trunc", lambda T, a, b: T.div(a, b, rounding_mode="trunc")),
    ("div_true", lambda T, a, b: T.div(a, b)),
    ("remainder", lambda T, a, b: a % b),
    ("rmod", lambda T, a, b: 7 % b),
    ("fmod", lambda T, a, b: T.fmod(a, b)),
    ("floordiv_float_scalar", lambda T, a, b: a // 2.5),
    ("remainder_float_scalar", lambda T, a, b: a % 2.5),
    ("maximum", lambda T, a, b: T.maximum(a, b)),
    ("minimum", lambda T, a, b: T.minimum(a, b)),
    ("fmax", lambda T, a, b: T.fmax(a, b)),
    ("fmin", lambda T, a, b: T.fmin(a, b)),
    ("maximum_mixed", lambda T, a, b: T.maximum(a, b.float())),
    ("clamp_int", lambda T, a, b: T.clamp(a, 2, 6)),
    ("clamp_float_bounds", lambda T, a, b: T.clamp(a, -2.5, 3.5)),
    ("clamp_tensor_bound", lambda T, a, b: T.clamp(a, min=b)),
    ("atan2", lambda T, a, b: T.atan2(a, b)),
    ("addcmul", lambda T, a, b: T.addcmul(a, a, b, value=2)),
    ("addcdiv_float_input",
     lambda T, a, b: T.addcdiv(a.float(), a, b.float())),
]


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
@pytest.mark.parametrize("name,fn", INT_CASES, ids=[c[0] for c in INT_CASES])
def test_integer_semantics_match_torch(name, fn, dtype):
    torch = require_torch()
    a = np.array([7, -7, 7, -7, 0, 5, 12])
    b = np.array([2, 2, -2, -2, 3, 5, -5])
    if dtype == "uint8":
        a, b = np.abs(a), np.abs(b)
    ta, tb = (torch.tensor(v).to(getattr(torch, dtype)) for v in (a, b))
    pa, pb = (pytensor.tensor(v).to(getattr(pytensor, dtype))
              for v in (a, b))
    exp = fn(torch, ta, tb)
    got = fn(pytensor, pa, pb)
    assert got.dtype.name == str(exp.dtype).replace("torch.", ""), name
    np.testing.assert_allclose(got.numpy().astype(np.float64),
                               exp.numpy().astype(np.float64), rtol=1e-6)


@pytest.mark.parametrize("fn", [
    lambda T, a, b: a // b,
    lambda T, a, b: T.floor_divide(a, 0),
    lambda T, a, b: T.div(a, b, rounding_mode="trunc"),
    lambda T, a, b: T.div(a, 0, rounding_mode="floor"),
    lambda T, a, b: a % b,
    lambda T, a, b: T.remainder(a, 0),
    lambda T, a, b: T.fmod(a, b),
], ids=["floordiv", "floordiv_scalar", "div_trunc", "div_floor_scalar",
        "remainder", "remainder_scalar", "fmod"])
def test_integer_division_by_zero_raises(fn):
    torch = require_torch()
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        fn(torch, torch.tensor([4, 5]), torch.tensor([1, 0]))
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        fn(pytensor, pytensor.tensor([4, 5]), pytensor.tensor([1, 0]))


def test_float_division_by_zero_follows_ieee():
    torch = require_torch()
    vals = [1.0, -1.0, 0.0]
    for fn in (lambda T, a: a // 0.0, lambda T, a: a % 0.0,
               lambda T, a: T.fmod(a, 0.0),
               lambda T, a: T.div(a, 0.0, rounding_mode="floor"),
               lambda T, a: T.div(a, 0.0, rounding_mode="trunc")):
        got = fn(pytensor, pytensor.tensor(vals)).numpy()
        exp = fn(torch, torch.tensor(vals)).numpy()
        np.testing.assert_array_equal(got, exp)


def test_remainder_sign_and_zero_sign_match_torch():
    torch = require_torch()
    a = [5.5, -5.5, 5.5, -5.5, -4.0, 4.0, 0.0, -0.0]
    b = [2.0, 2.0, -2.0, -2.0, 2.0, -2.0, 3.0, 3.0]
    for name in ("remainder", "fmod"):
        got = getattr(pytensor, name)(pytensor.tensor(a), pytensor.tensor(b))
        exp = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
        np.testing.assert_array_equal(got.numpy(), exp.numpy())
        np.testing.assert_array_equal(np.signbit(got.numpy()),
                                      np.signbit(exp.numpy()), err_msg=name)


def test_floor_divide_backward_raises_like_torch():
    torch = require_torch()
    tx = torch.tensor([5.0, -5.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="floor_divide"):
        (tx // 2).sum().backward()
    x = pytensor.tensor([5.0, -5.0], requires_grad=True)
    y = x // 2
    assert y.requires_grad
    with pytest.raises(RuntimeError, match="^floor_divide: derivative"):
        y.sum().backward()


def test_rounding_div_gradient_is_zero():
    x = pytensor.tensor([5.0, -5.0], requires_grad=True)
    w = pytensor.tensor([2.0, 3.0], requires_grad=True)
    pytensor.div(x, w, rounding_mode="floor").sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    assert w.grad.tolist() == [0.0, 0.0]


def test_bad_rounding_mode():
    with pytest.raises(ValueError, match="rounding_mode"):
        pytensor.div(pytensor.tensor([1.0]), 2, rounding_mode="round")


# --------------------------------------------------------------------------
# Ties, NaN and boundaries: PyTorch's gradient conventions.
def _grads(T, fn, *vals):
    xs = [T.tensor(v, dtype=T.float64, requires_grad=True) for v in vals]
    fn(T, *xs).sum().backward()
    return [x.grad.tolist() for x in xs]


NAN = math.nan
TIE_CASES = [
    ("maximum", lambda T, a, b: T.maximum(a, b)),
    ("minimum", lambda T, a, b: T.minimum(a, b)),
    ("fmax", lambda T, a, b: T.fmax(a, b)),
    ("fmin", lambda T, a, b: T.fmin(a, b)),
]


@pytest.mark.parametrize("name,fn", TIE_CASES, ids=[c[0] for c in TIE_CASES])
def test_ties_and_nan_gradients_match_torch(name, fn):
    torch = require_torch()
    a = [1.0, 2.0, 3.0, NAN, 1.0, NAN, -0.0]
    b = [1.0, 3.0, 2.0, 1.0, NAN, NAN, 0.0]
    got = _grads(pytensor, fn, a, b)
    exp = _grads(torch, fn, a, b)
    assert got == exp
    np.testing.assert_array_equal(
        fn(pytensor, pytensor.tensor(a), pytensor.tensor(b)).numpy(),
        fn(torch, torch.tensor(a), torch.tensor(b)).numpy())


def test_maximum_tie_splits_gradient_evenly():
    ga, gb = _grads(pytensor, lambda T, a, b: T.maximum(a, b), [2.0], [2.0])
    assert ga == [0.5] and gb == [0.5]


CLAMP_CASES = [
    ("scalars", lambda T, x, lo, hi: T.clamp(x, 1.0, 2.0)),
    ("min_only", lambda T, x, lo, hi: T.clamp(x, min=1.0)),
    ("max_only", lambda T, x, lo, hi: T.clamp(x, max=2.0)),
    ("crossed_scalars", lambda T, x, lo, hi: T.clamp(x, 2.0, 1.0)),
    ("tensors", lambda T, x, lo, hi: T.clamp(x, lo, hi)),
    ("tensors_crossed", lambda T, x, lo, hi: T.clamp(x, hi, lo)),
    ("tensor_min", lambda T, x, lo, hi: T.clamp(x, min=lo)),
    ("tensor_max", lambda T, x, lo, hi: T.clamp(x, max=hi)),
]


@pytest.mark.parametrize("name,fn", CLAMP_CASES,
                         ids=[c[0] for c in CLAMP_CASES])
def test_clamp_boundaries_match_torch(name, fn):
    torch = require_torch()
    x = [0.0, 1.0, 1.5, 2.0, 3.0, NAN, 1.0, 2.0]
    lo = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0]
    hi = [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0, 2.0]
    assert _grads_unused(pytensor, fn, x, lo, hi) == \
        _grads_unused(torch, fn, x, lo, hi)
    np.testing.assert_array_equal(
        fn(pytensor, *(pytensor.tensor(v) for v in (x, lo, hi))).numpy(),
        fn(torch, *(torch.tensor(v) for v in (x, lo, hi))).numpy())


def _grads_unused(T, fn, *vals):
    xs = [T.tensor(v, dtype=T.float64, requires_grad=True) for v in vals]
    gs = T.autograd.grad(fn(T, *xs).sum(), xs, allow_unused=True)
    return [g.tolist() if g is not None else None for g in gs]


def test_rmod_gradient():
    b = pytensor.tensor([0.7, -1.1, 2.0], dtype=pytensor.float64,
                        requires_grad=True)
    (2.5 % b).sum().backward()
    assert b.grad.tolist() == [-3.0, 3.0, -1.0]
    assert pytensor.autograd.gradcheck(lambda t: 2.5 % t, (b,))


def test_clamp_tensor_min_with_scalar_max():
    # PyTorch takes either two numbers or two tensors; pytensor also mixes.
    x = pytensor.tensor([0.0, 1.0, 2.0, 3.0], requires_grad=True)
    lo = pytensor.tensor([1.0, 1.0, 1.0, 1.0], requires_grad=True)
    y = pytensor.clamp(x, lo, 2.0)
    assert y.tolist() == [1.0, 1.0, 2.0, 2.0]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0, 0.0]
    assert lo.grad.tolist() == [1.0, 0.0, 0.0, 0.0]


def test_clamp_gradient_passes_at_the_bounds():
    (g,) = _grads(pytensor, lambda T, x: T.clamp(x, 0.0, 1.0),
                  [0.0, 1.0, -1.0, 2.0])
    assert g == [1.0, 1.0, 0.0, 0.0]


def test_clamp_errors_and_dtypes():
    x = pytensor.tensor([1, 5, 9])
    with pytest.raises(RuntimeError, match="^clamp: At least one"):
        pytensor.clamp(x)
    assert pytensor.clamp(x, 2, 6).dtype is pytensor.int64
    assert pytensor.clamp(x, 2.5).dtype is pytensor.float32
    with pytest.raises(RuntimeError, match="^clamp: the size of tensor"):
        pytensor.clamp(pytensor.zeros(3), pytensor.zeros(4))
    with pytest.raises(RuntimeError, match="clamp_.*can't be cast"):
        x.clamp_(0.5, 3.5)
    assert x.clamp_(2, 6).tolist() == [2, 5, 6]


# --------------------------------------------------------------------------
# lerp, atan2, addcmul/addcdiv specifics.
def test_lerp_dtype_rules():
    a = pytensor.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="lerp: expected dtype float32 "
                       "for `end`"):
        pytensor.lerp(a, pytensor.tensor([1.0, 2.0], dtype=pytensor.float64),
                      0.5)
    with pytest.raises(RuntimeError, match="lerp: expected dtype float32 "
                       "for `weight`"):
        pytensor.lerp(a, a, pytensor.tensor([0.5], dtype=pytensor.float64))
    with pytest.raises(RuntimeError, match="^lerp"):
        pytensor.lerp(pytensor.tensor([1]), pytensor.tensor([2]), 0.5)


def test_lerp_exact_at_ends():
    torch = require_torch()
    a = [1e8, -3.3, 0.1]
    b = [1.0, 7.7, 1e-8]
    for w in (0.0, 1.0, 0.49, 0.51, -0.7, 1.3):
        got = pytensor.lerp(pytensor.tensor(a), pytensor.tensor(b), w)
        exp = torch.lerp(torch.tensor(a), torch.tensor(b), w)
        np.testing.assert_array_equal(got.numpy(), exp.numpy())
        wt = [w, 1 - w, 0.5]
        got = pytensor.lerp(pytensor.tensor(a), pytensor.tensor(b),
                            pytensor.tensor(wt))
        exp = torch.lerp(torch.tensor(a), torch.tensor(b), torch.tensor(wt))
        np.testing.assert_array_equal(got.numpy(), exp.numpy())
    for w in (0.0, 1.0):
        got = pytensor.lerp(pytensor.tensor(a, dtype=pytensor.float64),
                            pytensor.tensor(b, dtype=pytensor.float64), w)
        assert got.tolist() == (a if w == 0 else b)


def test_atan2_origin_gradient_matches_torch():
    torch = require_torch()
    fn = (lambda T, a, b: T.atan2(a, b))
    got = _grads(pytensor, fn, [0.0, 1.0], [0.0, 0.0])
    exp = _grads(torch, fn, [0.0, 1.0], [0.0, 0.0])
    np.testing.assert_array_equal(np.array(got), np.array(exp))


def test_addcdiv_integer_division_rejected():
    x = pytensor.tensor([1, 2])
    with pytest.raises(RuntimeError, match="^addcdiv: Integer division"):
        pytensor.addcdiv(x, x, x)


def test_addcmul_value_is_keyword_only():
    x = pytensor.ones(2)
    with pytest.raises(TypeError):
        pytensor.addcmul(x, x, x, 2)


# --------------------------------------------------------------------------
# Errors: shape mismatches name the op and both shapes.
@pytest.mark.parametrize("name,fn", [
    ("floor_divide", lambda a, b: pytensor.floor_divide(a, b)),
    ("remainder", lambda a, b: a % b),
    ("fmod", lambda a, b: pytensor.fmod(a, b)),
    ("maximum", lambda a, b: pytensor.maximum(a, b)),
    ("minimum", lambda a, b: pytensor.minimum(a, b)),
    ("fmax", lambda a, b: pytensor.fmax(a, b)),
    ("fmin", lambda a, b: pytensor.fmin(a, b)),
    ("atan2", lambda a, b: pytensor.atan2(a, b)),
    ("lerp", lambda a, b: pytensor.lerp(a, b, 0.5)),
    ("addcmul", lambda a, b: pytensor.addcmul(a, a, b)),
    ("addcdiv", lambda a, b: pytensor.addcdiv(a, a, b)),
    ("div", lambda a, b: pytensor.div(a, b, rounding_mode="floor")),
])
def test_shape_mismatch_message(name, fn):
    a, b = pytensor.ones(2, 3), pytensor.ones(4)
    with pytest.raises(RuntimeError) as e:
        fn(a, b)
    msg = str(e.value)
    assert msg.startswith(f"{name}:"), msg
    assert "[2, 3]" in msg and "[4]" in msg, msg


# --------------------------------------------------------------------------
# In-place forms.
INPLACE = [
    ("floor_divide_", lambda x: x.floor_divide_(0.7), False),
    ("ifloordiv", lambda x: x.__ifloordiv__(0.7), False),
    ("remainder_", lambda x: x.remainder_(0.7), True),
    ("imod", lambda x: x.__imod__(0.7), True),
    ("fmod_", lambda x: x.fmod_(0.7), True),
    ("clamp_", lambda x: x.clamp_(-0.5, 0.5), True),
    ("clip_", lambda x: x.clip_(min=-0.5), True),
    ("clamp_min_", lambda x: x.clamp_min_(0.1), True),
    ("clamp_max_", lambda x: x.clamp_max_(0.1), True),
    ("lerp_", lambda x: x.lerp_(x.detach() * 0 + 1, 0.25), True),
    ("atan2_", lambda x: x.atan2_(x.detach() * 0 + 0.5), True),
    ("arctan2_", lambda x: x.arctan2_(x.detach() * 0 - 0.5), True),
    ("addcmul_", lambda x: x.addcmul_(x.detach(), x.detach(), value=2),
     True),
    ("addcdiv_", lambda x: x.addcdiv_(x.detach(), x.detach() * 0 + 2),
     True),
]


@pytest.mark.parametrize("name,fn,grad", INPLACE,
                         ids=[i[0] for i in INPLACE])
def test_inplace_matches_torch(name, fn, grad):
    torch = require_torch()
    rng = np.random.default_rng(3)
    vals = rng.uniform(-1.5, 1.5, size=(3, 4))
    w = rng.standard_normal((3, 4))
    x = pytensor.tensor(vals, requires_grad=grad)
    y = x * 1.5
    assert fn(y) is y and y._version == 1
    tx = torch.tensor(vals, requires_grad=grad)
    ty = tx * 1.5
    fn(ty)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(),
                               rtol=1e-12)
    if grad:
        (y * pytensor.tensor(w)).sum().backward()
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(),
                                   rtol=1e-12)
