"""nn.init (gains and fans equal to torch's, distributions checked with
fixed seeds, in-place and generator semantics, default layer inits) and
nn.utils (clip_grad_norm_/clip_grad_value_ vs torch, parameter vectors)."""
import math

import numpy as np
import pytest

import pytensor
from pytensor import nn
from pytensor.nn import init

SHAPES = [(8, 4), (6, 3, 2, 2), (5, 2, 7), (3, 9, 1, 1, 2)]


@pytest.mark.torch
def test_gain_and_fans_equal_torch(torch):
    for nl, p in (("linear", None), ("conv2d", None), ("sigmoid", None),
                  ("tanh", None), ("relu", None), ("leaky_relu", None),
                  ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None)):
        assert init.calculate_gain(nl, p) == torch.nn.init.calculate_gain(
            nl, p)
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        init.calculate_gain("foo")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)
    for shape in SHAPES:
        assert init._calculate_fan_in_and_fan_out(pytensor.empty(*shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(pytensor.empty(3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(pytensor.empty(3, 3), mode="fan_avg")


def _stats(t):
    a = t.detach().numpy().astype(np.float64)
    return a.mean(), a.std(), a.min(), a.max()


def test_uniform_normal_constant():
    pytensor.manual_seed(0)
    t = pytensor.empty(400, 500)
    assert init.uniform_(t, -2, 3) is t
    m, s, lo, hi = _stats(t)
    assert abs(m - 0.5) < 0.02 and abs(s - 5 / math.sqrt(12)) < 0.01
    assert lo >= -2 and hi < 3
    init.normal_(t, 1.5, 0.5)
    m, s, _, _ = _stats(t)
    assert abs(m - 1.5) < 0.005 and abs(s - 0.5) < 0.005
    init.constant_(t, 0.25)
    assert (t.numpy() == 0.25).all()
    init.ones_(t)
    assert (t.numpy() == 1).all()
    init.zeros_(t)
    assert not t.numpy().any()


def test_trunc_normal_both_methods():
    pytensor.manual_seed(1)
    t = pytensor.empty(100_000)
    init.trunc_normal_(t, mean=0.0, std=1.0, a=-2.0, b=2.0)
    m, s, lo, hi = _stats(t)
    # N(0, 1) truncated to [-2, 2]: mean 0, std 0.8796.
    assert abs(m) < 0.01 and abs(s - 0.8796) < 0.01
    assert lo >= -2 and hi <= 2
    # Far in the tail: the inverse-CDF path (and PyTorch's warning).
    # N(0,1) on [2.5, 3] has mean (phi(2.5) - phi(3)) / (Phi(3) - Phi(2.5)).
    with pytest.warns(UserWarning, match="more than 2 std"):
        init.trunc_normal_(t, a=2.5, b=3.0)
    m, _, lo, hi = _stats(t)
    assert lo >= 2.5 and hi <= 3.0 and abs(m - 2.6946) < 0.003


@pytest.mark.parametrize("shape", SHAPES)
def test_xavier_and_kaiming_scales(shape):
    pytensor.manual_seed(2)
    t = pytensor.empty(*shape)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(t)
    big = pytensor.empty(200, *shape[1:])
    bfi, bfo = init._calculate_fan_in_and_fan_out(big)
    init.xavier_uniform_(big, gain=2.0)
    a = 2.0 * math.sqrt(6.0 / (bfi + bfo))
    _, s, lo, hi = _stats(big)
    assert -a <= lo and hi <= a and abs(s - a / math.sqrt(3)) < 0.05 * a
    init.xavier_normal_(big)
    _, s, _, _ = _stats(big)
    assert abs(s - math.sqrt(2.0 / (bfi + bfo))) < 0.05 * s
    init.kaiming_uniform_(big, a=math.sqrt(5))
    bound = 1 / math.sqrt(bfi)
    _, s, lo, hi = _stats(big)
    assert -bound <= lo and hi <= bound
    init.kaiming_normal_(big, mode="fan_out", nonlinearity="relu")
    _, s, _, _ = _stats(big)
    assert abs(s - math.sqrt(2.0 / bfo)) < 0.05 * s
    assert fan_in > 0 and fan_out > 0


def test_kaiming_zero_element_warns():
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(pytensor.empty(0, 3))


def test_eye_dirac_orthogonal_sparse():
    t = init.eye_(pytensor.empty(3, 4))
    assert t.tolist() == np.eye(3, 4).tolist()
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(pytensor.empty(2, 2, 2))
    w = init.dirac_(pytensor.empty(4, 2, 3, 3), groups=2)
    a = w.numpy()
    assert a.sum() == 4 and a[0, 0, 1, 1] == 1 and a[2, 0, 1, 1] == 1
    assert a[3, 1, 1, 1] == 1 and a[1, 1, 1, 1] == 1
    pytensor.manual_seed(3)
    for shape in ((5, 3), (3, 5), (4, 2, 2)):
        q = init.orthogonal_(pytensor.empty(*shape), gain=2.0).numpy()
        q2 = q.reshape(shape[0], -1).astype(np.float64)
        if q2.shape[0] <= q2.shape[1]:
            np.testing.assert_allclose(q2 @ q2.T, 4 * np.eye(q2.shape[0]),
                                       atol=1e-5)
        else:
            np.testing.assert_allclose(q2.T @ q2, 4 * np.eye(q2.shape[1]),
                                       atol=1e-5)
    s = init.sparse_(pytensor.empty(10, 4), sparsity=0.3).numpy()
    assert ((s == 0).sum(axis=0) == 3).all()


def test_init_in_place_no_grad_and_generator():
    p = nn.Parameter(pytensor.zeros(3, 3))
    ver = p._version
    with pytensor.enable_grad():
        init.normal_(p)
    assert p.requires_grad and p.is_leaf and p._version > ver
    g = pytensor.Generator().manual_seed(9)
    a = init.uniform_(pytensor.empty(5), generator=g).tolist()
    g.manual_seed(9)
    assert init.uniform_(pytensor.empty(5), generator=g).tolist() == a
    pytensor.manual_seed(4)
    b = init.normal_(pytensor.empty(5)).tolist()
    pytensor.manual_seed(4)
    assert init.normal_(pytensor.empty(5)).tolist() == b


def test_default_layer_initialisation():
    pytensor.manual_seed(0)
    lin = nn.Linear(256, 300)
    bound = 1 / math.sqrt(256)
    _, s, lo, hi = _stats(lin.weight)
    assert -bound <= lo and hi <= bound
    assert abs(s - bound / math.sqrt(3)) < 0.02 * bound
    _, s, lo, hi = _stats(lin.bias)
    assert -bound <= lo and hi <= bound
    bil = nn.Bilinear(64, 8, 30)
    _, _, lo, hi = _stats(bil.weight)
    assert -1 / 8 <= lo and hi <= 1 / 8 and hi > 0.1


# ----------------------------------------------------------------------
# nn.utils
def _grads(rng, shapes):
    return [rng.standard_normal(s) for s in shapes]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf"), 0.0])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(torch, norm_type, max_norm, dtype):
    rng = np.random.default_rng(0)
    gs = [g.astype(dtype) for g in _grads(rng, [(3, 4), (5,), ()])]
    pp = [nn.Parameter(pytensor.zeros(*g.shape, dtype=dtype)) for g in gs]
    tp = [torch.nn.Parameter(torch.zeros(g.shape, dtype=getattr(torch,
                                                                dtype)))
          for g in gs]
    for p, q, g in zip(pp, tp, gs):
        p.grad = pytensor.tensor(g)
        q.grad = torch.tensor(g)
    n1 = nn.utils.clip_grad_norm_(pp, max_norm, norm_type)
    n2 = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type)
    rtol = 1e-12 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(n1.numpy(), n2.numpy(), rtol=rtol)
    assert n1.shape == () and n1.dtype.name == dtype
    for p, q in zip(pp, tp):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(),
                                   rtol=rtol)


def test_clip_grad_norm_details():
    p = nn.Parameter(pytensor.zeros(2))
    assert nn.utils.clip_grad_norm_([p], 1.0).item() == 0.0   # no grads
    p.grad = pytensor.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    with pytest.warns(UserWarning, match="empty generator"):
        nn.utils.clip_grad_norm_((q for q in []), 1.0)
    m = nn.Linear(3, 2)
    m(pytensor.ones(4, 3)).sum().backward()
    g = m.weight.grad
    total = nn.utils.clip_grad_norm_(m.parameters(), 0.1)
    assert m.weight.grad is g                 # scaled in place
    after = nn.utils.get_total_norm([q.grad for q in m.parameters()])
    assert after.item() == pytest.approx(0.1, rel=1e-4)
    assert total.item() > 0.1


@pytest.mark.torch
def test_clip_grad_value_matches_torch(torch):
    g = np.random.default_rng(1).standard_normal((4, 5))
    p = nn.Parameter(pytensor.zeros(4, 5, dtype=pytensor.float64))
    q = torch.nn.Parameter(torch.zeros(4, 5, dtype=torch.float64))
    p.grad, q.grad = pytensor.tensor(g), torch.tensor(g)
    nn.utils.clip_grad_value_([p], 0.5)
    torch.nn.utils.clip_grad_value_([q], 0.5)
    np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


def test_parameters_to_vector_and_back():
    m = nn.Linear(3, 2)
    v = nn.utils.parameters_to_vector(m.parameters())
    assert v.shape == (8,)
    np.testing.assert_array_equal(v.detach().numpy()[:6],
                                  m.weight.detach().numpy().ravel())
    w = m.weight
    new = pytensor.arange(8.0)
    nn.utils.vector_to_parameters(new, m.parameters())
    assert m.weight is w
    assert m.weight.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert m.bias.tolist() == [6, 7]
    new._data[0] = 42                         # shares storage, as torch
    assert m.weight.tolist()[0][0] == 42
    # differentiable, as torch's cat of views
    v = nn.utils.parameters_to_vector(m.parameters())
    (v * pytensor.arange(8.0)).sum().backward()
    assert m.bias.grad.tolist() == [6, 7]
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        nn.utils.vector_to_parameters([1.0], m.parameters())
