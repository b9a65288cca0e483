"""The whole-sequence LSTM kernels (``lstm_seq_fwd`` / ``lstm_seq_bwd``):
the compiled kernel (hidden units split over threads; float32 products on
weights packed once, or CBLAS calls) against the reference loop, over
thread counts that do and do not divide the hidden size, batch and hidden
sizes off the micro-kernel's 6 x 16 blocks, both directions, both float
types, and the fallback paths."""
import numpy as np
import pytest

from pytensor_ext import reference as ref
from pytensor_ext.cpu import _blas_lib
from tests.ext._util import compiled

TOL = {np.float32: dict(rtol=2e-5, atol=2e-6),
       np.float64: dict(rtol=1e-12, atol=1e-13)}


def _case(T, B, H, dtype, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((T, B, 4 * H)).astype(dtype)
    w = (rng.standard_normal((4 * H, H)) / np.sqrt(H)).astype(dtype)
    h0 = rng.standard_normal((B, H)).astype(dtype)
    c0 = rng.standard_normal((B, H)).astype(dtype)
    g_out = rng.standard_normal((T, B, H)).astype(dtype)
    dh = rng.standard_normal((B, H)).astype(dtype)
    dc = rng.standard_normal((B, H)).astype(dtype)
    bias = rng.standard_normal(4 * H).astype(dtype)
    return A, w, h0, c0, g_out, dh, dc, bias


def _run(fwd, bwd, case, reverse, **kw):
    A, w, h0, c0, g_out, dh, dc, bias = (
        a if a is None else a.copy() for a in case)
    T, B, H = A.shape[0], A.shape[1], w.shape[1]
    Hs = np.empty((T + 1, B, H), A.dtype)
    Cs = np.empty_like(Hs)
    first = T if reverse else 0
    Hs[first], Cs[first] = h0, c0
    fwd(A, Hs, Cs, w, bias, reverse=reverse, **kw)
    dG = np.empty_like(A)
    bwd(A, Hs, Cs, w, g_out, dh, dc, dG, reverse=reverse, **kw)
    return Hs, Cs, A, dG, dh, dc


def _check(got, want, dtype):
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, **TOL[dtype])


@pytest.fixture(params=[("packed", "units"), ("packed", "rows"),
                        ("cblas", "units"), ("cblas", "rows")],
                ids=lambda p: "-".join(p))
def direct(request):
    """The compiled kernels, under a single-threaded BLAS as the LSTM op
    runs them (else they run on one thread), with float32 products through
    the packed AVX2 kernel (where the CPU has it) and through CBLAS, and
    the work split by hidden units (a barrier per step) or by batch rows
    (none); failing, not skipping, where NumPy's BLAS is an OpenBLAS that
    the direct path should have found."""
    from threadpoolctl import threadpool_info, threadpool_limits
    from pytensor_ext.cpu import _lstm_seq
    fwd, bwd = compiled("lstm_seq_fwd"), compiled("lstm_seq_bwd")
    if any(i.get("internal_api") == "openblas" for i in threadpool_info()):
        assert _blas_lib.find_openblas() is not None
    products, split = request.param
    _lstm_seq._use_packed(products == "packed")
    _lstm_seq._use_split(split)
    try:
        with threadpool_limits(1, user_api="blas"):
            yield fwd, bwd
    finally:
        _lstm_seq._use_packed(True)
        _lstm_seq._use_split(None)


