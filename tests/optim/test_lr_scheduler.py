"""Learning-rate schedulers against PyTorch 2.13, step by step: the
learning rate of every group (and the momentum / beta1 that OneCycleLR and
CyclicLR cycle) after each of 60 steps must be the same float."""
import math
import warnings

import pytest

import pytensor
from pytensor import optim
from pytensor.optim import lr_scheduler as S

STEPS = 60


def _opts(T, name, n_groups=2, **kw):
    """An optimizer of library ``T`` over ``n_groups`` groups of one
    parameter each, with distinct learning rates."""
    if T is pytensor:
        params = [pytensor.zeros(2, requires_grad=True)
                  for _ in range(n_groups)]
        cls = getattr(optim, name)
    else:
        params = [T.nn.Parameter(T.zeros(2)) for _ in range(n_groups)]
        cls = getattr(T.optim, name)
    groups = [{"params": [p], "lr": 0.1 * (i + 1)}
              for i, p in enumerate(params)]
    return cls(groups, **kw)


def _trace(T, opt_name, opt_kw, make, metrics=None):
    opt = _opts(T, opt_name, **opt_kw)
    lrmod = S if T is pytensor else T.optim.lr_scheduler
    sched = make(lrmod, opt)
    out = []
    for k in range(STEPS):
        row = [g["lr"] for g in opt.param_groups]
        row += [g.get("momentum") for g in opt.param_groups]
        row += [g.get("betas") for g in opt.param_groups]
        row.append(list(sched.get_last_lr()))
        out.append(row)
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[k])
    return out


def _plateau_metrics():
    vals, v = [], 1.0
    for k in range(STEPS):
        v = v * 0.97 if k % 20 < 5 else v * 1.001
        vals.append(v)
    return vals


CASES = {
    "StepLR": ("SGD", {}, lambda L, o: L.StepLR(o, step_size=7, gamma=0.5)),
    "MultiStepLR": ("SGD", {}, lambda L, o: L.MultiStepLR(
        o, milestones=[5, 12, 12, 40], gamma=0.3)),
    "ExponentialLR": ("SGD", {}, lambda L, o: L.ExponentialLR(o, gamma=0.93)),
    "CosineAnnealingLR": ("SGD", {}, lambda L, o: L.CosineAnnealingLR(
        o, T_max=13, eta_min=0.001)),
    "LinearLR": ("SGD", {}, lambda L, o: L.LinearLR(
        o, start_factor=0.2, end_factor=0.9, total_iters=17)),
    "ConstantLR": ("SGD", {}, lambda L, o: L.ConstantLR(
        o, factor=0.25, total_iters=9)),
    "PolynomialLR": ("SGD", {}, lambda L, o: L.PolynomialLR(
        o, total_iters=40, power=1.7)),
    "LambdaLR": ("SGD", {}, lambda L, o: L.LambdaLR(
        o, [lambda e: 0.95 ** e, lambda e: 1.0 / (1 + e)])),
    "MultiplicativeLR": ("SGD", {}, lambda L, o: L.MultiplicativeLR(
        o, lambda e: 0.97)),
    "OneCycleLR-sgd-momentum": ("SGD", {"momentum": 0.9},
                                lambda L, o: L.OneCycleLR(
                                    o, max_lr=[1.0, 2.0],
                                    total_steps=STEPS + 1)),
    "OneCycleLR-adam-betas": ("Adam", {}, lambda L, o: L.OneCycleLR(
        o, max_lr=0.5, epochs=6, steps_per_epoch=11, pct_start=0.25,
        anneal_strategy="linear")),
    "OneCycleLR-three-phase": ("SGD", {"momentum": 0.9},
                               lambda L, o: L.OneCycleLR(
                                   o, max_lr=1.0, total_steps=STEPS,
                                   three_phase=True, div_factor=10.0,
                                   final_div_factor=100.0)),
    "OneCycleLR-no-momentum": ("RMSprop", {}, lambda L, o: L.OneCycleLR(
        o, max_lr=0.3, total_steps=STEPS, cycle_momentum=False)),
    "SequentialLR": ("SGD", {}, lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, start_factor=0.1, total_iters=10),
            L.CosineAnnealingLR(o, T_max=30, eta_min=0.01),
            L.ExponentialLR(o, gamma=0.9)], milestones=[10, 35])),
    "ChainedScheduler": ("SGD", {}, lambda L, o: L.ChainedScheduler(
        [L.ExponentialLR(o, gamma=0.97), L.StepLR(o, 10, 0.5)])),
    "CosineAnnealingWarmRestarts": ("SGD", {}, lambda L, o:
                                    L.CosineAnnealingWarmRestarts(
                                        o, T_0=5, T_mult=2, eta_min=0.01)),
    "CyclicLR-triangular2-sgd": ("SGD", {"momentum": 0.9},
                                 lambda L, o: L.CyclicLR(
                                     o, base_lr=0.01, max_lr=[0.1, 0.2],
                                     step_size_up=7, step_size_down=4,
                                     mode="triangular2")),
    "CyclicLR-exp_range-adam": ("Adam", {}, lambda L, o: L.CyclicLR(
        o, base_lr=0.001, max_lr=0.01, step_size_up=5, mode="exp_range",
        gamma=0.97)),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_scheduler_matches_torch_step_by_step(name, torch):
    opt_name, opt_kw, make = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # no spurious warnings either
        ours = _trace(pytensor, opt_name, opt_kw, make)
    theirs = _trace(torch, opt_name, opt_kw, make)
    for k, (a, b) in enumerate(zip(ours, theirs)):
        assert a == b, f"step {k}: {a} != {b}"


