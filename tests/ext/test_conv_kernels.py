"""im2col / col2im: the compiled kernels against the NumPy reference (and
the reference against PyTorch's unfold/fold), over layouts, strides,
dtypes, empty and odd shapes, and the threaded loops."""
import numpy as np
import pytest

from pytensor_ext import cpu, reference as ref

compiled = pytest.mark.skipif(not cpu.HAVE_CPU_EXT,
                              reason="compiled kernels not built")

# (N, C, H, W), kernel, stride, padding, dilation
GEOMS = [
    ((2, 3, 7, 6), (3, 3), (1, 1), (1, 1), (1, 1)),
    ((1, 2, 5, 8), (2, 3), (2, 1), (0, 2), (2, 1)),
    ((3, 1, 9, 4), (1, 1), (1, 1), (0, 0), (1, 1)),
    ((2, 4, 6, 6), (3, 2), (3, 2), (2, 1), (1, 2)),
    ((0, 3, 5, 5), (3, 3), (1, 1), (1, 1), (1, 1)),      # empty batch
    ((2, 2, 1, 1), (3, 3), (1, 1), (1, 1), (1, 1)),      # padding only
    ((1, 3, 11, 13), (4, 5), (3, 4), (3, 2), (1, 1)),    # odd sizes
]


def _blocks(shape, k, s, p, d):
    return tuple((shape[2 + i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1
                 for i in range(2))


def _strided(a):
    """The same values as a non-contiguous array (every other column of a
    wider buffer, channels transposed in memory)."""
    big = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
    big[..., ::2] = a
    view = big[..., ::2]
    t = np.zeros((a.shape[1], a.shape[0]) + a.shape[2:], a.dtype)
    t[...] = a.transpose(1, 0, 2, 3)
    return view if a.shape[-1] % 2 else t.transpose(1, 0, 2, 3)


def _input(shape, dtype, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _tol(dtype):
    return dict(rtol=1e-5, atol=1e-5) if dtype == "float32" else \
        dict(rtol=1e-12, atol=1e-12)


@compiled
@pytest.mark.parametrize("layout", ["nkl", "knl"])
@pytest.mark.parametrize("strided", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("geom", GEOMS, ids=lambda g: "x".join(map(str, g[0])))
def test_im2col_matches_reference(geom, dtype, strided, layout):
    shape, k, s, p, d = geom
    x = _input(shape, dtype)
    if strided:
        x = _strided(x)
    b = _blocks(shape, k, s, p, d)
    got = cpu.im2col(x, k, s, p, d, b, layout)
    want = ref.im2col(np.ascontiguousarray(x), k, s, p, d, b, layout)
    assert got.dtype == x.dtype and got.shape == want.shape
    assert got.flags.c_contiguous
    np.testing.assert_array_equal(got, want)        # a copy: exact


@compiled
@pytest.mark.parametrize("layout", ["nkl", "knl"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("geom", GEOMS, ids=lambda g: "x".join(map(str, g[0])))
def test_col2im_matches_reference(geom, dtype, layout):
    shape, k, s, p, d = geom
    b = _blocks(shape, k, s, p, d)
    n, c = shape[:2]
    kk, big_l = k[0] * k[1], b[0] * b[1]
    cshape = (n, c * kk, big_l) if layout == "nkl" else (c * kk, n * big_l)
    cols = _input(cshape, dtype, seed=1)
    got = cpu.col2im(cols, shape[2:], k, s, p, d, b, layout)
    want = ref.col2im(cols, shape[2:], k, s, p, d, b, layout)
    assert got.dtype == cols.dtype and got.shape == shape
    np.testing.assert_allclose(got, want, **_tol(dtype))
    # Non-contiguous columns give the same result.
    got2 = cpu.col2im(np.asfortranarray(cols), shape[2:], k, s, p, d, b,
                      layout)
    np.testing.assert_array_equal(got2, got)


@compiled
def test_col2im_is_the_adjoint_of_im2col():
    shape, k, s, p, d = (2, 3, 7, 6), (3, 2), (2, 1), (1, 1), (1, 2)
    b = _blocks(shape, k, s, p, d)
    x = _input(shape, "float64")
    c = _input((3 * 6, 2 * b[0] * b[1]), "float64", seed=2)
    lhs = np.vdot(cpu.im2col(x, k, s, p, d, b, "knl"), c)
    rhs = np.vdot(x, cpu.col2im(c, shape[2:], k, s, p, d, b, "knl"))
    assert abs(lhs - rhs) < 1e-9 * max(1.0, abs(lhs))


@compiled
@pytest.mark.parametrize("layout", ["nkl", "knl"])
def test_threaded_loops_match_serial(layout):
    from pytensor_ext.cpu import _conv
    shape, k, s, p, d = (4, 5, 12, 10), (3, 3), (1, 2), (1, 1), (1, 1)
    b = _blocks(shape, k, s, p, d)
    x = _input(shape, "float32")
    serial = cpu.im2col(x, k, s, p, d, b, layout)
    back = cpu.col2im(serial, shape[2:], k, s, p, d, b, layout)
    old = _conv._set_grain(1)
    try:
        np.testing.assert_array_equal(cpu.im2col(x, k, s, p, d, b, layout),
                                      serial)
        np.testing.assert_array_equal(
            cpu.col2im(serial, shape[2:], k, s, p, d, b, layout), back)
    finally:
        _conv._set_grain(old)


def test_other_dtypes_use_the_reference():
    x = np.arange(2 * 1 * 4 * 4).reshape(2, 1, 4, 4)
    got = cpu.im2col(x, (2, 2), (2, 2), (0, 0), (1, 1), (2, 2))
    assert got.dtype == x.dtype
    np.testing.assert_array_equal(
        got, ref.im2col(x, (2, 2), (2, 2), (0, 0), (1, 1), (2, 2)))
    back = cpu.col2im(got, (4, 4), (2, 2), (2, 2), (0, 0), (1, 1), (2, 2))
    np.testing.assert_array_equal(back, x)


@pytest.mark.torch
@pytest.mark.parametrize("geom", GEOMS[:4] + GEOMS[5:],
                         ids=lambda g: "x".join(map(str, g[0])))
def test_reference_matches_torch_unfold_fold(geom, torch):
    shape, k, s, p, d = geom
    x = _input(shape, "float64")
    b = _blocks(shape, k, s, p, d)
    F = torch.nn.functional
    want = F.unfold(torch.from_numpy(x), k, d, p, s).numpy()
    np.testing.assert_array_equal(ref.im2col(x, k, s, p, d, b), want)
    folded = F.fold(torch.from_numpy(want), shape[2:], k, d, p, s).numpy()
    np.testing.assert_allclose(ref.col2im(want, shape[2:], k, s, p, d, b),
                               folded, rtol=1e-12, atol=1e-12)


@compiled
@pytest.mark.parametrize("call, err", [
    (lambda: cpu.im2col(np.zeros((2, 3, 4), np.float32), (1, 1), (1, 1),
                        (0, 0), (1, 1), (4, 4)), "4-d"),
    (lambda: cpu.im2col(np.zeros((1, 1, 4, 4), np.float32), (0, 1), (1, 1),
                        (0, 0), (1, 1), (4, 4)), "kernel_size"),
    (lambda: cpu.im2col(np.zeros((1, 1, 4, 4), np.float32), (1, 1), (1, 0),
                        (0, 0), (1, 1), (4, 4)), "stride"),
    (lambda: cpu.im2col(np.zeros((1, 1, 4, 4), np.float32), (1, 1), (1, 1),
                        (-1, 0), (1, 1), (4, 4)), "padding"),
    (lambda: cpu.im2col(np.zeros((1, 1, 4, 4), np.float32), (1, 1), (1, 1),
                        (0, 0), (1, 1), (4, 4), "ncl"), "layout"),
    (lambda: cpu.col2im(np.zeros((1, 5, 16), np.float32), (4, 4), (2, 2),
                        (1, 1), (0, 0), (1, 1), (3, 3)), "expected columns"),
    (lambda: cpu.col2im(np.zeros((8, 10), np.float32), (4, 4), (2, 2),
                        (1, 1), (0, 0), (1, 1), (3, 3), "knl"),
     "expected columns"),
])
def test_kernel_argument_errors(call, err):
    with pytest.raises((ValueError, TypeError), match=err):
        call()


# --- on a GPU (compile-checked everywhere by tests/ext/test_compile_check) --
@pytest.mark.gpu
@pytest.mark.parametrize("layout", ["nkl", "knl"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("geom", GEOMS, ids=lambda g: "x".join(map(str, g[0])))
def test_gpu_im2col_col2im_match_reference(geom, dtype, layout):
    import cupy as cp
    from pytensor_ext import gpu
    shape, k, s, p, d = geom
    b = _blocks(shape, k, s, p, d)
    x = _strided(_input(shape, dtype))
    got = gpu.im2col(cp.asarray(x) if x.flags.c_contiguous else
                     cp.asarray(np.ascontiguousarray(x)).transpose(
                         1, 0, 2, 3).copy().transpose(1, 0, 2, 3),
                     k, s, p, d, b, layout)
    want = ref.im2col(np.ascontiguousarray(x), k, s, p, d, b, layout)
    np.testing.assert_array_equal(cp.asnumpy(got), want)
    cols = _input(want.shape, dtype, seed=1)
    np.testing.assert_allclose(
        cp.asnumpy(gpu.col2im(cp.asarray(cols), shape[2:], k, s, p, d, b,
                              layout)),
        cpu.col2im(cols, shape[2:], k, s, p, d, b, layout), **_tol(dtype))


@pytest.mark.gpu
def test_gpu_conv_kernel_errors():
    import cupy as cp
    from pytensor_ext import gpu
    with pytest.raises(ValueError, match="im2col: expected a 4-d"):
        gpu.im2col(cp.zeros((2, 3, 4)), (1, 1), (1, 1), (0, 0), (1, 1),
                   (4, 4))
    with pytest.raises(ValueError, match="col2im: expected columns"):
        gpu.col2im(cp.zeros((1, 5, 16)), (4, 4), (2, 2), (1, 1), (0, 0),
                   (1, 1), (3, 3))
