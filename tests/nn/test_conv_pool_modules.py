"""Conv1d/2d, ConvTranspose1d/2d, the pooling layers, Fold/Unfold: parity
with PyTorch's modules (weights copied through the state dict; output,
input and parameter gradients in float32 and float64), ``repr`` equality,
parameter names and shapes, default initialisation, errors."""
import math

import numpy as np
import pytest

import pytensor
from pytensor import nn
from tests.nn._torch import check_module

pytestmark = pytest.mark.filterwarnings(
    "ignore:Using padding=.same. with even kernel lengths:UserWarning")

DTYPES = ["float32", "float64"]


def _rand(shape, dtype, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


CONV_MODULES = [
    ("Conv2d", (3, 4, 3), {}, (2, 3, 7, 6)),
    ("Conv2d", (3, 4, (3, 2)), dict(stride=2, padding=1, bias=False),
     (2, 3, 8, 7)),
    ("Conv2d", (4, 6, 3), dict(groups=2, dilation=(2, 1), padding=(2, 1)),
     (1, 4, 9, 8)),
    ("Conv2d", (2, 3, 4), dict(padding="same"), (2, 2, 7, 6)),
    ("Conv2d", (2, 3, 3), dict(padding="valid", stride=(1, 2)), (2, 6, 7)),
    ("Conv2d", (2, 3, 3), dict(padding=1, padding_mode="reflect"),
     (2, 2, 6, 5)),
    ("Conv2d", (2, 3, 3), dict(padding=(2, 1), padding_mode="replicate"),
     (2, 2, 6, 5)),
    ("Conv2d", (2, 3, 3), dict(padding=1, padding_mode="circular",
                               stride=2), (2, 2, 6, 5)),
    ("Conv2d", (2, 3, 4), dict(padding="same", padding_mode="reflect"),
     (1, 2, 6, 6)),
    ("Conv1d", (3, 5, 3), dict(stride=2, padding=1), (2, 3, 11)),
    ("Conv1d", (4, 4, 2), dict(groups=4, dilation=3, bias=False),
     (2, 4, 10)),
    ("Conv1d", (3, 2, 3), dict(padding=2, padding_mode="circular"),
     (3, 9)),
    ("ConvTranspose2d", (4, 3, 3), dict(stride=2, padding=1,
                                        output_padding=1), (2, 4, 4, 5)),
    ("ConvTranspose2d", (4, 6, (2, 3)), dict(groups=2, dilation=2,
                                             bias=False), (1, 4, 3, 3)),
    ("ConvTranspose1d", (3, 2, 4), dict(stride=3, padding=1), (2, 3, 5)),
]


def _ids(rows):
    return [f"{r[0]}-{i}" for i, r in enumerate(rows)]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, args, kw, shape", CONV_MODULES,
                         ids=_ids(CONV_MODULES))
def test_conv_module_parity(torch, name, args, kw, shape, dtype):
    th = getattr(torch.nn, name)(*args, **kw)
    pt = getattr(nn, name)(*args, **kw)
    check_module(torch, th, pt, [_rand(shape, dtype)], dtype,
                 tol=None if dtype == "float64" else dict(
                     atol=1e-4, rtol=1e-4, gatol=2e-4, grtol=1e-3))


@pytest.mark.torch
@pytest.mark.parametrize("name, args, kw, shape", CONV_MODULES,
                         ids=_ids(CONV_MODULES))
def test_conv_module_repr_and_parameters(torch, name, args, kw, shape):
    th = getattr(torch.nn, name)(*args, **kw)
    pt = getattr(nn, name)(*args, **kw)
    assert repr(pt) == repr(th)
    assert [(n, tuple(p.shape)) for n, p in pt.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in th.named_parameters()]
    assert pt.weight.dtype == pytensor.float32
    for attr in ("in_channels", "out_channels", "kernel_size", "stride",
                 "padding", "dilation", "groups", "padding_mode",
                 "output_padding", "transposed"):
        assert getattr(pt, attr) == getattr(th, attr), attr
    assert pt._reversed_padding_repeated_twice == \
        list(th._reversed_padding_repeated_twice)


@pytest.mark.torch
def test_conv_transpose_output_size(torch):
    th = torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    pt = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    x = _rand((1, 3, 4, 4), "float64")
    for size in ((7, 7), (8, 8), (1, 2, 8, 7), [7, 8]):
        check_module(torch, th, pt, [x], "float64") if size == (7, 7) else None
        a = pt(pytensor.tensor(x), output_size=size)
        b = th(torch.tensor(x), output_size=size)
        np.testing.assert_allclose(np.asarray(a.detach()._data),
                                   b.detach().numpy(), rtol=1e-10,
                                   atol=1e-10)
    with pytest.raises(ValueError, match="requested an output size of"):
        pt(pytensor.tensor(x), output_size=(10, 10))
    with pytest.raises(ValueError, match="output_size must have 2 or 4"):
        pt(pytensor.tensor(x), output_size=(7, 7, 7))


