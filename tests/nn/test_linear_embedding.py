"""Linear, Bilinear, Embedding, Identity, Flatten, Unflatten: parity with
PyTorch (outputs, input and parameter gradients, float32 and float64),
double backward, errors."""
import numpy as np
import pytest

import pytensor
from pytensor import nn
import pytensor.nn.functional as F
from tests.nn._torch import check_module

DTYPES = ["float32", "float64"]


def _rand(shape, dtype, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,bias", [((5, 4), True), ((4,), True),
                                        ((2, 3, 4), False), ((0, 4), True),
                                        ((2, 1, 3, 4), True)])
def test_linear_parity(torch, dtype, shape, bias):
    th = torch.nn.Linear(4, 3, bias=bias)
    pt = nn.Linear(4, 3, bias=bias)
    check_module(torch, th, pt, [_rand(shape, dtype)], dtype)


@pytest.mark.torch
def test_linear_noncontiguous_input(torch):
    a = _rand((4, 6), "float64")[:, ::2]           # (4, 3), strided
    th, pt = torch.nn.Linear(3, 2).double(), nn.Linear(3, 2).double()
    check_module(torch, th, pt, [np.asarray(a)], "float64")


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_linear_batch_first_view(torch, dtype):
    """A 3-D input that is a transposed view (a batch-first recurrent
    output): folded by a copy that the weight gradient reuses."""
    base = _rand((5, 3, 4), dtype)
    outs = []
    for T in (pytensor, torch):
        xb = T.tensor(base, requires_grad=True)
        lin = (nn.Linear(4, 3) if T is pytensor else torch.nn.Linear(4, 3))
        if T is pytensor:
            lin.weight.data = pytensor.tensor(_rand((3, 4), dtype, 1))
            lin.bias.data = pytensor.tensor(_rand((3,), dtype, 2))
        else:
            lin = lin.to(getattr(torch, dtype))
            with torch.no_grad():
                lin.weight.copy_(torch.tensor(_rand((3, 4), dtype, 1)))
                lin.bias.copy_(torch.tensor(_rand((3,), dtype, 2)))
        y = lin(xb.transpose(0, 1))
        (y * y).sum().backward()
        outs.append([np.asarray(a.detach()) for a in
                     (y, xb.grad, lin.weight.grad, lin.bias.grad)])
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == "float32" else \
        dict(rtol=1e-12, atol=1e-12)
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, **tol)
    # Changing the input in place after the forward is still caught.
    xb = pytensor.tensor(base, requires_grad=True)
    x = xb.detach().transpose(0, 1).requires_grad_()
    y = F.linear(x, pytensor.tensor(_rand((3, 4), dtype, 1),
                                    requires_grad=True))
    with pytensor.no_grad():
        x.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace"):
        y.sum().backward()


def test_linear_gradcheck():
    x = pytensor.randn(3, 4, dtype=pytensor.float64, requires_grad=True)
    w = pytensor.randn(2, 4, dtype=pytensor.float64, requires_grad=True)
    b = pytensor.randn(2, dtype=pytensor.float64, requires_grad=True)
    assert pytensor.autograd.gradcheck(F.linear, (x, w, b))
    x3 = pytensor.randn(2, 2, 4, dtype=pytensor.float64, requires_grad=True)
    assert pytensor.autograd.gradcheck(F.linear, (x3, w, b))
    xt = pytensor.randn(2, 3, 4, dtype=pytensor.float64, requires_grad=True)
    assert pytensor.autograd.gradcheck(
        lambda x, w, b: F.linear(x.transpose(0, 1), w, b), (xt, w, b))
    assert pytensor.autograd.gradgradcheck(
        lambda x, w, b: F.linear(x.transpose(0, 1), w, b), (xt, w, b))


@pytest.mark.torch
def test_linear_double_backward(torch):
    rng = np.random.default_rng(1)
    xs, ws, bs = (rng.standard_normal(s) for s in ((3, 4), (2, 4), (2,)))
    outs = []
    for T in (pytensor, torch):
        x = T.tensor(xs, requires_grad=True)
        w = T.tensor(ws, requires_grad=True)
        b = T.tensor(bs, requires_grad=True)
        fn = F.linear if T is pytensor else torch.nn.functional.linear
        y = fn(x, w, b)
        (gx,) = T.autograd.grad((y * y).sum(), x, create_graph=True)
        gw, gb = T.autograd.grad((gx * gx).sum(), (w, b))
        outs.append((np.asarray(gw.detach()), np.asarray(gb.detach())))
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_linear_errors():
    lin = nn.Linear(8, 1)
    with pytest.raises(RuntimeError, match="last dimension 8, got shape "
                       r"\[16, 4\]"):
        lin(pytensor.randn(16, 4))
    with pytest.raises(RuntimeError, match="same dtype"):
        lin(pytensor.randn(2, 8, dtype=pytensor.float64))
    with pytest.raises(RuntimeError, match="at least 1 dimension"):
        F.linear(pytensor.tensor(1.0), pytensor.ones(1, 1))
    with pytest.raises(RuntimeError, match="weight must be 2-D"):
        F.linear(pytensor.ones(2, 3), pytensor.ones(3))
    with pytest.raises(TypeError, match="must be a Tensor"):
        F.linear([1.0], pytensor.ones(1, 1))


