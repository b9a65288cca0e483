"""The vector math under the CPU kernels (``pytensor_ext.cpu._vmath``):
accuracy in ulp against double / extended precision, exact IEEE special
values on every level, and the build flags that keep it that way."""
import math
import pathlib
import re

import numpy as np
import pytest

from pytensor_ext.cpu import _vmath

ROOT = pathlib.Path(__file__).resolve().parents[2]
FUNCS = {"exp": (np.exp, math.exp), "log": (np.log, math.log),
         "tanh": (np.tanh, math.tanh), "erf": (None, math.erf),
         "erfc": (None, math.erfc)}
DOMAIN = {"exp": (-100, 88), "log": (1e-30, 1e30), "tanh": (-12, 12),
          "erf": (-6, 6), "erfc": (-6, 10)}
SPECIALS = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 1e-40, 1e300]


@pytest.fixture(params=["scalar", "best"])
def level(request):
    before = _vmath.level()
    yield _vmath.set_level(request.param)
    _vmath.set_level(before)


def _truth(name, x):
    return np.array([FUNCS[name][1](float(v)) for v in x])


@pytest.mark.parametrize("dtype", [np.float32, np.float64],
                         ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", sorted(FUNCS))
def test_within_four_ulp(name, dtype, level):
    lo, hi = DOMAIN[name]
    x = np.geomspace(lo, hi, 4001) if name == "log" else \
        np.linspace(lo, hi, 4001)
    x = x.astype(dtype)
    got = _vmath.apply(name, x).astype(np.float64)
    want = _truth(name, x)
    tiny = np.finfo(dtype).tiny
    normal = np.abs(want) >= tiny
    ulp = np.spacing(np.abs(want[normal]).astype(dtype)).astype(np.float64)
    err = np.abs(got[normal] - want[normal]) / ulp
    assert err.max() <= 4, (name, level, x[normal][np.argmax(err)])


@pytest.mark.parametrize("dtype", [np.float32, np.float64],
                         ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", sorted(FUNCS))
def test_special_values_are_exact(name, dtype, level):
    with np.errstate(over="ignore"):        # 1e300 -> inf in float32
        x = np.array(SPECIALS, dtype=dtype)
    got = _vmath.apply(name, x)
    with np.errstate(all="ignore"):
        if FUNCS[name][0] is not None:
            want = FUNCS[name][0](x)
        else:
            fn = FUNCS[name][1]
            want = np.array([fn(float(v)) if np.isfinite(v) else
                             {"erf": math.copysign(1, v) if not np.isnan(v)
                              else v,
                              "erfc": (0.0 if v > 0 else 2.0)
                              if not np.isnan(v) else v}[name]
                             for v in x.astype(float)]).astype(dtype)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    fin = ~np.isnan(want)
    exact = np.isinf(want) | (want == 0) | (np.abs(x) == 0)
    np.testing.assert_array_equal(got[fin & exact], want[fin & exact])
    np.testing.assert_allclose(got[fin], want[fin], rtol=4e-7, atol=0)


def test_lengths_not_a_multiple_of_the_vector_width():
    for n in range(0, 20):
        x = np.linspace(-3, 3, n).astype(np.float32)
        np.testing.assert_allclose(_vmath.apply("exp", x), np.exp(x),
                                   rtol=4e-7)


def test_levels():
    assert _vmath.level() in _vmath.LEVELS
    before = _vmath.level()
    try:
        assert _vmath.set_level("scalar") == "scalar"
        assert _vmath.set_level("best") == _vmath.BEST
    finally:
        _vmath.set_level(before)
    with pytest.raises(ValueError, match="^set_level: unknown level"):
        _vmath.set_level("avx512")
    with pytest.raises(ValueError, match="^apply: unknown function"):
        _vmath.apply("sin", np.ones(2))
    with pytest.raises(TypeError, match="^apply: expected float32"):
        _vmath.apply("exp", np.ones(2, np.int32))


def test_build_never_uses_fast_math():
    """-ffast-math / -ffinite-math-only would let gcc assume no NaN/Inf;
    the debugger's NaN tracking depends on them propagating."""
    setup = (ROOT / "setup.py").read_text()
    flags = re.findall(r'"(-f[a-z-]+)"', setup)
    assert "-fopenmp" in flags
    forbidden = {"-ffast-math", "-ffinite-math-only", "-fno-honor-nans",
                 "-fno-honor-infinities", "-fassociative-math",
                 "-freciprocal-math", "-funsafe-math-optimizations"}
    assert not forbidden & set(flags), flags
    assert "-march=native" not in setup.replace("``native``", "")
