"""GPU LSTM and GRU cell kernels (CuPy ``ElementwiseKernel``s, one thread
per ``(batch, hidden unit)``): the same names, signatures and formulas as
``pytensor_ext/cpu/_rnn.pyx``.

Each thread reads its unit's gates (``G`` of them, ``H`` apart in the row)
and writes every result, so the activations may overwrite the
pre-activations in place (``out`` holding ``gx``) and ``dc_prev`` /
``dh_prev`` may be the incoming gradient.  Inputs are made C-contiguous;
an ``out`` array that is not is computed into a temporary and copied.
"""
import numpy as np

from pytensor_ext import reference as _ref
from pytensor_ext.gpu._common import ctype, is_real
from pytensor_ext.gpu._memo import cupy
from pytensor_ext.gpu._registry import (
    elementwise, get, raw_function, raw_module)

__all__ = ["lstm_cell_fwd", "lstm_cell_bwd", "gru_cell_fwd", "gru_cell_bwd",
           "lstm_seq_fwd", "lstm_seq_bwd"]

_SIGMOID = """
template <typename T>
__device__ __forceinline__ T pt_sigmoid(T x) {
    const T e = exp(-fabs(x));
    const T r = (T)1 / ((T)1 + e);
    return x >= (T)0 ? r : e * r;
}
"""

LSTM_CELL_FWD = elementwise(
    "pytensor_lstm_cell_fwd",
    "raw T gx, raw T gh, raw T cp, int64 H, bool has_gh",
    "raw T h, raw T c, raw T acts",
    """
    const long long b = i / H, j = i % H, r = b * 4 * H + j;
    T pi = gx[r], pf = gx[r + H], pg = gx[r + 2 * H], po = gx[r + 3 * H];
    if (has_gh) {
        pi += gh[r]; pf += gh[r + H]; pg += gh[r + 2 * H];
        po += gh[r + 3 * H];
    }
    const T ig = pt_sigmoid(pi), fg = pt_sigmoid(pf), gg = tanh(pg),
            og = pt_sigmoid(po);
    const T cv = fg * cp[i] + ig * gg;
    c[i] = cv;
    h[i] = og * tanh(cv);
    acts[r] = ig; acts[r + H] = fg; acts[r + 2 * H] = gg; acts[r + 3 * H] = og;
    """, _SIGMOID)

LSTM_CELL_BWD = elementwise(
    "pytensor_lstm_cell_bwd",
    "raw T acts, raw T cp, raw T c, raw T gh, raw T gc, int64 H, "
    "bool has_gh, bool has_gc",
    "raw T dg, raw T dcp",
    """
    const long long b = i / H, j = i % H, r = b * 4 * H + j;
    const T ig = acts[r], fg = acts[r + H], gg = acts[r + 2 * H],
            og = acts[r + 3 * H];
    const T t = tanh(c[i]);
    const T hv = has_gh ? gh[i] : (T)0;
    T dcv = hv * og * ((T)1 - t * t);
    if (has_gc) dcv += gc[i];
    dg[r] = dcv * gg * ig * ((T)1 - ig);
    dg[r + H] = dcv * cp[i] * fg * ((T)1 - fg);
    dg[r + 2 * H] = dcv * ig * ((T)1 - gg * gg);
    dg[r + 3 * H] = hv * t * og * ((T)1 - og);
    dcp[i] = dcv * fg;
    """)

GRU_CELL_FWD = elementwise(
    "pytensor_gru_cell_fwd",
    "raw T gx, raw T gh, raw T hp, int64 H",
    "raw T h, raw T ws",
    """
    const long long b = i / H, j = i % H, r = b * 3 * H + j,
                    w = b * 4 * H + j;
    const T rg = pt_sigmoid(gx[r] + gh[r]);
    const T zg = pt_sigmoid(gx[r + H] + gh[r + H]);
    const T ghn = gh[r + 2 * H];
    const T ng = tanh(gx[r + 2 * H] + rg * ghn);
    h[i] = (hp[i] - ng) * zg + ng;
    ws[w] = rg; ws[w + H] = zg; ws[w + 2 * H] = ng; ws[w + 3 * H] = ghn;
    """, _SIGMOID)

