# cython: language_level=3
"""The pointwise part of one LSTM step on rows of a batch, shared by the
one-step kernels (``_rnn.pyx``) and the whole-sequence kernels
(``_lstm_seq.pyx``); the GRU kernels use the sigmoid helpers.

``gs`` is the distance between the gates (i, f, g, o) within a row of the
gate arrays and ``H`` the number of hidden units processed: the one-step
kernels pass ``gs = H``; the sequence kernels pass a thread's slice of the
units (``H`` of them starting at some unit ``j0``) with ``gs`` the full
hidden size, and a ``gsh`` of their own for the thread's private product.
"""
from pytensor_ext.cpu._common cimport real, CHUNK, vexp, vtanh


cdef inline void sigmoid_from(const real* x, const real* e, real* y,
                               Py_ssize_t n) noexcept nogil:
    """``y = sigmoid(x)`` given ``e = exp(-|x|)``: ``1 / (1 + e)`` for
    ``x >= 0``, ``e / (1 + e)`` otherwise (stable; NaN stays NaN)."""
    cdef Py_ssize_t j
    cdef real one = 1, zero = 0, r
    for j in range(n):
        r = one / (one + e[j])
        y[j] = r if x[j] >= zero else e[j] * r


cdef inline void neg_abs(const real* x, real* t,
                         Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t j
    cdef real v
    for j in range(n):
        v = x[j]
        t[j] = -v if v >= 0 else v


# --- LSTM -----------------------------------------------------------------
cdef inline void lstm_fwd_rows(
        real* gx, Py_ssize_t gx_s, const real* bias, real* gh,
        Py_ssize_t gh_s, Py_ssize_t gsh, bint has_gh, real* cp,
        Py_ssize_t cp_s, real* h, Py_ssize_t h_s, real* c, Py_ssize_t c_s,
        real* acts, Py_ssize_t acts_s, Py_ssize_t gs, Py_ssize_t B,
        Py_ssize_t H) noexcept nogil:
    # ``bias`` (gate stride ``gs``, or NULL) is added to ``gx`` first, as
    # if it had been part of it.
    cdef real pre[4 * CHUNK]
    cdef real e[3 * CHUNK]
    cdef real g[CHUNK]
    cdef real tc[CHUNK]
    cdef real sg[3 * CHUNK]
    cdef Py_ssize_t b, j0, n, j, k
    cdef real* px
    cdef real* ph
    cdef real* pa
    cdef real* pc
    cdef real* cprev
    cdef real* hrow
    cdef real cv
    for b in range(B):
        px = gx + b * gx_s
        ph = gh + b * gh_s if has_gh else NULL
        pa = acts + b * acts_s
        pc = c + b * c_s
        cprev = cp + b * cp_s
        hrow = h + b * h_s
        j0 = 0
        while j0 < H:
            n = min(<Py_ssize_t>CHUNK, H - j0)
            # Pre-activations of the gates (i, f, o first: one exp for the
            # three sigmoids; then g).
            for k in range(4):
                for j in range(n):
                    pre[k * CHUNK + j] = px[k * gs + j0 + j]
                if bias != NULL:
                    for j in range(n):
                        pre[k * CHUNK + j] = pre[k * CHUNK + j] + \
                            bias[k * gs + j0 + j]
                if has_gh:
                    for j in range(n):
                        pre[k * CHUNK + j] = pre[k * CHUNK + j] + \
                            ph[k * gsh + j0 + j]
            # Sigmoid inputs packed as [i | f | o] in e (o comes from k = 3).
            neg_abs(pre, e, n)
            neg_abs(pre + CHUNK, e + n, n)
            neg_abs(pre + 3 * CHUNK, e + 2 * n, n)
            vexp(e, e, 3 * n)
            sigmoid_from(pre, e, sg, n)
            sigmoid_from(pre + CHUNK, e + n, sg + CHUNK, n)
            sigmoid_from(pre + 3 * CHUNK, e + 2 * n, sg + 2 * CHUNK, n)
            vtanh(pre + 2 * CHUNK, g, n)
            for j in range(n):
                cv = sg[CHUNK + j] * cprev[j0 + j] + sg[j] * g[j]
                tc[j] = cv
                pc[j0 + j] = cv
            vtanh(tc, tc, n)
            for j in range(n):
                hrow[j0 + j] = sg[2 * CHUNK + j] * tc[j]
                pa[j0 + j] = sg[j]
                pa[gs + j0 + j] = sg[CHUNK + j]
                pa[2 * gs + j0 + j] = g[j]
                pa[3 * gs + j0 + j] = sg[2 * CHUNK + j]
            j0 += n


cdef inline void lstm_bwd_rows(
        real* acts, Py_ssize_t acts_s, real* cp, Py_ssize_t cp_s, real* c,
        Py_ssize_t c_s, real* gh, Py_ssize_t gh_s, bint has_gh, real* gc,
        Py_ssize_t gc_s, bint has_gc, real* dg, Py_ssize_t dg_s, real* dcp,
        Py_ssize_t dcp_s, Py_ssize_t gs, Py_ssize_t B,
        Py_ssize_t H) noexcept nogil:
    cdef real tc[CHUNK]
    cdef real dcb[CHUNK]
    cdef Py_ssize_t b, j0, n, j
    cdef real* pa
    cdef real* pcp
    cdef real* pc
    cdef real* pgh
    cdef real* pgc
    cdef real* pdg
    cdef real* pdc
    cdef real one = 1, zero = 0
    cdef real iv, fv, gv, ov, t, dcv
    for b in range(B):
        pa = acts + b * acts_s
        pcp = cp + b * cp_s
        pc = c + b * c_s
        pgh = gh + b * gh_s if has_gh else NULL
        pgc = gc + b * gc_s if has_gc else NULL
        pdg = dg + b * dg_s
        pdc = dcp + b * dcp_s
        j0 = 0
        while j0 < H:
            n = min(<Py_ssize_t>CHUNK, H - j0)
            vtanh(pc + j0, tc, n)
            # dc = gc + gh * o * (1 - tanh(c)^2), branch-free loops below.
            if has_gh:
                for j in range(n):
                    t = tc[j]
                    dcb[j] = pgh[j0 + j] * pa[3 * gs + j0 + j] * (one - t * t)
                    pdg[3 * gs + j0 + j] = pgh[j0 + j] * t * \
                        pa[3 * gs + j0 + j] * (one - pa[3 * gs + j0 + j])
            else:
                for j in range(n):
                    dcb[j] = zero
                    pdg[3 * gs + j0 + j] = zero
            if has_gc:
                for j in range(n):
                    dcb[j] = dcb[j] + pgc[j0 + j]
            for j in range(n):
                iv = pa[j0 + j]
                fv = pa[gs + j0 + j]
                gv = pa[2 * gs + j0 + j]
                dcv = dcb[j]
                pdg[j0 + j] = dcv * gv * iv * (one - iv)
                pdg[gs + j0 + j] = dcv * pcp[j0 + j] * fv * (one - fv)
                pdg[2 * gs + j0 + j] = dcv * iv * (one - gv * gv)
                pdc[j0 + j] = dcv * fv
            j0 += n
