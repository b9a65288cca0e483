"""pytensor/_threads.py: the idle policies of the thread libraries are set
at import when nothing loaded those libraries first, and say so."""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _status(code, **env):
    e = {k: v for k, v in os.environ.items()
         if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT",
                      "OPENBLAS_THREAD_TIMEOUT", "PYTENSOR_THREAD_TUNING")}
    e.update(env)
    e["PYTHONPATH"] = ROOT
    out = subprocess.run(
        [sys.executable, "-c", code + "; import json; print(json.dumps("
         "pytensor._threads.status()))"],
        capture_output=True, text=True, env=e, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    return {k: tuple(v) for k, v in
            json.loads(out.stdout.strip().splitlines()[-1]).items()}


def test_set_when_pytensor_comes_first():
    assert _status("import pytensor") == {
        "OMP_WAIT_POLICY": ("PASSIVE", "set"),
        "OPENBLAS_THREAD_TIMEOUT": ("18", "set")}


def test_too_late_after_numpy():
    st = _status("import numpy, pytensor")
    assert st["OPENBLAS_THREAD_TIMEOUT"] == (None, "too late")
    assert st["OMP_WAIT_POLICY"] == ("PASSIVE", "set")


def test_the_users_values_win():
    st = _status("import pytensor", OPENBLAS_THREAD_TIMEOUT="25",
                 GOMP_SPINCOUNT="1000")
    assert st == {"OMP_WAIT_POLICY": (None, "user"),
                  "OPENBLAS_THREAD_TIMEOUT": ("25", "user")}


def test_opt_out():
    st = _status("import pytensor", PYTENSOR_THREAD_TUNING="0")
    assert st == {"OMP_WAIT_POLICY": (None, "off"),
                  "OPENBLAS_THREAD_TIMEOUT": (None, "off")}


def test_conv_chunks_stay_serial_next_to_a_spinning_openblas(monkeypatch):
    from pytensor import _threads
    from pytensor.ops.nn import _blas, _parallel
    c = _blas._get_controller()
    if c is None or not any(lc.internal_api == "openblas"
                            for lc in c.lib_controllers):
        pytest.skip("NumPy's BLAS is not a controllable OpenBLAS")
    monkeypatch.setitem(_threads._STATE, "OPENBLAS_THREAD_TIMEOUT",
                        "too late")
    assert _blas.spinning_openblas(c)
    assert not _parallel.available()
    assert _parallel.threads_for(1 << 30, 64) == 1
    monkeypatch.setitem(_threads._STATE, "OPENBLAS_THREAD_TIMEOUT", "set")
    assert not _blas.spinning_openblas(c)


def test_recurrent_loops_hold_blas_at_one_thread_only_when_oversubscribed(
        monkeypatch):
    import contextlib

    import numpy as np

    from pytensor.ops.nn import _blas
    if _blas._get_controller() is None:
        pytest.skip("BLAS threads cannot be controlled (threadpoolctl)")
    a = np.zeros(1)
    n = os.cpu_count() or 1
    monkeypatch.setattr(os, "getloadavg", lambda: (n + 2.0, 0.0, 0.0))
    assert isinstance(_blas.loop_blas(a), _blas._SingleThreaded)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.5, 0.0, 0.0))
    assert isinstance(_blas.loop_blas(a), contextlib.nullcontext)
