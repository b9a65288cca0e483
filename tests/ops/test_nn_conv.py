"""conv1d, conv2d, conv_transpose1d, conv_transpose2d: parity with PyTorch
(forward, input/weight/bias gradients, float32/float64, contiguous and
strided) and float64 gradcheck from tables; double backward against
PyTorch; argument forms; errors."""
import numpy as np
import pytest

import pytensor
import pytensor.nn.functional as F
from tests.parity import OpCase, define_tests


def _f(name, **kw):
    """``T.nn.functional.<name>(*inputs, **kw)`` for either library."""
    return lambda T, *a: getattr(T.nn.functional, name)(*a, **kw)


pytestmark = pytest.mark.filterwarnings(
    "ignore:Using padding=.same. with even kernel lengths:UserWarning")

CONV_TOL = dict(atol=1e-4, rtol=1e-4, grad_atol=2e-4, grad_rtol=1e-3)

CASES = [
    # conv2d ------------------------------------------------------------
    OpCase("conv2d", _f("conv2d"),
           [((2, 3, 6, 5), (4, 3, 3, 3), (4,)),
            ((1, 2, 4, 4), (3, 2, 2, 2), (3,)),
            ((0, 3, 5, 5), (4, 3, 3, 3), (4,)),             # empty batch
            ((3, 5, 5), (2, 3, 3, 3), (2,))], **CONV_TOL),  # unbatched
    OpCase("conv2d_nobias", _f("conv2d"),
           [((2, 3, 7, 6), (4, 3, 2, 3)), ((1, 1, 4, 3), (2, 1, 2, 2))],
           **CONV_TOL),
    OpCase("conv2d_stride_pad", _f("conv2d", stride=2, padding=1),
           [((2, 3, 7, 8), (4, 3, 3, 3), (4,)),
            ((1, 2, 5, 4), (2, 2, 3, 2), (2,))], **CONV_TOL),
    OpCase("conv2d_asym", _f("conv2d", stride=(2, 1), padding=(0, 2),
                             dilation=(1, 2)),
           [((2, 2, 9, 7), (3, 2, 3, 2), (3,)),
            ((1, 1, 5, 4), (2, 1, 2, 2), (2,))], **CONV_TOL),
    OpCase("conv2d_dilation", _f("conv2d", dilation=2, padding=2),
           [((2, 3, 9, 9), (4, 3, 3, 3), (4,)),
            ((1, 1, 4, 4), (2, 1, 2, 2), (2,))], **CONV_TOL),
    OpCase("conv2d_groups", _f("conv2d", groups=2, padding=1),
           [((2, 4, 6, 5), (6, 2, 3, 3), (6,)),
            ((1, 2, 3, 3), (4, 1, 2, 2), (4,))], **CONV_TOL),
    OpCase("conv2d_depthwise", _f("conv2d", groups=3, stride=2, padding=1),
           [((2, 3, 7, 7), (3, 1, 3, 3), (3,)),
            ((1, 3, 4, 4), (6, 1, 2, 2), (6,))], **CONV_TOL),
    OpCase("conv2d_1x1", _f("conv2d"),
           [((2, 5, 4, 3), (3, 5, 1, 1), (3,)), ((1, 3, 3, 3), (2, 3, 1, 1),
                                                 (2,))], **CONV_TOL),
    OpCase("conv2d_same", _f("conv2d", padding="same"),
           [((2, 3, 6, 7), (4, 3, 3, 3), (4,)),
            ((2, 2, 5, 6), (3, 2, 4, 2), (3,)),             # even kernel
            ((1, 1, 4, 4), (2, 1, 2, 3), (2,))], **CONV_TOL),
    OpCase("conv2d_same_dilated", _f("conv2d", padding="same", dilation=2),
           [((2, 2, 7, 6), (3, 2, 3, 2), (3,))], **CONV_TOL),
    OpCase("conv2d_valid", _f("conv2d", padding="valid", stride=3),
           [((2, 3, 10, 11), (2, 3, 4, 4), (2,))], **CONV_TOL),
    OpCase("conv2d_int", _f("conv2d", padding=1), [((2, 3, 4, 4), (2, 3, 3, 3),
                                                    (2,))],
           int_inputs=(0, 1, 2), int_domain=(-3, 4), grad=False,
           dtypes=("float64",)),
    # conv1d ------------------------------------------------------------
    OpCase("conv1d", _f("conv1d", stride=2, padding=1),
           [((2, 3, 9), (4, 3, 3), (4,)), ((1, 2, 5), (3, 2, 2), (3,)),
            ((3, 9), (4, 3, 3), (4,)), ((0, 3, 9), (4, 3, 3), (4,))],
           **CONV_TOL),
    OpCase("conv1d_groups_dilation", _f("conv1d", groups=2, dilation=2),
           [((2, 4, 11), (6, 2, 3)), ((1, 2, 6), (2, 1, 2))], **CONV_TOL),
    OpCase("conv1d_same", _f("conv1d", padding="same"),
           [((2, 3, 8), (2, 3, 4), (2,)), ((1, 2, 5), (2, 2, 3), (2,))],
           **CONV_TOL),
    # transposed --------------------------------------------------------
    OpCase("conv_transpose2d", _f("conv_transpose2d", stride=2, padding=1,
                                  output_padding=1),
           [((2, 4, 4, 5), (4, 3, 3, 3), (3,)),
            ((1, 2, 2, 3), (2, 2, 2, 2), (2,)),
            ((4, 3, 3), (4, 2, 3, 3), (2,)),
            ((0, 4, 3, 3), (4, 2, 3, 3), (2,))], **CONV_TOL),
    OpCase("conv_transpose2d_groups", _f("conv_transpose2d", stride=(1, 2),
                                         groups=2, dilation=(2, 1),
                                         output_padding=(1, 1)),
           [((2, 4, 4, 3), (4, 3, 3, 2), (6,)),
            ((1, 2, 2, 2), (2, 2, 2, 2), (4,))], **CONV_TOL),
    OpCase("conv_transpose2d_nobias", _f("conv_transpose2d"),
           [((2, 3, 5, 4), (3, 2, 2, 3))], **CONV_TOL),
    OpCase("conv_transpose1d", _f("conv_transpose1d", stride=3, padding=2,
                                  output_padding=2, dilation=2),
           [((2, 3, 6), (3, 4, 3), (4,)), ((1, 2, 3), (2, 3, 2), (3,))],
           **CONV_TOL),
]

