"""Dropout (statistics, reproducibility, p=0/1, eval, in-place, channel
masks), pad (every mode vs torch, with gradients and double backward) and
the distance functions."""
import numpy as np
import pytest

import pytensor
from pytensor import nn
import pytensor.nn.functional as F
from tests.nn._torch import needs_ops
from tests.parity import OpCase, define_tests


# ----------------------------------------------------------------------
# Dropout
def test_dropout_statistics_and_scaling():
    pytensor.manual_seed(0)
    x = pytensor.ones(200_000, requires_grad=True)
    y = F.dropout(x, p=0.3)
    a = y.detach().numpy()
    kept = a != 0
    assert abs(kept.mean() - 0.7) < 0.005
    np.testing.assert_allclose(a[kept], 1 / 0.7, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), a)     # grad = the mask


def test_dropout_reproducible_with_seed_and_generator():
    x = pytensor.ones(50)
    pytensor.manual_seed(5)
    a = F.dropout(x).tolist()
    pytensor.manual_seed(5)
    assert F.dropout(x).tolist() == a
    g = pytensor.Generator().manual_seed(1)
    b = F.dropout(x, generator=g).tolist()
    g.manual_seed(1)
    assert F.dropout(x, generator=g).tolist() == b


def test_dropout_edge_cases():
    x = pytensor.randn(4, 5, requires_grad=True)
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 0.5, training=False) is x
    z = F.dropout(x, 1.0)
    assert not z.detach().numpy().any()
    z.sum().backward()
    assert not x.grad.numpy().any()
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        F.dropout(x, 1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(-0.1)
    d = nn.Dropout(0.5)
    assert d(x) is not x
    assert d.eval()(x) is x
    assert repr(d) == "Dropout(p=0.5, inplace=False)"


def test_dropout_inplace():
    pytensor.manual_seed(2)
    base = pytensor.ones(1000, requires_grad=True)
    h = base * 1.0
    out = F.dropout(h, 0.5, inplace=True)
    assert out is h and h._version == 1
    out.sum().backward()
    np.testing.assert_array_equal(base.grad.numpy(), h.detach().numpy())
    with pytest.raises(RuntimeError, match="leaf Variable"):
        F.dropout(pytensor.ones(3, requires_grad=True), inplace=True)


@pytest.mark.parametrize("fn,shape,mask_shape", [
    (F.dropout1d, (4, 6, 50), (4, 6, 1)), (F.dropout1d, (6, 50), (6, 1)),
    (F.dropout2d, (4, 6, 5, 5), (4, 6, 1, 1)),
    (F.dropout3d, (2, 6, 3, 3, 3), (2, 6, 1, 1, 1)),
    (F.dropout3d, (6, 3, 3, 3), (6, 1, 1, 1))])
def test_channel_dropout_zeroes_whole_channels(fn, shape, mask_shape):
    pytensor.manual_seed(0)
    y = fn(pytensor.ones(*shape), p=0.5).numpy()
    axes = tuple(i for i, (a, b) in enumerate(zip(shape, mask_shape))
                 if b == 1 and a != 1)
    per_channel = y.max(axis=axes) == y.min(axis=axes)
    assert per_channel.all()
    assert 0 < (y == 0).mean() < 1


def test_channel_dropout_errors_and_warnings():
    with pytest.raises(RuntimeError, match="Expected 2D or 3D input"):
        F.dropout1d(pytensor.ones(2, 3, 4, 5))
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        F.dropout2d(pytensor.ones(2, 3, 4))
    for m in (nn.Dropout1d(0.2), nn.Dropout2d(0.2), nn.Dropout3d(0.2)):
        assert repr(m) == f"{type(m).__name__}(p=0.2, inplace=False)"


# ----------------------------------------------------------------------
# pad, against torch (values, gradients, gradcheck)
def _pad_case(name, pad, mode, shapes, value=None):
    kw = {} if value is None else {"value": value}
    return OpCase(name, lambda T, x: T.nn.functional.pad(x, pad, mode=mode,
                                                         **kw), shapes)


PAD_CASES = [
    _pad_case("const_1d", (1, 2), "constant", [((3, 4),), ((2, 3, 4),)]),
    _pad_case("const_val", (1, 0, 2, 1), "constant", [((2, 3, 4),)], 1.5),
    _pad_case("const_crop", (-1, 2, 1, -1), "constant", [((2, 3, 4),)]),
    _pad_case("const_3d_any_rank", (1, 1, 0, 1, 2, 0), "constant",
              [((2, 2, 3, 2),), ((2, 3, 2),)]),
    _pad_case("reflect_1d", (2, 3), "reflect", [((2, 5),), ((2, 3, 5),)]),
    _pad_case("reflect_2d", (1, 2, 2, 1), "reflect", [((2, 3, 4),),
                                                      ((1, 2, 3, 4),)]),
    _pad_case("reflect_3d", (1, 1, 1, 0, 0, 2), "reflect",
              [((1, 2, 3, 3, 3),)]),
    _pad_case("reflect_crop", (-1, 3), "reflect", [((1, 2, 5),)]),
    _pad_case("replicate_1d", (3, 1), "replicate", [((2, 3, 4),)]),
    _pad_case("replicate_2d", (2, 2, 1, 3), "replicate", [((1, 2, 3, 3),)]),
    _pad_case("replicate_3d", (1, 2, 0, 1, 1, 1), "replicate",
              [((2, 2, 2, 2),)]),
    _pad_case("circular_1d", (2, 3), "circular", [((1, 2, 4),)]),
    _pad_case("circular_2d", (1, 1, 2, 0), "circular", [((1, 2, 3, 4),)]),
    _pad_case("circular_crop", (3, -2), "circular", [((1, 1, 5),)]),
    _pad_case("circular_crop2", (-1, 3), "circular", [((1, 1, 5),)]),
]
define_tests(PAD_CASES, globals())


def test_pad_double_backward():
    x = pytensor.randn(1, 2, 5, dtype=pytensor.float64, requires_grad=True)
    for mode in ("constant", "reflect", "replicate", "circular"):
        assert pytensor.autograd.gradgradcheck(
            lambda x: F.pad(x, (2, 1), mode=mode) ** 2, (x,))


@pytest.mark.torch
def test_pad_errors_match_torch(torch):
    calls = [((5,), (1, 2), "reflect"), ((2, 3, 5), (5, 2), "reflect"),
             ((2, 3, 5), (6, 2), "circular"),
             ((2, 3, 5), (1, 2, 3), "constant"),
             ((2, 3, 5), (1,) * 8, "constant"), ((2, 3, 5), (1, 1), "foo")]
    for shape, pad, mode in calls:
        with pytest.raises(Exception) as et:
            torch.nn.functional.pad(torch.zeros(shape), pad, mode=mode)
        with pytest.raises(type(et.value)) as ep:
            F.pad(pytensor.zeros(*shape), pad, mode=mode)
        assert str(ep.value).replace("pad: ", "").split("\n")[0].split(
            ",")[0] in str(et.value)
    with pytest.raises(RuntimeError, match="doesn't take in value"):
        F.pad(pytensor.zeros(2, 3), (1, 1), mode="reflect", value=2.0)


@pytest.mark.torch
def test_padding_modules(torch):
    for name, arg in (("ZeroPad2d", 2), ("ConstantPad1d", ((1, 2), 3.5)),
                      ("ReflectionPad1d", (1, 2)), ("ReplicationPad2d", 1),
                      ("CircularPad1d", 1), ("ReflectionPad3d", 1)):
        args = arg if isinstance(arg, tuple) and name.startswith(
            "Constant") else (arg,)
        pm, tm = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
        assert repr(pm) == repr(tm)
        nd = int(name[-2])
        x = np.random.default_rng(0).standard_normal((1, 2) + (3,) * nd)
        np.testing.assert_allclose(pm(pytensor.tensor(x)).numpy(),
                                   tm(torch.tensor(x)).numpy())


# ----------------------------------------------------------------------
# Distances (composites of norm / clamp_min)
DIST_CASES = [
    OpCase("normalize", lambda T, x: T.nn.functional.normalize(x),
           [((3, 4),), ((2, 3, 2),)]),
    OpCase("normalize_p1_dim0", lambda T, x: T.nn.functional.normalize(
        x, p=1.0, dim=0), [((3, 4),)]),
    OpCase("cosine_similarity", lambda T, a, b:
           T.nn.functional.cosine_similarity(a, b),
           [((3, 4), (3, 4)), ((2, 4, 3), (1, 4, 3))]),
    OpCase("cosine_similarity_dim", lambda T, a, b:
           T.nn.functional.cosine_similarity(a, b, dim=-1),
           [((3, 4), (4,))]),
    OpCase("pairwise_distance", lambda T, a, b:
           T.nn.functional.pairwise_distance(a, b), [((3, 4), (3, 4))]),
    OpCase("pairwise_distance_p3_keep", lambda T, a, b:
           T.nn.functional.pairwise_distance(a, b, p=3.0, keepdim=True),
           [((3, 4), (3, 4)), ((4,), (4,))]),
]
for _c in DIST_CASES:
    _c.marks = [needs_ops("norm", "clamp_min")]

_dist_ns = {}
define_tests(DIST_CASES, _dist_ns)
test_distance_parity = _dist_ns["test_parity"]
test_distance_gradcheck = _dist_ns["test_gradcheck"]


@needs_ops("norm", "clamp_min")
def test_distance_modules():
    a, b = pytensor.randn(3, 4), pytensor.randn(3, 4)
    np.testing.assert_allclose(nn.CosineSimilarity()(a, b).numpy(),
                               F.cosine_similarity(a, b).numpy())
    np.testing.assert_allclose(nn.PairwiseDistance(p=1.0)(a, b).numpy(),
                               F.pairwise_distance(a, b, p=1.0).numpy())
    assert repr(nn.CosineSimilarity()) == "CosineSimilarity()"
