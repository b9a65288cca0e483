"""Compiled layer-norm and batch-norm kernels against the NumPy reference:
float32/float64, memory layouts, empty arrays, NaN, the threaded path,
running-statistics updates and the fallbacks."""
import numpy as np
import pytest

from pytensor_ext import cpu
from pytensor_ext import reference as ref


@pytest.fixture
def threaded():
    """A small per-thread grain, so that test-sized arrays take the OpenMP
    paths (in production they start at millions of elements)."""
    from pytensor_ext.cpu import _norm
    old = _norm._set_grain(64)
    yield
    _norm._set_grain(old)


DTYPES = (np.float32, np.float64)
LAYOUTS = ("contiguous", "strided", "fortran")
# The compiled kernels accumulate in double; the float32 reference does not,
# so both are compared with the reference evaluated in float64 ("truth").
TOL = {np.float32: dict(rtol=2e-5, atol=2e-5),
       np.float64: dict(rtol=1e-12, atol=1e-12)}


def compiled(name):
    assert name in cpu.COMPILED, (
        f"{name} is not compiled: {cpu.LOAD_ERRORS or cpu.FALLBACK}")
    return getattr(cpu, name)


def layout(a, kind):
    a = np.asarray(a)
    if kind == "contiguous" or a.ndim == 0:
        return np.ascontiguousarray(a)
    if kind == "strided":
        buf = np.full(a.shape[:-1] + (2 * a.shape[-1],), 7.0, a.dtype)
        v = buf[..., ::2]
        v[...] = a
        return v
    return np.asfortranarray(a)


def truth(name, *args):
    args = [a.astype(np.float64) if isinstance(a, np.ndarray) else a
            for a in args]
    return getattr(ref, name)(*args)


def check(got, want, dtype, scale=1.0):
    for g, w in zip(got, want):
        if w is None:
            assert g is None
            continue
        g = np.asarray(g)
        assert g.dtype == dtype, (g.dtype, dtype)
        assert g.shape == w.shape
        tol = TOL[dtype]
        np.testing.assert_allclose(g.astype(np.float64), w, rtol=tol["rtol"],
                                   atol=tol["atol"] * scale)


# --- layer norm --------------------------------------------------------------
LN_SHAPES = [(7, 5), (300, 257), (0, 4), (1, 1), (5, 1), (3, 1000)]
AFFINE = [(True, True), (True, False), (False, True), (False, False)]


@pytest.mark.parametrize("affine", AFFINE, ids=str)
@pytest.mark.parametrize("kind", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("shape", LN_SHAPES, ids=str)
def test_layer_norm_matches_reference(shape, dtype, kind, affine):
    rng = np.random.default_rng(sum(shape))
    M, N = shape
    x = (rng.standard_normal(shape) * 3 + 2).astype(dtype)
    w = rng.standard_normal(N).astype(dtype) if affine[0] else None
    b = rng.standard_normal(N).astype(dtype) if affine[1] else None
    gy = rng.standard_normal(shape).astype(dtype)
    out = compiled("layer_norm_fwd")(layout(x, kind), w, b, 1e-5)
    assert out[0].flags.c_contiguous
    check(out, truth("layer_norm_fwd", x, w, b, 1e-5), dtype, scale=10)
    mean, rstd = out[1], out[2]
    for mask in [(True, True, True), (True, False, False),
                 (False, True, True)]:
        got = compiled("layer_norm_bwd")(layout(gy, kind), layout(x, kind),
                                         mean, rstd, w, mask)
        want = truth("layer_norm_bwd", gy, x, mean, rstd, w, mask)
        check(got, want, dtype, scale=10 * max(M, 1) ** 0.5)


def test_layer_norm_threaded_path_and_precision(threaded):
    """Several threads; float32 sums over long rows stay accurate
    (accumulated in double)."""
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((110, 1000)) + 1000).astype(np.float32)
    w = rng.standard_normal(1000).astype(np.float32)
    gy = rng.standard_normal(x.shape).astype(np.float32)
    y, mean, rstd = compiled("layer_norm_fwd")(x, w, None, 1e-5)
    check((mean, rstd), truth("layer_norm_fwd", x, w, None, 1e-5)[1:],
          np.float32, scale=50)
    got = compiled("layer_norm_bwd")(gy, x, mean, rstd, w, (1, 1, 1))
    want = truth("layer_norm_bwd", gy, x, mean, rstd, w, (1, 1, 1))
    check(got, want, np.float32, scale=50)


