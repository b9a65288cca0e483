"""``Stepper``, ``model_summary``, ``gradcheck_report``, ``time_call``,
``profile``, ``memory``, checkpoints and ``state_checksum``."""
import numpy as np
import pytest

import pytensor
from pytensor.debug import (Checkpoints, Stepper, gradcheck_report, memory,
                            model_summary, profile, state_checksum,
                            time_call)


def test_stepper_next_into_out_continue(rec, nn):
    pytensor.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                          nn.Sequential(nn.Linear(8, 4), nn.Tanh()),
                          nn.Linear(4, 1))
    x = pytensor.randn(16, 4)
    s = Stepper(lambda: model(x), namespace={"model": model})
    try:
        _walk(s, model, x)
    finally:
        s.quit()


def _walk(s, model, x):
    ev = s.start()
    assert (ev.kind, ev.path, ev.index, ev.count, ev.type) == \
        ("enter", "model.0", 1, 4, "Linear(4→8)")
    assert len(ev.inputs) == 1 and ev.inputs[0].startswith("f32[16,4] μ=")
    b = s.bindings()
    assert b["self"] is model[0] and b["input"][0] is x
    ev = s.next()
    assert ev.path == "model.1" and [f[0] for f in ev.finished] == ["model.0"]
    assert s.bindings()["output"].shape == (16, 8)
    ev = s.next()
    assert ev.path == "model.2" and ev.type == "Sequential"
    ev = s.step_in()
    assert (ev.path, ev.index, ev.count) == ("model.2.0", 1, 2)
    assert s.stack() == ["model", "model.2", "model.2.0"]
    ev = s.step_out()
    assert ev.path == "model.3" and [f[0] for f in ev.finished] == ["model.2"]
    ev = s.cont()
    assert ev.kind == "done" and s.done and ev.modules == 7
    ref = model(x)
    assert np.allclose(s.result._data, ref._data)
    # The hooks are gone.
    assert all(not m._hooks or not m._hooks.forward_pre
               for _, m in model.named_modules())


def test_stepper_quit_and_error(rec, nn):
    model = nn.Sequential(nn.Linear(4, 2), nn.Linear(3, 1))  # wrong shapes
    x = pytensor.randn(2, 4)
    s = Stepper(lambda: model(x), namespace={"model": model})
    s.start()
    assert s.quit().kind == "quit"
    s2 = Stepper(lambda: model(x), namespace={"model": model})
    s2.start()
    ev = s2.cont()
    assert ev.kind == "error" and "model.1" == ev.path
    assert isinstance(ev.exc, Exception)
    with pytest.raises(ValueError, match="no modules"):
        Stepper(lambda: 1, namespace={})


def test_model_summary_is_read_only(rec, nn):
    pytensor.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5),
                          nn.Linear(8, 1))
    model[3].weight.requires_grad_(False)
    ns = {"model": model}
    before = state_checksum(ns)
    s = model_summary(model, (16, 4), ns)
    assert state_checksum(ns) == before and s.restored
    rows = [(r.prefix + r.path, r.type, r.in_shape, r.out_shape, r.params,
             r.trainable) for r in s.rows]
    assert rows == [("model", "Sequential", "[16,4]", "[16,1]", 49, 41),
                    ("├ 0", "Linear", "[16,4]", "[16,8]", 40, 40),
                    ("├ 1", "ReLU", "[16,8]", "[16,8]", 0, 0),
                    ("├ 2", "Dropout", "[16,8]", "[16,8]", 0, 0),
                    ("└ 3", "Linear", "[16,8]", "[16,1]", 9, 1)]
    assert (s.total_params, s.trainable_params) == (49, 41)
    text = s.render(100)
    assert text.splitlines()[-1].endswith("state restored (checksum equal)")
    static = model_summary(model)
    assert not static.ran and static.rows[1].in_shape == "-"
    with pytest.raises(TypeError):
        model_summary(pytensor.ones(2))


