"""Tensor construction, attributes, conversion, printing and type promotion
against PyTorch."""
import itertools

import numpy as np
import pytest

import pytensor as pt
from tests.conftest import require_torch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16",
          "float32", "float64"]


def test_tensor_inference_matches_torch():
    torch = require_torch()
    for data in [1.5, 3, True, [1, 2], [1.0, 2], [[True, False]],
                 np.array([1.0]), np.array([1], np.int32),
                 np.float32(2.0), [np.float64(1.0)], []]:
        a = pt.tensor(data)
        b = torch.tensor(data)
        assert a.dtype.name == str(b.dtype).replace("torch.", ""), data
        assert a.shape == tuple(b.shape)


def _sample(torch_mod, lib, name, zero_dim):
    shape = () if zero_dim else (2,)
    if lib is pt:
        return pt.ones(shape, dtype=getattr(
            pt.dtypes, name if name != "bool" else "bool_"))
    return torch_mod.ones(shape, dtype=getattr(torch_mod, name))


@pytest.mark.parametrize("za,zb",
                         [(False, False), (False, True), (True, False)])
def test_promotion_table_matches_torch(za, zb):
    torch = require_torch()
    for a, b in itertools.product(DTYPES, DTYPES):
        x, y = _sample(torch, pt, a, za), _sample(torch, pt, b, zb)
        tx, ty = _sample(torch, torch, a, za), _sample(torch, torch, b, zb)
        expected = str(torch.result_type(tx, ty)).replace("torch.", "")
        assert pt.result_type(x, y).name == expected, (a, b, za, zb)


@pytest.mark.parametrize("scalar", [True, 2, 2.5])
def test_scalar_promotion_matches_torch(scalar):
    torch = require_torch()
    for a in DTYPES:
        x = _sample(torch, pt, a, False)
        tx = _sample(torch, torch, a, False)
        expected = str(torch.result_type(tx, scalar)).replace("torch.", "")
        assert pt.result_type(x, scalar).name == expected, (a, scalar)


def test_arithmetic_result_dtypes_match_torch():
    torch = require_torch()
    for a, b in [("int64", "float32"), ("int32", "int64"),
                 ("float32", "float64"), ("bool", "int64"),
                 ("float16", "float32")]:
        x = pt.ones(3, dtype=getattr(pt, a) if a != "bool" else pt.bool)
        y = pt.ones(3, dtype=getattr(pt, b))
        tx = torch.ones(3, dtype=getattr(torch, a))
        ty = torch.ones(3, dtype=getattr(torch, b))
        for op in ("__add__", "__mul__"):
            r = getattr(x, op)(y)
            rt = getattr(tx, op)(ty)
            assert r.dtype.name == str(rt.dtype).replace("torch.", "")
    assert (pt.tensor([1, 2]) * 1.5).dtype is pt.float32
    assert (pt.tensor([1, 2]) / 2).dtype is pt.float32
    assert (pt.ones(2, dtype=pt.float32)
            * pt.tensor(2.0, dtype=pt.float64)).dtype is pt.float32


def test_repr_matches_torch_style():
    torch = require_torch()
    cases = [
        lambda T: T.tensor([1.0, 2.0, 3.0]),
        lambda T: T.tensor([0.1234567, 1.5]),
        lambda T: T.tensor([[1, 2], [3, 4]]),
        lambda T: T.tensor(2.5),
        lambda T: T.tensor(3),
        lambda T: T.tensor([True, False]),
        lambda T: T.tensor([1.0, 2.0], dtype=T.float64),
        lambda T: T.zeros(0, 3),
        lambda T: T.tensor([1e-5, 1.0]),
        lambda T: T.tensor([1.0, 2.0], requires_grad=True),
        lambda T: T.tensor([float("nan"), float("inf"), 1.0]),
    ]
    for make in cases:
        expected = repr(make(torch)).replace("torch.", "pytensor.")
        assert repr(make(pt)) == expected


def test_repr_grad_fn():
    x = pt.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward>)"