@pytest.mark.parametrize("cls, args, fan_in", [
    (nn.Conv2d, (6, 8, (3, 5)), 6 * 15),
    (nn.Conv2d, (6, 9, 3, 1, 0, 1, 3), 2 * 9),      # groups=3
    (nn.Conv1d, (5, 7, 4), 5 * 4),
    (nn.ConvTranspose2d, (6, 4, 3), 4 * 9),         # weight (in, out/g, ...)
])
def test_default_initialisation(cls, args, fan_in):
    pytensor.manual_seed(0)
    m = cls(*args)
    bound = 1 / math.sqrt(fan_in)       # kaiming_uniform_(a=sqrt(5))
    w = np.asarray(m.weight.detach()._data)
    b = np.asarray(m.bias.detach()._data)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.5 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.25 * bound


def test_conv_module_device_dtype_and_no_bias():
    m = nn.Conv2d(2, 3, 3, bias=False, dtype=pytensor.float64)
    assert m.bias is None and m.weight.dtype == pytensor.float64
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    y = m(pytensor.randn(1, 2, 5, 5, dtype=pytensor.float64))
    assert y.shape == (1, 3, 3, 3) and y.dtype == pytensor.float64


POOL_MODULES = [
    ("MaxPool2d", (2,), {}, (2, 3, 8, 7)),
    ("MaxPool2d", (3,), dict(stride=2, padding=1, dilation=1,
                             ceil_mode=True), (2, 3, 8, 7)),
    ("MaxPool2d", ((3, 2),), dict(stride=(2, 1), dilation=(1, 2)),
     (3, 7, 8)),
    ("MaxPool1d", (3,), dict(stride=2, padding=1, ceil_mode=True),
     (2, 3, 10)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, count_include_pad=False),
     (2, 3, 8, 7)),
    ("AvgPool2d", ((2, 3),), dict(ceil_mode=True, divisor_override=4),
     (2, 3, 7, 8)),
    ("AvgPool1d", (3,), dict(stride=2, padding=1), (2, 3, 10)),
    ("AdaptiveAvgPool2d", ((3, None),), {}, (2, 3, 8, 7)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 5, 5)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 10)),
    ("AdaptiveMaxPool2d", ((2, 5),), {}, (2, 3, 8, 7)),
    ("AdaptiveMaxPool1d", (3,), {}, (3, 10)),
    ("Unfold", ((2, 3),), dict(dilation=(2, 1), padding=1, stride=2),
     (2, 3, 8, 7)),
    ("Fold", ((5, 6), 2), dict(stride=1), (2, 12, 20)),
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, args, kw, shape", POOL_MODULES,
                         ids=_ids(POOL_MODULES))
def test_pool_module_parity_and_repr(torch, name, args, kw, shape, dtype):
    th = getattr(torch.nn, name)(*args, **kw)
    pt = getattr(nn, name)(*args, **kw)
    assert repr(pt) == repr(th)
    assert list(pt.parameters()) == []
    check_module(torch, th, pt, [_rand(shape, dtype)], dtype)


@pytest.mark.torch
@pytest.mark.parametrize("name", ["MaxPool2d", "MaxPool1d",
                                  "AdaptiveMaxPool2d"])
def test_pool_modules_return_indices(torch, name):
    shape = (2, 3, 6, 6) if name.endswith("2d") else (2, 3, 6)
    x = _rand(shape, "float64")
    args = (2,) if name.startswith("Max") else ((3, 2) if name.endswith(
        "2d") else 3,)
    th = getattr(torch.nn, name)(*args, return_indices=True)
    pt = getattr(nn, name)(*args, return_indices=True)
    (tv, ti), (pv, pi) = th(torch.tensor(x)), pt(pytensor.tensor(x))
    np.testing.assert_array_equal(np.asarray(pv._data), tv.numpy())
    np.testing.assert_array_equal(np.asarray(pi._data), ti.numpy())


def test_sequential_cnn_trains_a_step():
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Conv2d(4, 8, 3), nn.ReLU(),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                          nn.Linear(8, 3))
    x = pytensor.randn(5, 1, 8, 8)
    y = pytensor.tensor([0, 1, 2, 1, 0])
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.shape == p.shape, name


@pytest.mark.parametrize("fn, match", [
    (lambda: nn.Conv2d(4, 6, 3, groups=0), "groups must be a positive"),
    (lambda: nn.Conv2d(4, 6, 3, groups=3), "in_channels must be divisible"),
    (lambda: nn.Conv2d(4, 6, 3, groups=4), "out_channels must be divisible"),
    (lambda: nn.Conv2d(4, 6, 3, padding="full"),
     "Invalid padding string 'full'"),
    (lambda: nn.Conv2d(4, 6, 3, padding="same", stride=2),
     "padding='same' is not supported for strided convolutions"),
    (lambda: nn.Conv2d(4, 6, 3, padding_mode="mirror"),
     "padding_mode must be one of"),
    (lambda: nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect"),
     'Only "zeros" padding mode is supported for ConvTranspose2d'),
])
def test_constructor_errors(fn, match):
    with pytest.raises(ValueError, match=match):
        fn()


def test_forward_error_names_the_layer():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())
    with pytest.raises(RuntimeError, match=r"model\.0 \(Conv2d\(3, 4, "
                       r"kernel_size=\(3, 3\), stride=\(1, 1\)\)\): conv2d: "
                       r"Given groups=1"):
        model(pytensor.randn(1, 2, 5, 5))
