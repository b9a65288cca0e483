"""The Optimizer API: construction errors (PyTorch's messages), parameter
groups, zero_grad, hooks, version counters, closures, state dicts."""
import warnings

import numpy as np
import pytest

import pytensor
from pytensor import optim
from tests.optim._helpers import make_problem, run_pytensor, run_torch

ALL = [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad]


def _param(*shape, value=1.0):
    return pytensor.full(shape or (2,), value, requires_grad=True)


# --- construction ------------------------------------------------------------
@pytest.mark.parametrize("cls", ALL)
def test_single_tensor_is_rejected(cls):
    with pytest.raises(TypeError, match="params argument given to the "
                       "optimizer should be an iterable of Tensors or dicts, "
                       "but got pytensor.FloatTensor"):
        cls(_param())


def test_sets_are_rejected_at_top_level_and_in_groups():
    p = _param()
    msg = "ordering of tensors in sets will change between runs"
    with pytest.raises(TypeError, match=msg):
        optim.SGD({p}, lr=0.1)
    with pytest.raises(TypeError, match=msg):
        optim.SGD([{"params": {p}}], lr=0.1)


def test_empty_and_non_tensor_and_non_leaf_params():
    with pytest.raises(ValueError, match="optimizer got an empty parameter "
                       "list"):
        optim.Adam([])
    with pytest.raises(TypeError, match="optimizer can only optimize "
                       "Tensors, but one of the params is int"):
        optim.Adam([1])
    with pytest.raises(TypeError, match="but one of the params is "
                       "numpy.ndarray"):
        optim.Adam([np.zeros(2)])
    p = _param()
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([p * 2], lr=0.1)
    q = p * 2
    q.retain_grad()                    # PyTorch accepts retained non-leaves
    optim.SGD([q], lr=0.1)


