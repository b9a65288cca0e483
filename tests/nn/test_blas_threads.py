"""The single-threaded-BLAS section of the recurrent loops: the limit is
held while a layer runs and restored afterwards, also when sections nest
or overlap across threads; the LSTM's whole-sequence kernels run under it,
and give way to the per-step loop next to a spinning OpenBLAS."""
import os
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


def test_the_lstm_kernels_run_under_one_blas_thread(controller,
                                                    monkeypatch):
    """The whole-sequence kernels call BLAS from each of their threads; the
    op holds NumPy's BLAS at one thread around them (and gives it back)."""
    from pytensor.ops.nn import recurrent
    from pytensor_ext import cpu
    seen = []

    def spy(name):
        real = getattr(cpu, name)

        def call(*a, **k):
            seen.append((name, _blas_threads(), k["threads"]))
            return real(*a, **k)
        return call
    for name in ("lstm_seq_fwd", "lstm_seq_bwd"):
        monkeypatch.setattr(cpu, name, spy(name))
    monkeypatch.setattr(recurrent, "seq_threads", lambda a: 2)
    before = _blas_threads()
    out, _ = nn.LSTM(3, 4)(pytensor.randn(5, 2, 3))
    out.sum().backward()
    assert seen == [("lstm_seq_fwd", 1, 2), ("lstm_seq_bwd", 1, 2)]
    assert _blas_threads() == before


def test_lstm_runs_the_loop_next_to_a_spinning_openblas(controller,
                                                        monkeypatch):
    """Where OpenBLAS spins after each product (NumPy loaded it before
    pytensor set its timeout), the kernel's own threads would fight its
    spinning ones: the layer runs the per-step loop, same results."""
    from pytensor import _threads
    if not any(lc.internal_api == "openblas"
               for lc in controller.lib_controllers):
        pytest.skip("NumPy's BLAS is not an OpenBLAS")
    lstm = nn.LSTM(3, 8, bidirectional=True).double()
    x = pytensor.randn(6, 2, 3, dtype=pytensor.float64, requires_grad=True)

    def run():
        x.grad = None
        lstm.zero_grad()
        out, (h, c) = lstm(x)
        (out.sum() + (h * c).sum()).backward()
        return [t.detach().numpy() for t in (out, h, c, x.grad)] + [
            p.grad.numpy() for p in lstm.parameters()]
    monkeypatch.setitem(_threads._STATE, "OPENBLAS_THREAD_TIMEOUT", "set")
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert _blas.seq_threads(np.zeros(1)) == 0
    direct = run()
    monkeypatch.setitem(_threads._STATE, "OPENBLAS_THREAD_TIMEOUT",
                        "too late")
    assert _blas.seq_threads(np.zeros(1)) is None
    loop = run()
    for a, b in zip(direct, loop):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)
