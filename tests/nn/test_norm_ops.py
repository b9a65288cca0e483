"""Normalization and attention ops (``pytensor.ops.nn``): parity with
PyTorch 2.13 (forward, input and affine gradients; float32/float64;
contiguous and strided), float64 gradcheck and gradgradcheck (double
backward), running statistics, the array fast path against the
differentiable backward, and errors."""
import numpy as np
import pytest

import pytensor
from pytensor.autograd import gradgradcheck
from pytensor.ops.nn.attention import scaled_dot_product_attention as sdpa
from pytensor.ops.nn.batch_norm import batch_norm
from pytensor.ops.nn.instance_norm import instance_norm
from tests.parity import OpCase, define_tests


def _tf(torch):
    return torch.nn.functional


def _bn(training):
    """batch_norm with fresh running statistics made inside the call (the
    same values in both libraries)."""
    def pt(T, x, w=None, b=None):
        C = x.shape[1]
        rm = T.linspace(-1.0, 1.0, C, dtype=x.dtype)
        rv = T.linspace(0.5, 2.0, C, dtype=x.dtype)
        if T is pytensor:
            return batch_norm(x, rm, rv, w, b, training, 0.2, 1e-5)
        return _tf(T).batch_norm(x, rm, rv, w, b, training, 0.2, 1e-5)
    return pt


def _ln(shape):
    def fn(T, x, w=None, b=None):
        if T is pytensor:
            return pytensor.layer_norm(x, shape, w, b, 1e-5)
        return _tf(T).layer_norm(x, shape, w, b, 1e-5)
    return fn


def _gn(groups):
    def fn(T, x, w=None, b=None):
        if T is pytensor:
            return pytensor.group_norm(x, groups, w, b, 1e-5)
        return _tf(T).group_norm(x, groups, w, b, 1e-5)
    return fn


def _in(T, x, w=None, b=None):
    if T is pytensor:
        return instance_norm(x, None, None, w, b)
    return _tf(T).instance_norm(x, None, None, w, b)


def _rms(shape, eps=None):
    def fn(T, x, w=None):
        if T is pytensor:
            return pytensor.rms_norm(x, shape, w, eps)
        return _tf(T).rms_norm(x, shape, w, eps)
    return fn


def _attn(mask_kind=None, causal=False, scale=None):
    def fn(T, q, k, v, m=None):
        f = sdpa if T is pytensor else _tf(T).scaled_dot_product_attention
        if mask_kind == "bool":
            m = m > 0
        return f(q, k, v, attn_mask=m, is_causal=causal, scale=scale)
    return fn