GRU_CELL_BWD = elementwise(
    "pytensor_gru_cell_bwd",
    "raw T ws, raw T hp, raw T gh, int64 H",
    "raw T dgx, raw T dgh, raw T dhp",
    """
    const long long b = i / H, j = i % H, r = b * 3 * H + j,
                    w = b * 4 * H + j;
    const T rg = ws[w], zg = ws[w + H], ng = ws[w + 2 * H],
            ghn = ws[w + 3 * H];
    const T g = gh[i];
    const T dn = g * ((T)1 - zg) * ((T)1 - ng * ng);
    const T dz = g * (hp[i] - ng) * zg * ((T)1 - zg);
    const T dr = dn * ghn * rg * ((T)1 - rg);
    dgx[r] = dr; dgx[r + H] = dz; dgx[r + 2 * H] = dn;
    dgh[r] = dr; dgh[r + H] = dz; dgh[r + 2 * H] = dn * rg;
    dhp[i] = g * zg;
    """)


def _c(a):
    return a if a is None or a.flags.c_contiguous else a.copy(order="C")


def _ok(a, like, shape):
    return a is not None and is_real(a) and a.dtype == like.dtype and \
        a.shape == shape


def _targets(out, shapes, like):
    """The arrays to write: ``out``'s where C-contiguous, else temporaries
    (copied into ``out`` afterwards by :func:`_finish`)."""
    cp = cupy()
    if out is None:
        return [cp.empty(s, like.dtype) for s in shapes]
    return [o if o.flags.c_contiguous else cp.empty(s, like.dtype)
            for o, s in zip(out, shapes)]


def _finish(out, got):
    if out is None:
        return tuple(got)
    for o, g in zip(out, got):
        if o is not g:
            o[...] = g
    return tuple(out)


def lstm_cell_fwd(gx, gh, c_prev, out=None):
    """One LSTM step from its gate pre-activations; returns ``(h, c,
    acts)``."""
    if not is_real(gx) or c_prev is None or c_prev.ndim != 2:
        return _ref.lstm_cell_fwd(gx, gh, c_prev, out)
    B, H = c_prev.shape
    if not (_ok(gx, gx, (B, 4 * H)) and _ok(c_prev, gx, (B, H))
            and (gh is None or _ok(gh, gx, (B, 4 * H)))):
        return _ref.lstm_cell_fwd(gx, gh, c_prev, out)
    gx, c_prev = _c(gx), _c(c_prev)
    gh_ = _c(gh) if gh is not None else gx
    got = _targets(out, [(B, H), (B, H), (B, 4 * H)], gx)
    if B * H:
        get(LSTM_CELL_FWD)(gx, gh_, c_prev, np.int64(H), gh is not None,
                           *got, size=B * H)
    return _finish(out, got)


def lstm_cell_bwd(acts, c_prev, c, gh, gc, out=None):
    """Backward of :func:`lstm_cell_fwd`; returns ``(dgates, dc_prev)``."""
    if not is_real(acts) or c is None or c.ndim != 2:
        return _ref.lstm_cell_bwd(acts, c_prev, c, gh, gc, out)
    B, H = c.shape
    if not (_ok(acts, acts, (B, 4 * H)) and _ok(c_prev, acts, (B, H))
            and _ok(c, acts, (B, H))
            and (gh is None or _ok(gh, acts, (B, H)))
            and (gc is None or _ok(gc, acts, (B, H)))):
        return _ref.lstm_cell_bwd(acts, c_prev, c, gh, gc, out)
    acts, c_prev, c = _c(acts), _c(c_prev), _c(c)
    gh_ = _c(gh) if gh is not None else c
    gc_ = _c(gc) if gc is not None else c
    got = _targets(out, [(B, 4 * H), (B, H)], acts)
    if B * H:
        get(LSTM_CELL_BWD)(acts, c_prev, c, gh_, gc_, np.int64(H),
                           gh is not None, gc is not None, *got, size=B * H)
    return _finish(out, got)


LSTM_SEQ = raw_module("lstm_seq.cu", [
    f"pytensor_lstm_seq_step_{d}<{t}>" for d in ("fwd", "bwd")
    for t in ("float", "double")])