def test_attributes_and_conversions():
    x = pt.arange(6).reshape(2, 3)
    assert x.shape == (2, 3) and x.size() == (2, 3) and x.size(1) == 3
    assert x.ndim == 2 and x.dim() == 2 and x.numel() == 6 and len(x) == 2
    assert x.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert np.array_equal(np.asarray(x), np.arange(6).reshape(2, 3))
    assert x.T.shape == (3, 2) and x.mT.shape == (3, 2)
    assert str(x.device) == "cpu" and x.device == pt.device("cpu")
    assert pt.tensor(3.5).item() == 3.5
    assert float(pt.tensor([2.0])) == 2.0 and int(pt.tensor(7)) == 7
    assert x.float().dtype is pt.float32 and x.double().dtype is pt.float64
    assert x.long().dtype is pt.int64 and x.int().dtype is pt.int32
    assert x.bool().dtype is pt.bool and x.half().dtype is pt.float16
    assert x.to(pt.float64).dtype is pt.float64
    assert x.stride() == (3, 1) and x.is_contiguous()
    assert not x.t().is_contiguous() and x.t().contiguous().is_contiguous()
    rows = list(pt.tensor([[1, 2], [3, 4]]))
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4]]
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        pt.ones(2).item()
    with pytest.raises(TypeError, match="len"):
        len(pt.tensor(1.0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(pt.ones(2))


def test_from_numpy_shares_memory_and_numpy_guard():
    a = np.zeros(3, dtype=np.float32)
    t = pt.from_numpy(a)
    t.add_(1)
    assert a.tolist() == [1.0, 1.0, 1.0]
    r = pt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        r.numpy()
    assert r.detach().numpy().tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="not support NumPy dtype"):
        pt.from_numpy(np.zeros(2, dtype=np.complex64))


def test_factories_match_torch():
    torch = require_torch()
    for make in [lambda T: T.zeros(2, 3), lambda T: T.ones((2,)),
                 lambda T: T.full((2, 2), 7), lambda T: T.full((2,), 1.5),
                 lambda T: T.arange(5), lambda T: T.arange(1, 2, 0.25),
                 lambda T: T.arange(0, 10, 3), lambda T: T.linspace(0, 1, 5),
                 lambda T: T.eye(3), lambda T: T.eye(2, 3),
                 lambda T: T.zeros_like(T.ones(2, dtype=T.int64)),
                 lambda T: T.ones_like(T.zeros(3)),
                 lambda T: T.full_like(T.zeros(2), 3.0)]:
        a, b = make(pt), make(torch)
        assert a.dtype.name == str(b.dtype).replace("torch.", "")
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="negative dimension"):
        pt.zeros(-1)


def test_random_reproducible_and_generator():
    pt.manual_seed(42)
    a = pt.randn(4)
    pt.manual_seed(42)
    assert (pt.randn(4) == a).all().item() if hasattr(pt.Tensor, "all") \
        else np.array_equal(pt.randn(4).numpy(), a.numpy())
    g = pt.Generator().manual_seed(1)
    x = pt.rand(3, generator=g)
    g.manual_seed(1)
    assert np.array_equal(pt.rand(3, generator=g).numpy(), x.numpy())
    r = pt.randint(0, 5, (100,))
    assert r.dtype is pt.int64 and 0 <= r.numpy().min() and r.numpy().max() < 5
    state = pt.get_rng_state()
    u = pt.rand(3)
    pt.set_rng_state(state)
    assert np.array_equal(pt.rand(3).numpy(), u.numpy())
    p = pt.randperm(10)
    assert sorted(p.tolist()) == list(range(10))


def test_requires_grad_rules():
    with pytest.raises(RuntimeError, match="floating point"):
        pt.tensor([1, 2], requires_grad=True)
    x = pt.ones(2, requires_grad=True)
    y = x * 2
    assert not y.is_leaf and x.is_leaf
    with pytest.raises(RuntimeError,
                       match="only change requires_grad flags of leaf"):
        y.requires_grad_(False)
    d = y.detach()
    assert d.is_leaf and not d.requires_grad


def test_grad_setter_validates():
    x = pt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="different size"):
        x.grad = pt.ones(3)
    x.grad = pt.ones(2)
    x.grad = None


def test_tensors_hash_by_identity():
    a, b = pt.ones(2), pt.ones(2)
    assert len({a, b}) == 2