CASES = [
    OpCase("layer_norm", _ln([5]), [((3, 5), (5,), (5,)),
                                    ((2, 3, 5), (5,), (5,)),
                                    ((0, 5), (5,), (5,)),
                                    ((1, 5), (5,), (5,))]),
    OpCase("layer_norm_2d", _ln([3, 4]), [((2, 3, 4), (3, 4), (3, 4))]),
    OpCase("layer_norm_noaffine", _ln([4]), [((3, 4),), ((2, 2, 4),)]),
    OpCase("layer_norm_weight_only", _ln([4]), [((3, 4), (4,))]),
    OpCase("batch_norm_train", _bn(True),
           [((4, 3), (3,), (3,)), ((2, 3, 5), (3,), (3,)),
            ((2, 3, 2, 3), (3,), (3,)), ((3, 2),)]),
    OpCase("batch_norm_eval", _bn(False),
           [((4, 3), (3,), (3,)), ((2, 3, 2, 3), (3,), (3,)), ((3, 2),)]),
    OpCase("group_norm", _gn(2), [((2, 4, 3), (4,), (4,)), ((3, 6),),
                                  ((2, 4, 2, 2), (4,), (4,))]),
    OpCase("instance_norm", _in, [((2, 3, 4), (3,), (3,)), ((2, 2, 3, 2),)]),
    OpCase("rms_norm", _rms([4]), [((3, 4), (4,)), ((2, 3, 4),)]),
    OpCase("rms_norm_eps", _rms([2, 3], 1e-3), [((2, 2, 3), (2, 3))]),
    OpCase("sdpa", _attn(), [((2, 3, 4), (2, 5, 4), (2, 5, 6)),
                             ((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3)),
                             ((3, 4), (5, 4), (5, 2)),
                             ((2, 1, 3, 4), (1, 2, 5, 4), (2, 2, 5, 3))]),
    OpCase("sdpa_causal", _attn(causal=True),
           [((2, 4, 3), (2, 4, 3), (2, 4, 3)), ((3, 3), (5, 3), (5, 2))]),
    OpCase("sdpa_float_mask", _attn("float"),
           [((2, 3, 4), (2, 5, 4), (2, 5, 6), (3, 5)),
            ((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3), (2, 1, 3, 5))]),
    OpCase("sdpa_bool_mask", _attn("bool"),
           [((2, 3, 4), (2, 5, 4), (2, 5, 6), (3, 5))],
           grad_inputs=(0, 1, 2)),
    OpCase("sdpa_scale", _attn(scale=0.3), [((2, 3, 4), (2, 5, 4),
                                             (2, 5, 6))]),
]

define_tests(CASES, globals())


