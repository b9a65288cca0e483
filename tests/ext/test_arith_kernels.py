"""``pytensor_ext.cpu`` binary arithmetic against the reference: fast paths
(float32/float64 contiguous with numbers or same-shape arrays) and the NumPy
fall-backs, with IEEE special values."""
import numpy as np
import pytest

from pytensor_ext import cpu, reference

OPS = ["add_fwd", "sub_fwd", "mul_fwd", "div_fwd"]


def _cases(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5)).astype(dtype)
    y = rng.standard_normal((3, 5)).astype(dtype)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e30], dtype)
    return [
        (x, y), (x, 1.5), (2.5, x), (x, 3), (-2, x),
        (special, special[::-1].copy()),
        (special, 0.0), (0.0, special), (x[:, ::2], 2.0),          # strided
        (x, y[0]),                                                  # broadcast
        (np.ones((), dtype), 2.0), (np.zeros((0, 3), dtype), 1.0),
        (x, y.astype(np.float64 if dtype == np.float32 else np.float32)),
        (np.arange(6).reshape(2, 3), 2), (x, True),
        (np.ones(1 << 20, dtype), np.ones(1 << 20, dtype)),          # threaded
    ]


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_reference(op, dtype):
    for a, b in _cases(dtype):
        got = getattr(cpu, op)(a, b)
        want = getattr(reference, op)(a, b)
        assert isinstance(got, np.ndarray)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


def test_compiled():
    assert all(cpu.COMPILED.get(op) == "_arith" for op in OPS)