def test_duplicates():
    p, q = _param(), _param()
    with pytest.raises(ValueError, match="some parameters appear in more "
                       "than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [q, p]}], lr=0.1)
    opt = optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": p})
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([q, q], lr=0.1)


@pytest.mark.parametrize("call,msg", [
    (lambda p: optim.SGD([p], lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.SGD([p], momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda p: optim.SGD([p], weight_decay=-1),
     "Invalid weight_decay value: -1"),
    (lambda p: optim.SGD([p], nesterov=True),
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda p: optim.SGD([p], momentum=0.9, dampening=0.1, nesterov=True),
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda p: optim.Adam([p], lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda p: optim.Adam([p], eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (lambda p: optim.Adam([p], betas=(1.0, 0.9)),
     "Invalid beta parameter at index 0: 1.0"),
    (lambda p: optim.Adam([p], betas=(0.9, -0.1)),
     "Invalid beta parameter at index 1: -0.1"),
    (lambda p: optim.Adam([p], betas=(0, 0.9)),
     "betas must be either both floats or both Tensors"),
    (lambda p: optim.AdamW([p], weight_decay=-0.1),
     "Invalid weight_decay value: -0.1"),
    (lambda p: optim.RMSprop([p], alpha=-0.1), "Invalid alpha value: -0.1"),
    (lambda p: optim.RMSprop([p], momentum=-1), "Invalid momentum value: -1"),
    (lambda p: optim.Adagrad([p], lr_decay=-1), "Invalid lr_decay value: -1"),
    (lambda p: optim.Adagrad([p], initial_accumulator_value=-1),
     "Invalid initial_accumulator_value value: -1"),
])
def test_invalid_hyperparameters(call, msg):
    with pytest.raises(ValueError, match=msg.replace("(", r"\(")):
        call(_param())


def test_invalid_hyperparameter_messages_equal_torch(torch):
    tp = torch.nn.Parameter(torch.ones(2))
    p = _param()
    for name, kw in [("SGD", dict(lr=-1)), ("Adam", dict(eps=-1.0)),
                     ("Adam", dict(betas=(0.9, 1.5))),
                     ("Adam", dict(betas=(0, 0.5))),
                     ("RMSprop", dict(alpha=-2)),
                     ("Adagrad", dict(initial_accumulator_value=-3)),
                     ("SGD", dict(momentum=0, nesterov=True))]:
        with pytest.raises(ValueError) as ours:
            getattr(optim, name)([p], **kw)
        with pytest.raises(ValueError) as theirs:
            getattr(torch.optim, name)([tp], **kw)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("cls,kw", [(optim.Adam, dict(differentiable=True)),
                                    (optim.Adam, dict(capturable=True)),
                                    (optim.SGD, dict(differentiable=True))])
def test_unsupported_modes_are_refused(cls, kw):
    with pytest.raises(ValueError, match="not supported by pytensor"):
        cls([_param()], **kw)


# --- groups and defaults -----------------------------------------------------
def test_param_groups_are_filled_with_defaults_like_torch(torch):
    for name in ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]:
        opt = getattr(optim, name)([_param()], lr=0.5)
        topt = getattr(torch.optim, name)(
            [torch.nn.Parameter(torch.ones(2))], lr=0.5)
        ours = {k: v for k, v in opt.param_groups[0].items() if k != "params"}
        theirs = {k: v for k, v in topt.param_groups[0].items()
                  if k != "params"}
        assert ours == theirs, name
        assert opt.defaults == topt.defaults


def test_add_param_group_and_named_params():
    p, q = _param(), _param(3)
    opt = optim.SGD([("w", p)], lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["param_names"] == ["w"]
    with pytest.raises(ValueError, match="all optimizer param groups should "
                       "be with/without names"):
        opt.add_param_group({"params": [q]})
    opt.add_param_group({"params": [("b", q)], "lr": 0.5})
    assert opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["momentum"] == 0.9
    assert opt.state_dict()["param_groups"][1]["param_names"] == ["b"]
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([q])


def test_required_default():
    class Custom(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": optim.optimizer.required})

        def step(self, closure=None):
            return None

    with pytest.raises(ValueError, match="didn't specify a value of "
                       "required optimization parameter lr"):
        Custom([_param()])
    assert Custom([{"params": [_param()], "lr": 1}]).param_groups[0]["lr"] == 1


def test_repr_lists_groups():
    r = repr(optim.Adam([_param()], lr=0.5))
    assert r.startswith("Adam (\nParameter Group 0\n")
    assert "    lr: 0.5\n" in r and "params" not in r


# --- step semantics ----------------------------------------------------------
def test_zero_grad_set_to_none_and_to_zero():
    p = _param(3)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    g = p.grad
    v = g._version
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and g._version == v + 1
    assert not g.numpy().any()
    opt.zero_grad()
    assert p.grad is None


def test_params_without_grad_are_skipped_and_get_no_state():
    p, q = _param(), _param()
    opt = optim.Adam([p, q], lr=0.1)
    p.grad = pytensor.ones(2)
    opt.step()
    assert (q.detach().numpy() == 1).all() and q not in opt.state
    assert int(opt.state[p]["step"].item()) == 1
    # SGD without momentum keeps no state at all, like PyTorch.
    sgd = optim.SGD([p], lr=0.1)
    sgd.step()
    assert len(sgd.state) == 0 and sgd.state_dict()["state"] == {}


def test_step_counter_dtype_follows_default_dtype():
    p = _param()
    p.grad = pytensor.ones(2)
    opt = optim.Adam([p])
    opt.step()
    assert opt.state[p]["step"].dtype == pytensor.float32
    prev = pytensor.get_default_dtype()
    pytensor.set_default_dtype(pytensor.float64)
    try:
        q = pytensor.ones(2, requires_grad=True)
        q.grad = pytensor.ones(2)
        opt = optim.RMSprop([q])
        opt.step()
        assert opt.state[q]["step"].dtype == pytensor.float64
    finally:
        pytensor.set_default_dtype(prev)


def test_adagrad_state_exists_from_construction():
    p = _param()
    opt = optim.Adagrad([p], initial_accumulator_value=0.25)
    assert (opt.state[p]["sum"].numpy() == 0.25).all()
    assert float(opt.state[p]["step"]) == 0
    # Later groups start from the optimizer's default, as in PyTorch.
    q = _param()
    opt.add_param_group({"params": [q], "initial_accumulator_value": 9.0})
    q.grad = pytensor.zeros(2)
    opt.step()
    assert (opt.state[q]["sum"].numpy() == 0.25).all()


def test_step_bumps_version_and_stale_backward_names_the_step():
    w = _param(3)
    opt = optim.SGD([w], lr=0.1)
    v = w._version
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    opt.step()                             # the classic bug: step before
    assert w._version == v + 1              # the second backward
    with pytest.raises(RuntimeError) as err:
        loss.backward()
    msg = str(err.value)
    assert "modified by an inplace operation" in msg
    assert "SGD.step" in msg and "test_optimizer_api.py" in msg


def test_closure_runs_with_grad_enabled_and_returns_loss():
    w = _param()
    opt = optim.Adam([w], lr=0.1)
    seen = []

    def closure():
        seen.append(pytensor.is_grad_enabled())
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with pytensor.no_grad():
        loss = opt.step(closure)
    assert seen == [True] and float(loss) == 2.0
    assert opt.step() is None


def test_tensor_learning_rate():
    p = _param()
    p.grad = pytensor.ones(2)
    opt = optim.SGD([p], lr=pytensor.tensor(0.5))
    opt.step()
    assert np.allclose(p.detach().numpy(), 0.5)


# --- hooks -------------------------------------------------------------------
def test_step_pre_and_post_hooks():
    p = _param()
    p.grad = pytensor.ones(2)
    opt = optim.SGD([p], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(
        lambda o, a, k: calls.append(("pre", o is opt, a, k)))
    h2 = opt.register_step_post_hook(
        lambda o, a, k: calls.append(("post", o is opt, a, k)))
    opt.step()
    assert calls == [("pre", True, (), {}), ("post", True, (), {})]
    h1.remove()
    h2.remove()
    opt.step()
    assert len(calls) == 2


def test_pre_hook_can_replace_arguments_and_bad_return_raises():
    p = _param()
    opt = optim.SGD([p], lr=0.1)
    got = []
    with opt.register_step_pre_hook(
            lambda o, a, k: ((), {"closure": lambda: got.append(1) or 7})):
        assert opt.step() == 7
    assert got == [1]
    with opt.register_step_pre_hook(lambda o, a, k: 3):
        with pytest.raises(RuntimeError, match="must return None or a tuple "
                           r"of \(new_args, new_kwargs\), but got 3"):
            opt.step()


def test_global_hooks_run_for_every_optimizer():
    from pytensor.optim.optimizer import (register_optimizer_step_post_hook,
                                          register_optimizer_step_pre_hook)
    seen = []
    h1 = register_optimizer_step_pre_hook(
        lambda o, a, k: seen.append(type(o).__name__))
    h2 = register_optimizer_step_post_hook(lambda o, a, k: seen.append("post"))
    try:
        optim.Adam([_param()]).step()
        optim.AdamW([_param()]).step()     # inherits Adam.step: hooked once
    finally:
        h1.remove()
        h2.remove()
    assert seen == ["Adam", "post", "AdamW", "post"]


def test_hooks_are_listed_by_the_debugger():
    from pytensor.autograd.hooks import all_hook_dicts
    opt = optim.SGD([_param()], lr=0.1)
    with opt.register_step_post_hook(lambda *a: None):
        kinds = {(d.owner, d.kind) for d in all_hook_dicts()}
        assert ("SGD", "optimizer.step_post") in kinds


def test_subclass_calling_super_step_runs_hooks_once():
    class Logged(optim.SGD):
        def step(self, closure=None):
            return super().step(closure)

    p = _param()
    p.grad = pytensor.ones(2)
    opt = Logged([p], lr=0.1)
    n = []
    opt.register_step_pre_hook(lambda *a: n.append(1))
    opt.step()
    assert n == [1]


def test_state_dict_hooks():
    opt = optim.SGD([_param()], lr=0.1)
    log = []
    opt.register_state_dict_pre_hook(lambda o: log.append("pre"))
    opt.register_state_dict_post_hook(
        lambda o, sd: dict(sd, extra=1), prepend=True)
    opt.register_state_dict_post_hook(lambda o, sd: log.append("post"),
                                      prepend=True)
    assert opt.state_dict()["extra"] == 1
    assert log == ["pre", "post"]
    opt.register_load_state_dict_pre_hook(
        lambda o, sd: {k: v for k, v in sd.items() if k != "extra"})
    opt.register_load_state_dict_post_hook(lambda o: log.append("loaded"))
    opt.load_state_dict(opt.state_dict())
    assert log[-1] == "loaded"


# --- state dicts -------------------------------------------------------------
def _numpy_state_dict(torch_sd, torch):
    """A PyTorch optimizer state dict with pytensor tensors."""
    def conv(v):
        if isinstance(v, torch.Tensor):
            return pytensor.tensor(v.detach().numpy().copy())
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        return v
    return conv(torch_sd)


@pytest.mark.parametrize("name,kw", [
    ("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(amsgrad=True)),
    ("AdamW", dict()), ("RMSprop", dict(centered=True, momentum=0.5)),
    ("Adagrad", dict(lr_decay=0.1))])
def test_state_dict_structure_matches_torch(name, kw, torch):
    init, grads = make_problem("float32", 4, skip_some=False)
    _, opt = run_pytensor(getattr(optim, name), kw, init, grads)
    _, topt = run_torch(torch, name, kw, init, grads)
    sd, tsd = opt.state_dict(), topt.state_dict()
    # (run_torch passes foreach=False)
    assert sd["param_groups"] == [dict(g, foreach=None)
                                  for g in tsd["param_groups"]]
    assert list(sd["state"]) == list(tsd["state"])
    for pid in tsd["state"]:
        assert list(sd["state"][pid]) == list(tsd["state"][pid])
        for k, v in tsd["state"][pid].items():
            assert list(sd["state"][pid][k].shape) == list(v.shape)


@pytest.mark.parametrize("name,kw", [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01)), ("RMSprop", dict(lr=0.01, centered=True,
                                               momentum=0.5)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_state_dict_round_trip_continues_identically(name, kw, dtype):
    cls = getattr(optim, name)
    init, grads = make_problem(dtype, 20)
    full, _ = run_pytensor(cls, kw, init, grads)
    half, opt = run_pytensor(cls, kw, init, grads[:10])
    sd = opt.state_dict()
    params = [pytensor.tensor(p.detach().numpy().copy(), requires_grad=True)
              for p in half]
    fresh = cls(params, **dict(kw, lr=123.0))      # overwritten by the load
    fresh.load_state_dict(sd)
    assert fresh.param_groups[0]["lr"] == kw["lr"]
    for gs in grads[10:]:
        for p, g in zip(params, gs):
            p.grad = None if g is None else pytensor.tensor(g.copy())
        fresh.step()
    for a, b in zip(params, full):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_torch_state_dict_loads_and_continues_like_torch(torch):
    kw = dict(lr=0.01, amsgrad=True)
    init, grads = make_problem("float64", 12, skip_some=False)
    theirs, topt = run_torch(torch, "Adam", kw, init, grads[:6])
    params = [pytensor.tensor(p.detach().numpy().copy(), requires_grad=True)
              for p in theirs]
    opt = optim.Adam(params, **kw)
    opt.load_state_dict(_numpy_state_dict(topt.state_dict(), torch))
    for gs in grads[6:]:
        for p, tp, g in zip(params, theirs, gs):
            p.grad = pytensor.tensor(g.copy())
            tp.grad = torch.from_numpy(g.copy())
        opt.step()
        topt.step()
    for p, tp in zip(params, theirs):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(),
                                   rtol=1e-12)


def test_load_state_dict_casts_copies_and_keeps_step_dtype():
    p64 = pytensor.ones(3, dtype=pytensor.float64, requires_grad=True)
    p64.grad = pytensor.ones(3, dtype=pytensor.float64)
    src = optim.Adam([p64])
    src.step()
    sd = src.state_dict()
    p32 = pytensor.ones(3, requires_grad=True)
    dst = optim.Adam([p32])
    dst.load_state_dict(sd)
    st = dst.state[p32]
    assert st["exp_avg"].dtype == pytensor.float32
    assert st["step"].dtype == pytensor.float32      # not cast
    # No aliasing with the source optimizer.
    assert st["step"] is not sd["state"][0]["step"]
    p64b = pytensor.ones(3, dtype=pytensor.float64, requires_grad=True)
    dst64 = optim.Adam([p64b])
    dst64.load_state_dict(sd)
    dst64.state[p64b]["exp_avg"]._data[:] = 5
    assert (src.state[p64]["exp_avg"].numpy() != 5).all()


def test_load_state_dict_errors():
    p, q = _param(), _param(3)
    opt = optim.Adam([p, q])
    p.grad, q.grad = pytensor.ones(2), pytensor.ones(3)
    opt.step()
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="different number of parameter "
                       "groups"):
        optim.Adam([{"params": [p]}, {"params": [q]}]).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size of "
                       "optimizer's group"):
        optim.Adam([p]).load_state_dict(sd)
    with pytest.raises(ValueError, match=r"state tensor 'exp_avg' of shape "
                       r"\[2\] for parameter 0 of shape \[3\]"):
        optim.Adam([_param(3), _param(2)]).load_state_dict(sd)


def test_state_is_keyed_by_tensor_identity():
    p, q = _param(), _param()          # equal values, distinct tensors
    p.grad, q.grad = pytensor.ones(2), pytensor.ones(2)
    opt = optim.SGD([p, q], lr=0.1, momentum=0.9)
    opt.step()
    assert len(opt.state) == 2
    assert opt.state[p]["momentum_buffer"] is not \
        opt.state[q]["momentum_buffer"]


def test_no_warning_in_plain_training_loop():
    w = _param()
    opt = optim.Adam([w])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            opt.zero_grad()
            (w * w).sum().backward()
            opt.step()
