"""Regression: ``promote_types`` follows ``torch.promote_types`` (a float
dtype wins over any integer dtype), not NumPy's ``promote_types``."""
import itertools

import pytest

import pytensor
from pytensor import dtypes

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16",
         "float32", "float64"]


@pytest.mark.torch
def test_promote_types_matches_torch_for_every_pair(torch):
    for a, b in itertools.product(NAMES, NAMES):
        ours = dtypes.promote_types(dtypes.to_dtype(a), dtypes.to_dtype(b))
        theirs = torch.promote_types(getattr(torch, a), getattr(torch, b))
        assert ours.name == str(theirs)[6:], (a, b)


def test_int_and_float_tensors_compute_in_the_float_dtype():
    out = pytensor.tensor([1, 2]) + pytensor.tensor([0.5, 1.0])
    assert out.dtype == pytensor.float32