def test_gradcheck_report_finds_the_wrong_input():
    pytensor.manual_seed(0)
    a = pytensor.randn(3, 4)
    b = pytensor.randn(4)

    class Bad(pytensor.autograd.Function):
        def forward(self, x):
            return x * x

        def backward(self, g):
            return g * 0
    good = gradcheck_report(lambda a, b: (a * b).exp().sum(), (a, b),
                            names=["a", "b"])
    assert good.ok and "cast to float64" in good.cast_note
    bad = gradcheck_report(lambda a, b: (Bad.apply(a) * b).sum(), (a, b),
                           names=["a", "b"])
    ra, rb = bad.rows
    assert not ra.ok and rb.ok and ra.analytic == 0.0
    assert ra.worst.startswith("a[") and "exactly 0" in ra.note
    assert "FAILED 1/2 inputs" in bad.render(100)
    assert a.dtype == pytensor.float32        # the originals are untouched


def test_time_call_with_a_fake_clock_and_sync():
    clock = iter(np.arange(0, 100, 0.25))
    synced = []

    class Ev:
        def record(self):
            pass

        def elapsed_since(self, other):
            return 0.5
    t = time_call(lambda: None, number=2, repeat=3, timer=lambda: next(clock),
                  sync=lambda: synced.append(1),
                  events=lambda: (Ev(), Ev()))
    assert t.host_mean == pytest.approx(0.125) and t.host_std == 0
    assert len(synced) == 6 and t.synced
    assert "host 125.00 ms" in t.render().replace("125.00 ms", "125.00 ms")
    auto = time_call(lambda: None, repeat=2)
    assert auto.number >= 10


def test_profile_by_op_and_module(rec, mlp):
    x = pytensor.randn(8, 4)
    p = profile(lambda: mlp(x).sum().backward(), namespace={"model": mlp})
    rows = {r.key: r for r in p.rows}
    assert set(rows) == {"linear", "relu", "sum"}
    assert rows["linear"].calls == 2 and rows["linear"].bwd_calls == 2
    assert rows["relu"].alloc == 8 * 8 * 4
    m = profile(lambda: mlp(x).sum().backward(), by="module",
                namespace={"model": mlp})
    assert {r.key for r in m.rows} == {"model.0", "model.1", "model.2", "-"}
    with pytest.raises(ValueError):
        profile(lambda: None, by="line")


def test_memory_groups(rec, nn):
    model = nn.Linear(64, 32)
    big = pytensor.zeros(1000)
    h = (model(pytensor.randn(2, 64)) * 2).sum()
    ns = {"model": model, "big": big, "h": h}
    m = memory(ns)
    assert m.groups["params"] == (2, (64 * 32 + 32) * 4)
    assert m.top[0][0] == "model.weight" and m.groups["saved"][0] >= 1
    assert "largest" in m.render(100)


def test_checkpoints_and_checksum(rec, nn):
    pytensor.manual_seed(0)
    m = nn.Linear(3, 2)
    x = pytensor.randn(4, 3)
    ns = {"m": m, "x": x}
    ck = Checkpoints()
    c0 = state_checksum(ns, include_tensors=True)
    ck.save("a", ns)
    m(x).sum().backward()
    with pytensor.no_grad():
        m.weight -= 0.5 * m.weight.grad
    pytensor.randn(3)                        # the RNG moves on
    assert state_checksum(ns, include_tensors=True) != c0
    d = ck.diff("a", ns)
    assert [r.name for r in d.rows] == ["m.weight"] and d.rng_changed
    assert d.rows[0].delta_norm == pytest.approx(
        0.5 * float(np.linalg.norm(m.weight.grad._data)), rel=1e-5)
    ck.load("a", ns)
    assert state_checksum(ns, include_tensors=True) == c0
    assert not ck.diff("a", ns).rows
    with pytest.raises(KeyError, match="no checkpoint named 'b'"):
        ck.load("b", ns)


def test_checksum_sees_optimizer_state(rec, nn):
    optim = pytest.importorskip("pytensor.optim")
    m = nn.Linear(2, 1)
    opt = optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    ns = {"m": m, "opt": opt}
    m(pytensor.ones(1, 2)).sum().backward()
    a = state_checksum(ns)
    opt.step()
    assert state_checksum(ns) != a
