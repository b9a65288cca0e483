"""Comparison ops without gradients: isclose, allclose, equal, isnan,
isinf, isfinite, isposinf, isneginf, signbit; plus the bitwise/logical
errors of the existing compare family."""
import math

import numpy as np
import pytest

import pytensor
from tests.conftest import require_torch
from tests.parity import OpCase, define_tests, UNARY_SHAPES, BINARY_SHAPES

NAN, INF = math.nan, math.inf


def _special(rng, shape, dtype):
    """A mix of ordinary values, ±0, ±inf and NaN."""
    pool = np.array([0.0, -0.0, 1.5, -2.0, INF, -INF, NAN, 3.25])
    return pool[rng.integers(0, len(pool), size=shape)]


def _near(rng, shape, dtype):
    """Values on a coarse grid (with specials), so pairs are often equal
    or close."""
    pool = np.array([1.0, 1.0 + 1e-6, 1.0 + 1e-3, 2.0, INF, -INF, NAN])
    return pool[rng.integers(0, len(pool), size=shape)]


CASES = [
    OpCase(n, (lambda n: lambda T, a: getattr(T, n)(a))(n), UNARY_SHAPES,
           domain=_special, grad=False)
    for n in ("isnan", "isinf", "isfinite", "isposinf", "isneginf",
              "signbit")
] + [
    OpCase("isnan_method", lambda T, a: a.isnan(), UNARY_SHAPES[:1],
           domain=_special, grad=False),
    OpCase("isclose", lambda T, a, b: T.isclose(a, b), BINARY_SHAPES,
           domain=_near, grad=False),
    OpCase("isclose_tols", lambda T, a, b: T.isclose(a, b, rtol=1e-2,
                                                     atol=1e-4),
           BINARY_SHAPES[:3], domain=_near, grad=False),
    OpCase("isclose_equal_nan", lambda T, a, b: a.isclose(b, equal_nan=True),
           BINARY_SHAPES[:3], domain=_near, grad=False),
    OpCase("isclose_zero_tol", lambda T, a, b: T.isclose(a, b, rtol=0,
                                                         atol=0),
           BINARY_SHAPES[:2], domain=_near, grad=False),
]

define_tests(CASES, globals())


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "isposinf",
                                  "isneginf", "signbit"])
@pytest.mark.parametrize("dtype", ["int64", "uint8", "bool", "float16"])
def test_classification_of_other_dtypes(name, dtype):
    torch = require_torch()
    vals = [0, 1, 2, 0]
    got = getattr(pytensor, name)(pytensor.tensor(vals).to(
        getattr(pytensor, dtype)))
    exp = getattr(torch, name)(torch.tensor(vals).to(getattr(torch, dtype)))
    assert got.dtype is pytensor.bool
    assert got.tolist() == exp.tolist()
    if dtype == "int64":
        neg = getattr(pytensor, name)(pytensor.tensor([-3, 3]))
        assert neg.tolist() == getattr(torch, name)(
            torch.tensor([-3, 3])).tolist()


def test_signbit_of_negative_zero_and_nan():
    torch = require_torch()
    vals = [-0.0, 0.0, -NAN, NAN, -INF]
    assert pytensor.signbit(pytensor.tensor(vals)).tolist() == \
        torch.signbit(torch.tensor(vals)).tolist()


def test_isclose_integers_match_torch():
    torch = require_torch()
    a, b = [1, 2, 100, -5], [1, 3, 101, 5]
    for kw in ({}, {"rtol": 0.5, "atol": 0}, {"rtol": 0, "atol": 1}):
        got = pytensor.isclose(pytensor.tensor(a), pytensor.tensor(b), **kw)
        exp = torch.isclose(torch.tensor(a), torch.tensor(b), **kw)
        assert got.tolist() == exp.tolist(), kw


def test_isclose_infinities_and_nan():
    a = pytensor.tensor([INF, -INF, INF, NAN, NAN])
    b = pytensor.tensor([INF, -INF, -INF, NAN, 1.0])
    assert pytensor.isclose(a, b).tolist() == [True, True, False, False,
                                               False]
    assert pytensor.isclose(a, b, equal_nan=True).tolist() == [
        True, True, False, True, False]