_THREADS = 256
_OP_N, _OP_T = 0, 1
_ONE = {np.dtype(np.float32): np.ones(1, np.float32),
        np.dtype(np.float64): np.ones(1, np.float64)}
_ZERO = {np.dtype(np.float32): np.zeros(1, np.float32),
         np.dtype(np.float64): np.zeros(1, np.float64)}


def _seq_ready(A, Hs, Cs, w_hh, *more):
    """Whether the step kernels can run on these buffers: device arrays
    of one real dtype, C-contiguous, the shapes of a ``(T, B, 4H)``
    sequence, nothing empty."""
    if not is_real(A) or A.ndim != 3 or Hs.ndim != 3 or w_hh.ndim != 2:
        return False
    T, B, G = A.shape
    H = w_hh.shape[1]
    if T * B * H == 0 or G != 4 * H or w_hh.shape[0] != G or \
            Hs.shape != (T + 1, B, H) or Cs.shape != Hs.shape:
        return False
    kind = type(A)                  # raw pointers: all device arrays
    return all(type(a) is kind and a.dtype == A.dtype
               and a.flags.c_contiguous for a in (A, Hs, Cs, w_hh) + more)


class _Gemm:
    """cuBLAS's gemm for ``A``'s dtype on the current stream, host
    scalars (the pointer mode is restored on exit, as CuPy's own calls
    do); ``self(ta, tb, m, n, k, a, lda, b, ldb, c, ldc)`` on raw device
    pointers, column-major, ``c = op(a) @ op(b)``."""

    def __init__(self, A):
        from cupy.cuda import device
        from cupy_backends.cuda.libs import cublas
        self.cublas = cublas
        self.handle = device.get_cublas_handle()
        self.fn = cublas.sgemm if A.dtype == np.float32 else cublas.dgemm
        self.one = _ONE[A.dtype].ctypes.data
        self.zero = _ZERO[A.dtype].ctypes.data

    def __enter__(self):
        cublas, h = self.cublas, self.handle
        cublas.setStream(h, cupy().cuda.get_current_stream().ptr)
        self.mode = cublas.getPointerMode(h)
        cublas.setPointerMode(h, cublas.CUBLAS_POINTER_MODE_HOST)
        return self

    def __exit__(self, *exc):
        self.cublas.setPointerMode(self.handle, self.mode)

    def __call__(self, ta, tb, m, n, k, a, lda, b, ldb, c, ldc):
        self.fn(self.handle, ta, tb, m, n, k, self.one, a, lda, b, ldb,
                self.zero, c, ldc)


