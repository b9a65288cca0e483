# cython: language_level=3
"""One direction of an LSTM layer over a whole sequence, forward and
backward through time, with the work split across threads.

A step is one ``(B, H) x (H, 4H)`` matrix product and the pointwise cell
(:mod:`pytensor_ext.cpu._rnn_cells`).  Written as a Python loop (the
reference, :func:`pytensor_ext.reference.lstm_seq_loop_fwd`) each step
calls a multi-threaded BLAS product and then the cell on one thread, so
one core idles through the cell and the BLAS threads meet twice per step.
Here every thread owns part of the work for the whole sequence:

- by batch rows (when every thread gets at least ``MIN_ROWS`` of them):
  rows of a batch never meet in a recurrence, so a thread multiplies
  *its* rows of the previous state by all of ``W_hh``, runs the cell on
  them, and goes on to the next step without waiting for anyone; the
  backward likewise.  The threads meet once per sequence, after packing
  the weight together.
- otherwise by hidden units: a thread multiplies the whole previous state
  by *its* rows of ``W_hh``, runs the cell on its units, and meets the
  other threads once per step, at the barrier after which the new state
  is complete.  The backward is the mirror: a thread turns the gradient
  of its units into their gate gradients, and after the barrier computes
  its columns of ``dh = dG_t @ W_hh``.

Both give the same bits (each output element sums the same products in
the same order).  On W4's layer the row split ran the steps 1-12% faster
than the unit split (forward 8.0 against 8.7 ms, backward 8.2 against
9.2, two threads, against 15.7 and 16.0 on one; the smaller gains in the
machine's slow phases): under the unit split the cell loops took twice
their one-thread CPU time (perf; most likely each core reading the state
the other had just written) and the threads waited at 128 barriers per
forward+backward.

The products: in float32 on an AVX2+FMA CPU, ``W_hh`` (a thread's part of
it under the unit split) is packed once per sequence and each step runs a
micro-kernel
(``include/pt_gemm.h``; a BLAS call re-packs its operands every time,
15% of these kernels' time with OpenBLAS).  Otherwise they go straight to
the CBLAS ``gemm`` of the OpenBLAS NumPy loaded (found by
:mod:`pytensor_ext.cpu._blas_lib`), from every thread at once: each
product must then run on one BLAS thread, so the caller holds NumPy's
BLAS at one thread around these kernels (pytensor's LSTM op does, with
threadpoolctl); where it has not, they run on one thread.  Without such a
library (another BLAS, an OpenBLAS older than 0.3.7) for a product that
needs it, or for arrays these kernels do not take, the loop of the
reference runs with the compiled cells.

Measured on W4's layer (2 cores, T 64, B 32, H 256, float32,
``tests/benchmarks/bench_norm_rnn.py``): the steps forward in 8.3 ms and
backward in 8.5 ms, against 11.3 and 10.9 ms for the loop of NumPy
products and compiled cells.
"""
cimport numpy as cnp
from cython.parallel cimport parallel
from libc.stdint cimport int64_t, uintptr_t
from libc.string cimport memcpy
from openmp cimport (
    omp_get_num_procs, omp_get_num_threads, omp_get_thread_num)

from pytensor_ext.cpu._common cimport real, real_type, threads_for
from pytensor_ext.cpu._rnn_cells cimport lstm_bwd_rows, lstm_fwd_rows

import numpy as np

from pytensor_ext import reference as _ref
from pytensor_ext.cpu._rnn import lstm_cell_bwd, lstm_cell_fwd

cnp.import_array()

__all__ = ["lstm_seq_fwd", "lstm_seq_bwd"]


