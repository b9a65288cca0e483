"""Losses against PyTorch 2.13: every option combination, generated as
OpCase rows (forward, input/target gradients, float32/float64, contiguous
and strided inputs, float64 gradcheck), plus double backward, the loss
modules and errors."""
import itertools

import numpy as np
import pytest

import pytensor
from pytensor import nn
from tests.nn._torch import needs_ops
from tests.parity import LAYOUTS, OpCase, define_tests

REDUCTIONS = ("none", "mean", "sum")
W4 = [0.5, 2.0, 1.0, 3.0]


def _F(T):
    return T.nn.functional


def _probs(rng, shape, dtype):
    """Rows of class probabilities along dim 1 (or 0 for 1-d)."""
    a = rng.random(shape) + 0.05
    axis = 1 if len(shape) > 1 else 0
    return (a / a.sum(axis=axis, keepdims=True)).astype(dtype)


def _unit(rng, shape, dtype):
    return rng.uniform(0.05, 0.95, size=shape).astype(dtype)


def _pm1(rng, shape, dtype):
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0).astype(dtype)


def _weight(T, x, w):
    return None if w is None else T.tensor(w, dtype=x.dtype)


# Logit shapes and matching class-index target shapes (C = 4 classes).
CE_SHAPES = [((5, 4), (5,)), ((4,), ()), ((2, 4, 3), (2, 3)),
             ((2, 4, 2, 2), (2, 2, 2)), ((0, 4), (0,))]


def _split_all_ignored(name, fn, shapes, ign, red, **kw):
    """Rows for ``shapes``; with an ignore_index and 'mean', the 1-d input
    (a single target, perhaps ignored: a NaN loss) skips gradcheck."""
    kw = dict(int_inputs=(1,), int_domain=(0, 4), max_gc_numel=48, **kw)
    if ign == -100 or red != "mean":
        return [OpCase(name, fn, shapes, **kw)]
    one = [s for s in shapes if len(s[0]) == 1]
    rest = [s for s in shapes if len(s[0]) != 1]
    out = [OpCase(name, fn, rest, **kw)]
    if one:
        out.append(OpCase(name + "_1d", fn, one, gradcheck=False, **kw))
    return out


def _ce_cases():
    """Every option combination; the plain rows run every shape (0-d
    target, spatial dims, empty batch) in both layouts, the option rows
    two shapes, contiguous."""
    cases = []
    for w, ign, ls, red in itertools.product((None, W4), (-100, 1),
                                             (0.0, 0.2), REDUCTIONS):
        name = (f"ce_idx_w{int(w is not None)}_ign{ign}_ls{ls}_{red}")

        def fn(T, x, t, w=w, ign=ign, ls=ls, red=red):
            return _F(T).cross_entropy(x, t, weight=_weight(T, x, w),
                                       ignore_index=ign, reduction=red,
                                       label_smoothing=ls)
        plain = w is None and ign == -100 and ls == 0.0
        if plain:
            shapes = CE_SHAPES if red != "mean" else CE_SHAPES[:4]
            cases += _split_all_ignored(name, fn, shapes, ign, red)
        else:
            cases += _split_all_ignored(name, fn, [CE_SHAPES[0],
                                                   CE_SHAPES[3]], ign, red,
                                        layouts=("contiguous",))
    for w, ls, red in itertools.product((None, W4), (0.0, 0.3), REDUCTIONS):
        name = f"ce_prob_w{int(w is not None)}_ls{ls}_{red}"

        def fn(T, x, t, w=w, ls=ls, red=red):
            return _F(T).cross_entropy(x, t, weight=_weight(T, x, w),
                                       reduction=red, label_smoothing=ls)
        plain = w is None and ls == 0.0
        shapes = [((5, 4), (5, 4)), ((4,), (4,)), ((2, 4, 3), (2, 4, 3))]
        cases.append(OpCase(name, fn, shapes if plain else shapes[::2],
                            domain=[(-3, 3), _probs], max_gc_numel=48,
                            layouts=LAYOUTS if plain else ("contiguous",)))
    for w, ign, red in itertools.product((None, W4), (-100, 2), REDUCTIONS):
        def fn(T, x, t, w=w, ign=ign, red=red):
            return _F(T).nll_loss(x, t, weight=_weight(T, x, w),
                                  ignore_index=ign, reduction=red)
        name = f"nll_w{int(w is not None)}_ign{ign}_{red}"
        plain = w is None and ign == -100
        cases += _split_all_ignored(name, fn, CE_SHAPES[:3] if plain else
                                    CE_SHAPES[:1], ign, red)
        # torch's own nll backward rejects a strided 4-d input
        # ("grad_input must be contiguous"): contiguous only there.
        cases.append(OpCase(name + "_4d", fn, CE_SHAPES[3:4],
                            int_inputs=(1,), int_domain=(0, 4),
                            layouts=("contiguous",), gradcheck=False))
    return cases


