"""Compiled ``index_add`` / ``scatter_add`` against the NumPy reference
(``np.add.at``): every axis, repeated and negative indices, targets and
sources in any layout (written in place through strides), sources that
overlap the target, index regions smaller than src, int32 indices, empty
indices, threaded sizes, and every error (nothing written on a bad
index)."""
import numpy as np
import pytest

from pytensor_ext import reference as ref
from tests.ext._util import DTYPES, LAYOUTS, assert_matches, compiled, layout

# (target shape, axis, number of indices)
INDEX_ADD = [((10, 4), 0, 25), ((10, 4), 1, 7), ((3, 10, 5), 1, 30),
             ((6,), 0, 20), ((4, 5, 6), 2, 9), ((4, 5, 6), -3, 11),
             ((5, 3), 0, 0), ((4, 5, 70), 1, 40), ((200, 130), 0, 300)]
# (target shape, axis, index shape)
SCATTER_ADD = [((10, 4), 0, (25, 4)), ((10, 4), 1, (10, 9)),
               ((4, 6), 0, (3, 2)), ((3, 10, 5), 1, (2, 30, 4)),
               ((6,), 0, (20,)), ((4, 5, 6), 2, (4, 5, 9)),
               ((4, 5, 6), -1, (1, 1, 3)), ((5, 3), 0, (0, 3)),
               ((64, 300), 1, (64, 500)), ((300, 40), 0, (900, 40))]


def _rng(seed=0):
    return np.random.default_rng(seed)


def _check(name, got, target0, axis, index, src, dtype):
    """``got`` is the target the kernel updated in place."""
    want = getattr(ref, name)(target0.copy(), axis, index, src)
    truth = getattr(ref, name)(target0.astype(np.float64), axis, index,
                               src.astype(np.float64))
    assert_matches(np.ascontiguousarray(got), want, truth=truth)


@pytest.mark.parametrize("tkind", LAYOUTS)
@pytest.mark.parametrize("skind", ["contiguous", "fortran"])
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("tshape,axis,m", INDEX_ADD, ids=str)
def test_index_add_matches_reference(tshape, axis, m, dtype, tkind, skind):
    rng = _rng()
    target0 = rng.standard_normal(tshape).astype(dtype)
    n = tshape[axis]
    index = rng.integers(-n, n, m)          # repeats and negatives
    sshape = list(tshape)
    sshape[axis] = m
    src = rng.standard_normal(sshape).astype(dtype)
    target = layout(target0, tkind)
    out = compiled("index_add")(target, axis, index, layout(src, skind))
    assert out is target
    _check("index_add", target, target0, axis, index, src, dtype)