def test_layer_norm_nan_stays_in_its_row():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    x[1, 2] = np.nan
    y, mean, rstd = compiled("layer_norm_fwd")(x, None, None, 1e-5)
    assert np.isnan(y[1]).all() and np.isfinite(y[[0, 2]]).all()
    assert np.isnan(mean[1]) and np.isnan(rstd[1])


def test_layer_norm_fallbacks():
    """float16 and other ranks go to the reference (correct for any
    dtype); mismatched weights too."""
    x = np.random.default_rng(2).standard_normal((3, 4)).astype(np.float16)
    y, m, r = cpu.layer_norm_fwd(x, None, None, 1e-5)
    assert y.dtype == np.float16
    np.testing.assert_allclose(y, ref.layer_norm_fwd(x, None, None, 1e-5)[0])
    x32 = x.astype(np.float32)
    w64 = np.ones(4)
    np.testing.assert_allclose(cpu.layer_norm_fwd(x32, w64, None, 1e-5)[0],
                               ref.layer_norm_fwd(x32, w64, None, 1e-5)[0],
                               rtol=1e-6)


# --- batch norm --------------------------------------------------------------
BN_SHAPES = [(4, 3, 1), (8, 5, 7), (0, 3, 4), (2, 0, 3), (3, 4, 600),
             (600, 5, 1)]


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("kind", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("shape", BN_SHAPES, ids=str)
def test_batch_norm_matches_reference(shape, dtype, kind, training, affine):
    rng = np.random.default_rng(sum(shape) + training)
    N, C, L = shape
    x = (rng.standard_normal(shape) * 2 + 1).astype(dtype)
    w = rng.standard_normal(C).astype(dtype) if affine else None
    b = rng.standard_normal(C).astype(dtype) if affine else None
    rm = rng.standard_normal(C).astype(dtype)
    rv = (rng.random(C) + 0.5).astype(dtype)
    gy = rng.standard_normal(shape).astype(dtype)
    rm_c, rv_c = rm.copy(), rv.copy()
    rm_t, rv_t = rm.astype(np.float64), rv.astype(np.float64)
    out = compiled("batch_norm_fwd")(layout(x, kind), w, b, rm_c, rv_c,
                                     training, 0.3, 1e-5)
    f64 = [None if a is None else a.astype(np.float64) for a in (x, w, b)]
    want = ref.batch_norm_fwd(*f64, rm_t, rv_t, training, 0.3, 1e-5)
    check(out, want, dtype, scale=10)
    check((rm_c, rv_c), (rm_t, rv_t), dtype, scale=10)
    for mask in [(True, True, True), (True, False, False),
                 (False, True, True)]:
        got = compiled("batch_norm_bwd")(layout(gy, kind), layout(x, kind),
                                         w, out[1], out[2], training, mask)
        want = truth("batch_norm_bwd", gy, x, w, out[1], out[2], training,
                     mask)
        check(got, want, dtype, scale=10 * max(N * L, 1) ** 0.5)


@pytest.mark.parametrize("shape", [(8, 16, 210), (300, 7, 1)], ids=str)
def test_batch_norm_without_running_stats_and_threads(threaded, shape):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype(np.float32)
    gy = rng.standard_normal(x.shape).astype(np.float32)
    out = compiled("batch_norm_fwd")(x, None, None, None, None, True, 0.1,
                                     1e-5)
    check(out, truth("batch_norm_fwd", x, None, None, None, None, True, 0.1,
                     1e-5), np.float32, scale=10)
    got = compiled("batch_norm_bwd")(gy, x, None, out[1], out[2], True,
                                     (1, 1, 1))
    check(got, truth("batch_norm_bwd", gy, x, None, out[1], out[2], True,
                     (1, 1, 1)), np.float32, scale=200)


def test_batch_norm_running_var_of_one_value_is_nan():
    """n == 1 gives an unbiased variance of 0/0 (PyTorch's F.batch_norm
    refuses such input before reaching the kernel)."""
    x = np.ones((1, 2, 1), np.float32)
    rv = np.ones(2, np.float32)
    compiled("batch_norm_fwd")(x, None, None, None, rv, True, 0.1, 1e-5)
    assert np.isnan(rv).all()


def test_batch_norm_eval_inf_input_gradient_is_finite():
    """In evaluation mode gx = gy * w * invstd: no x term for an infinite
    input to turn into NaN."""
    x = np.array([[[np.inf]], [[1.0]]], np.float32)
    rm, rv = np.zeros(1, np.float32), np.ones(1, np.float32)
    y, m, s = compiled("batch_norm_fwd")(x, None, None, rm, rv, False, 0.1,
                                         1e-5)
    gx = compiled("batch_norm_bwd")(np.ones_like(x), x, None, m, s, False,
                                    (True, False, False))[0]
    assert np.isfinite(gx).all()


# --- recurrent cells (reference semantics; the compiled kernels, where
# built, must agree) ---------------------------------------------------------
def _sig(v):
    return 1 / (1 + np.exp(-v))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("kind", ["contiguous", "strided"])
def test_lstm_cell_kernels(dtype, kind):
    rng = np.random.default_rng(4)
    B, H = 3, 5
    gx = rng.standard_normal((B, 4 * H)).astype(dtype)
    gh = rng.standard_normal((B, 4 * H)).astype(dtype)
    c0 = rng.standard_normal((B, H)).astype(dtype)
    h, c, acts = cpu.lstm_cell_fwd(layout(gx, kind), layout(gh, kind),
                                   layout(c0, kind))
    p = (gx + gh).astype(np.float64)
    i, f, g, o = _sig(p[:, :H]), _sig(p[:, H:2 * H]), np.tanh(
        p[:, 2 * H:3 * H]), _sig(p[:, 3 * H:])
    c_want = f * c0 + i * g
    tol = TOL[dtype]
    np.testing.assert_allclose(c, c_want, **tol)
    np.testing.assert_allclose(h, o * np.tanh(c_want), **tol)
    np.testing.assert_allclose(acts, np.concatenate([i, f, g, o], 1), **tol)
    dh = rng.standard_normal((B, H)).astype(dtype)
    dc = rng.standard_normal((B, H)).astype(dtype)
    dg, dcp = cpu.lstm_cell_bwd(acts, layout(c0, kind), c, layout(dh, kind),
                                dc)
    want = ref.lstm_cell_bwd(*(a.astype(np.float64)
                               for a in (acts, c0, c, dh, dc)))
    check((dg, dcp), want, dtype, scale=10)
    # ``out=`` writes in place; the activations may overwrite the input.
    gx2 = gx.copy()
    outs = (np.empty((B, H), dtype), np.empty((B, H), dtype), gx2)
    r = cpu.lstm_cell_fwd(gx2, gh, c0, out=outs)
    assert r[2] is gx2
    np.testing.assert_allclose(gx2, acts, **tol)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_gru_cell_kernels(dtype):
    rng = np.random.default_rng(5)
    B, H = 3, 5
    gx = rng.standard_normal((B, 3 * H)).astype(dtype)
    gh = rng.standard_normal((B, 3 * H)).astype(dtype)
    h0 = rng.standard_normal((B, H)).astype(dtype)
    h, ws = cpu.gru_cell_fwd(gx, gh, h0)
    x64, g64, h64 = (a.astype(np.float64) for a in (gx, gh, h0))
    r = _sig(x64[:, :H] + g64[:, :H])
    z = _sig(x64[:, H:2 * H] + g64[:, H:2 * H])
    n = np.tanh(x64[:, 2 * H:] + r * g64[:, 2 * H:])
    tol = TOL[dtype]
    np.testing.assert_allclose(h, (1 - z) * n + z * h64, **tol)
    dh = rng.standard_normal((B, H)).astype(dtype)
    got = cpu.gru_cell_bwd(ws, h0, dh)
    want = ref.gru_cell_bwd(ws.astype(np.float64), h64, dh.astype(np.float64))
    check(got, want, dtype, scale=10)


# --- GPU twins (skip without a device) ---------------------------------------
@pytest.mark.gpu
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_gpu_norm_kernels_match_reference(dtype):
    import cupy as cp
    from pytensor_ext import gpu
    rng = np.random.default_rng(20)
    x = (rng.standard_normal((37, 70)) * 2 + 1).astype(dtype)
    w, b = rng.standard_normal(70).astype(dtype), rng.standard_normal(
        70).astype(dtype)
    gy = rng.standard_normal(x.shape).astype(dtype)
    got = gpu.layer_norm_fwd(cp.asarray(x), cp.asarray(w), cp.asarray(b),
                             1e-5)
    check([a.get() for a in got], truth("layer_norm_fwd", x, w, b, 1e-5),
          dtype, scale=10)
    m, r = got[1].get(), got[2].get()
    got = gpu.layer_norm_bwd(cp.asarray(gy), cp.asarray(x), cp.asarray(m),
                             cp.asarray(r), cp.asarray(w), (1, 1, 1))
    check([a.get() for a in got],
          truth("layer_norm_bwd", gy, x, m, r, w, (1, 1, 1)), dtype,
          scale=50)
    for training in (True, False):
        x3 = x.reshape(37, 7, 10)
        g3 = gy.reshape(x3.shape)
        w7 = w[:7].copy()
        rm, rv = np.zeros(7, dtype), np.ones(7, dtype)
        rmg, rvg = cp.asarray(rm), cp.asarray(rv)
        out = gpu.batch_norm_fwd(cp.asarray(x3), cp.asarray(w7), None, rmg,
                                 rvg, training, 0.1, 1e-5)
        want = ref.batch_norm_fwd(x3.astype(np.float64),
                                  w7.astype(np.float64), None,
                                  rm.astype(np.float64),
                                  rv.astype(np.float64), training, 0.1, 1e-5)
        check([a.get() for a in out], want, dtype, scale=10)
        m, s = out[1].get(), out[2].get()
        got = gpu.batch_norm_bwd(cp.asarray(g3), cp.asarray(x3),
                                 cp.asarray(w7), cp.asarray(m), cp.asarray(s),
                                 training, (1, 1, 1))
        check([a.get() for a in got],
              truth("batch_norm_bwd", g3, x3, w7, m, s, training, (1, 1, 1)),
              dtype, scale=100)


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_gpu_cell_kernels_match_reference(dtype):
    import cupy as cp
    from pytensor_ext import gpu
    rng = np.random.default_rng(21)
    B, H = 5, 7
    gx, gh = (rng.standard_normal((B, 4 * H)).astype(dtype) for _ in "ab")
    c0, dh, dc = (rng.standard_normal((B, H)).astype(dtype) for _ in "abc")
    got = gpu.lstm_cell_fwd(cp.asarray(gx), cp.asarray(gh), cp.asarray(c0))
    want = ref.lstm_cell_fwd(gx, gh, c0)
    check([a.get() for a in got], want, dtype)
    acts, c1 = want[2], want[1]
    got = gpu.lstm_cell_bwd(*(cp.asarray(a) for a in (acts, c0, c1, dh, dc)))
    check([a.get() for a in got], ref.lstm_cell_bwd(acts, c0, c1, dh, dc),
          dtype, scale=10)
    g3x, g3h = gx[:, :3 * H].copy(), gh[:, :3 * H].copy()
    got = gpu.gru_cell_fwd(cp.asarray(g3x), cp.asarray(g3h), cp.asarray(c0))
    want = ref.gru_cell_fwd(g3x, g3h, c0)
    check([a.get() for a in got], want, dtype)
    got = gpu.gru_cell_bwd(cp.asarray(want[1]), cp.asarray(c0),
                           cp.asarray(dh))
    check([a.get() for a in got], ref.gru_cell_bwd(want[1], c0, dh), dtype,
          scale=10)
