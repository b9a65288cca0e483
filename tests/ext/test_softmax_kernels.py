"""Compiled softmax / log-softmax kernels against the NumPy reference: every
dim (last, middle, first, negative), both code paths (rows; column tiles,
including tiles narrower than the inner size and the thread split), four
layouts, empty and 0-d arrays, NaN/Inf rows, dtype fallbacks and errors."""
import numpy as np
import pytest

from pytensor_ext import reference as ref
from pytensor_ext.cpu import _vmath
from tests.ext._util import (DTYPES, LAYOUTS, assert_matches, compiled,
                             layout, random)

FWD = ("softmax_fwd", "log_softmax_fwd")
BWD = (("softmax_bwd", "softmax_fwd"), ("log_softmax_bwd", "log_softmax_fwd"))
# (shape, dim): rows of every length (short rows share one vector exp);
# inner > 1 with the slab in one piece, in 512-wide tiles plus a rest, and
# with a single outer block (the columns are split between threads).
CASES = [((5,), 0), ((4, 7), 1), ((4, 7), -1), ((4, 7), 0), ((64, 10), -1),
         ((3, 1), 1), ((3, 5, 6), 1), ((3, 5, 6), -3), ((2, 3, 4, 5), 2),
         ((5, 3000), 1), ((2, 3, 1100), 1), ((1, 40, 300), 1),
         ((2, 1300, 3), 1), ((7, 3), 0)]


def _x(shape, dtype, seed=0):
    return random(np.random.default_rng(seed), shape, dtype)


