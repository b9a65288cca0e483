"""Run the chunks of a convolution on several threads, with single-threaded
BLAS inside each.

Why not let BLAS thread one big GEMM?  Measured on a shared 2-core machine
(load around 6), OpenBLAS's own threading made a conv GEMM no faster than
one thread, and small GEMMs 10-30x slower: its threads meet at several
barriers per call, and each barrier waits for a thread the OS has not yet
scheduled.  Splitting the batch into chunks that threads pull from a
shared counter needs one join per op, lets a running thread take the
chunks of a delayed one, and parallelises im2col/col2im and the layout
transposes too: the W3 conv forward ran 1.6x faster than either BLAS
setting under that load.

That holds only while OpenBLAS's own threads sleep when idle (pytensor sets
``OPENBLAS_THREAD_TIMEOUT``, :mod:`pytensor._threads`).  When NumPy loaded
OpenBLAS before pytensor could set it, its idle threads spin for about
0.1 s after every multi-threaded product and take the core a chunk thread
needs: W3 measured 37 ms per step with chunk threads against 27 ms with
chunks run in turn and BLAS threading each GEMM, so then chunks run in
turn.

BLAS is held at one thread while chunks run, through
:func:`_blas.single_threaded` (threadpoolctl; reference-counted and shared
with the recurrent layers, so overlapping users restore it once).  Where
NumPy's BLAS cannot be controlled (threadpoolctl missing, or a BLAS it does
not know), convolutions run their chunks serially and leave BLAS threading
alone.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from pytensor.ops.nn import _blas

__all__ = []

# GEMM multiply-adds below which a convolution stays on one thread.
MIN_PARALLEL_FLOPS = 1 << 23
# Chunks per thread: a thread the OS delays holds up at most one chunk.
CHUNKS_PER_THREAD = 4


_pool = None
_pool_size = 0
_NUMPY_PROBE = np.empty(0)


_single_blas = None


def available():
    """True when chunks can run on threads: NumPy's BLAS can be held at one
    thread meanwhile (:mod:`_blas`, the mechanism the recurrent layers use,
    so their limits and ours nest), or already runs on one."""
    global _single_blas
    c = _blas._get_controller()
    if c is not None:
        return not _blas.spinning_openblas(c)
    if _single_blas is None:
        try:
            import threadpoolctl
            libs = [i for i in threadpoolctl.threadpool_info()
                    if i.get("user_api") == "blas"]
            _single_blas = bool(libs) and all(
                i.get("num_threads") == 1 for i in libs)
        except Exception:           # not installed: BLAS threads unknown
            _single_blas = False
    return _single_blas


def max_threads():
    """Threads a convolution may use: the kernels' OpenMP cap
    (``OMP_NUM_THREADS``), else the machine's cores."""
    try:
        from pytensor_ext.cpu import _conv
        return max(1, int(_conv.max_threads()))
    except (ImportError, AttributeError):
        env = os.environ.get("OMP_NUM_THREADS", "")
        return int(env) if env.isdigit() and int(env) > 0 else (
            os.cpu_count() or 1)


def threads_for(flops, items):
    """How many threads a convolution of ``flops`` multiply-adds over
    ``items`` images should use."""
    if flops < MIN_PARALLEL_FLOPS or items < 2:
        return 1
    nt = min(max_threads(), items)
    if nt > 1 and not available():
        return 1
    return nt


def split(n, parts):
    """``parts`` contiguous ranges covering ``range(n)`` (sizes differ by
    at most one)."""
    parts = max(1, min(parts, n)) if n else 1
    return [(i * n // parts, (i + 1) * n // parts) for i in range(parts)]


def _get_pool(nt):
    global _pool, _pool_size
    if _pool is None or _pool_size < nt - 1:
        _pool = ThreadPoolExecutor(max(nt - 1, 1),
                                   thread_name_prefix="pytensor-conv")
        _pool_size = nt - 1
    return _pool


def run(bounds, nt, fn):
    """Call ``fn(i, n0, n1)`` for every chunk ``i`` of ``bounds``.  With
    ``nt`` > 1 threads (the caller's included) pull chunks in order from a
    shared counter, BLAS held at one thread meanwhile; the first exception
    is re-raised after every thread stopped."""
    if nt <= 1 or len(bounds) <= 1:
        for i, (a, b) in enumerate(bounds):
            fn(i, a, b)
        return
    lock = threading.Lock()
    state = {"next": 0, "error": None}

    def worker():
        while True:
            with lock:
                i = state["next"]
                if i >= len(bounds) or state["error"] is not None:
                    return
                state["next"] = i + 1
            try:
                fn(i, *bounds[i])
            except BaseException as e:       # re-raised by the caller
                with lock:
                    if state["error"] is None:
                        state["error"] = e
                return

    with _blas.single_threaded(_NUMPY_PROBE):
        pool = _get_pool(nt)
        futures = [pool.submit(worker) for _ in range(nt - 1)]
        worker()
        for f in futures:
            f.result()
    if state["error"] is not None:
        raise state["error"]