cdef extern from *:
    """
    #include <sched.h>
    #if defined(__x86_64__) || defined(__i386__)
    #define PT_PAUSE() __builtin_ia32_pause()
    #elif defined(__aarch64__)
    #define PT_PAUSE() __asm__ __volatile__("yield")
    #else
    #define PT_PAUSE() ((void)0)
    #endif

    /* A sense-reversing barrier for the threads of one parallel region.
       The waiting thread spins: OpenMP's own barrier (with pytensor's
       OMP_WAIT_POLICY=PASSIVE) puts it to sleep, and waking a sleeping
       core every step costs more than the step's work on a VM.  After
       ~2^16 spins it yields, for a machine with more threads than cores. */
    typedef struct { int count; int sense; } pt_barrier;

    static void pt_barrier_wait(pt_barrier* b, int team, int* sense) {
        int s = !*sense;
        long spins = 0;
        *sense = s;
        if (__atomic_add_fetch(&b->count, 1, __ATOMIC_ACQ_REL) == team) {
            __atomic_store_n(&b->count, 0, __ATOMIC_RELAXED);
            __atomic_store_n(&b->sense, s, __ATOMIC_RELEASE);
            return;
        }
        while (__atomic_load_n(&b->sense, __ATOMIC_ACQUIRE) != s) {
            if (++spins < (1L << 16))
                PT_PAUSE();
            else
                sched_yield();
        }
    }
    """
    ctypedef struct pt_barrier:
        int count
        int sense
    void pt_barrier_wait(pt_barrier* b, int team, int* sense) noexcept nogil


# --- the products -----------------------------------------------------------
# float32 on an AVX2+FMA CPU: the weight packed once per sequence and a
# micro-kernel per step (pt_gemm.h); otherwise a CBLAS call per step.
cdef extern from "pt_gemm.h" nogil:
    enum: PT_NR "PT_GEMM_NR"
    int pt_gemm_available()
    Py_ssize_t pt_gemm_packed_size(Py_ssize_t K, Py_ssize_t N)
    void pt_gemm_pack(int trans, Py_ssize_t K, Py_ssize_t N, const float* B,
                      Py_ssize_t ldb, float* out)
    void pt_gemm_packed(Py_ssize_t M, Py_ssize_t N, Py_ssize_t K,
                        const float* A, Py_ssize_t lda, const float* Bp,
                        float* C, Py_ssize_t ldc, int accumulate)

cdef bint _packed = pt_gemm_available() != 0


def _use_packed(enabled):
    """Test hook: ``False`` runs float32 through CBLAS as well; ``True``
    uses the packed kernel where the CPU has it."""
    global _packed
    _packed = bool(enabled) and pt_gemm_available() != 0


# Which split runs: -1 by the batch (rows mode) where every thread gets
# at least MIN_ROWS rows, else by the hidden units; 0 / 1 force the
# hidden-unit / row split (test hook).
cdef int _split = -1
cdef Py_ssize_t MIN_ROWS = 4


def _use_split(mode):
    """Test hook: ``"units"``, ``"rows"`` or ``None`` (the kernel
    chooses)."""
    global _split
    _split = {"units": 0, "rows": 1, None: -1}[mode]


cdef bint _by_rows(Py_ssize_t B, int P) noexcept nogil:
    if _split >= 0:
        return _split == 1
    return B >= MIN_ROWS * P