PAIR = [((3, 4), (3, 4)), ((), ()), ((2, 1, 3), (2, 1, 3))]


def _pointwise_cases():
    cases = []
    for red in REDUCTIONS:
        cases += [
            OpCase(f"mse_{red}", lambda T, x, t, r=red: _F(T).mse_loss(
                x, t, reduction=r), PAIR),
            OpCase(f"l1_{red}", lambda T, x, t, r=red: _F(T).l1_loss(
                x, t, reduction=r), PAIR),
            OpCase(f"mse_weighted_{red}", lambda T, x, t, w, r=red:
                   _F(T).mse_loss(x, t, reduction=r, weight=w),
                   [((3, 4),) * 3], domain=[(-2, 2), (-2, 2), (0.1, 2)]),
            OpCase(f"l1_weighted_{red}", lambda T, x, t, w, r=red:
                   _F(T).l1_loss(x, t, reduction=r, weight=w),
                   [((3, 4),) * 3], domain=[(-2, 2), (-2, 2), (0.1, 2)]),
            OpCase(f"huber_weighted_{red}", lambda T, x, t, w, r=red:
                   _F(T).huber_loss(x, t, reduction=r, weight=w, delta=0.7),
                   [((3, 4),) * 3], domain=[(-2, 2), (-2, 2), (0.1, 2)]),
            OpCase(f"bce_{red}", lambda T, x, t, r=red:
                   _F(T).binary_cross_entropy(x, t, reduction=r), PAIR,
                   domain=[_unit, _unit]),
            OpCase(f"bce_weight_{red}", lambda T, x, t, r=red:
                   _F(T).binary_cross_entropy(
                       x, t, weight=T.tensor([0.5, 1.0, 2.0, 3.0],
                                             dtype=x.dtype), reduction=r),
                   [((3, 4), (3, 4))], domain=[_unit, _unit]),
            OpCase(f"bcel_{red}", lambda T, x, t, r=red:
                   _F(T).binary_cross_entropy_with_logits(x, t, reduction=r),
                   PAIR, domain=[(-4, 4), _unit],
                   marks=[needs_ops("sigmoid")]),
            OpCase(f"bcel_pw_w_{red}", lambda T, x, t, r=red:
                   _F(T).binary_cross_entropy_with_logits(
                       x, t, reduction=r,
                       weight=T.tensor([[1.0], [0.5], [2.0]], dtype=x.dtype),
                       pos_weight=T.tensor([0.5, 1.0, 2.0, 3.0],
                                           dtype=x.dtype)),
                   [((3, 4), (3, 4))], domain=[(-4, 4), _unit],
                   marks=[needs_ops("sigmoid", "logsigmoid")]),
        ]
        for beta in (0.0, 0.5, 1.0):
            cases.append(OpCase(
                f"smooth_l1_b{beta}_{red}", lambda T, x, t, r=red, b=beta:
                _F(T).smooth_l1_loss(x, t, reduction=r, beta=b), PAIR))
        for delta in (0.5, 2.0):
            cases.append(OpCase(
                f"huber_d{delta}_{red}", lambda T, x, t, r=red, d=delta:
                _F(T).huber_loss(x, t, reduction=r, delta=d), PAIR))
    for red in REDUCTIONS + ("batchmean",):
        for log_t in (False, True):
            cases.append(OpCase(
                f"kl_{red}_log{int(log_t)}",
                lambda T, x, t, r=red, lt=log_t: _F(T).kl_div(
                    x, t, reduction=r, log_target=lt),
                [((3, 4), (3, 4)), ((4,), (4,))],
                domain=[(-3, -0.1), (-3, -0.1) if log_t else (0.05, 1.0)],
                marks=[pytest.mark.filterwarnings(
                    "ignore:reduction. 'mean' divides")]))
    cases.append(OpCase("mse_broadcast", lambda T, x, t: _F(T).mse_loss(
        x, t), [((3, 4), (4,))], gradcheck=False,
        marks=[pytest.mark.filterwarnings("ignore:Using a target size")]))
    return cases


