"""Fixtures for the pure inspection API: a recording tape numbered from
#1, and a small model when ``pytensor.nn`` is available."""
import pytest

import pytensor
from pytensor.autograd.tape import tape


@pytest.fixture
def rec():
    """Record on a fresh tape (ids from 1); recording stops afterwards."""
    tape.reset()
    was = tape.source
    tape.source = True
    tape.start()
    yield tape
    tape.stop()
    tape.source = was
    tape.reset()


@pytest.fixture
def nn():
    return pytest.importorskip("pytensor.nn")


@pytest.fixture
def mlp(nn):
    pytensor.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))


@pytest.fixture(autouse=True)
def _isolate_tape():
    """Leave the process-wide tape and op hooks as the test found them."""
    from pytensor.autograd import hooks
    depth, source = tape._depth, tape.source
    n_hooks = len(hooks.op_hooks)
    yield
    tape._depth = depth
    tape.recording = depth > 0
    tape.source = source
    assert len(hooks.op_hooks) == n_hooks, "a test left an op hook installed"