@pytest.mark.parametrize("tkind", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("tshape,axis,ishape", SCATTER_ADD, ids=str)
def test_scatter_add_matches_reference(tshape, axis, ishape, dtype, tkind):
    rng = _rng(1)
    target0 = rng.standard_normal(tshape).astype(dtype)
    n = tshape[axis]
    index = rng.integers(-n, n, ishape)
    # src is larger than index in every axis: only index's region is used.
    src = rng.standard_normal([s + 2 for s in ishape]).astype(dtype)
    target = layout(target0, tkind)
    out = compiled("scatter_add")(target, axis, layout(index, "strided"),
                                  layout(src, "reversed"))
    assert out is target
    _check("scatter_add", target, target0, axis, index, src, dtype)


def test_embedding_backward_with_many_repeats():
    rng = _rng(2)
    target = np.zeros((5000, 64), np.float32)
    index = rng.integers(0, 50, 4096)
    src = rng.standard_normal((4096, 64)).astype(np.float32)
    compiled("index_add")(target, 0, index, src)
    want = np.zeros((5000, 64))
    np.add.at(want, index, src.astype(np.float64))
    np.testing.assert_allclose(target, want, rtol=1e-5, atol=1e-4)
    assert not target[50:].any()


def test_int32_index_and_cast_src():
    t = np.zeros((4, 3))
    compiled("index_add")(t, 0, np.array([1, 1, 3], np.int32),
                          np.ones((3, 3), np.float32))
    np.testing.assert_array_equal(t[:, 0], [0, 2, 0, 1])
    u = np.zeros((4, 3), np.float32)
    compiled("scatter_add")(u, 0, np.array([[3, 0, 3]], np.uint8),
                            np.full((1, 3), 2.0))
    np.testing.assert_array_equal(u[3], [2, 0, 2])


def test_src_overlapping_target():
    t = np.arange(12.0).reshape(4, 3)
    want = ref.index_add(t.copy(), 0, np.array([0, 1]), t[2:].copy())
    compiled("index_add")(t, 0, np.array([0, 1]), t[2:])
    np.testing.assert_array_equal(t, want)


def test_nan_inf_accumulate():
    t = np.zeros((3, 2))
    src = np.array([[np.nan, 1.0], [np.inf, 1.0], [-np.inf, np.inf]])
    compiled("index_add")(t, 0, np.array([0, 1, 1]), src)
    assert np.isnan(t[0, 0]) and np.isnan(t[1, 0]) and t[1, 1] == np.inf


@pytest.mark.parametrize("name", ["index_add", "scatter_add"])
@pytest.mark.parametrize("bad", [5, -6, 100])
def test_out_of_range_index_raises_and_writes_nothing(name, bad):
    t = np.zeros((5, 3), np.float32)
    index = np.array([0, bad, 1]) if name == "index_add" else \
        np.array([[0, 1, 2], [1, bad, 0]])
    src = np.ones((3, 3) if name == "index_add" else (2, 3), np.float32)
    with pytest.raises(IndexError, match=rf"^{name}: index {bad} is out of "
                       r"bounds for dimension 0 with size 5"):
        compiled(name)(t, 0, index, src)
    assert not t.any()
    with pytest.raises(IndexError, match=rf"^{name}: index {bad} is out of "):
        getattr(ref, name)(t, 0, index, src)


@pytest.mark.parametrize("name", ["index_add", "scatter_add"])
def test_bad_index_dtype_and_axis(name):
    t = np.zeros((5, 3))
    src = np.ones((2, 3))
    index = np.zeros(2) if name == "index_add" else np.zeros((2, 3))
    with pytest.raises(TypeError, match=rf"^{name}: index must be an integer"):
        compiled(name)(t, 0, index, src)
    good = index.astype(np.int64)
    with pytest.raises(IndexError, match=rf"^{name}: Dimension out of range"):
        compiled(name)(t, 2, good, src)
    with pytest.raises(TypeError, match=rf"^{name}: dim must be an int"):
        compiled(name)(t, "0", good, src)


def test_index_add_shape_errors():
    t = np.zeros((5, 3))
    with pytest.raises(ValueError, match=r"^index_add: source of shape "
                       r"\(2, 4\) does not match target of shape \(5, 3\)"):
        compiled("index_add")(t, 0, np.array([0, 1]), np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"^index_add: index must be 1-D"):
        compiled("index_add")(t, 0, np.zeros((2, 1), np.int64),
                              np.ones((2, 3)))


def test_scatter_add_shape_errors():
    t = np.zeros((5, 3))
    with pytest.raises(ValueError, match=r"^scatter_add: expected index "
                       r"\(2, 4\) to be no larger than src \(2, 3\)"):
        compiled("scatter_add")(t, 0, np.zeros((2, 4), np.int64),
                                np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"^scatter_add: .*same number of "
                       r"dimensions"):
        compiled("scatter_add")(t, 0, np.zeros(2, np.int64), np.ones(2))


@pytest.mark.parametrize("name", ["index_add", "scatter_add"])
def test_read_only_target(name):
    t = np.zeros((5, 3))
    t.flags.writeable = False
    index = np.array([0]) if name == "index_add" else np.zeros((1, 3), int)
    with pytest.raises(ValueError, match=rf"^{name}: the target array is "
                       "read-only"):
        compiled(name)(t, 0, index, np.ones((1, 3)))


def test_float16_target_uses_the_reference():
    t = np.zeros((4, 2), np.float16)
    compiled("index_add")(t, 0, np.array([1, 1]), np.ones((2, 2), np.float16))
    np.testing.assert_array_equal(t[1], [2, 2])


@pytest.mark.parametrize("name", ["index_add", "scatter_add"])
def test_one_d_target_errors_name_the_kernel(name):
    # 1-D targets go through np.add.at (faster there); the error is ours.
    t = np.zeros(5, np.float32)
    with pytest.raises(IndexError, match=rf"^{name}: index -6 is out of "
                       r"bounds for dimension 0 with size 5"):
        compiled(name)(t, 0, np.array([0, -6, 1]), np.ones(3, np.float32))
    assert not t.any()
    compiled(name)(t, 0, np.array([4, -1]), np.ones(2))
    assert t[4] == 2
