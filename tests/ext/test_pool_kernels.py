"""Pooling kernels: the compiled ones against the NumPy reference (values
and indices exactly, ties and NaN included), and the reference against
PyTorch, over strides, dtypes, empty and odd shapes and threaded loops."""
import numpy as np
import pytest

from pytensor_ext import cpu, reference as ref

compiled = pytest.mark.skipif(not cpu.HAVE_CPU_EXT,
                              reason="compiled kernels not built")


def _out(size, k, s, p, d, ceil):
    o = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= size + p:
        o -= 1
    return o


# (N, C, H, W), kernel, stride, padding, dilation, ceil_mode
GEOMS = [
    ((2, 3, 8, 8), (2, 2), (2, 2), (0, 0), (1, 1), False),
    ((2, 3, 7, 9), (3, 3), (2, 2), (1, 1), (1, 1), True),
    ((1, 2, 9, 7), (3, 2), (1, 3), (1, 1), (2, 1), True),
    ((3, 1, 5, 6), (1, 3), (2, 1), (0, 1), (1, 2), False),
    ((0, 2, 6, 6), (2, 2), (2, 2), (0, 0), (1, 1), False),   # empty batch
    ((1, 4, 13, 11), (4, 3), (3, 2), (2, 1), (1, 1), True),  # odd sizes
]
IDS = ["x".join(map(str, g[0])) + ("c" if g[5] else "") for g in GEOMS]


def _blocks(g):
    shape, k, s, p, d, ceil = g
    return tuple(_out(shape[2 + i], k[i], s[i], p[i], d[i], ceil)
                 for i in range(2))