define_tests(CASES, globals())


def _np(t):
    return np.asarray(t.detach()._data if hasattr(t, "_data") else
                      t.detach().numpy())


def _both(torch, shapes, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    return ([pytensor.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


@pytest.mark.torch
@pytest.mark.parametrize("name, kw, shapes", [
    ("conv2d", dict(stride=2, padding=1, groups=2),
     [(2, 4, 5, 5), (6, 2, 3, 3), (6,)]),
    ("conv1d", dict(dilation=2), [(2, 3, 9), (4, 3, 3), (4,)]),
    ("conv_transpose2d", dict(stride=2, output_padding=1, padding=1),
     [(2, 3, 3, 4), (3, 2, 3, 3), (2,)]),
])
def test_double_backward_matches_torch(torch, name, kw, shapes):
    """Second derivatives (gradient penalty style) against PyTorch: the
    three conv directions differentiate each other."""
    outs = []
    for T, ins in zip((pytensor, torch), _both(torch, shapes)):
        y = getattr(T.nn.functional, name)(*ins, **kw)
        gx, gw = T.autograd.grad((y * y).sum(), ins[:2], create_graph=True)
        pen = (gx * gx).sum() + (gw * gw * gw).sum()
        outs.append([_np(g) for g in T.autograd.grad(pen, ins)])
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("fn, shapes", [
    (lambda x, w: F.conv2d(x, w, stride=2, padding=1),
     [(1, 2, 5, 5), (2, 2, 3, 3)]),
    (lambda x, w: F.conv2d(x, w, groups=2, dilation=2),
     [(1, 2, 5, 5), (2, 1, 2, 2)]),
    (lambda x, w: F.conv_transpose2d(x, w, stride=2, output_padding=1),
     [(1, 2, 2, 3), (2, 2, 2, 2)]),
    (lambda x, w: F.conv1d(x, w, padding="same"), [(2, 2, 5), (2, 2, 4)]),
])
def test_gradgradcheck(fn, shapes):
    rng = np.random.default_rng(0)
    ins = tuple(pytensor.tensor(rng.standard_normal(s), requires_grad=True)
                for s in shapes)
    assert pytensor.autograd.gradgradcheck(fn, ins)


@pytest.mark.torch
def test_conv_saved_columns_and_chunking_agree(torch, monkeypatch):
    """Batches are processed in chunks when their columns exceed the budget
    (and the forward's columns are then not kept): same values."""
    from pytensor.ops.nn import _conv_core
    rng = np.random.default_rng(3)
    xs, ws, bs = (rng.standard_normal(s) for s in
                  ((5, 3, 6, 6), (4, 3, 3, 3), (4,)))

    def run():
        x, w, b = (pytensor.tensor(a, requires_grad=True)
                   for a in (xs, ws, bs))
        y = F.conv2d(x, w, b, padding=1)
        (y * y).sum().backward()
        return [_np(t) for t in (y, x.grad, w.grad, b.grad)]
    whole = run()
    monkeypatch.setattr(_conv_core, "COLS_BUDGET", 3 * 9 * 36 * 8 * 2)
    chunked = run()
    for a, b in zip(whole, chunked):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    th = [torch.tensor(a, requires_grad=True) for a in (xs, ws, bs)]
    y = torch.nn.functional.conv2d(*th, padding=1)
    (y * y).sum().backward()
    for a, t in zip(whole, [y] + [t.grad for t in th]):
        np.testing.assert_allclose(a, t.detach().numpy(), rtol=1e-10,
                                   atol=1e-10)


def test_conv_on_the_tape_and_without_grad():
    x = pytensor.randn(2, 3, 5, 5)
    w = pytensor.randn(4, 3, 3, 3, requires_grad=True)
    y = F.conv2d(x, w)
    assert y.grad_fn is not None and y.grad_fn.name == "conv2d"
    with pytensor.no_grad():
        z = F.conv2d(x, w)
    assert z.grad_fn is None and not z.requires_grad
    np.testing.assert_array_equal(_np(y), _np(z))
    assert pytensor.conv2d is F.conv2d and pytensor.conv1d is F.conv1d


def test_padding_and_stride_forms_agree():
    x = pytensor.randn(1, 2, 6, 6)
    w = pytensor.randn(3, 2, 3, 3)
    a = F.conv2d(x, w, stride=2, padding=1)
    for kw in (dict(stride=(2, 2), padding=(1, 1)),
               dict(stride=[2], padding=[1])):
        np.testing.assert_array_equal(_np(F.conv2d(x, w, **kw)), _np(a))
    np.testing.assert_array_equal(_np(F.conv2d(x, w, padding="valid")),
                                  _np(F.conv2d(x, w)))


def _err(fn, match, exc=RuntimeError):
    with pytest.raises(exc, match=match):
        fn()


X = pytensor.randn(2, 4, 5, 5)
W = pytensor.randn(8, 3, 3, 3)


@pytest.mark.parametrize("fn, match, exc", [
    (lambda: F.conv2d(X, W), r"^conv2d: Given groups=1, weight of size "
     r"\[8, 3, 3, 3\], expected input\[2, 4, 5, 5\] to have 3 channels, but "
     r"got 4 channels instead", RuntimeError),
    (lambda: F.conv2d(pytensor.randn(2, 3, 5, 5, 5), W),
     r"^conv2d: Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, "
     r"but got input of size: \[2, 3, 5, 5, 5\]", RuntimeError),
    (lambda: F.conv2d(pytensor.randn(2, 3, 5, 5), pytensor.randn(8, 3, 3)),
     r"^conv2d: expected weight with 4 dims", RuntimeError),
    (lambda: F.conv2d(pytensor.randn(2, 3, 2, 2), W),
     r"^conv2d: Calculated padded input size per channel: \(2 x 2\)\. Kernel "
     r"size: \(3 x 3\)\. Kernel size can't be greater than actual input size",
     RuntimeError),
    (lambda: F.conv2d(pytensor.randn(2, 4, 5, 5), pytensor.randn(8, 2, 3, 3),
                      groups=3),
     r"^conv2d: Given groups=3, expected weight to be divisible by 3 at "
     r"dimension 0, but got weight of size \[8, 2, 3, 3\] instead",
     RuntimeError),
    (lambda: F.conv2d(pytensor.randn(2, 4, 5, 5), pytensor.randn(8, 2, 3, 3),
                      pytensor.randn(7), groups=2),
     r"^conv2d: Given weight of size \[8, 2, 3, 3\], expected bias to be "
     r"1-dimensional with 8 elements, but got bias of size \[7\] instead",
     RuntimeError),
    (lambda: F.conv2d(pytensor.randn(2, 3, 5, 5), W, stride=0),
     r"^conv2d: non-positive stride is not supported", RuntimeError),
    (lambda: F.conv2d(pytensor.randn(2, 3, 5, 5), W, padding=-1),
     r"^conv2d: negative padding is not supported", RuntimeError),
    (lambda: F.conv2d(pytensor.randn(2, 3, 5, 5), W, dilation=0),
     r"^conv2d: non-positive dilation is not supported", RuntimeError),
    (lambda: F.conv2d(pytensor.randn(2, 3, 5, 5), W, groups=0),
     r"^conv2d: non-positive groups is not supported", RuntimeError),
    (lambda: F.conv2d(pytensor.randn(2, 3, 5, 5), W, stride=(1, 2, 3)),
     r"^conv2d: expected stride to be a single integer value or a list of 2 "
     r"values to match the convolution dimensions, but got "
     r"stride=\[1, 2, 3\]", RuntimeError),
    (lambda: F.conv2d(pytensor.randn(2, 3, 5, 5), W, padding="same",
                      stride=2),
     r"^conv2d: padding='same' is not supported for strided convolutions",
     RuntimeError),
    (lambda: F.conv2d(pytensor.randn(2, 3, 5, 5), W, padding="full"),
     r"^conv2d: Invalid padding string: 'full'", RuntimeError),
    (lambda: F.conv2d(pytensor.randn(2, 3, 5, 5), pytensor.randn(0, 3, 3, 3)),
     r"^conv2d: Given groups=1, expected weight to be at least 1 at "
     r"dimension 0", RuntimeError),
    (lambda: F.conv2d(pytensor.randn(2, 3, 5, 5, dtype=pytensor.float64), W),
     r"^conv2d: Input type \(float64\) and weight type \(float32\) should be "
     r"the same", RuntimeError),
    (lambda: F.conv2d(pytensor.randn(2, 3, 5, 5), W,
                      pytensor.randn(8, dtype=pytensor.float64)),
     r"^conv2d: Input type \(float32\) and bias type \(float64\) should be "
     r"the same", RuntimeError),
    (lambda: F.conv2d(pytensor.ones(2, 3, 5, 5, dtype=pytensor.bool),
                      pytensor.ones(8, 3, 3, 3, dtype=pytensor.bool)),
     r"^conv2d: not implemented for 'bool'", NotImplementedError),
    (lambda: F.conv2d(np.zeros((2, 3, 5, 5)), W),
     r"^conv2d: argument 'input' must be a Tensor", TypeError),
    (lambda: F.conv2d(pytensor.randn(2, 3, 5, 5), W, stride=1.5),
     r"^conv2d: argument 'stride' must be an int", TypeError),
    (lambda: F.conv1d(pytensor.randn(2, 3, 2), pytensor.randn(8, 3, 3)),
     r"^conv1d: Calculated padded input size per channel: \(2\)\. Kernel "
     r"size: \(3\)", RuntimeError),
    (lambda: F.conv1d(pytensor.randn(2, 3, 5), W),
     r"^conv1d: expected weight with 3 dims", RuntimeError),
    (lambda: F.conv_transpose2d(pytensor.randn(2, 3, 5, 5),
                                pytensor.randn(3, 8, 3, 3), output_padding=1),
     r"^conv_transpose2d: output padding must be smaller than either stride "
     r"or dilation, but got output_padding_height: 1 output_padding_width: 1 "
     r"stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1",
     RuntimeError),
    (lambda: F.conv_transpose2d(pytensor.randn(2, 3, 5, 5),
                                pytensor.randn(4, 8, 3, 3)),
     r"^conv_transpose2d: Given transposed=1, weight of size \[4, 8, 3, 3\], "
     r"expected input\[2, 3, 5, 5\] to have 4 channels, but got 3 channels "
     r"instead", RuntimeError),
    (lambda: F.conv_transpose2d(pytensor.randn(2, 3, 1, 1),
                                pytensor.randn(3, 8, 3, 3), padding=2),
     r"^conv_transpose2d: Given input size per channel: \(1 x 1\)\. "
     r"Calculated output size per channel: \(-1 x -1\)\. Output size is too "
     r"small", RuntimeError),
    (lambda: F.conv_transpose2d(pytensor.randn(2, 3, 4, 4),
                                pytensor.randn(3, 8, 3, 3), padding="same"),
     r"^conv_transpose2d: argument 'padding' must be tuple of ints, not str",
     TypeError),
])
def test_errors(fn, match, exc):
    _err(fn, match, exc)


@pytest.mark.torch
@pytest.mark.parametrize("call", [
    lambda T, W_: T.nn.functional.conv2d(T.ones(2, 4, 5, 5), W_),
    lambda T, W_: T.nn.functional.conv2d(T.ones(2, 3, 2, 2), W_),
    lambda T, W_: T.nn.functional.conv2d(T.ones(2, 3, 5, 5), W_, stride=0),
])
def test_errors_where_torch_errors(torch, call):
    """The same inputs fail in both libraries (with the same type)."""
    with pytest.raises(RuntimeError):
        call(torch, torch.ones(8, 3, 3, 3))
    with pytest.raises(RuntimeError):
        call(pytensor, pytensor.ones(8, 3, 3, 3))


def _blas_threads():
    import threadpoolctl
    return [i["num_threads"] for i in threadpoolctl.threadpool_info()
            if i["user_api"] == "blas"]


@pytest.mark.parametrize("threads", [2, 3])
def test_threaded_chunks_match_serial(monkeypatch, threads):
    """Chunks on several threads (BLAS held at one thread meanwhile) give
    the serial results exactly: partial weight/bias gradients are summed
    in chunk order whichever thread ran them."""
    from pytensor.ops.nn import _parallel
    # The chunk threads run whatever OpenBLAS's idle policy (it only
    # decides whether they pay, see _parallel.py).
    monkeypatch.setattr(_parallel._blas, "spinning_openblas", lambda c: False)
    if not _parallel.available():
        pytest.skip("BLAS threads cannot be controlled (threadpoolctl)")
    rng = np.random.default_rng(5)
    xs, ws, bs = (rng.standard_normal(s) for s in
                  ((9, 4, 7, 6), (6, 2, 3, 3), (6,)))

    def run():
        x, w, b = (pytensor.tensor(a, requires_grad=True)
                   for a in (xs, ws, bs))
        y = F.conv2d(x, w, b, padding=1, groups=2)
        (y * y).sum().backward()
        return [_np(t) for t in (y, x.grad, w.grad, b.grad)]

    monkeypatch.setattr(_parallel, "MIN_PARALLEL_FLOPS", 1 << 40)
    serial = run()
    monkeypatch.setattr(_parallel, "MIN_PARALLEL_FLOPS", 0)
    monkeypatch.setattr(_parallel, "max_threads", lambda: threads)
    before = _blas_threads()
    for _ in range(3):
        threaded = run()
        for a, b in zip(serial, threaded):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    again = run()
    for a, b in zip(threaded, again):
        np.testing.assert_array_equal(a, b)         # deterministic
    assert _blas_threads() == before    # BLAS threads restored


def test_threaded_chunks_propagate_errors(monkeypatch):
    from pytensor.ops.nn import _parallel
    # The chunk threads run whatever OpenBLAS's idle policy (it only
    # decides whether they pay, see _parallel.py).
    monkeypatch.setattr(_parallel._blas, "spinning_openblas", lambda c: False)
    if not _parallel.available():
        pytest.skip("BLAS threads cannot be controlled (threadpoolctl)")
    before = _blas_threads()
    seen = []

    def fn(i, n0, n1):
        seen.append(i)
        if i == 1:
            raise ValueError("chunk 1 failed")
    with pytest.raises(ValueError, match="chunk 1 failed"):
        _parallel.run(_parallel.split(8, 4), 2, fn)
    assert 1 in seen
    assert _blas_threads() == before
