"""Compiled activation kernels (relu, sigmoid, tanh, gelu, silu, erf, erfc)
against the NumPy reference: float32/float64, four memory layouts, empty and
0-d arrays, NaN/Inf, arrays large enough for the threaded path, the scalar
vector-math fallback, dtype fallbacks and errors."""
import math

import numpy as np
import pytest

from pytensor_ext import reference as ref
from pytensor_ext.cpu import _vmath
from tests.ext._util import (DTYPES, LAYOUTS, assert_matches, compiled,
                             layout, random, with_specials)

# (kernel, extra args).  The backward kernels take (saved, gy, *extra); the
# saved tensor is the forward output for relu/sigmoid/tanh and the input
# for gelu/silu, as in reference.py.
UNARY = [("relu_fwd", ()), ("sigmoid_fwd", ()), ("tanh_fwd", ()),
         ("gelu_fwd", ("none",)), ("gelu_fwd", ("tanh",)), ("silu_fwd", ()),
         ("erf_fwd", ()), ("erfc_fwd", ())]
BINARY = [("relu_bwd", "relu_fwd", ()), ("sigmoid_bwd", "sigmoid_fwd", ()),
          ("tanh_bwd", "tanh_fwd", ()), ("gelu_bwd", None, ("none",)),
          ("gelu_bwd", None, ("tanh",)), ("silu_bwd", None, ())]
SHAPES = [(7,), (3, 5), (2, 3, 129), (1100,), (0,), (4, 0, 3), ()]


def _ids(rows):
    return [r[0] + ("_" + r[-1][0] if r[-1] else "") for r in rows]


def _saved(fwd, x):
    return getattr(ref, fwd)(x) if fwd else x


def _tol(name, dtype):
    """gelu's tanh-form backward cancels terms of size ~|x|**3 when x << 0:
    in float64 (where no wider reference exists) allow for that."""
    if dtype == np.float64 and name == "gelu_bwd":
        return dict(atol=1e-12)
    return {}