def _ranking_cases():
    cases = []
    for red in REDUCTIONS:
        cases.append(OpCase(
            f"margin_ranking_{red}", lambda T, a, b, y, r=red:
            _F(T).margin_ranking_loss(a, b, y, margin=0.3, reduction=r),
            [((5,), (5,), (5,))], domain=[(-2, 2), (-2, 2), _pm1],
            grad_inputs=(0, 1), marks=[needs_ops("clamp_min")]))
        cases.append(OpCase(
            f"cosine_embedding_{red}", lambda T, a, b, y, r=red:
            _F(T).cosine_embedding_loss(a, b, y, margin=0.2, reduction=r),
            [((4, 3), (4, 3), (4,))], domain=[(-2, 2), (-2, 2), _pm1],
            grad_inputs=(0, 1), marks=[needs_ops("clamp_min", "sqrt")]))
    return cases


CASES = _ce_cases() + _pointwise_cases() + _ranking_cases()

define_tests(CASES, globals())


# ----------------------------------------------------------------------
# Double backward (the create_graph path of the fused ops)
@pytest.mark.torch
@pytest.mark.parametrize("kind", ["idx", "idx_w_ls_ign", "prob", "prob_w_ls",
                                  "nll", "idx_none"])
def test_cross_entropy_double_backward(torch, kind):
    rng = np.random.default_rng(7)
    xs = rng.standard_normal((5, 4))
    ts = rng.integers(0, 4, 5)
    probs = _probs(rng, (5, 4), np.float64)
    c = rng.standard_normal((5, 4))
    res = []
    for T in (pytensor, torch):
        x = T.tensor(xs, requires_grad=True)
        F = _F(T)
        if kind.startswith("prob"):
            t = T.tensor(probs, requires_grad=True)
        else:
            t = T.tensor(ts)
        w = T.tensor(W4, dtype=x.dtype) if "_w" in kind else None
        ls = 0.2 if "ls" in kind else 0.0
        if kind == "nll":
            # (nll is linear: compose it so the gradient depends on x)
            loss = F.nll_loss(x * x, t, reduction="sum")
        elif kind == "idx_none":
            loss = (F.cross_entropy(x, t, reduction="none") ** 2).sum()
        else:
            loss = F.cross_entropy(x, t, weight=w, label_smoothing=ls,
                                   ignore_index=2 if "ign" in kind else -100)
        ins = (x, t) if kind.startswith("prob") else (x,)
        grads = T.autograd.grad(loss, ins, create_graph=True)
        total = sum((g * T.tensor(c)).sum() for g in grads)
        second = T.autograd.grad(total, ins, allow_unused=True)
        res.append([None if g is None else np.asarray(g.detach())
                    for g in second])
    for a, b in zip(*res):
        if b is None:
            assert a is None or not np.any(a)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_cross_entropy_gradgradcheck():
    x = pytensor.randn(3, 4, dtype=pytensor.float64, requires_grad=True)
    t = pytensor.tensor([0, 3, 1])
    assert pytensor.autograd.gradgradcheck(
        lambda x: nn.functional.cross_entropy(x, t, label_smoothing=0.1),
        (x,))


