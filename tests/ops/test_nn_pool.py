"""Pooling and unfold/fold: parity with PyTorch (values, indices, input
gradients; float32/float64; contiguous and strided; ties and NaN routed as
PyTorch's CPU kernels do) and float64 gradcheck from tables; double
backward; errors."""
import numpy as np
import pytest

import pytensor
import pytensor.nn.functional as F
from tests.parity import OpCase, define_tests


def _f(name, *args, **kw):
    return lambda T, *a: getattr(T.nn.functional, name)(*a, *args, **kw)


def _ties(rng, shape, dtype):
    """Values on a coarse grid: most windows hold equal maxima."""
    return np.round(rng.uniform(-2, 2, size=shape) * 2) / 2


def _nans(rng, shape, dtype):
    x = rng.uniform(-2, 2, size=shape)
    if x.size:
        x.flat[rng.integers(0, x.size, max(1, x.size // 6))] = np.nan
    return x


POOL4 = [((2, 3, 7, 6),), ((1, 2, 5, 5),), ((0, 2, 6, 6),), ((3, 7, 5),)]
POOL3 = [((2, 3, 9),), ((1, 2, 7),), ((0, 2, 6),), ((3, 8),)]

CASES = [
    # max_pool2d ----------------------------------------------------------
    OpCase("max_pool2d", _f("max_pool2d", 2), POOL4),
    OpCase("max_pool2d_s1", _f("max_pool2d", 3, stride=1, padding=1),
           POOL4[:2]),
    OpCase("max_pool2d_asym", _f("max_pool2d", (3, 2), stride=(2, 1),
                                 padding=(1, 0), dilation=(1, 2)), POOL4[:2]),
    OpCase("max_pool2d_ceil", _f("max_pool2d", 3, stride=2, padding=1,
                                 ceil_mode=True), POOL4),
    OpCase("max_pool2d_indices", _f("max_pool2d", 2, stride=1,
                                    return_indices=True), POOL4[:2]),
    OpCase("max_pool2d_ties", _f("max_pool2d", 3, stride=2, padding=1,
                                 return_indices=True), POOL4[:2],
           domain=_ties, gradcheck=False),
    OpCase("max_pool2d_nan", _f("max_pool2d", 2, return_indices=True),
           POOL4[:2], domain=_nans, gradcheck=False),
    OpCase("max_pool2d_int", _f("max_pool2d", 2, padding=1), POOL4[:2],
           int_inputs=(0,), int_domain=(-5, 5), grad=False,
           dtypes=("float64",)),
    OpCase("max_pool2d_with_indices", _f("max_pool2d_with_indices", 3, 2, 1),
           POOL4[:2]),
    # max_pool1d ----------------------------------------------------------
    OpCase("max_pool1d", _f("max_pool1d", 3, stride=2, padding=1,
                            return_indices=True), POOL3),
    OpCase("max_pool1d_ceil_dil", _f("max_pool1d", 2, stride=2, dilation=2,
                                     ceil_mode=True), POOL3[:2]),
    OpCase("max_pool1d_ties", _f("max_pool1d", 3, stride=1,
                                 return_indices=True), POOL3[:2],
           domain=_ties, gradcheck=False),
    # avg_pool2d ----------------------------------------------------------
    OpCase("avg_pool2d", _f("avg_pool2d", 2), POOL4),
    OpCase("avg_pool2d_pad", _f("avg_pool2d", 3, stride=2, padding=1),
           POOL4[:2]),
    OpCase("avg_pool2d_no_pad_count", _f("avg_pool2d", 3, stride=2,
                                         padding=1, count_include_pad=False),
           POOL4[:2]),
    OpCase("avg_pool2d_ceil", _f("avg_pool2d", (3, 2), stride=2,
                                 padding=(1, 0), ceil_mode=True), POOL4),
    OpCase("avg_pool2d_ceil_no_pad_count",
           _f("avg_pool2d", 3, stride=2, padding=1, ceil_mode=True,
              count_include_pad=False), POOL4[:2]),
    OpCase("avg_pool2d_divisor", _f("avg_pool2d", 2, stride=1,
                                    divisor_override=3), POOL4[:2]),
    OpCase("avg_pool2d_int", _f("avg_pool2d", 2, padding=1), POOL4[:2],
           int_inputs=(0,), int_domain=(-9, 9), grad=False,
           dtypes=("float64",)),
    # avg_pool1d ----------------------------------------------------------
    OpCase("avg_pool1d", _f("avg_pool1d", 3, stride=2, padding=1,
                            ceil_mode=True), POOL3),
    OpCase("avg_pool1d_no_pad_count", _f("avg_pool1d", 3, stride=2,
                                         padding=1, count_include_pad=False),
           POOL3[:2]),
    # adaptive --------------------------------------------------------------
    OpCase("adaptive_avg_pool2d", _f("adaptive_avg_pool2d", (3, 2)),
           POOL4),
    OpCase("adaptive_avg_pool2d_up", _f("adaptive_avg_pool2d", (8, None)),
           POOL4[:2]),
    OpCase("adaptive_avg_pool2d_global", _f("adaptive_avg_pool2d", 1),
           POOL4[:2]),
    OpCase("adaptive_avg_pool1d", _f("adaptive_avg_pool1d", 4), POOL3),
    OpCase("adaptive_max_pool2d", _f("adaptive_max_pool2d", (3, 4),
                                     return_indices=True), POOL4),
    OpCase("adaptive_max_pool2d_ties", _f("adaptive_max_pool2d", 2,
                                          return_indices=True), POOL4[:2],
           domain=_ties, gradcheck=False),
    OpCase("adaptive_max_pool1d", _f("adaptive_max_pool1d", 5,
                                     return_indices=True), POOL3),
    # unfold / fold ---------------------------------------------------------
    OpCase("unfold", _f("unfold", (2, 3), dilation=(1, 2), padding=1,
                        stride=2), POOL4),
    OpCase("unfold_k1", _f("unfold", 1), POOL4[:2]),
    OpCase("fold", _f("fold", (5, 6), 2), [((2, 12, 20),), ((1, 4, 20),),
                                           ((0, 8, 20),), ((8, 20),)]),
    OpCase("fold_strided", _f("fold", (7, 5), (3, 2), dilation=(2, 1),
                              padding=(1, 0), stride=(2, 3)),
           [((2, 12, 6),), ((1, 6, 6),)]),
]

define_tests(CASES, globals())


def _np(t):
    return np.asarray(t.detach()._data if hasattr(t, "_data") else
                      t.detach().numpy())


@pytest.mark.torch
@pytest.mark.parametrize("name, args, kw", [
    ("max_pool2d", (3, 2, 1), {}),
    ("max_pool1d", (2,), dict(stride=1)),
    ("avg_pool2d", (3, 2, 1), dict(count_include_pad=False, ceil_mode=True)),
    ("adaptive_avg_pool2d", ((3, 2),), {}),
    ("adaptive_max_pool2d", ((2, 3),), {}),
    ("unfold", (2,), dict(padding=1)),
])
def test_double_backward_matches_torch(torch, name, args, kw):
    """Gradients of a gradient penalty: the pooling backward is itself
    differentiable (scatter/gather, adjoint pairs)."""
    x = np.random.default_rng(2).standard_normal((2, 3, 7, 6))
    if name == "max_pool1d":
        x = x.reshape(6, 7, 6)
    outs = []
    for T in (pytensor, torch):
        t = T.tensor(x, requires_grad=True)
        y = getattr(T.nn.functional, name)(t, *args, **kw)
        g, = T.autograd.grad((y * y * y).sum(), t, create_graph=True)
        h, = T.autograd.grad((g * g).sum(), t)
        outs.append(_np(h))
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("fn", [
    lambda x: F.max_pool2d(x, 2, 1, ceil_mode=True),
    lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                           count_include_pad=False),
    lambda x: F.avg_pool2d(x, 2, 1, divisor_override=3),
    lambda x: F.adaptive_avg_pool2d(x, (2, 3)),
    lambda x: F.adaptive_max_pool2d(x, 3),
    lambda x: F.unfold(x, 2, padding=1),
    lambda x: F.fold(F.unfold(x, 2, stride=1), (4, 5), 2),
    lambda x: F.max_pool1d(x.flatten(1, 2), 3, 2, 1),
])
def test_gradgradcheck(fn):
    x = pytensor.tensor(np.random.default_rng(0).standard_normal(
        (1, 2, 4, 5)), requires_grad=True)
    assert pytensor.autograd.gradgradcheck(fn, (x,))


def test_max_pool_gradient_goes_to_the_first_maximum():
    x = pytensor.tensor([[[[1.0, 3.0, 3.0], [3.0, 0.0, 3.0]]]],
                        requires_grad=True)
    y, idx = F.max_pool2d(x, 2, stride=1, return_indices=True)
    assert idx.tolist() == [[[[1, 1]]]]
    y.sum().backward()
    assert x.grad.tolist() == [[[[0.0, 2.0, 0.0], [0.0, 0.0, 0.0]]]]


def test_max_pool_nan_wins():
    nan = float("nan")
    x = pytensor.tensor([[[1.0, nan, 5.0, nan, 2.0]]])
    y, idx = F.max_pool1d(x, 5, return_indices=True)
    assert np.isnan(y.item()) and idx.item() == 3       # the last NaN


def test_indices_are_int64_and_need_no_grad():
    x = pytensor.randn(1, 1, 4, 4, requires_grad=True)
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    assert idx.dtype == pytensor.int64 and not idx.requires_grad
    assert y.requires_grad


def test_degenerate_windows_give_lowest_value_and_no_gradient():
    """With ceil_mode, padding and dilation a window can hold no input
    element: PyTorch gives -inf; its gradient goes nowhere (PyTorch writes
    outside the plane there; we drop it)."""
    x = pytensor.arange(2.0).reshape(1, 2, 1, 1).requires_grad_()
    y = F.max_pool2d(x, (2, 3), (3, 1), (1, 1), (2, 1), ceil_mode=True)
    assert np.isneginf(_np(y)).all()
    y.sum().backward()
    assert not np.any(_np(x.grad))
    g, = pytensor.autograd.grad(F.max_pool2d(
        x, (2, 3), (3, 1), (1, 1), (2, 1), True).sum(), x, create_graph=True)
    assert not np.any(_np(g))


def test_top_level_names_follow_torch():
    assert pytensor.max_pool2d is F.max_pool2d
    assert pytensor.avg_pool1d is F.avg_pool1d
    assert not hasattr(pytensor, "avg_pool2d")
    assert not hasattr(pytensor, "unfold")          # Tensor.unfold differs
    assert not hasattr(pytensor, "fold")


X = pytensor.randn(2, 4, 5, 5)


@pytest.mark.parametrize("fn, match, exc", [
    (lambda: F.max_pool2d(X, 2, padding=2), r"^max_pool2d: pad should be at "
     r"most half of effective kernel size, but got pad=2, kernel_size=2 and "
     r"dilation=1", RuntimeError),
    (lambda: F.max_pool2d(X, 3, padding=2, dilation=2), r"^max_pool2d: pad "
     r"should be smaller than or equal to half of kernel size, but got "
     r"padW = 2, padH = 2, kW = 3, kH = 3", RuntimeError),
    (lambda: F.max_pool2d(X, 7), r"^max_pool2d: Given input size: \(4x5x5\)\. "
     r"Calculated output size: \(4x0x0\)\. Output size is too small",
     RuntimeError),
    (lambda: F.max_pool2d(X, 0), r"^max_pool2d: stride should not be zero",
     RuntimeError),
    (lambda: F.max_pool2d(X, 2, stride=1, dilation=0),
     r"^max_pool2d: dilation should be greater than zero, but got "
     r"dilationH: 0 dilationW: 0", RuntimeError),
    (lambda: F.max_pool2d(X, 2, padding=-1),
     r"^max_pool2d: pad must be non-negative, but got pad: -1", RuntimeError),
    (lambda: F.max_pool2d(X, (2, 2, 2)), r"^max_pool2d: kernel_size must "
     r"either be a single int, or a tuple of two ints", RuntimeError),
    (lambda: F.max_pool2d(X, 2, stride=(1, 2, 3)), r"^max_pool2d: stride must "
     r"either be omitted, a single int, or a tuple of two ints",
     RuntimeError),
    (lambda: F.max_pool2d(pytensor.randn(5, 5), 2), r"^max_pool2d: Expected "
     r"3D or 4D \(batch mode\) tensor with optional 0 dim batch size for "
     r"input, but got: \[5, 5\]", RuntimeError),
    (lambda: F.max_pool2d(pytensor.randn(2, 0, 5, 5), 2),
     r"^max_pool2d: Expected 3D or 4D", RuntimeError),
    (lambda: F.max_pool2d(pytensor.ones(1, 2, 2, dtype=pytensor.bool), 2),
     r"^max_pool2d: not implemented for 'bool'", NotImplementedError),
    (lambda: F.max_pool1d(pytensor.randn(2, 4, 5), 2, padding=2),
     r"^max_pool1d\(\) padding should be at most half of kernel size, but got "
     r"padding=2 and kernel_size=2", RuntimeError),
    (lambda: F.max_pool1d(pytensor.randn(2, 4, 5), 7),
     r"^max_pool1d\(\) Invalid computed output size: 0", RuntimeError),
    (lambda: F.max_pool1d(pytensor.randn(2, 4, 5), 0),
     r"^max_pool1d\(\) kernel_size must be greater than zero, but got 0",
     RuntimeError),
    (lambda: F.max_pool1d(pytensor.randn(5), 2), r"^max_pool1d: Expected 2D "
     r"or 3D \(batch mode\) tensor", RuntimeError),
    (lambda: F.avg_pool2d(X, 2, padding=2), r"^avg_pool2d: pad should be at "
     r"most half of effective kernel size", RuntimeError),
    (lambda: F.avg_pool2d(X, 2, divisor_override=0),
     r"^avg_pool2d: divisor must be not zero", RuntimeError),
    (lambda: F.avg_pool1d(pytensor.randn(2, 4, 5), 7),
     r"^avg_pool1d: Given input size: \(4x1x5\)\. Calculated output size: "
     r"\(4x1x0\)\. Output size is too small", RuntimeError),
    (lambda: F.adaptive_avg_pool2d(pytensor.randn(2, 4, 0, 5), 2),
     r"^adaptive_avg_pool2d\(\): Expected input to have non-zero size for "
     r"non-batch dimensions, but input has sizes \[2, 4, 0, 5\] with "
     r"dimension 2 being empty", RuntimeError),
    (lambda: F.adaptive_avg_pool2d(pytensor.randn(5, 5), 2),
     r"^adaptive_avg_pool2d\(\): Expected 3D or 4D tensor, but got: \[5, 5\]",
     RuntimeError),
    (lambda: F.adaptive_avg_pool2d(X, (2, 3, 4)),
     r"^adaptive_avg_pool2d: output_size must be 2", RuntimeError),
    (lambda: F.adaptive_avg_pool2d(X, -1), r"^adaptive_avg_pool2d: elements "
     r"of output_size must be greater than or equal to 0 but received "
     r"\{-1, -1\}", RuntimeError),
    (lambda: F.adaptive_avg_pool1d(pytensor.randn(2, 3, 5), (2, 3)),
     r"^adaptive_avg_pool1d\(\) argument 'output_size' should contain one "
     r"int \(got 2\)", RuntimeError),
    (lambda: F.adaptive_max_pool2d(pytensor.ones(1, 4, 4,
                                                 dtype=pytensor.int64), 2),
     r"^adaptive_max_pool2d: not implemented for 'int64'",
     NotImplementedError),
    (lambda: F.unfold(X, 6), r"^unfold: Given input with spatial size "
     r"\(5, 5\), kernel_size=\(6, 6\), dilation=\(1, 1\), padding=\(0, 0\), "
     r"calculated shape of the array of sliding blocks as \(0, 0\), but its "
     r"components must be at least one\.", RuntimeError),
    (lambda: F.unfold(X, 0), r"^unfold: kernel size should be greater than "
     r"zero, but got kernel_height: 0 kernel_width: 0", RuntimeError),
    (lambda: F.unfold(X, 2, padding=-1), r"^unfold: padding should be "
     r"non-negative, but got pad_height: -1 pad_width: -1", RuntimeError),
    (lambda: F.unfold(pytensor.randn(5, 5), 2), r"^unfold: Expected 3D or 4D "
     r"\(batch mode\) tensor", RuntimeError),
    (lambda: F.fold(pytensor.randn(2, 35, 9), (5, 5), 3),
     r"^fold: Expected size of input's dimension 1 to be divisible by the "
     r"product of kernel_size, but got input\.size\(1\)=35 and "
     r"kernel_size=\(3, 3\)\.", RuntimeError),
    (lambda: F.fold(pytensor.randn(2, 36, 8), (5, 5), 3),
     r"^fold: Given output_size=\(5, 5\), kernel_size=\(3, 3\), "
     r"dilation=\(1, 1\), padding=\(0, 0\), stride=\(1, 1\), expected size of "
     r"input's dimension 2 to match the calculated number of sliding blocks "
     r"3 \* 3 = 9, but got input\.size\(2\)=8\.", RuntimeError),
    (lambda: F.fold(pytensor.randn(2, 12, 16, 1), (5, 5), 2),
     r"^fold: Expected 2D or 3D \(batch mode\) tensor", RuntimeError),
])
def test_errors(fn, match, exc):
    with pytest.raises(exc, match=match):
        fn()