def test_without_bias(direct):
    case = _case(5, 3, 7, np.float32)[:-1] + (None,)
    want = _run(ref.lstm_seq_fwd, ref.lstm_seq_bwd, case, False)
    _check(_run(*direct, case, False, threads=2), want, np.float32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("T,B,H,threads", [
    (7, 3, 8, 2), (5, 4, 7, 2), (5, 4, 7, 3), (4, 2, 1, 2), (6, 5, 9, 0),
    (1, 1, 3, 1), (9, 2, 16, 4), (5, 13, 40, 2), (3, 7, 33, 1),
    (4, 3, 20, 4), (3, 32, 40, 2)])
def test_matches_the_reference(direct, dtype, reverse, T, B, H, threads):
    case = _case(T, B, H, dtype)
    want = _run(ref.lstm_seq_fwd, ref.lstm_seq_bwd, case, reverse)
    got = _run(*direct, case, reverse, threads=threads)
    _check(got, want, dtype)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_thread_count_does_not_change_the_result(direct, threads):
    """Each unit's values come from the same BLAS call shape per thread
    count; across counts they agree to rounding, and a count repeats
    bit for bit."""
    case = _case(8, 4, 12, np.float64, seed=3)
    one = _run(*direct, case, False, threads=1)
    a = _run(*direct, case, False, threads=threads)
    b = _run(*direct, case, False, threads=threads)
    _check(a, one, np.float64)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_multithreaded_blas_gives_the_same_result(direct):
    """Called where BLAS is not held at one thread, the kernels run on one
    thread (their threads' products would fight) with the same results."""
    from threadpoolctl import threadpool_limits
    case = _case(6, 4, 10, np.float64, seed=2)
    want = _run(*direct, case, False, threads=2)
    with threadpool_limits(2, user_api="blas"):
        got = _run(*direct, case, False, threads=2)
    _check(got, want, np.float64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_without_the_blas(direct, dtype):
    """With no CBLAS found, float64 (and float32 where the packed kernel is
    off) runs the loop, float32 on the packed kernel still runs it: the
    same results either way."""
    from pytensor_ext.cpu import _lstm_seq
    case = _case(5, 3, 6, dtype)
    want = _run(ref.lstm_seq_fwd, ref.lstm_seq_bwd, case, True)
    _lstm_seq._use_blas(False)
    try:
        got = _run(*direct, case, True, threads=2)
    finally:
        _lstm_seq._use_blas(True)
    _check(got, want, dtype)


def test_layouts_it_does_not_take_go_to_the_loop(direct):
    """A non-contiguous weight or output gradient is copied; a state buffer
    of another layout runs the loop; the results are the same."""
    fwd, bwd = direct
    A, w, h0, c0, g_out, dh, dc, bias = _case(4, 3, 5, np.float64)
    want = _run(ref.lstm_seq_fwd, ref.lstm_seq_bwd,
                (A, w, h0, c0, g_out, dh, dc, bias), False)
    wf = np.asfortranarray(w)
    gf = np.asfortranarray(g_out)
    bs = np.repeat(bias, 2)[::2]
    got = _run(fwd, bwd, (A, wf, h0, c0, gf, dh, dc, bs), False, threads=2)
    _check(got, want, np.float64)
    # Hs as a strided view: the compiled kernel hands it to the loop.
    Hs = np.empty((5, 3, 10))[:, :, ::2]
    Cs = np.empty((5, 3, 5))
    Hs[0], Cs[0] = h0, c0
    a = A.copy()
    fwd(a, Hs, Cs, w, bias, threads=2)
    np.testing.assert_allclose(Hs, want[0], rtol=1e-12, atol=1e-13)


def test_empty_sizes(direct):
    fwd, bwd = direct
    for T, B, H in ((0, 2, 3), (3, 0, 3), (3, 2, 0)):
        got = _run(fwd, bwd, _case(T, B, H, np.float32), False)
        want = _run(ref.lstm_seq_fwd, ref.lstm_seq_bwd,
                    _case(T, B, H, np.float32), False)
        for g, w in zip(got[2:], want[2:]):
            assert g.shape == w.shape


def test_nan_propagates(direct):
    """A NaN in one step's input reaches every later state (the debugger's
    NaN tracing relies on kernels not swallowing it)."""
    A, w, h0, c0, *_ = _case(6, 2, 4, np.float32)
    A[2, 1, 0] = np.nan
    Hs = np.zeros((7, 2, 4), np.float32)
    Cs = np.zeros_like(Hs)
    direct[0](A, Hs, Cs, w, threads=2)
    assert not np.isnan(Hs[:3]).any()
    assert np.isnan(Hs[3, 1]).any() and np.isnan(Hs[6]).any()


def test_lookup_opt_out(monkeypatch):
    monkeypatch.setenv("PYTENSOR_DIRECT_BLAS", "0")
    assert _blas_lib.find_openblas() is None


def test_lookup_of_a_library_without_the_symbols():
    import ctypes.util
    libm = ctypes.util.find_library("m")
    if libm is None:
        pytest.skip("no libm to load")
    assert _blas_lib._load(libm) is None
    assert _blas_lib._load("/nonexistent/libopenblas.so") is None


def test_the_packed_kernel_runs_where_the_cpu_has_avx2():
    """On an AVX2+FMA CPU the float32 products must take the packed kernel
    (else these tests would only exercise CBLAS there)."""
    from pytensor_ext.cpu import _lstm_seq
    compiled("lstm_seq_fwd")
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as f
    except ImportError:
        pytest.skip("NumPy does not report CPU features")
    assert _lstm_seq.packed_available() == bool(f.get("AVX2")
                                                and f.get("FMA3"))


def test_concurrent_calls_from_python_threads(direct):
    """Two Python threads in the kernels at once (the GIL is released
    inside): each call has its own team, barrier and buffers."""
    import threading
    cases = [_case(6, 4, 20, np.float32, seed=s) for s in (7, 8)]
    want = [_run(ref.lstm_seq_fwd, ref.lstm_seq_bwd, c, False)
            for c in cases]
    got = [None, None]
    errors = []

    def work(i):
        try:
            for _ in range(20):
                got[i] = _run(*direct, cases[i], False, threads=2)
        except Exception as e:          # reported below, not lost
            errors.append(e)
    ts = [threading.Thread(target=work, args=(i,)) for i in (0, 1)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    for g, w in zip(got, want):
        _check(g, w, np.float32)


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reverse", [False, True])
def test_gpu_twins_match_reference(dtype, reverse):
    """The CuPy twins (one cuBLAS product and one CUDA cell per step) on
    device arrays against the reference on host arrays."""
    import cupy as cp
    from pytensor_ext import gpu
    case = _case(6, 5, 12, dtype, seed=3)
    want = _run(ref.lstm_seq_fwd, ref.lstm_seq_bwd, case, reverse)
    A, w, h0, c0, g_out, dh, dc, bias = (cp.asarray(a) for a in case)
    T, B, H = 6, 5, 12
    Hs, Cs = cp.empty((T + 1, B, H), dtype), cp.empty((T + 1, B, H), dtype)
    first = T if reverse else 0
    Hs[first], Cs[first] = h0, c0
    gpu.lstm_seq_fwd(A, Hs, Cs, w, bias, reverse=reverse)
    dG = cp.empty_like(A)
    gpu.lstm_seq_bwd(A, Hs, Cs, w, g_out, dh, dc, dG, reverse=reverse)
    got = [a.get() for a in (Hs, Cs, A, dG, dh, dc)]
    tol = dict(rtol=2e-4, atol=2e-5) if dtype == np.float32 else TOL[dtype]
    for g, wnt in zip(got, want):
        np.testing.assert_allclose(g, wnt, **tol)


def _gpu_run(fwd, bwd, case, reverse, stride_g_out=False):
    """``_run`` on device arrays; ``stride_g_out`` hands the backward a
    non-contiguous output gradient (every other row of a wider one)."""
    import cupy as cp
    A, w, h0, c0, g_out, dh, dc, bias = (
        None if a is None else cp.asarray(a) for a in case)
    T, B, H = A.shape[0], A.shape[1], w.shape[1]
    Hs = cp.empty((T + 1, B, H), A.dtype)
    Cs = cp.empty_like(Hs)
    first = T if reverse else 0
    Hs[first], Cs[first] = h0, c0
    fwd(A, Hs, Cs, w, bias, reverse=reverse)
    if stride_g_out:
        wide = cp.zeros((T, 2 * B, H), A.dtype)
        wide[:, ::2] = g_out
        g_out = wide[:, ::2]
        assert not g_out.flags.c_contiguous
    dG = cp.empty_like(A)
    bwd(A, Hs, Cs, w, g_out, dh, dc, dG, reverse=reverse)
    return [a.get() for a in (Hs, Cs, A, dG, dh, dc)]


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("shape", [(64, 32, 256), (5, 3, 7), (1, 1, 1)])
@pytest.mark.parametrize("bias", [True, False])
def test_gpu_step_kernels_match_cell_loop(dtype, reverse, shape, bias):
    """The step kernels (one cuBLAS call and one launch per step on the
    whole buffers) against the loop of cuBLAS products and cell kernels
    they replace, on the device: the same formulas in the same order, so
    they agree to a few units of the last place (cuBLAS may pick another
    algorithm for a raw call than for ``matmul``)."""
    from pytensor_ext import gpu
    from pytensor_ext.gpu import rnn
    case = list(_case(*shape, dtype, seed=5))
    if not bias:
        case[7] = None

    def loop_fwd(A, Hs, Cs, w, b, reverse):
        return ref.lstm_seq_loop_fwd(A, Hs, Cs, w, b, reverse,
                                     rnn.lstm_cell_fwd)

    def loop_bwd(A, Hs, Cs, w, g, dh, dc, dG, reverse):
        return ref.lstm_seq_loop_bwd(A, Hs, Cs, w, g, dh, dc, dG, reverse,
                                     rnn.lstm_cell_bwd)
    want = _gpu_run(loop_fwd, loop_bwd, case, reverse)
    got = _gpu_run(gpu.lstm_seq_fwd, gpu.lstm_seq_bwd, case, reverse)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else \
        dict(rtol=1e-12, atol=1e-13)
    for g, wnt in zip(got, want):
        np.testing.assert_allclose(g, wnt, **tol)
    host = _run(ref.lstm_seq_fwd, ref.lstm_seq_bwd, case, reverse)
    tol = dict(rtol=2e-4, atol=2e-5) if dtype == np.float32 else TOL[dtype]
    for g, wnt in zip(got, host):
        np.testing.assert_allclose(g, wnt, **tol)


@pytest.mark.gpu
def test_gpu_step_kernels_odd_buffers_and_streams():
    """A non-contiguous output gradient (copied once), state buffers the
    step kernels cannot take (the cell loop runs), an empty sequence, and
    a non-default stream with cuBLAS's pointer mode left as it was."""
    import cupy as cp
    from cupy.cuda import device
    from cupy_backends.cuda.libs import cublas
    from pytensor_ext import gpu
    case = _case(6, 4, 8, np.float64, seed=7)
    want = _run(ref.lstm_seq_fwd, ref.lstm_seq_bwd, case, False)
    got = _gpu_run(gpu.lstm_seq_fwd, gpu.lstm_seq_bwd, case, False,
                   stride_g_out=True)
    for g, wnt in zip(got, want):
        np.testing.assert_allclose(g, wnt, **TOL[np.float64])

    # Hs a strided view: the loop of cell kernels, same results.
    A, w, h0, c0, g_out, dh, dc, bias = (cp.asarray(a) for a in case)
    big = cp.empty((7, 4, 16))
    Hs, Cs = big[:, :, ::2], cp.empty((7, 4, 8))
    Hs[0], Cs[0] = h0, c0
    gpu.lstm_seq_fwd(A, Hs, Cs, w, bias)
    np.testing.assert_allclose(Hs.get(), want[0], **TOL[np.float64])

    # A strided view of the gates, and a weight left on the host: the loop.
    wideA = cp.zeros((6, 4, 64))
    wideA[:, :, ::2] = cp.asarray(case[0])     # A was written above
    Hs, Cs = cp.empty((7, 4, 8)), cp.empty((7, 4, 8))
    Hs[0], Cs[0] = h0, c0
    gpu.lstm_seq_fwd(wideA[:, :, ::2], Hs, Cs, w, bias)
    np.testing.assert_allclose(Hs.get(), want[0], **TOL[np.float64])
    assert not gpu.rnn._seq_ready(A, Hs, Cs, w.get())

    e = cp.empty((0, 4, 32))
    gpu.lstm_seq_fwd(e, cp.zeros((1, 4, 8)), cp.zeros((1, 4, 8)), w, bias)

    handle = device.get_cublas_handle()
    before = cublas.getPointerMode(handle)
    with cp.cuda.Stream(non_blocking=True):
        got = _gpu_run(gpu.lstm_seq_fwd, gpu.lstm_seq_bwd, case, True)
    want = _run(ref.lstm_seq_fwd, ref.lstm_seq_bwd, case, True)
    for g, wnt in zip(got, want):
        np.testing.assert_allclose(g, wnt, **TOL[np.float64])
    assert cublas.getPointerMode(handle) == before


def test_row_and_unit_splits_agree_bit_for_bit():
    """The two ways of splitting the work give the same bits on the packed
    path (each output element sums the same products in the same order),
    and the kernel picks the row split for a batch of at least four rows
    per thread."""
    from pytensor_ext.cpu import _lstm_seq
    fwd, bwd = compiled("lstm_seq_fwd"), compiled("lstm_seq_bwd")
    case = _case(6, 16, 40, np.float32, seed=4)
    got = {}
    try:
        for split in ("units", "rows", None):
            _lstm_seq._use_split(split)
            got[split] = _run(fwd, bwd, case, False, threads=2)
    finally:
        _lstm_seq._use_split(None)
    for a, b, c in zip(got["units"], got["rows"], got[None]):
        if _lstm_seq.packed_available():
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(b, c)
