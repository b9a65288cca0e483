"""Every optimizer and option combination against PyTorch 2.13 for 20
steps: same initial parameters, same gradient sequence (with a parameter
that sometimes has no gradient), same results and state."""
import numpy as np
import pytest

import pytensor
from tests.optim._helpers import (assert_close, make_problem, run_pytensor,
                                  run_torch, to_numpy)

pytestmark = pytest.mark.torch

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05,
                 maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, maximize=True)),
    ("Adam", dict(lr=0.02, betas=(0.3, 0.5), eps=1e-3)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), amsgrad=True,
                  weight_decay=0.2, maximize=True)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, weight_decay=0.3)),
    ("AdamW", dict(lr=0.01, amsgrad=True, maximize=True)),
    ("AdamW", dict(lr=0.01, betas=(0.4, 0.9), weight_decay=0.1,
                   amsgrad=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.3, centered=True)),
    ("RMSprop", dict(lr=0.005, alpha=0.9, eps=1e-4, momentum=0.5,
                     centered=True, weight_decay=0.05, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.05,
                     initial_accumulator_value=0.1, maximize=True)),
]


def _id(case):
    name, kw = case
    return name + "-" + ("-".join(f"{k}={v}" for k, v in kw.items())
                         or "defaults")


def _compare(ours, theirs, opt, topt, dtype):
    for i, (p, tp) in enumerate(zip(ours, theirs)):
        assert p.dtype.name == str(tp.dtype).replace("torch.", "")
        assert_close(to_numpy(p), to_numpy(tp), dtype, f"param {i}")
    for i, (p, tp) in enumerate(zip(ours, theirs)):
        st, tst = opt.state.get(p, {}), topt.state.get(tp, {})
        assert sorted(st) == sorted(tst), f"state keys of param {i}"
        for key in tst:
            if key == "step":
                assert float(st[key]) == float(tst[key])
                assert str(st[key].dtype)[9:] == str(tst[key].dtype)[6:]
            elif tst[key] is None:
                assert st[key] is None
            else:
                squares = key in ("exp_avg_sq", "max_exp_avg_sq",
                                  "square_avg", "sum")
                assert_close(to_numpy(st[key]), to_numpy(tst[key]), dtype,
                             f"state {key!r} of param {i}",
                             floor=0.0 if squares else 1.0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_optimizer_matches_torch_for_20_steps(case, dtype, torch):
    name, kw = case
    init, grads = make_problem(dtype, 20)
    ours, opt = run_pytensor(getattr(pytensor.optim, name), kw, init, grads)
    theirs, topt = run_torch(torch, name, kw, init, grads)
    _compare(ours, theirs, opt, topt, dtype)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop",
                                  "Adagrad"])
def test_param_groups_with_their_own_hyperparameters(name, torch):
    kw = {"SGD": dict(momentum=0.9), "Adam": dict(amsgrad=True),
          "AdamW": dict(), "RMSprop": dict(centered=True),
          "Adagrad": dict(lr_decay=0.1)}[name]

    def groups(ps):
        return [{"params": ps[:1], "lr": 0.05, "weight_decay": 0.1},
                {"params": ps[1:]}]

    init, grads = make_problem("float64", 10, seed=3)
    ours, opt = run_pytensor(getattr(pytensor.optim, name), dict(kw, lr=0.01),
                             init, grads, groups)
    theirs, topt = run_torch(torch, name, dict(kw, lr=0.01), init, grads,
                             groups)
    _compare(ours, theirs, opt, topt, "float64")


@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.01, momentum=0.9)),
                                     ("Adam", dict(lr=0.01))])
def test_gradients_from_autograd_and_closure(name, kw, torch):
    """A least-squares fit driven by backward() inside a closure."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((16, 3))
    y = rng.standard_normal((16, 1))
    w0 = rng.standard_normal((3, 1))

    def fit(T, opt_cls, extra):
        w = T.tensor(w0.copy(), requires_grad=True)
        Xt, yt = T.tensor(X), T.tensor(y)
        opt = opt_cls([w], **kw, **extra)
        losses = []

        def closure():
            opt.zero_grad()
            r = T.matmul(Xt, w) - yt
            loss = (r * r).sum()
            loss.backward()
            return loss

        for _ in range(15):
            losses.append(opt.step(closure).item())
        return w, losses

    w, losses = fit(pytensor, getattr(pytensor.optim, name), {})
    tw, tlosses = fit(torch, getattr(torch.optim, name), dict(foreach=False))
    np.testing.assert_allclose(losses, tlosses, rtol=1e-10)
    assert_close(to_numpy(w), to_numpy(tw), "float64", "w")
    assert losses[-1] < losses[0]


HALF_CASES = [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True,
                           weight_decay=0.1)),
              ("Adam", dict(lr=0.01, eps=1e-3, amsgrad=True,
                            weight_decay=0.1)),
              ("AdamW", dict(lr=0.01, eps=1e-3)),
              ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5,
                               eps=1e-3)),
              ("Adagrad", dict(lr=0.1, weight_decay=0.1, maximize=True))]


@pytest.mark.parametrize("case", HALF_CASES, ids=_id)
def test_float16_parameters_match_torch(case, torch):
    """float16 runs the reference, computing in float32 and rounding once
    per PyTorch op as PyTorch does (Adam's family agrees bit for bit here;
    fused multiply-adds in PyTorch's kernels may move the last bit)."""
    name, kw = case
    init, grads = make_problem("float16", 20)
    ours, _ = run_pytensor(getattr(pytensor.optim, name), kw, init, grads)
    theirs, _ = run_torch(torch, name, kw, init, grads)
    for p, tp in zip(ours, theirs):
        a = to_numpy(p).astype(np.float64)
        b = to_numpy(tp).astype(np.float64)
        assert p.dtype == pytensor.float16
        ulps = np.abs(a - b).max() / (2.0 ** -10 * max(np.abs(b).max(), 1))
        assert ulps <= 4, f"{ulps:.1f} float16 ulps apart"