@pytest.mark.torch
@pytest.mark.parametrize("kw", [
    dict(), dict(mode="max", threshold_mode="abs", threshold=0.01),
    dict(patience=2, cooldown=3, factor=0.5, min_lr=[0.05, 0.02]),
    dict(patience=0, factor=0.2, min_lr=0.03, eps=1e-3)])
def test_reduce_lr_on_plateau_matches_torch(kw, torch):
    metrics = _plateau_metrics()
    if kw.get("mode") == "max":
        metrics = [-m for m in metrics]

    def make(L, o):
        return L.ReduceLROnPlateau(o, **kw)
    ours = _trace(pytensor, "SGD", {}, make, metrics)
    theirs = _trace(torch, "SGD", {}, make, metrics)
    assert ours == theirs
    assert ours[-1][0] < ours[0][0]


@pytest.mark.torch
@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "LinearLR",
                                  "CosineAnnealingLR", "ExponentialLR",
                                  "ConstantLR", "PolynomialLR"])
def test_deprecated_step_epoch_uses_closed_form_like_torch(name, torch):
    opt_name, opt_kw, make = CASES[name]
    res = []
    for T in (pytensor, torch):
        opt = _opts(T, opt_name, **opt_kw)
        sched = make(S if T is pytensor else T.optim.lr_scheduler, opt)
        out = []
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            for epoch in [3, 8, 20, 7, 45]:
                opt.step()
                sched.step(epoch)
                out.append(sched.get_last_lr())
        assert any("epoch parameter in `scheduler.step()`" in str(x.message)
                   for x in w)
        res.append(out)
    assert res[0] == res[1]


def test_scheduler_state_dict_round_trip_continues_identically():
    def build():
        opt = _opts(pytensor, "SGD", momentum=0.9)
        sched = S.SequentialLR(opt, [
            S.LinearLR(opt, start_factor=0.1, total_iters=5),
            S.OneCycleLR(opt, max_lr=1.0, total_steps=40)], milestones=[5])
        return opt, sched

    opt, sched = build()
    full = []
    for _ in range(40):
        opt.step()
        sched.step()
        full.append(sched.get_last_lr() + [g["momentum"]
                                           for g in opt.param_groups])
    opt, sched = build()
    for _ in range(17):
        opt.step()
        sched.step()
    osd, ssd = opt.state_dict(), sched.state_dict()
    opt2, sched2 = build()
    opt2.load_state_dict(osd)
    sched2.load_state_dict(ssd)
    resumed = []
    for _ in range(17, 40):
        opt2.step()
        sched2.step()
        resumed.append(sched2.get_last_lr() + [g["momentum"]
                                               for g in opt2.param_groups])
    assert resumed == full[17:]


def test_state_dict_contents_match_torch(torch):
    for name in ["StepLR", "MultiStepLR", "OneCycleLR-adam-betas",
                 "SequentialLR", "LambdaLR", "CyclicLR-triangular2-sgd"]:
        opt_name, opt_kw, make = CASES[name]
        sds = []
        for T in (pytensor, torch):
            opt = _opts(T, opt_name, **opt_kw)
            sched = make(S if T is pytensor else T.optim.lr_scheduler, opt)
            for _ in range(5):
                opt.step()
                sched.step()
            sds.append(sched.state_dict())
        ours, theirs = sds
        assert sorted(ours) == sorted(theirs), name
        for k in theirs:
            if k != "_schedulers":
                assert ours[k] == theirs[k], (name, k)


def test_resuming_needs_initial_lr():
    opt = _opts(pytensor, "SGD")
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified "
                       r"in param_groups\[0\]"):
        S.StepLR(opt, 3, last_epoch=5)


