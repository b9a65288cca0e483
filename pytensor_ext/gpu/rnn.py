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
from pytensor_ext.gpu._common import is_real
from pytensor_ext.gpu._memo import cupy
from pytensor_ext.gpu._registry import elementwise, get

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


def lstm_seq_fwd(A, Hs, Cs, w_hh, bias=None, *, reverse=False, threads=0):
    """One direction of an LSTM layer over a sequence, in place: the
    reference's loop of one cuBLAS product and one CUDA cell per step
    (``threads`` is for the CPU kernel)."""
    return _ref.lstm_seq_loop_fwd(A, Hs, Cs, w_hh, bias, reverse,
                                  lstm_cell_fwd)


def lstm_seq_bwd(A, Hs, Cs, w_hh, g_out, dh, dc, dG, *, reverse=False,
                 threads=0):
    """Backward through time of :func:`lstm_seq_fwd`, in place."""
    return _ref.lstm_seq_loop_bwd(A, Hs, Cs, w_hh, g_out, dh, dc, dG,
                                  reverse, lstm_cell_bwd)


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
