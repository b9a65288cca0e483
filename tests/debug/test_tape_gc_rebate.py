"""While the tape records, the collector's young-generation threshold is
scaled by ``tape.GC_REBATE`` (why: pytensor/autograd/tape.py), and put back
when recording stops -- unless the user changed it meanwhile."""
import gc

import pytest

from pytensor.autograd import tape as tape_mod
from pytensor.autograd.tape import tape


@pytest.fixture
def threshold():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_threshold_scaled_while_recording_and_restored(threshold):
    tape.start()
    try:
        assert gc.get_threshold() == (700 * tape_mod.GC_REBATE, 10, 10)
        tape.start()                    # nested: no second scaling
        assert gc.get_threshold()[0] == 700 * tape_mod.GC_REBATE
        tape.stop()
        assert gc.get_threshold()[0] == 700 * tape_mod.GC_REBATE
    finally:
        tape.stop()
    assert gc.get_threshold() == (700, 10, 10)


def test_a_users_threshold_set_while_recording_is_kept(threshold):
    tape.start()
    try:
        gc.set_threshold(5000, 20, 20)
    finally:
        tape.stop()
    assert gc.get_threshold() == (5000, 20, 20)


def test_collection_turned_off_stays_off(threshold):
    gc.set_threshold(0)
    tape.start()
    try:
        assert gc.get_threshold()[0] == 0
    finally:
        tape.stop()
    assert gc.get_threshold()[0] == 0


def test_fewer_young_collections_while_recording(threshold):
    # The point of the rebate: the ring's rows, weak references and
    # metadata tuples no longer quadruple the collections of a small-op
    # loop.
    import pytensor
    counts = []

    def cb(phase, info):
        if phase == "start" and info["generation"] == 0:
            counts.append(1)

    def run(n=20):
        x = pytensor.ones(16, requires_grad=True)
        for _ in range(n):
            y = x
            for _ in range(200):
                y = y * 1.0001 + 0.001
            y.sum().backward()
        return len(counts)

    gc.callbacks.append(cb)
    try:
        gc.collect()
        counts.clear()
        off = run()
        counts.clear()
        tape.start()
        try:
            on = run()
        finally:
            tape.stop()
            tape.clear()
    finally:
        gc.callbacks.remove(cb)
    assert on < 2 * off + 5
