"""The CBLAS matrix products of the OpenBLAS that NumPy loaded, for kernels
that call BLAS from their own threads (:mod:`pytensor_ext.cpu._lstm_seq`).

NumPy does not export a BLAS to C extensions, but its OpenBLAS is a shared
library in the process: ``threadpoolctl`` (a pytensor dependency) finds
its path, and ``ctypes`` the addresses of ``cblas_sgemm`` /
``cblas_dgemm`` under the names the different builds give them (NumPy's
wheels: ``scipy_cblas_sgemm64_``, 64-bit integers; a system OpenBLAS:
``cblas_sgemm``).  A kernel's threads each call it on their own share of
the work, which is safe from OpenBLAS 0.3.7 on; each call should then run
on one BLAS thread (a multi-threaded OpenBLAS serialises concurrent
products, and the two together measured 30-40x slower than one thread),
which the caller arranges: ``openblas_set_num_threads_local`` is
process-wide in OpenBLAS's pthreads builds (NumPy's), so the kernels
leave the thread count to pytensor's op, which holds it at one through
threadpoolctl with the other users of that limit, and read it
(``openblas_get_num_threads``) to run on one thread when it is not.
Where any of this is missing the lookup returns None and the kernels keep
their NumPy loop.
"""
import ctypes
import os
from collections import namedtuple

__all__ = ["Blas", "find_openblas"]

Blas = namedtuple("Blas", "path sgemm dgemm ilp64 get_num_threads")

# (sgemm, dgemm, 64-bit integers) as each OpenBLAS build names them.
_GEMMS = (
    ("scipy_cblas_sgemm64_", "scipy_cblas_dgemm64_", True),
    ("cblas_sgemm64_", "cblas_dgemm64_", True),
    ("scipy_cblas_sgemm", "scipy_cblas_dgemm", False),
    ("cblas_sgemm", "cblas_dgemm", False),
)
_GET_THREADS = ("scipy_openblas_get_num_threads64_",
                "openblas_get_num_threads64_",
                "scipy_openblas_get_num_threads", "openblas_get_num_threads")
# Calls from several threads at once are safe from OpenBLAS 0.3.7 on.
MIN_VERSION = (0, 3, 7)


def _address(lib, name):
    try:
        return ctypes.cast(getattr(lib, name), ctypes.c_void_p).value
    except AttributeError:
        return None


def _load(path):
    """The :class:`Blas` of the OpenBLAS at ``path``, or None."""
    try:
        lib = ctypes.CDLL(path)
    except OSError:
        return None
    threads = next((a for a in (_address(lib, n) for n in _GET_THREADS)
                    if a), None)
    if threads is None:
        return None
    for s, d, ilp64 in _GEMMS:
        sa, da = _address(lib, s), _address(lib, d)
        if sa and da:
            return Blas(path, sa, da, ilp64, threads)
    return None


def _version(text):
    """``"0.3.31.188.0"`` -> ``(0, 3, 31)``; None when unreadable."""
    try:
        return tuple(int(p) for p in str(text).split(".")[:3])
    except ValueError:
        return None


def _numpy_first(paths):
    import numpy
    root = os.path.dirname(os.path.dirname(numpy.__file__))
    mine = [p for p in paths
            if os.path.basename(os.path.dirname(p)) == "numpy.libs"
            or p.startswith(os.path.dirname(numpy.__file__))
            or p.startswith(os.path.join(root, "numpy.libs"))]
    return mine + [p for p in paths if p not in mine]


def find_openblas():
    """The :class:`Blas` of NumPy's OpenBLAS (or of another OpenBLAS in the
    process when NumPy's cannot be told apart), or None when there is no
    OpenBLAS with per-thread thread counts."""
    if os.environ.get("PYTENSOR_DIRECT_BLAS", "1") == "0":
        return None
    try:
        from threadpoolctl import threadpool_info
        paths = [i["filepath"] for i in threadpool_info()
                 if i.get("internal_api") == "openblas"
                 and (_version(i.get("version")) or (0,)) >= MIN_VERSION]
    except Exception:               # threadpoolctl missing or failing
        return None
    for path in _numpy_first(paths):
        found = _load(path)
        if found is not None:
            return found
    return None
