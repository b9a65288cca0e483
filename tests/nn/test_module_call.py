"""Module.__call__: forward (pre-)hooks, full backward (pre-)hooks against
PyTorch's, the tape's module paths, and layer-path errors."""
import collections

import numpy as np
import pytest

import pytensor
from pytensor import nn
from pytensor.autograd import hooks as _hooks


def _linear_pair(torch):
    th = torch.nn.Linear(3, 2).double()
    pt = nn.Linear(3, 2).double()
    pt.load_state_dict({k: pytensor.from_numpy(v.numpy().copy())
                        for k, v in th.state_dict().items()})
    return pt, th


def test_forward_hooks_order_replacement_and_removal():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, a: calls.append("pre1"))
    lin.register_forward_pre_hook(lambda m, a: calls.append("pre0"),
                                  prepend=True)
    lin.register_forward_hook(lambda m, a, out: calls.append("post"))
    # A forward hook's return value replaces the output.
    lin.register_forward_hook(lambda m, a, out: out * 0)
    y = lin(pytensor.ones(1, 2))
    assert calls == ["pre0", "pre1", "post"]
    assert not y.detach().numpy().any()
    h1.remove()
    calls.clear()
    lin(pytensor.ones(1, 2))
    assert calls == ["pre0", "post"]
    # Handles are context managers and live in the one HookDict registry.
    assert any(d is lin._forward_hooks for d in _hooks.all_hook_dicts())
    with lin.register_forward_hook(lambda m, a, o: calls.append("ctx")):
        lin(pytensor.ones(1, 2))
    assert calls.count("ctx") == 1
    lin(pytensor.ones(1, 2))
    assert calls.count("ctx") == 1


def test_forward_pre_hook_replaces_args_and_kwargs():
    class Add(nn.Module):
        def forward(self, x, y=0.0):
            return x + y
    m = Add()
    m.register_forward_pre_hook(lambda mod, args: args[0] * 10)
    assert m(pytensor.ones(1)).tolist() == [10.0]
    m2 = Add()

    def kw_hook(mod, args, kwargs):
        return args, {"y": pytensor.ones(1) * 5}
    m2.register_forward_pre_hook(kw_hook, with_kwargs=True)
    seen = []
    m2.register_forward_hook(lambda mod, a, kw, out: seen.append(kw),
                             with_kwargs=True)
    assert m2(pytensor.ones(1)).tolist() == [6.0]
    assert list(seen[0]) == ["y"]
    m2.register_forward_pre_hook(lambda mod, a, kw: 3, with_kwargs=True)
    with pytest.raises(RuntimeError, match="forward pre-hook must return "
                       "None or a tuple of"):
        m2(pytensor.ones(1))


def test_forward_hook_always_call():
    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")
    m = Boom()
    seen = []
    m.register_forward_hook(lambda mod, a, out: seen.append(out),
                            always_call=True)
    m.register_forward_hook(lambda mod, a, out: seen.append("not"))
    with pytest.raises(ValueError, match="boom"):
        m(pytensor.ones(1))
    assert seen == [None]


@pytest.mark.torch
def test_full_backward_hooks_match_torch(torch):
    pt, th = _linear_pair(torch)
    x = np.random.default_rng(0).standard_normal((4, 3))
    got = {}
    for name, mod, T in (("pt", pt, pytensor), ("th", th, torch)):
        rec = got[name] = []
        mod.register_full_backward_pre_hook(
            lambda m, go, rec=rec: rec.append(("pre", go)))
        mod.register_full_backward_hook(
            lambda m, gi, go, rec=rec: rec.append(("full", gi, go)))
        xi = T.tensor(x, requires_grad=True)
        (mod(xi) ** 2).sum().backward()
    assert [r[0] for r in got["pt"]] == [r[0] for r in got["th"]] == \
        ["pre", "full"]
    (_, go_p), (_, gi_p, go_p2) = got["pt"]
    (_, go_t), (_, gi_t, go_t2) = got["th"]
    assert len(gi_p) == len(gi_t) == 1 and len(go_p) == len(go_t) == 1
    np.testing.assert_allclose(go_p[0].numpy(), go_t[0].numpy(), rtol=1e-12)
    np.testing.assert_allclose(go_p2[0].numpy(), go_t2[0].numpy(),
                               rtol=1e-12)
    np.testing.assert_allclose(gi_p[0].numpy(), gi_t[0].numpy(), rtol=1e-12)