def _data(shape, dtype, seed=0, ties=True, nans=False):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if ties:
        x = np.round(x * 2) / 2             # many equal values
    if nans and x.size:
        x.flat[rng.integers(0, x.size, max(1, x.size // 10))] = np.nan
    return x.astype(dtype)


def _strided(a):
    t = np.zeros((a.shape[1], a.shape[0]) + a.shape[2:], a.dtype)
    t[...] = a.transpose(1, 0, 2, 3)
    return t.transpose(1, 0, 2, 3)          # planes intact, N/C swapped


@compiled
@pytest.mark.parametrize("nans", [False, True])
@pytest.mark.parametrize("strided", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("geom", GEOMS, ids=IDS)
def test_max_pool_matches_reference(geom, dtype, strided, nans):
    shape, k, s, p, d, _ = geom
    x = _data(shape, dtype, nans=nans)
    xs = _strided(x) if strided else x
    b = _blocks(geom)
    v, i = cpu.max_pool2d_fwd(xs, k, s, p, d, b)
    rv, ri = ref.max_pool2d_fwd(x, k, s, p, d, b)
    assert v.dtype == x.dtype and i.dtype == np.int64
    np.testing.assert_array_equal(v, rv)
    np.testing.assert_array_equal(i, ri)
    g = _data(v.shape, dtype, seed=3, ties=False)
    np.testing.assert_allclose(cpu.max_pool2d_bwd(g, i, shape[2:]),
                               ref.max_pool2d_bwd(g, i, shape[2:]),
                               rtol=1e-6, atol=1e-6)


@compiled
@pytest.mark.parametrize("divisor", [None, 3])
@pytest.mark.parametrize("count_pad", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("geom", GEOMS, ids=IDS)
def test_avg_pool_matches_reference(geom, dtype, count_pad, divisor):
    shape, k, s, p, _, _ = geom
    g1 = (shape, k, s, p, (1, 1), geom[5])
    b = _blocks(g1)
    x = _data(shape, dtype, ties=False)
    got = cpu.avg_pool2d_fwd(_strided(x), k, s, p, b, count_pad, divisor)
    want = ref.avg_pool2d_fwd(x, k, s, p, b, count_pad, divisor)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else {}
    np.testing.assert_allclose(got, want, **tol)
    gy = _data(want.shape, dtype, seed=4, ties=False)
    np.testing.assert_allclose(
        cpu.avg_pool2d_bwd(gy, shape[2:], k, s, p, count_pad, divisor),
        ref.avg_pool2d_bwd(gy, shape[2:], k, s, p, count_pad, divisor),
        **tol)


@compiled
@pytest.mark.parametrize("out", [(1, 1), (3, 4), (5, 7), (9, 2)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_adaptive_pools_match_reference(out, dtype):
    x = _data((2, 3, 7, 6), dtype, nans=dtype == "float64")
    v, i = cpu.adaptive_max_pool2d_fwd(x, out)
    rv, ri = ref.adaptive_max_pool2d_fwd(x, out)
    np.testing.assert_array_equal(v, rv)
    np.testing.assert_array_equal(i, ri)
    x = _data((2, 3, 7, 6), dtype, ties=False)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else {}
    y = cpu.adaptive_avg_pool2d_fwd(_strided(x), out)
    np.testing.assert_allclose(y, ref.adaptive_avg_pool2d_fwd(x, out), **tol)
    gy = _data(y.shape, dtype, seed=5, ties=False)
    np.testing.assert_allclose(cpu.adaptive_avg_pool2d_bwd(gy, (7, 6)),
                               ref.adaptive_avg_pool2d_bwd(gy, (7, 6)),
                               **tol)


@compiled
def test_threaded_loops_match_serial():
    from pytensor_ext.cpu import _pool
    x = _data((3, 5, 10, 9), "float32", nans=True)
    args = ((3, 3), (2, 2), (1, 1), (1, 1), (5, 5))
    serial = cpu.max_pool2d_fwd(x, *args)
    gy = _data(serial[0].shape, "float32", seed=2, ties=False)
    sb = cpu.max_pool2d_bwd(gy, serial[1], (10, 9))
    sa = cpu.avg_pool2d_fwd(x, (3, 3), (2, 2), (1, 1), (5, 5))
    sab = cpu.avg_pool2d_bwd(gy, (10, 9), (3, 3), (2, 2), (1, 1))
    sad = cpu.adaptive_avg_pool2d_fwd(x, (4, 3))
    old = _pool._set_grain(1)
    try:
        v, i = cpu.max_pool2d_fwd(x, *args)
        np.testing.assert_array_equal(v, serial[0])
        np.testing.assert_array_equal(i, serial[1])
        np.testing.assert_array_equal(cpu.max_pool2d_bwd(gy, i, (10, 9)), sb)
        np.testing.assert_array_equal(
            cpu.avg_pool2d_fwd(x, (3, 3), (2, 2), (1, 1), (5, 5)), sa)
        np.testing.assert_array_equal(
            cpu.avg_pool2d_bwd(gy, (10, 9), (3, 3), (2, 2), (1, 1)), sab)
        np.testing.assert_array_equal(cpu.adaptive_avg_pool2d_fwd(x, (4, 3)),
                                      sad)
    finally:
        _pool._set_grain(old)


@compiled
def test_max_pool_bwd_skips_indices_outside_the_plane():
    gy = np.ones((1, 1, 1, 3), np.float32)
    idx = np.array([[[[0, 4, -1]]]], np.int64)      # 4 and -1: outside 2x2
    gx = cpu.max_pool2d_bwd(gy, idx, (2, 2))
    np.testing.assert_array_equal(gx, [[[[1, 0], [0, 0]]]])
    np.testing.assert_array_equal(ref.max_pool2d_bwd(gy, idx, (2, 2)), gx)


def test_integer_inputs_use_the_reference():
    x = np.arange(32).reshape(1, 2, 4, 4) - 16
    v, i = cpu.max_pool2d_fwd(x, (2, 2), (2, 2), (0, 0), (1, 1), (2, 2))
    assert v.dtype == x.dtype
    np.testing.assert_array_equal(v, x.reshape(1, 2, 2, 2, 2, 2).max((3, 5)))
    a = cpu.avg_pool2d_fwd(x, (2, 2), (2, 2), (0, 0), (2, 2))
    assert a.dtype == x.dtype


@pytest.mark.torch
@pytest.mark.parametrize("geom", GEOMS, ids=IDS)
def test_reference_matches_torch(geom, torch):
    """The reference is the oracle of the compiled kernels; it is checked
    against PyTorch here (values, indices, ties and NaN, divisors)."""
    shape, k, s, p, d, ceil = geom
    F = torch.nn.functional
    x = _data(shape, "float64", nans=True)
    v, i = ref.max_pool2d_fwd(x, k, s, p, d, _blocks(geom))
    tv, ti = F.max_pool2d(torch.from_numpy(x), k, s, p, d, ceil,
                          return_indices=True)
    np.testing.assert_array_equal(v, tv.numpy())
    np.testing.assert_array_equal(i, ti.numpy())
    x = _data(shape, "float64", ties=False)
    b1 = _blocks((shape, k, s, p, (1, 1), ceil))
    for cip, div in ((True, None), (False, None), (True, 2)):
        want = F.avg_pool2d(torch.from_numpy(x), k, s, p, ceil, cip, div)
        np.testing.assert_allclose(
            ref.avg_pool2d_fwd(x, k, s, p, b1, cip, div), want.numpy(),
            rtol=1e-12, atol=1e-12)
    xi = np.random.default_rng(0).integers(-9, 9, shape)
    np.testing.assert_array_equal(
        ref.avg_pool2d_fwd(xi, k, s, p, b1),
        F.avg_pool2d(torch.from_numpy(xi), k, s, p, ceil).numpy())


@compiled
@pytest.mark.parametrize("call, err", [
    (lambda: cpu.max_pool2d_fwd(np.zeros((2, 4, 4), np.float32), (2, 2),
                                (2, 2), (0, 0), (1, 1), (2, 2)), "4-d"),
    (lambda: cpu.max_pool2d_fwd(np.zeros((1, 1, 4, 4), np.float32), (2, 2),
                                (0, 2), (0, 0), (1, 1), (2, 2)), "stride"),
    (lambda: cpu.max_pool2d_bwd(np.zeros((1, 1, 2, 2), np.float32),
                                np.zeros((1, 1, 2, 1), np.int64), (4, 4)),
     "same shape"),
    (lambda: cpu.max_pool2d_bwd(np.zeros((1, 1, 2, 2), np.float32),
                                np.zeros((1, 1, 2, 2), np.float32), (4, 4)),
     "integers"),
    (lambda: cpu.avg_pool2d_fwd(np.zeros((1, 1, 4, 4), np.float32), (2,),
                                (2, 2), (0, 0), (2, 2)), "kernel_size"),
    (lambda: cpu.adaptive_avg_pool2d_fwd(np.zeros((1, 1, 0, 4), np.float32),
                                         (2, 2)), "empty"),
])
def test_kernel_argument_errors(call, err):
    with pytest.raises((ValueError, TypeError), match=err):
        call()


# --- on a GPU (compile-checked everywhere by tests/ext/test_compile_check) --
@pytest.mark.gpu
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("geom", GEOMS, ids=IDS)
def test_gpu_pooling_matches_reference(geom, dtype):
    import cupy as cp
    from pytensor_ext import gpu
    shape, k, s, p, d, ceil = geom
    x = _data(shape, dtype, nans=True)
    xd = cp.asarray(x).transpose(1, 0, 2, 3).copy().transpose(1, 0, 2, 3)
    b = _blocks(geom)
    v, i = gpu.max_pool2d_fwd(xd, k, s, p, d, b)
    rv, ri = ref.max_pool2d_fwd(x, k, s, p, d, b)
    np.testing.assert_array_equal(cp.asnumpy(v), rv)
    np.testing.assert_array_equal(cp.asnumpy(i), ri)
    gy = _data(rv.shape, dtype, seed=3, ties=False)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == "float32" else {}
    np.testing.assert_allclose(
        cp.asnumpy(gpu.max_pool2d_bwd(cp.asarray(gy), i, shape[2:])),
        ref.max_pool2d_bwd(gy, ri, shape[2:]), **tol)
    x = _data(shape, dtype, ties=False)
    b1 = _blocks((shape, k, s, p, (1, 1), ceil))
    for cip, div in ((True, None), (False, None), (True, 3)):
        y = gpu.avg_pool2d_fwd(cp.asarray(x), k, s, p, b1, cip, div)
        np.testing.assert_allclose(
            cp.asnumpy(y), ref.avg_pool2d_fwd(x, k, s, p, b1, cip, div),
            **tol)
        g = _data(y.shape, dtype, seed=4, ties=False)
        np.testing.assert_allclose(
            cp.asnumpy(gpu.avg_pool2d_bwd(cp.asarray(g), shape[2:], k, s, p,
                                          cip, div)),
            ref.avg_pool2d_bwd(g, shape[2:], k, s, p, cip, div), **tol)
    for out in ((1, 1), (3, 4), (9, 2)):
        y = gpu.adaptive_avg_pool2d_fwd(cp.asarray(x), out)
        np.testing.assert_allclose(cp.asnumpy(y),
                                   ref.adaptive_avg_pool2d_fwd(x, out), **tol)
        g = _data(y.shape, dtype, seed=5, ties=False)
        np.testing.assert_allclose(
            cp.asnumpy(gpu.adaptive_avg_pool2d_bwd(cp.asarray(g),
                                                   shape[2:])),
            ref.adaptive_avg_pool2d_bwd(g, shape[2:]), **tol)
        v, i = gpu.adaptive_max_pool2d_fwd(cp.asarray(x), out)
        rv, ri = ref.adaptive_max_pool2d_fwd(x, out)
        np.testing.assert_array_equal(cp.asnumpy(v), rv)
        np.testing.assert_array_equal(cp.asnumpy(i), ri)
