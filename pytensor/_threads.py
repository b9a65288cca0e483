"""Thread pools that sleep when idle, so they do not steal each other's cores.

pytensor runs work on three kinds of threads: OpenMP (the Cython kernels,
through libgomp), OpenBLAS's own pthreads (NumPy's matrix products), and
the convolution's chunk threads (:mod:`pytensor.ops.nn._parallel`).  As
shipped, the first two busy-wait after their work is done, hoping for more:
libgomp for about 300,000 pause loops (a few ms), OpenBLAS for 2**28 cycles
(about 0.1 s).  A spinning thread holds a core that the next op's threads
need; on a 2-core machine the CNN step W3 measured 46 ms per step with both
spinning, 36 ms with libgomp sleeping, and 24 ms with both sleeping
(pytensor alone in its process; the conv forward inside the step went from
8.4 ms back to the 4.2 ms it takes in isolation).  ``python -m
tests.benchmarks.bench_tuning --setting threads`` (tuned and untuned
processes in turn): W3 25.8 against 60.0 ms per step (median ratio 0.42),
W7 88.9 against 118.6 ms (0.65).  Small workloads (W1, W2) did not move.

So at ``import pytensor``, before NumPy or libgomp are loaded, this sets
two standard variables the libraries read when they load:

- ``OMP_WAIT_POLICY=PASSIVE``: libgomp's idle threads sleep at once;
- ``OPENBLAS_THREAD_TIMEOUT=18``: OpenBLAS's spin for 2**18 cycles (about
  0.1 ms, enough for back-to-back products) before sleeping.

A value the user set wins, ``PYTENSOR_THREAD_TUNING=0`` turns this off,
and a library already loaded (``import numpy`` or ``import torch`` before
``import pytensor``) keeps what it read then: :func:`status` says which
took effect.  The variables stay in ``os.environ``, so child processes
and libraries loaded later (PyTorch's libgomp, for one) read them too.
"""
import os
import sys

__all__ = ["tune", "status", "applied", "SETTINGS"]

SETTINGS = {
    # variable: (value, the library that reads it, names that override it)
    "OMP_WAIT_POLICY": ("PASSIVE", "libgomp", ("GOMP_SPINCOUNT",)),
    "OPENBLAS_THREAD_TIMEOUT": ("18", "openblas", ()),
}

# What tune() decided for each variable: "set", "user", "too late", "off".
_STATE = {}


def _loaded_libraries():
    """Lower-cased paths of the shared objects mapped in this process
    (empty where /proc is not available)."""
    try:
        with open("/proc/self/maps") as f:
            return f.read().lower()
    except OSError:
        return ""


def tune():
    """Set the variables (idempotent); returns :func:`status`."""
    if _STATE:
        return status()
    off = os.environ.get("PYTENSOR_THREAD_TUNING", "1") == "0"
    maps = None
    for name, (value, lib, overrides) in SETTINGS.items():
        if off:
            _STATE[name] = "off"
        elif name in os.environ or any(o in os.environ for o in overrides):
            _STATE[name] = "user"
        else:
            if maps is None:
                maps = _loaded_libraries()
            # NumPy loads OpenBLAS on import: once it has, the variable
            # would be read by nobody.
            loaded = lib in maps or (lib == "openblas" and
                                     "numpy" in sys.modules)
            if loaded:
                _STATE[name] = "too late"
            else:
                os.environ[name] = value
                _STATE[name] = "set"
    return status()


def status():
    """``{variable: (value now, how)}``; ``how`` is ``"set"`` (by
    pytensor), ``"user"`` (set before import), ``"too late"`` (its library
    was loaded before pytensor) or ``"off"`` (``PYTENSOR_THREAD_TUNING=0``).
    """
    return {name: (os.environ.get(name), _STATE.get(name))
            for name in SETTINGS}


def applied():
    """The variables pytensor itself put in ``os.environ`` (to take out of
    the environment of a process that should not inherit them)."""
    return [name for name, how in _STATE.items() if how == "set"]
