"""The single-threaded-BLAS section of the recurrent loops: the limit is
held while a layer runs and restored afterwards, also when sections nest
or overlap across threads."""
import threading

import numpy as np
import pytest

import pytensor
from pytensor import nn
from pytensor.ops.nn import _blas


def _blas_threads():
    from threadpoolctl import threadpool_info
    infos = [i for i in threadpool_info() if i["user_api"] == "blas"]
    return infos[0]["num_threads"] if infos else None


@pytest.fixture
def controller():
    pytest.importorskip("threadpoolctl")
    c = _blas._get_controller()
    if c is None:
        pytest.skip("NumPy's BLAS is single-threaded already (or unknown)")
    return c


def test_limit_is_held_and_restored(controller):
    before = _blas_threads()
    x = np.zeros(1)
    with _blas.single_threaded(x):
        assert _blas_threads() == 1
        with _blas.single_threaded(x):          # nested
            assert _blas_threads() == 1
        assert _blas_threads() == 1
    assert _blas_threads() == before


def test_overlapping_threads_restore_the_original(controller):
    before = _blas_threads()
    inside = threading.Barrier(2)
    out = threading.Barrier(2)

    def worker(first_out):
        with _blas.single_threaded(np.zeros(1)):
            inside.wait()
            if not first_out:
                out.wait()
        if first_out:
            out.wait()
    ts = [threading.Thread(target=worker, args=(f,)) for f in (True, False)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert _blas_threads() == before


def test_an_lstm_leaves_blas_threads_alone(controller):
    before = _blas_threads()
    lstm = nn.LSTM(3, 4)
    out, _ = lstm(pytensor.randn(5, 2, 3))
    out.sum().backward()
    assert _blas_threads() == before


def test_noop_for_other_arrays():
    class Fake:
        pass
    with _blas.single_threaded(Fake()):
        pass
