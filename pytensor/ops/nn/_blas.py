"""Single-threaded BLAS for the latency-bound matrix products of recurrent
loops.

A recurrent step multiplies a ``(B, H)`` state by a ``(H, G * H)`` weight:
a few MFLOP, too little for a second BLAS thread to pay for its wake-up and
barrier, and on a busy machine (other processes on the cores) each of those
synchronisations can stall for a scheduler time slice.  Measured on the
2-core development machine under load, one direction of the W4 LSTM layer
(64 steps, batch 32, hidden 256) took a median of 860 ms forward+backward
with OpenBLAS's two threads and 154 ms with one (best cases 81 and 99 ms).
So the per-step loops run with BLAS limited to one thread; the large
products before and after them (input projection, weight gradients) keep
every thread.

That was measured with OpenBLAS's idle threads spinning (its default) on
a machine with other processes on its cores.  On a machine whose cores are
free the second thread pays: W4 (pytensor alone, 2 cores, load 0.5) ran
its LSTM forward in 16 ms with two BLAS threads and 23 ms with one, the
backward in 27 and 35 ms, whether OpenBLAS spins or not.  So the loops ask
:func:`loop_blas`, which holds BLAS at one thread only while the machine
is oversubscribed (a load average above the core count plus one: more
runnable threads than cores beyond this process's own).

The LSTM layer runs its steps in a compiled kernel instead
(``lstm_seq_fwd``, :mod:`pytensor_ext.cpu._lstm_seq`) that splits the
batch rows (or, for a small batch, the hidden units) over its own threads,
multiplying on a weight packed once (float32 on AVX2) or calling BLAS
from each thread: :func:`seq_threads` says how
many threads it may use, and the layer holds BLAS at one thread around it
with :func:`single_threaded` (one BLAS thread per kernel thread).

``threadpoolctl`` finds and sets the BLAS library NumPy loaded; without it
(or for CuPy arrays) :func:`single_threaded` does nothing.
"""
import contextlib
import os
import threading

from pytensor import _threads

__all__ = ["single_threaded", "loop_blas", "seq_threads",
           "spinning_openblas"]

_controller = None
_unavailable = False
# The limit is process-wide: nested or concurrent users (two threads each
# running a recurrent layer) share one limit, set by the first to enter and
# restored by the last to leave.
_lock = threading.Lock()
_depth = 0
_limiter = None


def _get_controller():
    global _controller, _unavailable
    if _controller is None and not _unavailable:
        try:
            from threadpoolctl import ThreadpoolController
            c = ThreadpoolController().select(user_api="blas")
            if c.lib_controllers and any(
                    lc.num_threads > 1 for lc in c.lib_controllers):
                _controller = c
            else:
                _unavailable = True
        except Exception:           # not installed, or an unknown BLAS
            _unavailable = True
    return _controller


class _SingleThreaded:
    __slots__ = ("c",)

    def __init__(self, c):
        self.c = c

    def __enter__(self):
        global _depth, _limiter
        with _lock:
            if _depth == 0:
                _limiter = self.c.limit(limits=1)
            _depth += 1
        return self

    def __exit__(self, *exc):
        global _depth, _limiter
        with _lock:
            _depth -= 1
            if _depth == 0:
                _limiter.restore_original_limits()
                _limiter = None
        return False


def single_threaded(array):
    """A context manager limiting NumPy's BLAS to one thread while it is
    active (for the CPU arrays it is given; a no-op for CuPy arrays)."""
    if array.__class__.__module__ != "numpy":
        return contextlib.nullcontext()
    c = _get_controller()
    if c is None:
        return contextlib.nullcontext()
    return _SingleThreaded(c)


def _oversubscribed():
    try:
        return os.getloadavg()[0] > (os.cpu_count() or 1) + 1
    except OSError:                 # no load average on this platform
        return False


def loop_blas(array):
    """The BLAS setting for a recurrent loop's per-step products:
    :func:`single_threaded` while the machine is oversubscribed, else
    BLAS's own threads (see the module docstring)."""
    if _oversubscribed():
        return single_threaded(array)
    return contextlib.nullcontext()


def spinning_openblas(controller):
    """True when NumPy's BLAS is an OpenBLAS whose idle threads spin for
    its default 2**28 cycles (``OPENBLAS_THREAD_TIMEOUT`` unset, or set
    after it loaded)."""
    if _threads.status()["OPENBLAS_THREAD_TIMEOUT"][1] not in ("set",
                                                               "user"):
        return any(lc.internal_api == "openblas"
                   for lc in controller.lib_controllers)
    return False


def seq_threads(array):
    """The ``threads`` argument of the whole-sequence recurrent kernels
    (``lstm_seq_fwd`` / ``lstm_seq_bwd``), or None for "run the per-step
    loop instead".

    1 while the machine is oversubscribed (the rule of :func:`loop_blas`);
    None when NumPy's OpenBLAS spins for 0.1 s after each product (it
    loaded before pytensor could tell it not to): the kernel's own threads
    would then fight its spinning ones -- its layer forward on W4 took
    23 ms after a product instead of 10 -- while the loop puts the
    OpenBLAS threads to work; else 0 (the kernel chooses)."""
    if _oversubscribed():
        return 1
    if array.__class__.__module__ == "numpy":
        c = _get_controller()
        if c is not None and spinning_openblas(c):
            return None
    return 0