def test_warnings_like_torch():
    opt = _opts(pytensor, "SGD")
    sched = S.ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match="Detected call of "
                      r"`lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        sched.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()


def test_errors():
    opt = _opts(pytensor, "SGD")
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        S.StepLR([], 3)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        S.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        S.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode maxi is unknown!"):
        S.ReduceLROnPlateau(opt, mode="maxi")
    with pytest.raises(ValueError, match="You must define either total_steps"
                       " OR"):
        S.OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(ValueError, match="Expected float between 0 and 1 "
                       "pct_start, but got 2"):
        S.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=2)
    with pytest.raises(ValueError, match="optimizer must support momentum"):
        S.OneCycleLR(_opts(pytensor, "Adagrad"), max_lr=1.0, total_steps=10)
    with pytest.raises(ValueError, match="max_lr must have the same length "
                       "as optimizer.param_groups"):
        S.OneCycleLR(opt, max_lr=[1.0], total_steps=10)
    sched = S.OneCycleLR(_opts(pytensor, "SGD", momentum=0.9), max_lr=1.0,
                         total_steps=2)
    sched.optimizer.step()
    sched.step()
    sched.step()
    with pytest.raises(ValueError, match="Tried to step 3 times. The "
                       "specified number of total steps is 2"):
        sched.step()
    with pytest.raises(ValueError, match="does not support "
                       "`ReduceLROnPlateau`"):
        S.SequentialLR(opt, [S.ReduceLROnPlateau(opt)], milestones=[])
    other = _opts(pytensor, "SGD")
    with pytest.raises(ValueError, match="expects all schedulers to belong "
                       "to the same optimizer"):
        S.SequentialLR(opt, [S.StepLR(opt, 2), S.StepLR(other, 2)],
                       milestones=[3])
    with pytest.raises(ValueError, match="number of milestones to be equal "
                       "to 0"):
        S.SequentialLR(opt, [S.StepLR(opt, 2), S.StepLR(opt, 2)],
                       milestones=[])
    with pytest.raises(ValueError, match="Constant multiplicative factor"):
        S.ConstantLR(opt, factor=2)
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        S.LinearLR(opt, start_factor=0)


def test_tensor_lr_is_filled_in_place():
    w = pytensor.zeros(1, requires_grad=True)
    lr = pytensor.tensor(1.0)
    opt = optim.SGD([w], lr=lr)
    sched = S.StepLR(opt, step_size=1, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr and math.isclose(lr.item(), 0.5)
    assert isinstance(sched.get_last_lr()[0], pytensor.Tensor)


def test_custom_scheduler_subclass():
    class Halve(S._LRScheduler):
        def get_lr(self):
            if self.last_epoch == 0:
                return list(self.base_lrs)
            return [g["lr"] / 2 for g in self.optimizer.param_groups]

    opt = _opts(pytensor, "SGD")
    sched = Halve(opt)
    for _ in range(3):
        opt.step()
        sched.step()
    assert sched.get_last_lr() == [0.1 / 8, 0.2 / 8]
    assert Halve.__mro__[1].__name__ == "_LRScheduler"


def _combine_bad(T, kind, case):
    """Build a SequentialLR / ChainedScheduler of library ``T`` from a bad
    list of schedulers; returns the exception it raises."""
    sched = T.optim.lr_scheduler if T is not pytensor else S
    opt, other = _opts(T, "SGD"), _opts(T, "SGD")
    good = sched.StepLR(opt, 3)
    members = {
        "not_a_scheduler": [good, object()],
        "plateau": [good, sched.ReduceLROnPlateau(opt)],
        "other_optimizer": [good, sched.StepLR(other, 3)],
    }[case]
    try:
        if kind == "SequentialLR":
            sched.SequentialLR(opt, members, milestones=[2])
        else:
            sched.ChainedScheduler(members)
    except Exception as e:             # noqa: BLE001 (compared below)
        return e
    raise AssertionError(f"{kind} accepted {case}")


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["SequentialLR", "ChainedScheduler"])
@pytest.mark.parametrize("case", ["not_a_scheduler", "plateau",
                                  "other_optimizer"])
def test_combined_scheduler_errors_match_torch(kind, case, torch):
    ours, theirs = _combine_bad(pytensor, kind, case), \
        _combine_bad(torch, kind, case)
    assert type(ours) is type(theirs)
    if case == "other_optimizer":
        # (the message embeds each library's optimizer repr)
        assert str(ours).startswith(str(theirs).split(" has ")[0])
    else:
        assert str(ours) == str(theirs)