cdef Py_ssize_t _packed_fwd(Py_ssize_t H, int P) noexcept nogil:
    # Floats of one thread's packed forward weight (its 4 n rows of W_hh,
    # n at most ceil(H / P)).
    return pt_gemm_packed_size(H, 4 * ((H + P - 1) // P))


cdef Py_ssize_t _packed_bwd(Py_ssize_t H, int P) noexcept nogil:
    return pt_gemm_packed_size(4 * H, (H + P - 1) // P)


# --- the BLAS -------------------------------------------------------------
# CBLAS enums.
cdef enum:
    ROW_MAJOR = 101
    NO_TRANS = 111
    TRANS = 112

ctypedef void (*sgemm64_t)(int, int, int, int64_t, int64_t, int64_t, float,
                           const float*, int64_t, const float*, int64_t,
                           float, float*, int64_t) noexcept nogil
ctypedef void (*dgemm64_t)(int, int, int, int64_t, int64_t, int64_t, double,
                           const double*, int64_t, const double*, int64_t,
                           double, double*, int64_t) noexcept nogil
ctypedef void (*sgemm32_t)(int, int, int, int, int, int, float, const float*,
                           int, const float*, int, float, float*,
                           int) noexcept nogil
ctypedef void (*dgemm32_t)(int, int, int, int, int, int, double,
                           const double*, int, const double*, int, double,
                           double*, int) noexcept nogil

ctypedef int (*get_threads_t)() noexcept nogil

cdef void* _sgemm = NULL
cdef void* _dgemm = NULL
cdef bint _ilp64 = False
cdef get_threads_t _blas_threads = NULL
cdef int _blas_state = 0            # 0 not looked up, 1 found, -1 none


cdef bint _blas_ready():
    global _sgemm, _dgemm, _ilp64, _blas_threads, _blas_state
    if _blas_state == 0:
        from pytensor_ext.cpu._blas_lib import find_openblas
        found = find_openblas()
        _blas_state = -1
        if found is not None:
            _sgemm = <void*><uintptr_t>found.sgemm
            _dgemm = <void*><uintptr_t>found.dgemm
            _ilp64 = found.ilp64
            _blas_threads = <get_threads_t><uintptr_t>found.get_num_threads
            _blas_state = 1
    return _blas_state == 1


def _use_blas(enabled):
    """Test hook: ``False`` makes the kernels run the fallback loop,
    ``True`` looks the library up again."""
    global _blas_state
    _blas_state = 0 if enabled else -1


cdef inline void gemm(bint trans_b, Py_ssize_t M, Py_ssize_t N, Py_ssize_t K,
                      const real* A, Py_ssize_t lda, const real* Bm,
                      Py_ssize_t ldb, real* C,
                      Py_ssize_t ldc) noexcept nogil:
    """Row-major ``C = A @ op(B)`` (``op`` transposes when ``trans_b``)."""
    cdef int tb = TRANS if trans_b else NO_TRANS
    if real is float:
        if _ilp64:
            (<sgemm64_t>_sgemm)(ROW_MAJOR, NO_TRANS, tb, M, N, K, 1, A, lda,
                                Bm, ldb, 0, C, ldc)
        else:
            (<sgemm32_t>_sgemm)(ROW_MAJOR, NO_TRANS, tb, <int>M, <int>N,
                                <int>K, 1, A, <int>lda, Bm, <int>ldb, 0, C,
                                <int>ldc)
    else:
        if _ilp64:
            (<dgemm64_t>_dgemm)(ROW_MAJOR, NO_TRANS, tb, M, N, K, 1, A, lda,
                                Bm, ldb, 0, C, ldc)
        else:
            (<dgemm32_t>_dgemm)(ROW_MAJOR, NO_TRANS, tb, <int>M, <int>N,
                                <int>K, 1, A, <int>lda, Bm, <int>ldb, 0, C,
                                <int>ldc)


cdef inline Py_ssize_t _part(Py_ssize_t n, int p, int team,
                             Py_ssize_t* lo) noexcept nogil:
    """Thread ``p``'s part of ``n`` things: the first in ``lo``, returns
    how many."""
    lo[0] = n * p // team
    return n * (p + 1) // team - lo[0]


# --- the loops ------------------------------------------------------------
# Each runs as the body of one parallel region, once per thread: ``p`` is
# the thread's number in a team of ``team`` (which may be smaller than
# asked, in a nested region or under a thread limit).  Thread ``p`` owns
# the hidden units ``j0 .. j0 + n``.
cdef void _fwd_thread(real* A, real* Hs, real* Cs, const real* W,
                      const real* bias, real* Wp, float* pk, real* gh,
                      Py_ssize_t T, Py_ssize_t B, Py_ssize_t H,
                      bint reverse, pt_barrier* bar, int p, int P,
                      int team) noexcept nogil:
    cdef Py_ssize_t j0
    cdef Py_ssize_t n = _part(H, p, team, &j0)
    cdef Py_ssize_t s, t, k, G = 4 * H, BH = B * H
    cdef Py_ssize_t cur = 0 if reverse else 1, prev = 1 if reverse else 0
    cdef real* a
    cdef int sense = 0
    # This thread's rows of W_hh, gate by gate: Wp[4 j0 + k n + u] =
    # W[k H + j0 + u], so its product is one call writing
    # gh[:, 4 j0 : 4 (j0 + n)] as [i | f | g | o] blocks of n units.
    for k in range(4):
        memcpy(Wp + (4 * j0 + k * n) * H, W + (k * H + j0) * H,
               n * H * sizeof(real))
    if real is float:
        if pk != NULL:
            pk = pk + p * _packed_fwd(H, P)
            pt_gemm_pack(1, H, 4 * n, Wp + 4 * j0 * H, H, pk)
    for s in range(T):
        t = T - 1 - s if reverse else s
        if n > 0:
            a = A + t * B * G + j0
            if real is float and pk != NULL:
                pt_gemm_packed(B, 4 * n, H, Hs + (t + prev) * BH, H, pk,
                               gh + 4 * j0, G, 0)
            else:
                gemm(True, B, 4 * n, H, Hs + (t + prev) * BH, H,
                     Wp + 4 * j0 * H, H, gh + 4 * j0, G)
            lstm_fwd_rows(a, G, bias + j0 if bias != NULL else NULL,
                          gh + 4 * j0, G, n, True,
                          Cs + (t + prev) * BH + j0, H,
                          Hs + (t + cur) * BH + j0, H,
                          Cs + (t + cur) * BH + j0, H, a, G, H, B, n)
        # The next step multiplies the whole of this step's h.
        pt_barrier_wait(bar, team, &sense)


cdef void _bwd_thread(real* A, real* Cs, const real* W, float* pk,
                      const real* go, real* dG, real* dh, real* dc,
                      Py_ssize_t T, Py_ssize_t B, Py_ssize_t H, bint reverse,
                      pt_barrier* bar, int p, int P, int team) noexcept nogil:
    cdef Py_ssize_t j0
    cdef Py_ssize_t n = _part(H, p, team, &j0)
    cdef Py_ssize_t s, t, b, j, G = 4 * H, BH = B * H
    cdef Py_ssize_t cur = 0 if reverse else 1, prev = 1 if reverse else 0
    cdef real* pd
    cdef const real* pg
    cdef int sense = 0
    if real is float:
        if pk != NULL:
            # This thread's columns of W_hh (K = 4H rows, n columns).
            pk = pk + p * _packed_bwd(H, P)
            pt_gemm_pack(0, G, n, W + j0, H, pk)
    for s in range(T):
        t = s if reverse else T - 1 - s
        if n > 0:
            for b in range(B):
                pd = dh + b * H + j0
                pg = go + t * BH + b * H + j0
                for j in range(n):
                    pd[j] = pd[j] + pg[j]
            lstm_bwd_rows(A + t * B * G + j0, G,
                          Cs + (t + prev) * BH + j0, H,
                          Cs + (t + cur) * BH + j0, H,
                          dh + j0, H, True, dc + j0, H, True,
                          dG + t * B * G + j0, G, dc + j0, H, H, B, n)
        # dh of this thread's units needs every unit's gate gradients.
        pt_barrier_wait(bar, team, &sense)
        if n > 0:
            if real is float and pk != NULL:
                pt_gemm_packed(B, n, G, dG + t * B * G, G, pk, dh + j0, H, 0)
            else:
                gemm(False, B, n, G, dG + t * B * G, G, W + j0, H, dh + j0,
                     H)


# The same loops with the batch rows split instead (``rows`` mode): rows
# of a batch never meet in a recurrence, so a thread that owns rows
# ``b0 .. b0 + m`` for every hidden unit runs its whole sequence without
# waiting for the others, and never reads a state another core wrote.
# The hidden-unit split above shares each step's state between the cores
# and meets at a barrier per step (see the module docstring for what that
# cost).  The packed weight is then the whole of W_hh, packed once by all
# the threads together (one barrier per sequence).
cdef inline void _pack_share(int trans, Py_ssize_t K, Py_ssize_t N,
                             const float* Bm, Py_ssize_t ldb, float* pk,
                             pt_barrier* bar, int p, int team) noexcept nogil:
    """Thread ``p``'s share of packing op(B) (K x N) into ``pk``, whole
    panels, then the wait for the others' (``pk`` NULL: nothing)."""
    cdef Py_ssize_t q0, c0, c1
    cdef Py_ssize_t nq = _part((N + PT_NR - 1) // PT_NR, p, team, &q0)
    cdef int sense = 0
    if pk == NULL:
        return
    c0 = q0 * PT_NR
    c1 = min((q0 + nq) * PT_NR, N)
    if c1 > c0:
        pt_gemm_pack(trans, K, c1 - c0, Bm + (c0 * ldb if trans else c0),
                     ldb, pk + q0 * K * PT_NR)
    pt_barrier_wait(bar, team, &sense)


cdef void _fwd_rows_thread(real* A, real* Hs, real* Cs, const real* W,
                           const real* bias, float* pk, real* gh,
                           Py_ssize_t T, Py_ssize_t B, Py_ssize_t H,
                           bint reverse, pt_barrier* bar, int p,
                           int team) noexcept nogil:
    cdef Py_ssize_t b0, s, t, G = 4 * H, BH = B * H
    cdef Py_ssize_t m = _part(B, p, team, &b0)
    cdef Py_ssize_t cur = 0 if reverse else 1, prev = 1 if reverse else 0
    cdef real* a
    if real is float:
        _pack_share(1, H, G, W, H, pk, bar, p, team)
    if m == 0:
        return
    for s in range(T):
        t = T - 1 - s if reverse else s
        a = A + t * B * G + b0 * G
        if real is float and pk != NULL:
            pt_gemm_packed(m, G, H, Hs + (t + prev) * BH + b0 * H, H, pk,
                           gh + b0 * G, G, 0)
        else:
            gemm(True, m, G, H, Hs + (t + prev) * BH + b0 * H, H, W, H,
                 gh + b0 * G, G)
        lstm_fwd_rows(a, G, bias, gh + b0 * G, G, H, True,
                      Cs + (t + prev) * BH + b0 * H, H,
                      Hs + (t + cur) * BH + b0 * H, H,
                      Cs + (t + cur) * BH + b0 * H, H, a, G, H, m, H)


cdef void _bwd_rows_thread(real* A, real* Cs, const real* W, float* pk,
                           const real* go, real* dG, real* dh, real* dc,
                           Py_ssize_t T, Py_ssize_t B, Py_ssize_t H,
                           bint reverse, pt_barrier* bar, int p,
                           int team) noexcept nogil:
    cdef Py_ssize_t b0, s, t, i, G = 4 * H, BH = B * H
    cdef Py_ssize_t m = _part(B, p, team, &b0)
    cdef Py_ssize_t cur = 0 if reverse else 1, prev = 1 if reverse else 0
    cdef real* pd
    cdef const real* pg
    if real is float:
        _pack_share(0, G, H, W, H, pk, bar, p, team)
    if m == 0:
        return
    for s in range(T):
        t = s if reverse else T - 1 - s
        pd = dh + b0 * H
        pg = go + t * BH + b0 * H
        for i in range(m * H):
            pd[i] = pd[i] + pg[i]
        lstm_bwd_rows(A + t * B * G + b0 * G, G,
                      Cs + (t + prev) * BH + b0 * H, H,
                      Cs + (t + cur) * BH + b0 * H, H,
                      pd, H, True, dc + b0 * H, H, True,
                      dG + t * B * G + b0 * G, G, dc + b0 * H, H, H, m, H)
        if real is float and pk != NULL:
            pt_gemm_packed(m, H, G, dG + t * B * G + b0 * G, G, pk, pd, H, 0)
        else:
            gemm(False, m, H, G, dG + t * B * G + b0 * G, G, W, H, pd, H)


cdef void _fwd(real* A, real* Hs, real* Cs, const real* W, const real* bias,
               real* Wp, float* pk, real* gh, Py_ssize_t T, Py_ssize_t B,
               Py_ssize_t H, bint reverse, int P, bint rows) noexcept nogil:
    cdef pt_barrier bar
    bar.count = bar.sense = 0
    with parallel(num_threads=P):
        if rows:
            _fwd_rows_thread(A, Hs, Cs, W, bias, pk, gh, T, B, H, reverse,
                             &bar, omp_get_thread_num(),
                             omp_get_num_threads())
        else:
            _fwd_thread(A, Hs, Cs, W, bias, Wp, pk, gh, T, B, H, reverse,
                        &bar, omp_get_thread_num(), P,
                        omp_get_num_threads())


cdef void _bwd(real* A, real* Cs, const real* W, float* pk, const real* go,
               real* dG, real* dh, real* dc, Py_ssize_t T, Py_ssize_t B,
               Py_ssize_t H, bint reverse, int P, bint rows) noexcept nogil:
    cdef pt_barrier bar
    bar.count = bar.sense = 0
    with parallel(num_threads=P):
        if rows:
            _bwd_rows_thread(A, Cs, W, pk, go, dG, dh, dc, T, B, H, reverse,
                             &bar, omp_get_thread_num(),
                             omp_get_num_threads())
        else:
            _bwd_thread(A, Cs, W, pk, go, dG, dh, dc, T, B, H, reverse,
                        &bar, omp_get_thread_num(), P,
                        omp_get_num_threads())


# --- argument handling ----------------------------------------------------
cdef object _scratch(int t, Py_ssize_t n):
    """The packed weights' buffer on the packed path (float32 on an AVX2
    CPU), else None."""
    if t != cnp.NPY_FLOAT32 or not _packed:
        return None
    return np.empty(n, np.float32)


cdef inline float* _data(object buf):
    return NULL if buf is None else <float*>(<cnp.ndarray>buf).data


cdef bint _arr(object a, int t, tuple shape, bint writable=False):
    """``a`` is a C-contiguous, aligned array of type ``t`` and ``shape``."""
    cdef cnp.ndarray arr
    if type(a) is not cnp.ndarray or real_type(a) != t:
        return False
    arr = <cnp.ndarray>a
    if a.shape != shape or not cnp.PyArray_IS_C_CONTIGUOUS(arr) or \
            not cnp.PyArray_ISALIGNED(arr):
        return False
    return not writable or cnp.PyArray_ISWRITEABLE(arr)


cdef tuple _dims(object A, object Hs, object Cs, object w_hh, int t,
                 bint writable):
    """``(T, B, H)`` when the kernels take these arrays (C-contiguous, of one
    type ``t`` they handle, none of the sizes zero), else None (the loop
    of the reference runs them)."""
    cdef Py_ssize_t T, B, H
    if t < 0 or type(Hs) is not cnp.ndarray or Hs.ndim != 3 or \
            A.ndim != 3 or not _runs(t):
        return None
    T, B, H = A.shape[0], A.shape[1], Hs.shape[2]
    if not (T and B and H and _arr(A, t, (T, B, 4 * H), writable)
            and _arr(Hs, t, (T + 1, B, H), writable)
            and _arr(Cs, t, (T + 1, B, H), writable)
            and type(w_hh) is cnp.ndarray and real_type(w_hh) == t
            and w_hh.shape == (4 * H, H)):
        return None
    return T, B, H


cdef bint _runs(int t):
    """Whether the kernels take arrays of type ``t``: float32 on the packed
    path needs no BLAS; anything else needs the CBLAS one."""
    return (t == cnp.NPY_FLOAT32 and _packed) or _blas_ready()


cdef int _threads(int threads, int t, Py_ssize_t B, Py_ssize_t H):
    # A thread's share of a step should outweigh the barrier that ends
    # it: at least ~2M multiply-adds (W4's layer: 8.4M, two threads).
    cdef int P = threads if threads > 0 else threads_for(B * 4 * H * H,
                                                         1 << 21)
    # Products of a multi-threaded BLAS from several threads at once fight
    # (W4's layer: 15 ms -> 400-650 ms): one thread then, using them.
    if not (t == cnp.NPY_FLOAT32 and _packed) and _blas_threads() > 1:
        return 1
    # The threads spin at every step's barrier: more of them than cores
    # (OMP_NUM_THREADS above the core count) would wait on each other's
    # time slices.  An explicit ``threads`` is taken as asked (tests).
    if threads <= 0:
        P = min(P, max(1, omp_get_num_procs()))
    return <int>min(<Py_ssize_t>P, H)


def lstm_seq_fwd(A, Hs, Cs, w_hh, bias=None, *, reverse=False, threads=0):
    """One direction of an LSTM layer over a sequence, in place; returns
    ``(Hs, Cs, A)`` (see the reference)."""
    cdef int t = real_type(A)
    cdef Py_ssize_t T, B, H
    cdef cnp.ndarray a, hs, cs, w, wp, gh, bs
    cdef object keep = None
    cdef bint rev = bool(reverse)
    dims = _dims(A, Hs, Cs, w_hh, t, True)
    if dims is None or not (bias is None or type(bias) is cnp.ndarray
                            and real_type(bias) == t
                            and bias.shape == (w_hh.shape[0],)):
        return _ref.lstm_seq_loop_fwd(A, Hs, Cs, w_hh, bias, reverse,
                                      lstm_cell_fwd)
    T, B, H = dims
    a, hs, cs = A, Hs, Cs
    w = np.ascontiguousarray(w_hh)
    cdef void* bptr = NULL
    if bias is not None:
        bs = np.ascontiguousarray(bias)
        bptr = bs.data
    wp = np.empty_like(w)
    gh = np.empty((B, 4 * H), A.dtype)
    cdef int P = _threads(threads, t, B, H)
    cdef bint rows = _by_rows(B, P)
    keep = _scratch(t, pt_gemm_packed_size(H, 4 * H) if rows
                    else P * _packed_fwd(H, P))
    cdef float* pk = _data(keep)
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _fwd[float](<float*>a.data, <float*>hs.data, <float*>cs.data,
                        <float*>w.data, <float*>bptr, <float*>wp.data, pk,
                        <float*>gh.data, T, B, H, rev, P, rows)
        else:
            _fwd[double](<double*>a.data, <double*>hs.data,
                         <double*>cs.data, <double*>w.data, <double*>bptr,
                         <double*>wp.data, NULL, <double*>gh.data, T, B, H,
                         rev, P, rows)
    return Hs, Cs, A


def lstm_seq_bwd(A, Hs, Cs, w_hh, g_out, dh, dc, dG, *, reverse=False,
                 threads=0):
    """Backward through time of :func:`lstm_seq_fwd`, in place; returns
    ``(dG, dh, dc)`` (see the reference)."""
    cdef int t = real_type(A)
    cdef Py_ssize_t T, B, H
    cdef cnp.ndarray a, cs, w, go, dg, mdh, mdc
    cdef object keep = None
    cdef bint rev = bool(reverse)
    dims = _dims(A, Hs, Cs, w_hh, t, False)
    if dims is not None:
        T, B, H = dims
    if dims is None or not (
            type(g_out) is cnp.ndarray and real_type(g_out) == t
            and g_out.shape == (T, B, H)
            and _arr(dh, t, (B, H), True) and _arr(dc, t, (B, H), True)
            and _arr(dG, t, (T, B, 4 * H), True)):
        return _ref.lstm_seq_loop_bwd(A, Hs, Cs, w_hh, g_out, dh, dc, dG,
                                      reverse, lstm_cell_bwd)
    a, cs, dg, mdh, mdc = A, Cs, dG, dh, dc
    w = np.ascontiguousarray(w_hh)
    go = np.ascontiguousarray(g_out)
    cdef int P = _threads(threads, t, B, H)
    cdef bint rows = _by_rows(B, P)
    keep = _scratch(t, pt_gemm_packed_size(4 * H, H) if rows
                    else P * _packed_bwd(H, P))
    cdef float* pk = _data(keep)
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _bwd[float](<float*>a.data, <float*>cs.data, <float*>w.data, pk,
                        <float*>go.data, <float*>dg.data, <float*>mdh.data,
                        <float*>mdc.data, T, B, H, rev, P, rows)
        else:
            _bwd[double](<double*>a.data, <double*>cs.data, <double*>w.data,
                         NULL, <double*>go.data, <double*>dg.data,
                         <double*>mdh.data, <double*>mdc.data, T, B, H, rev,
                         P, rows)
    return dG, dh, dc


def packed_available():
    """Whether float32 products run on the packed AVX2 kernel (the CPU has
    AVX2 and FMA, and the test hook left it on)."""
    return bool(_packed)