def test_linear_init_and_repr():
    lin = nn.Linear(16, 5, bias=False)
    assert repr(lin) == "Linear(in_features=16, out_features=5, bias=False)"
    assert lin.bias is None
    w = lin.weight.detach().numpy()
    assert np.abs(w).max() <= 1 / 4 and np.abs(w).max() > 0.15
    lin2 = nn.Linear(3, 2, dtype=pytensor.float64)
    assert lin2.weight.dtype is pytensor.float64
    assert lin2.bias.dtype is pytensor.float64


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_bilinear_parity(torch, dtype):
    th = torch.nn.Bilinear(3, 4, 2)
    pt = nn.Bilinear(3, 4, 2)
    assert repr(pt) == repr(th)
    check_module(torch, th, pt, [_rand((5, 3), dtype, 1),
                                 _rand((5, 4), dtype, 2)], dtype)
    th, pt = torch.nn.Bilinear(3, 4, 2, bias=False), nn.Bilinear(
        3, 4, 2, bias=False)
    check_module(torch, th, pt, [_rand((2, 5, 3), dtype, 3),
                                 _rand((2, 5, 4), dtype, 4)], dtype)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 1},
                                    {"padding_idx": -2},
                                    {"scale_grad_by_freq": True},
                                    {"padding_idx": 0,
                                     "scale_grad_by_freq": True}])
def test_embedding_parity(torch, dtype, kwargs):
    th = torch.nn.Embedding(6, 3, **kwargs)
    pt = nn.Embedding(6, 3, **kwargs)
    assert repr(pt) == repr(th)
    idx = np.array([[1, 2, 1, 0], [5, 1, 4, 4]])
    check_module(torch, th, pt, [idx], dtype, grad_inputs=[])


@pytest.mark.torch
def test_embedding_max_norm(torch):
    th = torch.nn.Embedding(5, 4, max_norm=1.0).double()
    pt = nn.Embedding(5, 4, max_norm=1.0).double()
    w = np.random.default_rng(0).standard_normal((5, 4)) * 3
    th.weight.data = torch.from_numpy(w.copy())
    pt.weight.data = pytensor.from_numpy(w.copy())
    idx = np.array([0, 2, 2])
    yt = th(torch.from_numpy(idx))
    yp = pt(pytensor.from_numpy(idx))
    np.testing.assert_allclose(yp.detach().numpy(), yt.detach().numpy(),
                               rtol=1e-12)
    # The looked-up rows were renormalized in place; the others untouched.
    np.testing.assert_allclose(pt.weight.detach().numpy(),
                               th.weight.detach().numpy(), rtol=1e-12)
    assert np.allclose(pt.weight.detach().numpy()[1], w[1])


def test_embedding_padding_row_zero_and_no_grad():
    emb = nn.Embedding(4, 2, padding_idx=3)
    assert emb.weight.tolist()[3] == [0.0, 0.0]
    out = emb(pytensor.tensor([3, 3, 1]))
    out.sum().backward()
    g = emb.weight.grad.numpy()
    assert g[3].tolist() == [0.0, 0.0] and g[1].tolist() == [1.0, 1.0]


def test_embedding_double_backward_and_gradcheck():
    w = pytensor.randn(5, 3, dtype=pytensor.float64, requires_grad=True)
    idx = pytensor.tensor([[0, 4], [4, 2]])
    # (padding_idx zeroes a true derivative on purpose, so not here)
    assert pytensor.autograd.gradcheck(lambda w: F.embedding(idx, w), (w,))
    # The scatter and gather are each other's adjoint: second order works.
    # d/d(gy) of sum(c * dW) is c gathered at the indices (scaled by the
    # inverse frequency, zero at the padding index).
    y = F.embedding(idx, w, padding_idx=2, scale_grad_by_freq=True)
    gy = pytensor.randn(*y.shape, dtype=pytensor.float64, requires_grad=True)
    (gw,) = pytensor.autograd.grad(y, w, gy, create_graph=True)
    c = np.random.default_rng(0).standard_normal((5, 3))
    (ggy,) = pytensor.autograd.grad((gw * pytensor.from_numpy(c)).sum(), gy)
    i = idx.numpy()
    counts = np.bincount(i.ravel(), minlength=5)
    want = c[i] / counts[i][..., None]
    want[i == 2] = 0
    np.testing.assert_allclose(ggy.numpy(), want, rtol=1e-12)


def test_embedding_errors():
    w = pytensor.randn(4, 2)
    with pytest.raises(IndexError, match="index out of range"):
        F.embedding(pytensor.tensor([4]), w)
    with pytest.raises(IndexError, match="index out of range"):
        F.embedding(pytensor.tensor([-1]), w)
    with pytest.raises(RuntimeError, match="Long, Int"):
        F.embedding(pytensor.tensor([1.0]), w)
    with pytest.raises(AssertionError, match="Padding_idx"):
        nn.Embedding(4, 2, padding_idx=4)
    with pytest.raises(NotImplementedError, match="sparse"):
        nn.Embedding(4, 2, sparse=True)


def test_embedding_from_pretrained():
    table = pytensor.tensor([[1.0, 2.0], [3.0, 4.0]])
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad
    assert emb(pytensor.tensor([1, 0])).tolist() == [[3.0, 4.0], [1.0, 2.0]]
    emb2 = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=0)
    assert emb2.weight.requires_grad and emb2.padding_idx == 0
    with pytest.raises(AssertionError, match="2-dimensional"):
        nn.Embedding.from_pretrained(pytensor.ones(3))


def test_embedding_init_distribution():
    pytensor.manual_seed(3)
    w = nn.Embedding(200, 50).weight.detach().numpy()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02


@pytest.mark.torch
def test_identity_flatten_unflatten(torch):
    x = pytensor.randn(2, 3, 4, 5)
    assert nn.Identity(3, k=1)(x) is x
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Unflatten(1, (3, 1))(pytensor.zeros(2, 3)).shape == (2, 3, 1)
    for m in ("Flatten()", "Flatten(0, 2)", "Unflatten(1, (2, 3))",
              "Unflatten(-1, [2, 3])", "Identity()"):
        assert repr(eval("nn." + m)) == repr(eval("torch.nn." + m))