def _stepper(A, which, reverse):
    """``(steps, prev, launch)`` for the step kernel ``which`` ("fwd" or
    "bwd") on the current device: the steps in order, the state row a
    step reads (``t + prev``), and ``launch(t, *arrays)``."""
    T, B, G = A.shape
    H = G // 4
    steps, cur, prev = _ref.seq_rows(T, reverse)
    fn = raw_function(LSTM_SEQ,
                      f"pytensor_lstm_seq_step_{which}<{ctype(A)}>")
    grid, block = ((B * H + _THREADS - 1) // _THREADS,), (_THREADS,)
    fixed = (np.int64(cur), np.int64(prev), np.int64(B), np.int64(H))

    def launch(t, *arrays):
        fn(grid, block, arrays + (np.int64(t),) + fixed)
    return steps, prev, launch


def lstm_seq_fwd(A, Hs, Cs, w_hh, bias=None, *, reverse=False, threads=0):
    """One direction of an LSTM layer over a sequence, in place (the
    arguments of the reference's ``lstm_seq_fwd``; ``threads`` is for the
    CPU kernel).

    Each step is one cuBLAS product (``h @ w_hh.T``, raw pointers into
    ``Hs``) and one launch of ``pytensor_lstm_seq_step_fwd`` on the whole
    buffers: no per-step views or checks, which were most of a step's
    cost on the host.  Buffers the step kernel cannot take (not
    contiguous, empty) run the reference's loop of cuBLAS products and
    cell kernels."""
    if not _seq_ready(A, Hs, Cs, w_hh):
        return _ref.lstm_seq_loop_fwd(A, Hs, Cs, w_hh, bias, reverse,
                                      lstm_cell_fwd)
    cp = cupy()
    T, B, G = A.shape
    H = G // 4
    size = A.itemsize
    # Raw pointers carry no device: everything on the arrays' own.
    with A.device:
        if bias is not None:
            A += bias
        gh = cp.empty((B, G), A.dtype)
        steps, prev, launch = _stepper(A, "fwd", reverse)
        w, h0, ghp = w_hh.data.ptr, Hs.data.ptr, gh.data.ptr
        with _Gemm(A) as gemm:
            for t in steps:
                # Column-major: gh^T (4H x B) = w_hh (H x 4H)^T @ h^T.
                gemm(_OP_T, _OP_N, G, B, H, w, H,
                     h0 + (t + prev) * B * H * size, H, ghp, G)
                launch(t, A, gh, Hs, Cs)
    return Hs, Cs, A


def lstm_seq_bwd(A, Hs, Cs, w_hh, g_out, dh, dc, dG, *, reverse=False,
                 threads=0):
    """Backward through time of :func:`lstm_seq_fwd`, in place: per step
    one launch of ``pytensor_lstm_seq_step_bwd`` (which adds the step's
    output gradient) and one cuBLAS product ``dh = dG[t] @ w_hh``."""
    g_out = _c(g_out)               # the kernel indexes it as (T, B, H)
    if not (_seq_ready(A, Hs, Cs, w_hh, g_out, dh, dc, dG)
            and g_out.shape == A.shape[:2] + (Hs.shape[2],)
            and dh.shape == dc.shape == Hs.shape[1:]
            and dG.shape == A.shape):
        return _ref.lstm_seq_loop_bwd(A, Hs, Cs, w_hh, g_out, dh, dc, dG,
                                      reverse, lstm_cell_bwd)
    T, B, G = A.shape
    H = G // 4
    size = A.itemsize
    with A.device:
        steps, _, launch = _stepper(A, "bwd", reverse)
        w, dgp, dhp = w_hh.data.ptr, dG.data.ptr, dh.data.ptr
        with _Gemm(A) as gemm:
            for t in reversed(steps):
                launch(t, A, Cs, g_out, dh, dc, dG)
                # Column-major: dh^T (H x B) = w_hh^T (H x 4H) @ dG[t]^T.
                gemm(_OP_N, _OP_N, H, B, G, w, H, dgp + t * B * G * size,
                     G, dhp, H)
    return dG, dh, dc


def gru_cell_fwd(gx, gh, h_prev, out=None):
    """One GRU step; returns ``(h, ws)``."""
    if not is_real(gx) or h_prev is None or h_prev.ndim != 2:
        return _ref.gru_cell_fwd(gx, gh, h_prev, out)
    B, H = h_prev.shape
    if not (_ok(gx, gx, (B, 3 * H)) and _ok(gh, gx, (B, 3 * H))
            and _ok(h_prev, gx, (B, H))):
        return _ref.gru_cell_fwd(gx, gh, h_prev, out)
    gx, gh, h_prev = _c(gx), _c(gh), _c(h_prev)
    got = _targets(out, [(B, H), (B, 4 * H)], gx)
    if B * H:
        get(GRU_CELL_FWD)(gx, gh, h_prev, np.int64(H), *got, size=B * H)
    return _finish(out, got)


def gru_cell_bwd(ws, h_prev, gh, out=None):
    """Backward of :func:`gru_cell_fwd`; returns ``(dgx, dgh, dh_prev)``."""
    if not is_real(ws) or h_prev is None or h_prev.ndim != 2:
        return _ref.gru_cell_bwd(ws, h_prev, gh, out)
    B, H = h_prev.shape
    if not (_ok(ws, ws, (B, 4 * H)) and _ok(h_prev, ws, (B, H))
            and _ok(gh, ws, (B, H))):
        return _ref.gru_cell_bwd(ws, h_prev, gh, out)
    ws, h_prev, gh = _c(ws), _c(h_prev), _c(gh)
    got = _targets(out, [(B, 3 * H), (B, 3 * H), (B, H)], ws)
    if B * H:
        get(GRU_CELL_BWD)(ws, h_prev, gh, np.int64(H), *got, size=B * H)
    return _finish(out, got)
