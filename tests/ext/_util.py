"""Helpers for the kernel tests: the same values in different memory
layouts, special values, and a comparison that treats NaN/Inf exactly."""
import numpy as np

from pytensor_ext import cpu

DTYPES = (np.float32, np.float64)
LAYOUTS = ("contiguous", "strided", "fortran", "reversed")

# Tolerances of a compiled kernel against the NumPy reference: a few ulp of
# the result (the vector math is within 3 ulp, and the fused formulas round
# in a different order), plus an absolute part for results that come out of
# a cancellation in both (gelu's 1 + erf(x) for x << 0).
TOL = {np.float32: dict(rtol=4e-6, atol=2e-6),
       np.float64: dict(rtol=1e-13, atol=1e-14)}

SPECIALS = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -1e-30, 0.5, -0.5,
            3.0, -3.0, 20.0, -20.0, 88.0, -88.0, 100.0, -100.0, 1e4, -1e4]


def compiled(name):
    """The compiled kernel ``name``; fails (not skips) when the extension
    did not build, because then these tests would only test the
    reference against itself."""
    assert name in cpu.COMPILED, (
        f"{name} is not compiled: {cpu.LOAD_ERRORS or cpu.FALLBACK}")
    return getattr(cpu, name)


def layout(values, kind):
    """``values`` (any shape) in the memory layout ``kind``: a C-contiguous
    copy, a strided view (every other element of a larger buffer), a
    Fortran-ordered copy, or a view with negative strides."""
    values = np.asarray(values)
    if kind == "contiguous":
        return np.array(values, order="C", copy=True)
    if values.ndim == 0:
        return values.copy()
    if kind == "strided":
        shape = values.shape[:-1] + (2 * values.shape[-1],)
        buf = np.full(shape, 7.0, dtype=values.dtype)
        view = buf[..., ::2]
        view[...] = values
        return view
    if kind == "fortran":
        return np.array(values, order="F", copy=True)
    if kind == "reversed":
        return np.ascontiguousarray(values[::-1])[::-1]
    raise ValueError(kind)


def random(rng, shape, dtype, scale=3.0):
    return np.asarray(rng.standard_normal(shape) * scale).astype(dtype)


def with_specials(rng, shape, dtype):
    """Random values with every special value planted at random places."""
    x = random(rng, shape, dtype).ravel()
    if x.size >= len(SPECIALS):
        pos = rng.choice(x.size, len(SPECIALS), replace=False)
        x[pos] = np.array(SPECIALS, dtype=dtype)
    return x.reshape(shape)


def assert_matches(got, want, dtype=None, truth=None, **tol):
    """Same shape and dtype, NaN exactly where the reference has NaN, the
    same infinities, finite values within ``TOL``.

    ``truth`` (the reference evaluated in float64 on the same inputs) widens
    the tolerance where the float32 reference itself is off, e.g. inside a
    cancellation: the kernel may then be up to twice as far from the truth
    as the reference is, never more."""
    got = np.asarray(got)
    want = np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    dtype = dtype or want.dtype.type
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want),
                                  err_msg="NaN positions differ")
    inf = np.isinf(want)
    np.testing.assert_array_equal(got[inf], want[inf],
                                  err_msg="infinities differ")
    opts = dict(TOL.get(dtype, dict(rtol=1e-3, atol=1e-3)))
    opts.update(tol)
    fin = ~np.isnan(want) & ~inf
    if truth is None:
        np.testing.assert_allclose(got[fin], want[fin], **opts)
        return
    g, w = got[fin].astype(np.float64), want[fin].astype(np.float64)
    t = np.asarray(truth, dtype=np.float64)[fin]
    allowed = opts["atol"] + opts["rtol"] * np.abs(t) + 2 * np.abs(w - t)
    bad = np.abs(g - t) > allowed
    assert not bad.any(), (
        f"{bad.sum()} values off: got {g[bad][:5]}, reference {w[bad][:5]}, "
        f"float64 truth {t[bad][:5]}")