# --- double backward ---------------------------------------------------------
def _t(rng, *shape):
    return pytensor.tensor(rng.standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("name", ["layer_norm", "layer_norm_noaffine",
                                  "batch_norm_train", "batch_norm_eval",
                                  "group_norm", "rms_norm", "sdpa",
                                  "sdpa_causal", "sdpa_float_mask"])
def test_gradgradcheck(name):
    case = next(c for c in CASES if c.name == name)
    rng = np.random.default_rng(0)
    shapes = case.shapes[0]
    inputs = tuple(_t(rng, *s) for s in shapes)
    assert gradgradcheck(lambda *xs: case.fn(pytensor, *xs), inputs,
                         eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.torch
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_double_backward_matches_torch(torch, training):
    """d/dx of (sum of gx * v), through the create_graph path."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 3, 2))
    w = rng.standard_normal(3)
    v = rng.standard_normal((4, 3, 2))
    out = []
    for T in (pytensor, torch):
        xt = (pytensor.tensor(x) if T is pytensor else torch.tensor(x)
              ).requires_grad_(True)
        wt = (pytensor.tensor(w) if T is pytensor else torch.tensor(w)
              ).requires_grad_(True)
        y = _bn(training)(T, xt, wt)
        ag = pytensor.autograd if T is pytensor else torch.autograd
        gx, = ag.grad((y * y).sum(), xt, create_graph=True)
        gg = ag.grad((gx * (T.tensor(v))).sum(), (xt, wt))
        out.append([np.asarray(g.detach().numpy()) for g in gg])
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


# --- running statistics ------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_batch_norm_running_stats_over_steps(torch, dtype):
    rng = np.random.default_rng(2)
    rm = np.zeros(3, dtype)
    rv = np.ones(3, dtype)
    prm, prv = pytensor.tensor(rm), pytensor.tensor(rv)
    trm, trv = torch.tensor(rm), torch.tensor(rv)
    for step in range(4):
        x = rng.standard_normal((5, 3, 2)).astype(dtype) * (step + 1)
        batch_norm(pytensor.tensor(x), prm, prv, training=True, momentum=0.3)
        _tf(torch).batch_norm(torch.tensor(x), trm, trv, training=True,
                              momentum=0.3)
    np.testing.assert_allclose(prm.numpy(), trm.numpy(), rtol=1e-6)
    np.testing.assert_allclose(prv.numpy(), trv.numpy(), rtol=1e-6)


def test_batch_norm_bumps_running_stat_versions():
    rm, rv = pytensor.zeros(2), pytensor.ones(2)
    v0 = rm._version
    batch_norm(pytensor.randn(4, 2), rm, rv, training=True)
    assert rm._version == v0 + 1 and rv._version == v0 + 1
    batch_norm(pytensor.randn(4, 2), rm, rv, training=False)
    assert rm._version == v0 + 1


@pytest.mark.torch
def test_instance_norm_running_stats(torch):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 4))
    prm, prv = pytensor.zeros(3, dtype=pytensor.float64), pytensor.ones(
        3, dtype=pytensor.float64)
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(
        3, dtype=torch.float64)
    y = instance_norm(pytensor.tensor(x), prm, prv, momentum=0.4)
    ty = _tf(torch).instance_norm(torch.tensor(x), trm, trv, momentum=0.4)
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-10)
    np.testing.assert_allclose(prm.numpy(), trm.numpy(), rtol=1e-10)
    np.testing.assert_allclose(prv.numpy(), trv.numpy(), rtol=1e-10)
    y = instance_norm(pytensor.tensor(x), prm, prv, use_input_stats=False)
    ty = _tf(torch).instance_norm(torch.tensor(x), trm, trv,
                                  use_input_stats=False)
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-10)


# --- fast path and differentiable backward agree -----------------------------
@pytest.mark.parametrize("name", ["layer_norm", "batch_norm_train",
                                  "batch_norm_eval", "group_norm",
                                  "rms_norm", "sdpa_float_mask"])
def test_array_fast_path_matches_differentiable_backward(name):
    case = next(c for c in CASES if c.name == name)
    rng = np.random.default_rng(4)
    shapes = case.shapes[0]
    arrays = [rng.standard_normal(s) for s in shapes]
    grads = []
    for create_graph in (False, True):
        xs = [pytensor.tensor(a, requires_grad=True) for a in arrays]
        y = case.fn(pytensor, *xs)
        g = pytensor.tensor(np.cos(np.arange(y.numel())).reshape(y.shape))
        grads.append(pytensor.autograd.grad(y, xs, g,
                                            create_graph=create_graph))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(),
                                   rtol=1e-10, atol=1e-12)


# --- attention specifics -----------------------------------------------------
@pytest.mark.torch
def test_sdpa_fully_masked_rows_give_zeros(torch):
    rng = np.random.default_rng(5)
    q, k, v = (rng.standard_normal(s) for s in ((3, 4), (5, 4), (5, 2)))
    m = np.ones((3, 5), bool)
    m[1] = False
    pq = pytensor.tensor(q, requires_grad=True)
    y = sdpa(pq, pytensor.tensor(k), pytensor.tensor(v),
             attn_mask=pytensor.tensor(m))
    ty = _tf(torch).scaled_dot_product_attention(
        torch.tensor(q), torch.tensor(k), torch.tensor(v),
        attn_mask=torch.tensor(m))
    np.testing.assert_allclose(y.detach().numpy(), ty.numpy(), atol=1e-12)
    assert (y.detach().numpy()[1] == 0).all()
    y.sum().backward()
    assert (pq.grad.numpy()[1] == 0).all()
    mf = np.where(m, 0.0, -np.inf)
    y2 = sdpa(pytensor.tensor(q), pytensor.tensor(k), pytensor.tensor(v),
              attn_mask=pytensor.tensor(mf))
    np.testing.assert_allclose(y2.numpy(), ty.numpy(), atol=1e-12)


def test_sdpa_dropout_is_reproducible_and_unbiased():
    q = pytensor.randn(2, 8, 4)
    k = pytensor.randn(2, 8, 4)
    v = pytensor.ones(2, 8, 3)
    pytensor.manual_seed(7)
    a = sdpa(q, k, v, dropout_p=0.5)
    pytensor.manual_seed(7)
    b = sdpa(q, k, v, dropout_p=0.5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    # v is all ones: each output is the sum of the kept, rescaled weights.
    assert abs(float(a.mean()) - 1.0) < 0.25
    assert (sdpa(q, k, v, dropout_p=1.0).numpy() == 0).all()


@pytest.mark.torch
def test_sdpa_grouped_query_attention(torch):
    rng = np.random.default_rng(6)
    q = rng.standard_normal((1, 4, 3, 2))
    k = rng.standard_normal((1, 2, 5, 2))
    v = rng.standard_normal((1, 2, 5, 3))
    y = sdpa(*(pytensor.tensor(a) for a in (q, k, v)), enable_gqa=True)
    ty = _tf(torch).scaled_dot_product_attention(
        *(torch.tensor(a) for a in (q, k, v)), enable_gqa=True)
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-10)


# --- errors ------------------------------------------------------------------
def test_errors():
    x = pytensor.randn(2, 3)
    with pytest.raises(RuntimeError, match=r"layer_norm: Given normalized_"
                       r"shape=\[4\], expected input with shape \[\*, 4\], "
                       r"but got input of size\[2, 3\]"):
        pytensor.layer_norm(x, [4])
    with pytest.raises(RuntimeError, match=r"layer_norm: Expected weight to "
                       r"be of same shape as normalized_shape, but got weight "
                       r"of shape \[4\] and normalized_shape = \[3\]"):
        pytensor.layer_norm(x, 3, pytensor.ones(4))
    with pytest.raises(RuntimeError, match="dtype"):
        pytensor.layer_norm(x, 3, pytensor.ones(3, dtype=pytensor.float64))
    with pytest.raises(RuntimeError, match="floating point"):
        pytensor.layer_norm(pytensor.ones(2, 3, dtype=pytensor.int64), 3)
    with pytest.raises(ValueError, match=r"Expected more than 1 value per "
                       r"channel when training, got input size \[1, 3\]"):
        batch_norm(pytensor.randn(1, 3), None, None, training=True)
    with pytest.raises(RuntimeError, match=r"batch_norm: running_mean should "
                       r"contain 3 elements not 4"):
        batch_norm(x.reshape(3, 2).t(), pytensor.zeros(4), pytensor.ones(3))
    with pytest.raises(RuntimeError, match="running_mean and running_var"):
        batch_norm(x, None, None, training=False)
    with pytest.raises(RuntimeError, match=r"group_norm: Expected number of "
                       r"channels in input to be divisible by num_groups, "
                       r"but got input of shape \[2, 3\] and num_groups=2"):
        pytensor.group_norm(x, 2)
    with pytest.raises(ValueError, match="Expected more than 1 spatial"):
        instance_norm(pytensor.randn(2, 3, 1))
    q = pytensor.randn(2, 3, 4)
    with pytest.raises(RuntimeError, match=r"scaled_dot_product_attention: "
                       r"query and key must have the same embedding size"):
        sdpa(q, pytensor.randn(2, 5, 3), pytensor.randn(2, 5, 3))
    with pytest.raises(RuntimeError, match="same sequence length"):
        sdpa(q, pytensor.randn(2, 5, 4), pytensor.randn(2, 4, 3))
    with pytest.raises(RuntimeError, match=r"attn_mask of shape \[4, 5\] "
                       r"does not broadcast"):
        sdpa(q, pytensor.randn(2, 5, 4), pytensor.randn(2, 5, 3),
             attn_mask=pytensor.zeros(4, 5))
    with pytest.raises(RuntimeError, match="should not be set when "
                       "is_causal=True"):
        sdpa(q, q, q, attn_mask=pytensor.zeros(3, 3), is_causal=True)
    with pytest.raises(RuntimeError, match="same floating point dtype"):
        sdpa(q, q.double(), q)
    with pytest.raises(RuntimeError, match="attn_mask dtype"):
        sdpa(q, q, q, attn_mask=pytensor.zeros(3, 3, dtype=pytensor.int64))