# ----------------------------------------------------------------------
# Modules, semantics and errors
@pytest.mark.torch
def test_loss_modules_match_functional(torch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3))
    y = rng.integers(0, 3, 4)
    w = np.array([1.0, 2.0, 0.5])
    pairs = [
        (nn.CrossEntropyLoss(weight=pytensor.tensor(w), label_smoothing=0.1,
                             ignore_index=1),
         torch.nn.CrossEntropyLoss(weight=torch.tensor(w),
                                   label_smoothing=0.1, ignore_index=1),
         "idx"),
        (nn.NLLLoss(reduction="sum"), torch.nn.NLLLoss(reduction="sum"),
         "idx"),
        (nn.MSELoss(reduction="none"), torch.nn.MSELoss(reduction="none"),
         "x"),
        (nn.L1Loss(), torch.nn.L1Loss(), "x"),
        (nn.SmoothL1Loss(beta=0.5), torch.nn.SmoothL1Loss(beta=0.5), "x"),
        (nn.HuberLoss(delta=0.3), torch.nn.HuberLoss(delta=0.3), "x"),
    ]
    for pm, tm, kind in pairs:
        assert repr(pm) == repr(tm)
        if kind == "idx":
            a = pm(pytensor.tensor(x), pytensor.tensor(y))
            b = tm(torch.tensor(x), torch.tensor(y))
        else:
            a = pm(pytensor.tensor(x), pytensor.tensor(x[::-1].copy()))
            b = tm(torch.tensor(x), torch.tensor(x[::-1].copy()))
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
    with pytest.warns(UserWarning, match="size_average and reduce"):
        assert nn.CrossEntropyLoss(size_average=False).reduction == "sum"
    bce = nn.BCEWithLogitsLoss(pos_weight=pytensor.ones(3))
    assert list(bce.state_dict()) == ["pos_weight"]
    assert nn.KLDivLoss(reduction="batchmean", log_target=True).log_target


@pytest.mark.torch
def test_cross_entropy_all_ignored_is_nan(torch):
    x = pytensor.randn(3, 4)
    t = pytensor.tensor([-100, -100, -100])
    assert np.isnan(nn.functional.cross_entropy(x, t).item())
    tt = torch.tensor([-100, -100, -100])
    assert np.isnan(torch.nn.functional.cross_entropy(
        torch.randn(3, 4), tt).item())
    assert nn.functional.cross_entropy(x, t, reduction="sum").item() == 0


def test_cross_entropy_errors():
    F = nn.functional
    x = pytensor.randn(3, 4)
    with pytest.raises(IndexError, match="Target 4 is out of bounds"):
        F.cross_entropy(x, pytensor.tensor([0, 4, 1]))
    with pytest.raises(IndexError, match="Target -2 is out of bounds"):
        F.nll_loss(x, pytensor.tensor([0, -2, 1]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) "
                       r"to match target batch_size \(2\)"):
        F.cross_entropy(x, pytensor.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="class probabilities"):
        F.cross_entropy(x, pytensor.randn(3))
    with pytest.raises(RuntimeError, match="weight tensor should be defined "
                       "either for all 4 classes"):
        F.cross_entropy(x, pytensor.tensor([0, 1, 2]),
                        weight=pytensor.ones(3))
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.cross_entropy(x, pytensor.tensor([0, 1, 2]), reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing must be between"):
        F.cross_entropy(x, pytensor.tensor([0, 1, 2]), label_smoothing=2.0)
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(pytensor.tensor([1.5]), pytensor.tensor([1.0]))
    with pytest.raises(ValueError, match="different to the input size"):
        F.binary_cross_entropy(pytensor.tensor([0.5]),
                               pytensor.tensor([[1.0]]))
    with pytest.raises(ValueError, match="Weights and input must have the "
                       "same size"):
        F.mse_loss(x, x, weight=pytensor.ones(4))
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(x, pytensor.randn(4))
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(x, x.exp())
    with pytest.warns(UserWarning, match="size_average and reduce args will "
                      "be deprecated"):
        assert F.l1_loss(x, x, size_average=False).item() == 0


def test_binary_cross_entropy_clamps_log():
    F = nn.functional
    loss = F.binary_cross_entropy(pytensor.tensor([0.0, 1.0]),
                                  pytensor.tensor([1.0, 0.0]),
                                  reduction="none")
    assert loss.tolist() == [100.0, 100.0]
