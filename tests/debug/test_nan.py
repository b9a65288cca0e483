"""NaN/inf sentinels: the first op that produces a non-finite value, in
forward and in backward, with the element index and the input values."""
import pytest

import pytensor
from pytensor.debug import NanSentinel, NonFiniteError, find_nan

# The ops here make NaN/inf on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def test_forward_first_op_and_element(rec):
    x = pytensor.tensor([4.0, 1.0, -2.0], requires_grad=True)
    w = pytensor.tensor([1.0, 2.0, 3.0], requires_grad=True)
    hit = find_nan(lambda: ((x * w).log() * 2).sum(), namespace={"x": x,
                                                                 "w": w})
    assert hit.direction == "forward" and hit.op == "log"
    assert hit.record == 2 and hit.first_bad == (2,)
    assert hit.bad_value == "nan" and hit.count == 1
    assert hit.at_index == [("#1 mul", "-6")]
    assert hit.where and "log" in hit.source


def test_forward_stops_once_not_at_every_downstream_op(rec):
    x = pytensor.tensor([0.0, 1.0])
    seen = []
    with NanSentinel(on_hit=lambda h: seen.append(h) or "continue"):
        y = x.log()                 # -inf: the origin
        (y * 2 + 1).exp()           # carries it along: no new stop
        (x - 1).log()               # a second origin
    assert [h.op for h in seen] == ["log", "log"]
    assert seen[0].first_bad == (0,) and seen[1].first_bad == (0,)


def test_backward_first_node_and_element(rec):
    z = pytensor.tensor([1.0, 0.0, 4.0], requires_grad=True)
    r = z ** 0.5                    # finite forward, inf gradient at 0
    hit = find_nan(lambda: r.sum().backward(), forward=False,
                   namespace={"z": z, "r": r})
    assert hit.direction == "backward" and hit.op == "pow"
    assert hit.first_bad == (1,) and hit.bad_value == "inf"
    assert ("z (forward)", "0") in hit.at_index
    assert hit.record == 1          # the forward op whose backward it was


def test_backward_checks_only_real_origins(rec):
    a = pytensor.tensor([1.0, 2.0], requires_grad=True)
    b = (a * 0.0).sqrt() if hasattr(pytensor.Tensor, "sqrt") else a ** 0.5 \
        * 0.0
    loss = (b * 3).sum()
    hits = []
    with NanSentinel(forward=False, on_hit=lambda h: hits.append(h) or
                     "continue"):
        loss.backward()
    # sqrt at 0 makes inf once; the nodes below only carry it.
    assert len(hits) == 1


def test_leaf_with_bad_data_is_reported_once(rec):
    d = pytensor.tensor([1.0, float("nan")])
    hits = []
    with NanSentinel(on_hit=lambda h: hits.append(h) or "continue",
                     namespace={"d": d}):
        (d * 2).sum()
        d + 1
    assert [h.direction for h in hits] == ["input"]
    assert hits[0].first_bad == (1,) and hits[0].inputs[0][0] == "d"


def test_without_callback_it_raises(rec):
    x = pytensor.tensor([-1.0])
    with pytest.raises(NonFiniteError) as e:
        with NanSentinel():
            x.log()
    assert e.value.hit.op == "log" and "first nan at [0]" in str(e.value)


def test_abort_unwinds_and_hooks_are_removed(rec):
    from pytensor.autograd import hooks
    x = pytensor.tensor([-1.0])
    ran = []

    def stmt():
        x.log()
        ran.append("after")
    assert find_nan(stmt) is not None
    assert ran == [] and not hooks.op_hooks.active


def test_finite_run_returns_none(rec):
    x = pytensor.ones(3, requires_grad=True)
    assert find_nan(lambda: (x * 2).sum().backward()) is None


def test_render(rec):
    x = pytensor.tensor([1.0, -1.0])
    hit = find_nan(lambda: x.log(), namespace={"x": x})
    text = hit.render(100)
    assert text.splitlines()[0].startswith(
        "!! non-finite output in forward: stopped at #1 log")
    assert "input x: f32[2] cpu" in text and "first nan at [1]" in text
    assert "x[1] = -1" in text
    assert hit.to_json()["first_bad"] == [1]