@pytest.mark.parametrize("kind", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("shape,dim", CASES, ids=str)
@pytest.mark.parametrize("name", FWD)
def test_forward_matches_reference(name, shape, dim, dtype, kind):
    x = _x(shape, dtype)
    got = compiled(name)(layout(x, kind), dim)
    assert got.flags.c_contiguous
    assert_matches(got, getattr(ref, name)(x, dim),
                   truth=getattr(ref, name)(x.astype(np.float64), dim))


@pytest.mark.parametrize("kind", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("shape,dim", CASES, ids=str)
@pytest.mark.parametrize("name,fwd", BWD)
def test_backward_matches_reference(name, fwd, shape, dim, dtype, kind):
    y = getattr(ref, fwd)(_x(shape, dtype), dim)
    gy = _x(shape, dtype, seed=1)
    got = compiled(name)(layout(y, kind), layout(gy, "strided"), dim)
    assert_matches(got, getattr(ref, name)(y, gy, dim),
                   truth=getattr(ref, name)(y.astype(np.float64),
                                            gy.astype(np.float64), dim))


@pytest.mark.parametrize("shape,dim", [((300, 400), 0), ((300, 400), 1),
                                       ((300, 400), -1), ((1, 3, 9000), 1),
                                       ((2, 5, 7000), 1), ((1, 2000, 40), 1)],
                         ids=str)
@pytest.mark.parametrize("name", FWD + ("softmax_bwd", "log_softmax_bwd"))
def test_threaded_sizes_match_reference(name, shape, dim):
    # Few outer slabs and wide rows: the columns are split between threads
    # (and cut to the tile buffers); many short columns: tiles in L2.
    x = _x(shape, np.float32, seed=2)
    fwd = name.replace("bwd", "fwd")
    args = (x,) if name == fwd else (
        getattr(ref, fwd)(x, dim), _x(shape, np.float32, seed=3))
    want = getattr(ref, name)(*args, dim)
    truth = getattr(ref, name)(*[a.astype(np.float64) for a in args], dim)
    assert_matches(compiled(name)(*args, dim), want, truth=truth)
    before = _vmath.set_num_threads(1)
    try:
        one = compiled(name)(*args, dim)
    finally:
        _vmath.set_num_threads(before)
    np.testing.assert_array_equal(one, compiled(name)(*args, dim))


@pytest.mark.parametrize("dim", [0, 1])
@pytest.mark.parametrize("name", FWD)
def test_nan_and_inf_rows_follow_reference(name, dim):
    # Along ``dim``: a NaN; a +inf; all -inf; one -inf among finite values;
    # a row of huge values (no overflow thanks to the max); a normal row.
    rows = np.array([[1.0, np.nan, 2.0, 0.5],
                     [1.0, np.inf, 2.0, 0.5],
                     [-np.inf, -np.inf, -np.inf, -np.inf],
                     [-np.inf, 1.0, 2.0, 3.0],
                     [1e30, 1e30, -1e30, 0.0],
                     [0.1, 0.2, 0.3, 0.4]])
    for dtype in DTYPES:
        x = rows.astype(dtype) if dim == 1 else rows.T.astype(dtype)
        with np.errstate(all="ignore"):
            want = getattr(ref, name)(x, dim)
        got = compiled(name)(x, dim)
        assert_matches(got, want)
        nan_rows = [0, 1, 2]
        picked = got[nan_rows] if dim == 1 else got[:, nan_rows]
        assert np.isnan(picked).all()


@pytest.mark.parametrize("name", FWD)
def test_softmax_of_the_scalar_vector_math_matches(name):
    x = _x((6, 37), np.float64)
    before = _vmath.level()
    try:
        _vmath.set_level("scalar")
        scalar = compiled(name)(x, 1)
    finally:
        _vmath.set_level(before)
    assert_matches(scalar, getattr(ref, name)(x, 1))


@pytest.mark.parametrize("name", FWD + ("softmax_bwd", "log_softmax_bwd"))
def test_empty_and_zero_d(name):
    fn = compiled(name)
    args = lambda a: (a,) if name.endswith("fwd") else (a, a)  # noqa: E731
    for shape, dim in (((0,), 0), ((3, 0), 1), ((0, 4), 1), ((2, 0, 3), 0)):
        a = np.ones(shape, np.float32)
        out = fn(*args(a), dim)
        assert out.shape == shape and out.dtype == np.float32
    s = np.array(2.5)
    out = fn(*args(s), 0)
    want = getattr(ref, name)(*args(s), 0)
    assert out.shape == () and np.allclose(out, want)
    assert fn(*args(s), -1).shape == ()


def test_softmax_rows_sum_to_one():
    x = _x((50, 1000), np.float32) * 10
    for dim in (0, 1):
        np.testing.assert_allclose(compiled("softmax_fwd")(x, dim).sum(dim),
                                   1, rtol=1e-5)


@pytest.mark.parametrize("name", FWD)
def test_dim_out_of_range(name):
    with pytest.raises(IndexError, match=rf"^{name}: Dimension out of range "
                       r"\(expected to be in range of \[-2, 1\], but got 2\)"):
        compiled(name)(np.ones((2, 3)), 2)
    with pytest.raises(IndexError, match=rf"^{name}: .*\[-1, 0\].*-2"):
        compiled(name)(np.array(1.0), -2)
    with pytest.raises(TypeError, match=rf"^{name}: dim must be an int"):
        compiled(name)(np.ones((2, 3)), 1.0)


@pytest.mark.parametrize("name", ("softmax_bwd", "log_softmax_bwd"))
def test_backward_shape_mismatch(name):
    with pytest.raises(ValueError, match=rf"^{name}: .*\(2, 3\).*\(3, 2\)"):
        compiled(name)(np.ones((2, 3)), np.ones((3, 2)), 1)


@pytest.mark.parametrize("name", FWD)
def test_float16_and_mixed_dtypes_use_the_reference(name):
    x = _x((3, 4), np.float16)
    got = compiled(name)(x, 1)
    assert got.dtype == np.float16
    np.testing.assert_array_equal(got, getattr(ref, name)(x, 1))
    bwd = name.replace("fwd", "bwd")
    y = getattr(ref, name)(_x((3, 4), np.float32), 1)
    gy = _x((3, 4), np.float64)
    np.testing.assert_array_equal(compiled(bwd)(y, gy, 1),
                                  getattr(ref, bwd)(y, gy, 1))