@pytest.mark.torch
def test_backward_hooks_replace_gradients(torch):
    results = []
    for T, mod in zip((pytensor, torch), _linear_pair(torch)):
        mod.register_full_backward_pre_hook(
            lambda m, go: (go[0] * 2,))
        mod.register_full_backward_hook(
            lambda m, gi, go: (gi[0] + 1,))
        x = T.tensor(np.ones((2, 3)), requires_grad=True)
        mod(x).sum().backward()
        results.append((x.grad.numpy().copy(), mod.weight.grad.numpy().copy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.torch
def test_backward_hook_non_tensor_args_and_no_input_grad(torch):
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(pytensor.ones(2))

        def forward(self, x, k):
            return x * self.w * k
    m = Scale()
    seen = []
    m.register_full_backward_hook(lambda mod, gi, go: seen.append((gi, go)))
    x = pytensor.ones(2, requires_grad=True)
    m(x, 3.0).sum().backward()
    gi, go = seen[0]
    assert len(gi) == 2 and gi[1] is None and gi[0].tolist() == [3.0, 3.0]
    # No input needs a gradient: the hook fires from the output side with
    # grad_input all None (and a warning, as in PyTorch).
    seen.clear()
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        m(pytensor.ones(2), 3.0).sum().backward()
    assert seen[0][0] == (None, None)
    assert m.w.grad.tolist() == [6.0, 6.0]


def test_hooks_removed_leave_lean_path_working():
    lin = nn.Linear(2, 2)
    h = lin.register_full_backward_hook(lambda m, gi, go: None)
    h.remove()
    x = pytensor.ones(1, 2, requires_grad=True)
    lin(x).sum().backward()
    assert x.grad is not None


def test_tape_records_module_paths():
    model = nn.Sequential(collections.OrderedDict(
        enc=nn.Sequential(nn.Linear(2, 3), nn.Identity()),
        head=nn.Linear(3, 1)))
    x = pytensor.randn(4, 2)
    with pytensor.debug.record(clear=True) as tape:
        y = model(x).sum()
    recs = [(r.op, r.module) for r in tape.records]
    assert ("linear", ("enc", "0")) in recs
    assert ("linear", ("head",)) in recs
    assert recs[-1] == ("sum", ())
    root = [r for r in tape.records if r.op == "linear"][0].root
    assert root() is model
    assert tape.module_stack == [] and tape.module_path == ()
    del y


def test_layer_path_error_nested_sequential():
    model = nn.Sequential(nn.Linear(4, 8), nn.Identity(),
                          nn.Sequential(nn.Identity(), nn.Linear(8, 1)))
    with pytest.raises(RuntimeError) as e:
        model(pytensor.randn(16, 3))
    msg = str(e.value)
    assert msg.startswith("model.0 (Linear(in_features=4, out_features=8, "
                          "bias=True)): linear: expected input with last "
                          "dimension 4, got shape [16, 3]")
    bad = nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.Linear(8, 1)))
    with pytest.raises(RuntimeError, match=r"^bad\.1\.0 \(Linear\("
                       r"in_features=8, out_features=1, bias=True\)\): "
                       r"linear: expected input with last dimension 8, got "
                       r"shape \[16, 4\]") as e:
        bad(pytensor.randn(16, 4))
    assert str(e.value).count("bad.1.0") == 1     # the path appears once


def test_layer_path_error_custom_module_and_types():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.ModuleDict({"proj": nn.Linear(3, 3)})

        def forward(self, x):
            return self.body["proj"](x)

    net = Net()
    with pytest.raises(RuntimeError, match=r"^net\.body\.proj \(Linear"):
        net(pytensor.ones(2, 5))
    # Called from a frame without a variable for it: the class name.
    with pytest.raises(RuntimeError, match=r"^Net\.body\.proj \(Linear"):
        Net()(pytensor.ones(2, 5))

    class Lookup(nn.Module):
        def forward(self, x):
            return {}[x]
    # KeyError's str() is the repr of its message: the path goes in a note.
    with pytest.raises(KeyError) as e:
        nn.Sequential(Lookup())("k")
    assert any("raised in Sequential.0 (Lookup())" in n
               for n in e.value.__notes__)


def test_call_overhead_is_small():
    """Not a timing assertion: the lean path must not touch the tape or any
    hook machinery (counted by instrumenting the slow path)."""
    lin = nn.Linear(2, 2)
    calls = []
    orig = nn.Module._call_impl

    def spy(self, args, kwargs):
        calls.append(self)
        return orig(self, args, kwargs)
    nn.Module._call_impl = spy
    try:
        lin(pytensor.ones(1, 2))
        assert calls == []
        with pytensor.debug.record():
            lin(pytensor.ones(1, 2))
        assert calls == [lin]
    finally:
        nn.Module._call_impl = orig


def test_backward_hook_outputs_share_version_with_originals():
    class Square(nn.Module):
        def forward(self, x):
            self.saved = x * x          # saved by nobody; y below is
            return self.saved.exp()     # saved by exp's backward
    m = Square()
    m.register_full_backward_hook(lambda mod, gi, go: None)
    x = pytensor.ones(3, requires_grad=True)
    y = m(x)
    y.mul_(2)                           # modifies exp's saved output
    with pytest.raises(RuntimeError, match="modified by an inplace"):
        y.sum().backward()