def test_isclose_errors():
    f = pytensor.tensor([1.0])
    with pytest.raises(RuntimeError, match="^isclose: expected input and "
                       "other to have the same dtype.*float32 and int64"):
        pytensor.isclose(f, pytensor.tensor([1]))
    with pytest.raises(RuntimeError, match="^isclose: rtol must be greater"):
        pytensor.isclose(f, f, rtol=-1)
    with pytest.raises(RuntimeError, match="^isclose: atol must be greater"):
        pytensor.isclose(f, f, atol=-1)
    with pytest.raises(RuntimeError, match=r"^isclose: the size of tensor a "
                       r"\(2\).*\[2\] and \[3\]"):
        pytensor.isclose(pytensor.ones(2), pytensor.ones(3))


def test_allclose_and_equal_match_torch():
    torch = require_torch()
    pairs = [([1.0, 2.0], [1.0, 2.0 + 1e-7]), ([1.0, 2.0], [1.0, 2.1]),
             ([1.0, 1.0], [1.0]), ([NAN], [NAN]), ([[1.0]], [1.0])]
    for a, b in pairs:
        for kw in ({}, {"equal_nan": True}):
            got = pytensor.allclose(pytensor.tensor(a), pytensor.tensor(b),
                                    **kw)
            exp = torch.allclose(torch.tensor(a), torch.tensor(b), **kw)
            assert got is exp, (a, b, kw)
        got = pytensor.equal(pytensor.tensor(a), pytensor.tensor(b))
        exp = torch.equal(torch.tensor(a), torch.tensor(b))
        assert got is exp, (a, b)
    assert pytensor.equal(pytensor.tensor([1, 2]), pytensor.tensor([1., 2.]))
    assert pytensor.tensor([1, 2]).equal(pytensor.tensor([1, 2]))


def test_no_gradient_flows():
    x = pytensor.tensor([1.0, NAN], requires_grad=True)
    for r in (x.isnan(), x.isfinite(), pytensor.isclose(x, x),
              pytensor.signbit(x)):
        assert r.dtype is pytensor.bool and not r.requires_grad
        assert r.grad_fn is None


def test_bitwise_on_floats_raises():
    f = pytensor.tensor([1.0, 2.0])
    i = pytensor.tensor([1, 2])
    for fn in (lambda: f & i, lambda: i | f, lambda: f ^ f, lambda: ~f,
               lambda: pytensor.bitwise_and(i, 1.5)):
        with pytest.raises(TypeError, match="^bitwise_"):
            fn()
    assert (i & 3).tolist() == [1, 2]


@pytest.mark.parametrize("name", ["eq_", "ne_", "lt_", "le_", "gt_", "ge_",
                                  "greater_", "less_equal_", "not_equal_",
                                  "logical_and_", "logical_or_",
                                  "logical_xor_"])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_inplace_comparisons_match_torch(name, dtype):
    torch = require_torch()
    a, b = [1, 0, 3, 2], [1, 2, 0, 2]
    got = pytensor.tensor(a).to(getattr(pytensor, dtype))
    exp = torch.tensor(a).to(getattr(torch, dtype))
    assert getattr(got, name)(pytensor.tensor(b).to(got.dtype)) is got
    getattr(exp, name)(torch.tensor(b).to(exp.dtype))
    assert got.tolist() == exp.tolist()
    assert got._version == 1


def test_inplace_bitwise_and_logical_not():
    x = pytensor.tensor([1, 2, 3])
    x.bitwise_and_(pytensor.tensor([1, 1, 1]))
    assert x.tolist() == [1, 0, 1]
    x.bitwise_not_()
    assert x.tolist() == [-2, -1, -2]
    f = pytensor.tensor([0.0, 2.0])
    assert f.logical_not_().tolist() == [1.0, 0.0]
    with pytest.raises(TypeError, match="^bitwise_xor"):
        f.bitwise_xor_(f)
