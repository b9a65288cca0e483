"""``tape_log``, ``info``, ``variables``, ``grad_table``, ``inplace_report``,
``saved``: the data objects and their golden text."""
import pytest

import pytensor
from pytensor.debug import (grad_table, info, inplace_report, saved,
                            tape_log, variables)
from pytensor.debug.tapelog import parse_range


def test_tape_log_entries_and_filters(rec, mlp):
    x = pytensor.randn(16, 4)
    out = mlp(x)
    loss = out.sum() * 0.5
    ns = {"model": mlp, "x": x, "out": out, "loss": loss}
    log = tape_log(namespace=ns, times=False)
    assert [e.op for e in log.entries] == ["linear", "relu", "linear", "sum",
                                           "mul"]
    e0, e1, _, e3, e4 = log.entries
    assert e0.inputs == ["x", "model.0.weight", "model.0.bias"]
    assert e1.inputs == ["#1"] and e3.inputs == ["out"]
    assert e4.inputs == ["#4", "0.5"]
    assert e0.module == "model.0" and e3.module == ""
    assert e0.out == "f32[16,8]" and e0.grad
    assert [e.op for e in tape_log("2..3", namespace=ns).entries] == \
        ["relu", "linear"]
    assert [e.id for e in tape_log(op="lin*", namespace=ns).entries] == [1, 3]
    assert [e.id for e in tape_log(module="model", namespace=ns).entries] \
        == [1, 2, 3]
    assert [e.id for e in tape_log(grep="0.5", namespace=ns).entries] == [4, 5]
    assert len(tape_log(limit=2, namespace=ns).entries) == 2
    text = log.render(100)
    assert text.splitlines()[0].split() == ["#", "op", "out", "inputs",
                                            "module", "where", "kernel"]
    assert text.splitlines()[-1] == "5 of 5 entries shown"
    assert all(len(ln) <= 100 for ln in text.splitlines())


@pytest.mark.parametrize("spec, expect", [
    ("", None), ("all", (1, 50)), ("7", (7, 7)), ("3..9", (3, 9)),
    ("3..", (3, 50)), ("..9", (1, 9)), ("last 5", (46, 50)),
    ("-5", (46, 50))])
def test_parse_range(spec, expect):
    assert parse_range(spec, 1, 50) == expect


def test_parse_range_error():
    with pytest.raises(ValueError, match="tape: bad range"):
        parse_range("3..x", 1, 50)


def test_info_card(rec):
    x = pytensor.tensor([[1.0, 2.0], [3.0, float("nan")]],
                        requires_grad=True)
    h = x * 2
    i = info(h, {"x": x, "h": h})
    assert (i.name, i.op, i.record, i.is_leaf) == ("h", "mul", 1, False)
    assert i.stats.nan == 1 and i.stats.mean == 4.0
    assert i.source == "h = x * 2"
    text = i.render(100)
    assert text.splitlines()[0] == "h  f32[2,2] cpu μ=4 σ=2 nan=1"
    assert "finite   1 NaN · zeros 0/4" in text
    assert "made by  #1 mul" in text
    v = pytensor.ones(3)
    v.add_(1)
    iv = info(v, {"v": v})
    assert iv.version == 1 and iv.last_inplace.startswith("add_ at ")
    with pytest.raises(TypeError):
        info([1])


def test_variables_table():
    import numpy as np
    ns = {"x": pytensor.ones(16, 4),
          "w": pytensor.zeros(2, requires_grad=True),
          "n": 3, "arr": np.zeros(3), "_hidden": 1, "np": np}
    ns["loss"] = (ns["w"] * 2).sum()
    t = variables(ns)
    names = [r.name for r in t.rows]
    assert names == ["arr", "loss", "n", "w", "x"] and t.hidden == 2
    loss = [r for r in t.rows if r.name == "loss"][0]
    assert loss.grad == "fn=sum" and loss.note.startswith("= 0")
    assert [r.name for r in variables(ns, "w*").rows] == ["w"]
    assert "_hidden" in [r.name for r in variables(ns, all=True).rows]


def test_grad_table_statuses(rec, nn):
    pytensor.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    head = nn.Linear(2, 2)
    frozen = nn.Linear(3, 3)
    frozen.weight.requires_grad_(False)
    x = pytensor.randn(4, 3)
    loss = model(x).sum() + frozen(x).sum() * 0
    ns = {"model": model, "head": head, "frozen": frozen, "loss": loss}
    before = grad_table(namespace=ns)
    assert {r.cause for r in before.rows} == {"backward_not_run", "frozen"}
    loss.backward()
    t = grad_table(namespace=ns)
    by = {r.name: r for r in t.rows}
    assert by["model.0.weight"].status == "ok"
    assert by["head.weight"].status.startswith("NO GRAD: not reachable")
    assert by["frozen.weight"].cause == "frozen"
    assert by["frozen.bias"].status == "zero"       # multiplied by 0
    assert t.with_grad == 5 and t.last_backward.startswith("loss (#")
    w = by["model.0.weight"]
    g = model[0].weight.grad
    import numpy as np
    assert np.isclose(w.norm, float(np.linalg.norm(g._data)))
    assert np.isclose(w.ratio, w.norm / float(np.linalg.norm(
        model[0].weight._data)))
    s = grad_table(model, ns, sort="norm")
    assert [r.norm for r in s.rows] == sorted((r.norm for r in s.rows),
                                              reverse=True)
    assert [r.name for r in grad_table("model.1.*", ns).rows] == [
        "model.1.weight", "model.1.bias"]
    with pytest.raises(ValueError, match="sort must be"):
        grad_table(namespace=ns, sort="size")
    text = t.render(100)
    assert all(len(ln) <= 100 for ln in text.splitlines())


def test_grad_table_nan_status(rec):
    w = pytensor.tensor([1.0, 0.0], requires_grad=True)
    (w ** 0.5).sum().backward()
    r = grad_table(namespace={"w": w}).rows[0]
    assert r.status == "inf" and r.inf == 1


def test_inplace_and_saved(rec):
    x = pytensor.ones(3, requires_grad=True)
    a = pytensor.ones(3, requires_grad=True)
    q = x.exp()
    m = a * x                       # saves a and x
    q.mul_(2)
    ns = {"x": x, "a": a, "q": q, "m": m}
    r = inplace_report(namespace=ns)
    assert len(r.stale) == 1
    s = r.stale[0]
    assert (s.tensor, s.saved_by, s.record, s.saved_version, s.version) == \
        ("q", "exp", 1, 0, 1)
    assert [(b.op, b.record, b.source) for b in s.bumps] == \
        [("mul_", 3, "q.mul_(2)")]
    assert s.fix.startswith("q = q.mul(2)")
    text = r.render(100)
    assert "v0 → v1  #3 mul_ (in-place)" in text
    ok = inplace_report(m, ns)
    assert not ok.stale and "no saved tensor" in ok.render()
    sv = saved(1, ns)
    assert [(i.kind, i.name, i.status) for i in sv.items] == \
        [("output", "q", "stale")]
    sm = saved(m, ns)
    assert [(i.name, i.status) for i in sm.items] == [("a", "ok"),
                                                      ("x", "ok")]
    (m.sum()).backward()
    assert saved(2, ns).freed
    with pytest.raises(ValueError, match="not on the tape"):
        saved(99, ns)
    with pytest.raises(ValueError, match="leaf"):
        saved(x, ns)
