"""The ``:why`` catalogue: every cause of a missing ``.grad`` is named, with
the op and the line where the chain broke; and ``path``."""
import inspect

import pytest

import pytensor
from pytensor.debug import path, why


def line_of(fn, text):
    """The file line number of the first source line of ``fn`` containing
    ``text``."""
    src, start = inspect.getsourcelines(fn)
    for i, l in enumerate(src):
        if text in l:
            return start + i
    raise AssertionError(text)


def test_has_grad(rec):
    x = pytensor.ones(3, requires_grad=True)
    (x * 2).sum().backward()
    r = why(x, {"x": x})
    assert r.cause == "has_grad" and "has a gradient" in r.headline


def test_non_leaf(rec):
    x = pytensor.ones(3, requires_grad=True)
    h = x * 2
    loss = h.sum()
    loss.backward()
    r = why(h, {"x": x, "h": h, "loss": loss})
    assert r.cause == "non_leaf"
    assert r.record == 1 and r.where.endswith(
        f":{line_of(test_non_leaf, 'h = x * 2')}")
    assert "retain_grad" in r.fix


def test_requires_grad_false(rec):
    a = pytensor.ones(3)
    r = why(a, {"a": a})
    assert r.cause == "no_requires_grad" and "requires_grad_" in r.fix


def test_frozen_parameter(rec, nn):
    m = nn.Linear(2, 2)
    m.weight.requires_grad_(False)
    r = why(m.weight, {"m": m})
    assert r.cause == "frozen" and r.name == "m.weight"


@pytest.mark.parametrize("how, op", [
    ("detach", "detach"), ("data", ".data")])
def test_detached_tensor(rec, how, op):
    w = pytensor.ones(3, requires_grad=True)
    h = w * 3
    f = h.detach() if how == "detach" else h.data
    r = why(f, {"w": w, "h": h, "f": f})
    assert r.cause == "detached"
    rec_ = [x for x in rec.records if x.op == op][0]
    assert r.record == rec_.id


@pytest.mark.parametrize("leave", ["detach", "numpy", "item", "data"])
def test_chain_broken_by_leaving_the_graph(rec, leave):
    w = pytensor.ones(3, requires_grad=True)
    x = pytensor.ones(3, requires_grad=True)
    h = w * 3
    if leave == "detach":
        v = h.detach()
    elif leave == "data":
        v = h.data
    elif leave == "numpy":
        v = pytensor.tensor(h.numpy(force=True))
    else:
        v = h.sum().item()
    loss = (x * v).sum()
    loss.backward()
    r = why(w, {"w": w, "x": x, "loss": loss})
    assert r.cause == "left_graph", r.render()
    op = {"detach": "detach", "data": ".data", "numpy": ".numpy()",
          "item": ".item()"}[leave]
    broke = [x for x in rec.records if x.op == op][0]
    assert r.record == broke.id
    assert r.where.endswith(f":{broke.where[1]}")
    assert "left the graph" in r.render()


def test_no_grad_cut(rec):
    w = pytensor.ones(3, requires_grad=True)
    x = pytensor.ones(3, requires_grad=True)
    with pytensor.no_grad():
        g = w * 2
    loss = (g * x).sum()
    loss.backward()
    r = why(w, {"w": w, "x": x, "g": g, "loss": loss})
    assert r.cause == "no_grad" and r.record == 1
    assert r.where.endswith(f":{line_of(test_no_grad_cut, 'g = w * 2')}")
    r2 = why(g, {"w": w, "g": g})
    assert r2.cause == "no_grad" and r2.record == 1


def test_inputs_did_not_require_grad(rec):
    a = pytensor.ones(3)
    b = a * 2
    r = why(b, {"a": a, "b": b})
    assert r.cause == "inputs_no_grad" and r.record == 1


def test_unused(rec):
    w = pytensor.ones(3, requires_grad=True)
    u = w * 5
    x = pytensor.ones(3, requires_grad=True)
    loss = (x * 3).sum()
    loss.backward()
    r = why(w, {"w": w, "u": u, "x": x, "loss": loss})
    assert r.cause == "unused" and r.record == 1
    never = pytensor.ones(2, requires_grad=True)
    r2 = why(never, {"never": never, "loss": loss})
    assert r2.cause == "unused" and "never used" in r2.render()


def test_unused_module(rec, nn):
    model = nn.Linear(4, 4)
    head = nn.Linear(4, 2)
    x = pytensor.randn(3, 4)
    loss = model(x).sum()
    loss.backward()
    r = why(head.weight, {"model": model, "head": head, "loss": loss})
    assert r.cause == "unused" and r.name == "head.weight"


def test_backward_not_run(rec):
    w = pytensor.ones(3, requires_grad=True)
    loss = (w * 2).sum()
    r = why(w, {"w": w, "loss": loss})
    assert r.cause == "backward_not_run" and r.record == 1
    (w * 3).sum().backward()
    w.grad = None
    w2 = pytensor.ones(3, requires_grad=True)
    loss2 = (w2 * 2).sum()
    r2 = why(w2, {"w2": w2, "loss2": loss2})
    assert r2.cause == "backward_not_run" and "before" in r2.render()


def test_zeroed_after_backward(rec):
    w = pytensor.ones(3, requires_grad=True)
    loss = (w * 2).sum()
    loss.backward()
    w.grad = None
    r = why(w, {"w": w, "loss": loss})
    assert r.cause == "zeroed"
    assert r.where.endswith(
        f":{line_of(test_zeroed_after_backward, 'w.grad = None')}")
    del loss                  # the loss is gone: the tape alone decides
    r2 = why(w, {"w": w})
    assert r2.cause == "zeroed"


def test_zero_grad_of_optimizer_style(rec, nn):
    m = nn.Linear(2, 1)
    loss = m(pytensor.ones(1, 2)).sum()
    loss.backward()
    m.zero_grad()
    r = why(m.weight, {"m": m, "loss": loss})
    assert r.cause == "zeroed"


def test_excluded_by_inputs(rec):
    a = pytensor.ones(2, requires_grad=True)
    b = pytensor.ones(2, requires_grad=True)
    loss = (a * b).sum()
    loss.backward(inputs=[a])
    r = why(b, {"a": a, "b": b, "loss": loss})
    assert r.cause == "excluded"


def test_render_fits_width(rec):
    w = pytensor.ones(3, requires_grad=True)
    f = (w * 3).detach()
    x = pytensor.ones(3, requires_grad=True)
    loss = (f * x).sum()
    loss.backward()
    text = why(w, {"w": w, "f": f, "x": x, "loss": loss}).render(60)
    assert all(len(ln) <= 60 for ln in text.splitlines())
    assert text.splitlines()[1].lstrip().startswith("✓")


def test_path_connected_and_cut(rec):
    x = pytensor.ones(3, requires_grad=True)
    w = pytensor.ones(3, requires_grad=True)
    h = (x * 2).exp()
    loss = (h * w.detach()).sum()
    ns = {"x": x, "w": w, "h": h, "loss": loss}
    p = path(x, loss, ns)
    assert p.connected and [s.op for s in p.steps] == ["mul", "exp", "mul",
                                                       "sum"]
    assert p.steps[1].tensor == "h"
    q = path(w, loss, ns)
    assert not q.connected and q.broken_at == 3
    assert [s.op for s in q.steps] == ["detach", "mul", "sum"]
    assert not path(loss, x, ns).steps
