"""``sum_to_shape`` (compiled) against the NumPy reference: the common
gradient patterns (bias of linear and conv layers, keepdim sums, leading
broadcast axes, full reductions), shapes with size-1 and empty axes,
layouts, NaN/Inf, threaded sizes, fallbacks and errors."""
import numpy as np
import pytest

from pytensor_ext import reference as ref
from tests.ext._util import DTYPES, LAYOUTS, assert_matches, compiled, layout

CASES = [
    ((128, 512), (512,)),            # linear bias
    ((128, 512), (1, 512)),
    ((8, 16, 5, 7), (1, 16, 1, 1)),  # conv bias
    ((8, 16, 5, 7), (16, 1, 1)),
    ((6, 9), (6, 1)),                # keepdim sum over the last axis
    ((4, 5, 6), (4, 1, 6)),          # middle axis
    ((4, 5, 6), (5, 1)),
    ((4, 5, 6), (1, 1, 1)),
    ((4, 5, 6), ()),                 # full reduction
    ((7,), ()),
    ((7,), (1,)),
    ((3, 1, 4), (1, 4)),             # size-1 axes are ignored
    ((1, 5), (5,)),
    ((2, 3, 4, 5), (3, 1, 5)),       # five groups: NumPy's reduction
    ((3, 4, 5, 6), (3, 1, 5, 1)),    # K R K R
    ((1000, 3), (1000, 1)),
    ((0, 4), (4,)),                  # empty sums are zeros
    ((3, 0), (3, 1)),
    ((0, 4), (1, 4)),
]


@pytest.mark.parametrize("kind", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("shape,target", CASES, ids=str)
def test_matches_reference(shape, target, dtype, kind):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    got = compiled("sum_to_shape")(layout(x, kind), target)
    assert got.shape == target
    want = ref.sum_to_shape(x, target)
    assert_matches(np.asarray(got), np.asarray(want),
                   truth=ref.sum_to_shape(x.astype(np.float64), target))


def test_returns_the_input_when_shapes_match():
    x = np.ones((3, 4), np.float32)
    assert compiled("sum_to_shape")(x, (3, 4)) is x
    assert compiled("sum_to_shape")(x, [3, 4]) is x


@pytest.mark.parametrize("shape,target", [((513, 1024), (1024,)),
                                          ((1024, 513), (1024, 1)),
                                          ((4, 64, 32, 33), (1, 64, 1, 1)),
                                          ((96, 8, 700), (96, 1, 700))],
                         ids=str)
def test_threaded_sizes(shape, target):
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    got = compiled("sum_to_shape")(x, target)
    assert_matches(got, ref.sum_to_shape(x, target),
                   truth=ref.sum_to_shape(x.astype(np.float64), target))


def test_nan_and_inf_propagate():
    x = np.zeros((4, 3))
    x[1, 0] = np.nan
    x[2, 1] = np.inf
    x[0, 2], x[3, 2] = np.inf, -np.inf
    got = compiled("sum_to_shape")(x, (3,))
    assert np.isnan(got[0]) and got[1] == np.inf and np.isnan(got[2])


def test_float16_and_other_dtypes_use_the_reference():
    for dtype in (np.float16, np.int64):
        x = np.arange(12, dtype=dtype).reshape(3, 4)
        got = compiled("sum_to_shape")(x, (4,))
        np.testing.assert_array_equal(got, ref.sum_to_shape(x, (4,)))
        assert got.dtype == ref.sum_to_shape(x, (4,)).dtype


@pytest.mark.parametrize("target", [(3,), (2, 3), (4, 1, 1), (1, 2, 3, 4)])
def test_shapes_that_do_not_broadcast(target):
    with pytest.raises(ValueError, match=r"^sum_to_shape: cannot sum an "
                       r"array of shape \(2, 4\) to shape"):
        compiled("sum_to_shape")(np.ones((2, 4)), target)
