"""The tape: what each record holds, the user's line, notes, boundedness."""
import gc
import inspect
import weakref

import pytensor
from pytensor.autograd.tape import Record, format_where, source_line, tape


def _line(fn, offset):
    return inspect.getsourcelines(fn)[1] + offset


def test_record_fields(rec):
    x = pytensor.ones(2, 3, requires_grad=True)
    y = x * 2.5
    z = y.sum()
    r1, r2 = rec.records
    assert (r1.id, r1.op, r1.kind, r2.op) == (1, "mul", "op", "sum")
    assert r1.inputs[0]() is x and r1.inputs[1] == 2.5
    assert r1.outputs[0]() is y
    assert r1.in_meta[0][0] == (2, 3) and r1.in_meta[1] is None
    assert r1.out_meta == (((2, 3), y._data.dtype),)
    assert r1.node_made and r1.grad_enabled and r1.any_requires_grad
    assert r1.node is y.grad_fn and r2.node is z.grad_fn
    assert str(r1.device) == "cpu" and r1.module == () and r1.root is None
    # A consumer's input is the producer's output reference object.
    assert r2.inputs[0] is r1.outputs[0]


def test_no_grad_and_non_grad_records(rec):
    x = pytensor.ones(3, requires_grad=True)
    d = pytensor.ones(3)
    with pytensor.no_grad():
        x * 2
    d * 2
    ra, rb = rec.records
    assert not ra.grad_enabled and ra.any_requires_grad and not ra.node_made
    assert rb.grad_enabled and not rb.any_requires_grad and not rb.node_made
    assert ra.node is None


def test_where_is_the_users_line(rec):
    def f(t):
        return t * 3                # line 1 of f
    x = pytensor.ones(2, requires_grad=True)
    for _ in range(3):              # the per-class site cache, revisited
        f(x)
        x * 4
    lines = [r.where[1] for r in rec.records]
    line_f = _line(f, 1)
    here = _line(test_where_is_the_users_line, 6)
    assert lines == [line_f, here] * 3
    assert format_where(rec.records[0].where).endswith(f":{line_f}")
    assert source_line(rec.records[0].where) == \
        "return t * 3                # line 1 of f"
    assert source_line(rec.records[1].where) == "x * 4"


def test_where_inside_library_code_is_the_callers_line(rec, mlp):
    x = pytensor.randn(2, 4)
    mlp(x)                          # linear / relu run inside nn
    here = _line(test_where_inside_library_code_is_the_callers_line, 2)
    assert {r.where[1] for r in rec.records} == {here}
    assert [r.module for r in rec.records] == [("0",), ("1",), ("2",)]
    assert all(r.root() is mlp for r in rec.records)


def test_source_off(rec):
    rec.source = False
    try:
        x = pytensor.ones(2)
        x + 1
        assert rec.records[-1].where is None
    finally:
        rec.source = True


def test_notes_detach_numpy_item_data_grad(rec):
    x = pytensor.ones(3, requires_grad=True)
    h = x * 2
    d = h.detach()
    h.sum().item()
    _ = x.data
    d.numpy()
    loss = (x * 1).sum()
    loss.backward()
    x.grad = None
    kinds = [(r.kind, r.op) for r in rec.records]
    assert ("leave", "detach") in kinds and ("leave", ".item()") in kinds
    assert ("leave", ".data") in kinds and ("leave", ".numpy()") in kinds
    assert ("backward", "backward") in kinds and ("grad", "grad = None") in \
        kinds
    det = next(r for r in rec.records if r.op == "detach")
    assert det.inputs[0]() is h and det.outputs[0]() is d
    bw = next(r for r in rec.records if r.kind == "backward")
    assert bw.extra["roots"][0]() is loss
    # The ops a backward runs internally are not on the tape.
    assert [r.op for r in rec.records].count("mul") == 2


def test_records_keep_nothing_alive(rec):
    x = pytensor.ones(100, requires_grad=True)
    y = (x * 2).exp()
    ref = weakref.ref(y)
    node = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert ref() is None and node() is None
    assert rec.records[1].outputs[0]() is None      # still described
    assert rec.records[1].out_meta[0][0] == (100,)


def test_ring_is_bounded_and_find(rec):
    old = rec.maxlen
    try:
        rec.maxlen = 10
        x = pytensor.ones(2)
        for _ in range(25):
            x = x + 1
        assert len(rec.records) == 10
        assert rec.records[0].id == 16 and rec.find(20).id == 20
        assert rec.find(3) is None
    finally:
        rec.maxlen = old


def test_truncate_and_reset(rec):
    x = pytensor.ones(2)
    x + 1
    last = rec.last_id()
    x + 2
    x + 3
    rec.truncate(last)
    assert rec.last_id() == last
    x + 4
    assert rec.last_id() == last + 1
    rec.reset()
    x + 5
    assert rec.last_id() == 1


def test_inplace_records_are_retagged(rec):
    x = pytensor.ones(3, requires_grad=True)
    q = x.exp()
    q.mul_(2)
    r = rec.records[-1]
    assert r.op == "mul_" and r.inplace and r.outputs[0]() is q
    assert q.grad_fn.record().op == "mul_"


def test_listeners_see_every_record(rec):
    seen = []
    rec.listeners.append(seen.append)
    try:
        pytensor.ones(2) * 2
    finally:
        rec.listeners.remove(seen.append)
    assert [r.op for r in seen] == ["mul"] and isinstance(seen[0], Record)


def test_recording_off_records_nothing():
    tape.reset()
    assert not tape.recording
    pytensor.ones(2) * 2
    assert len(tape.records) == 0