def _truth(name, *args):
    """The reference in float64 on the same (float32) values."""
    args = [a.astype(np.float64) if isinstance(a, np.ndarray) else a
            for a in args]
    return getattr(ref, name)(*args)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("kind", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name,extra", UNARY, ids=_ids(UNARY))
def test_forward_matches_reference(name, extra, dtype, kind, shape):
    rng = np.random.default_rng(0)
    x = random(rng, shape, dtype)
    got = compiled(name)(layout(x, kind), *extra)
    assert got.flags.c_contiguous
    assert_matches(got, getattr(ref, name)(x, *extra),
                   truth=_truth(name, x, *extra))


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("kind", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name,fwd,extra", BINARY, ids=_ids(BINARY))
def test_backward_matches_reference(name, fwd, extra, dtype, kind, shape):
    rng = np.random.default_rng(1)
    saved = _saved(fwd, random(rng, shape, dtype))
    gy = random(rng, shape, dtype, scale=1.0)
    got = compiled(name)(layout(saved, kind), layout(gy, "strided"), *extra)
    assert_matches(got, getattr(ref, name)(saved, gy, *extra),
                   truth=_truth(name, saved, gy, *extra), **_tol(name, dtype))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name,extra", UNARY, ids=_ids(UNARY))
def test_forward_nan_inf_follow_reference(name, extra, dtype):
    x = with_specials(np.random.default_rng(2), (64,), dtype)
    with np.errstate(all="ignore"):
        want = getattr(ref, name)(x, *extra)
        truth = _truth(name, x, *extra)
    assert_matches(compiled(name)(x, *extra), want, truth=truth)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name,fwd,extra", BINARY, ids=_ids(BINARY))
def test_backward_nan_inf_follow_reference(name, fwd, extra, dtype):
    rng = np.random.default_rng(3)
    with np.errstate(all="ignore"):
        saved = _saved(fwd, with_specials(rng, (64,), dtype))
        gy = with_specials(rng, (64,), dtype)
        want = getattr(ref, name)(saved, gy, *extra)
        truth = _truth(name, saved, gy, *extra)
    assert_matches(compiled(name)(saved, gy, *extra), want, truth=truth,
                   **_tol(name, dtype))


def test_nan_propagates_through_every_forward_kernel():
    # The debugger's NaN tracking relies on this: no fast-math anywhere.
    for name, extra in UNARY:
        for dtype in DTYPES:
            y = compiled(name)(np.array([1.0, np.nan, 2.0], dtype), *extra)
            assert np.isnan(y[1]) and not np.isnan(y[[0, 2]]).any(), name


def test_relu_keeps_nan_and_maps_negative_zero_to_zero():
    y = compiled("relu_fwd")(np.array([-0.0, np.nan, -1.0, 2.0]))
    assert np.isnan(y[1]) and y[0] == 0 and not np.signbit(y[0])
    assert y[2] == 0 and y[3] == 2


def test_relu_bwd_is_zero_at_the_kink():
    g = compiled("relu_bwd")(np.array([0.0, 1.0, -1.0]), np.ones(3))
    np.testing.assert_array_equal(g, [0.0, 1.0, 0.0])


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_sigmoid_is_stable_in_the_tails(dtype):
    x = np.array([-1e4, -100.0, -30.0, 30.0, 100.0, 1e4], dtype)
    y = compiled("sigmoid_fwd")(x)
    assert np.all(np.isfinite(y)) and np.all((y >= 0) & (y <= 1))
    assert y[0] == 0 and y[-1] == 1
    assert_matches(y, ref.sigmoid_fwd(x))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_erf_erfc_against_math(dtype):
    x = np.linspace(-6, 27, 2001).astype(dtype)
    erf = np.array([math.erf(v) for v in x.astype(float)])
    erfc = np.array([math.erfc(v) for v in x.astype(float)])
    tiny = np.finfo(dtype).tiny
    for name, want in (("erf_fwd", erf), ("erfc_fwd", erfc)):
        got = compiled(name)(x).astype(float)
        normal = np.abs(want) >= tiny
        ulp = np.spacing(np.abs(want[normal]).astype(dtype)).astype(float)
        assert np.max(np.abs(got[normal] - want[normal]) / ulp) <= 4, name
        # erfc(27) is a float64 subnormal and 0 in float32; never negative.
        assert np.all(got[~normal] >= 0) and np.all(got[~normal] <= 4 * tiny)


@pytest.mark.parametrize("level", ["scalar", "best"])
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_every_vector_math_level_matches_reference(level, dtype):
    x = with_specials(np.random.default_rng(4), (300,), dtype)
    gy = random(np.random.default_rng(5), (300,), dtype)
    before = _vmath.level()
    try:
        _vmath.set_level(level)
        with np.errstate(all="ignore"):
            for name, extra in UNARY:
                assert_matches(compiled(name)(x, *extra),
                               getattr(ref, name)(x, *extra),
                               truth=_truth(name, x, *extra))
            for name, fwd, extra in BINARY:
                saved = _saved(fwd, x)
                assert_matches(compiled(name)(saved, gy, *extra),
                               getattr(ref, name)(saved, gy, *extra),
                               truth=_truth(name, saved, gy, *extra),
                               **_tol(name, dtype))
    finally:
        _vmath.set_level(before)


@pytest.mark.parametrize("name,extra", [("silu_fwd", ()), ("relu_fwd", ()),
                                        ("gelu_fwd", ("tanh",))])
def test_large_arrays_take_the_threaded_path(name, extra):
    # 600k elements is above every GRAIN, so several threads run (when
    # OpenMP has more than one); chunk edges must not show.
    x = random(np.random.default_rng(6), (600_001,), np.float32)
    assert_matches(compiled(name)(x, *extra), getattr(ref, name)(x, *extra),
                   truth=_truth(name, x, *extra))


def test_silu_bwd_threaded_matches_reference():
    rng = np.random.default_rng(7)
    x = random(rng, (300_007,), np.float64)
    gy = random(rng, (300_007,), np.float64)
    assert_matches(compiled("silu_bwd")(x, gy), ref.silu_bwd(x, gy))


@pytest.mark.parametrize("name,extra", UNARY, ids=_ids(UNARY))
def test_float16_falls_back_to_the_reference(name, extra):
    x = random(np.random.default_rng(8), (5, 3), np.float16, scale=1.0)
    got = compiled(name)(x, *extra)
    assert got.dtype == np.float16
    np.testing.assert_array_equal(got, getattr(ref, name)(x, *extra))


def test_mixed_dtypes_and_broadcasting_fall_back_to_the_reference():
    y = np.array([0.5, -1.0, 2.0], np.float32)
    gy = np.array([1.0, 2.0, 3.0])
    got = compiled("relu_bwd")(y, gy)
    np.testing.assert_array_equal(got, ref.relu_bwd(y, gy))
    got = compiled("tanh_bwd")(np.ones((2, 3)), np.ones(3))
    np.testing.assert_array_equal(got, ref.tanh_bwd(np.ones((2, 3)),
                                                    np.ones(3)))


def test_shape_mismatch_raises_naming_the_kernel():
    with pytest.raises(ValueError, match=r"^sigmoid_bwd: .*\(2, 3\).*\(4,\)"):
        compiled("sigmoid_bwd")(np.ones((2, 3)), np.ones(4))


@pytest.mark.parametrize("name", ["gelu_fwd", "gelu_bwd"])
def test_gelu_rejects_unknown_approximation(name):
    args = (np.ones(3),) if name == "gelu_fwd" else (np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=f"^{name}: approximate must be"):
        compiled(name)(*args, "erf")
    with pytest.raises(ValueError, match=f"^{name}: approximate must be"):
        getattr(ref, name)(*args, "erf")


def test_outputs_are_new_arrays():
    x = np.ones(4)
    for name, extra in UNARY:
        y = compiled(name)(x, *extra)
        assert not np.shares_memory(x, y), name
