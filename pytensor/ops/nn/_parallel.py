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

BLAS is held at one thread while chunks run (reference-counted, so
overlapping convolutions from several Python threads restore it once).
Only OpenBLAS (NumPy's wheels) is controlled; with another BLAS, or when
its controls cannot be found, convolutions run their chunks serially and
leave BLAS threading alone.
"""
import ctypes
import os
import threading
from concurrent.futures import ThreadPoolExecutor

__all__ = []

# GEMM multiply-adds below which a convolution stays on one thread.
MIN_PARALLEL_FLOPS = 1 << 23
# Chunks per thread: a thread the OS delays holds up at most one chunk.
CHUNKS_PER_THREAD = 4


class _OpenBLAS:
    """``get``/``set`` of the loaded OpenBLAS's thread count, or None."""

    def __init__(self):
        self.get = self.set = None
        for path in self._loaded_paths():
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for prefix, suffix in (("scipy_openblas", "64_"),
                                   ("openblas", "64_"), ("openblas", "")):
                get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                set_ = getattr(lib, f"{prefix}_set_num_threads{suffix}",
                               None)
                if get is not None and set_ is not None:
                    get.restype = ctypes.c_int
                    get.argtypes = []
                    set_.restype = None
                    set_.argtypes = [ctypes.c_int]
                    self.get, self.set = get, set_
                    return

    @staticmethod
    def _loaded_paths():
        """Shared libraries of this process whose name mentions OpenBLAS
        (Linux: /proc/self/maps; elsewhere none are found)."""
        import numpy  # noqa: F401  (loads NumPy's BLAS)
        paths = []
        try:
            with open("/proc/self/maps") as f:
                for line in f:
                    p = line.rsplit(None, 1)[-1]
                    if "openblas" in os.path.basename(p).lower() and \
                            p not in paths and os.path.exists(p):
                        paths.append(p)
        except OSError:
            pass
        return paths


_blas = None
_blas_lock = threading.Lock()
_blas_users = 0
_blas_saved = None
_pool = None
_pool_size = 0


def _openblas():
    global _blas
    if _blas is None:
        _blas = _OpenBLAS()
    return _blas


def available():
    """True when chunks can run on threads (OpenBLAS's controls found)."""
    return _openblas().set is not None


def _enter_single_blas():
    global _blas_users, _blas_saved
    b = _openblas()
    with _blas_lock:
        if _blas_users == 0:
            _blas_saved = b.get()
            if _blas_saved != 1:
                b.set(1)
        _blas_users += 1


def _exit_single_blas():
    global _blas_users
    b = _openblas()
    with _blas_lock:
        _blas_users -= 1
        if _blas_users == 0 and _blas_saved not in (None, 1):
            b.set(_blas_saved)


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

    _enter_single_blas()
    try:
        pool = _get_pool(nt)
        futures = [pool.submit(worker) for _ in range(nt - 1)]
        worker()
        for f in futures:
            f.result()
    finally:
        _exit_single_blas()
    if state["error"] is not None:
        raise state["error"]
