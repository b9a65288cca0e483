# cython: language_level=3
"""Fused recurrent-cell kernels: one LSTM or GRU step's pointwise work
(gate activations, cell and hidden state) forward and backward in one pass.

NumPy needs about 20 calls and as many temporaries for an LSTM step's
pointwise part (4 slices, 3 sigmoids, 2 tanh, 5 products and sums) and as
many again in the backward.  Here each row of the batch is processed in
chunks of ``CHUNK`` hidden units that stay in L1: the pre-activations of
the three sigmoid gates go through one vectorised ``exp`` (libmvec through
``_vmath``), the cell gate and the new cell state through ``tanh``, and
every product is done on the way.

The arrays are 2-D with contiguous rows and any row stride, so the layer
loop passes slices of its ``(T, B, G * H)`` buffers without copies; the
``out=`` arrays let it write straight into them.  ``acts`` may be the
``gx`` array itself (the activations overwrite the pre-activations) and
``dc_prev`` / ``dh_prev`` may be the incoming gradient: each element is
read before it is written.

Signatures and semantics are those of :mod:`pytensor_ext.reference`;
arguments the kernels do not handle (other dtypes, other layouts) go to
the reference.
"""
cimport numpy as cnp

from pytensor_ext.cpu._common cimport real, CHUNK, vexp, vtanh, real_type
from pytensor_ext.cpu._rnn_cells cimport (
    lstm_bwd_rows, lstm_fwd_rows, neg_abs, sigmoid_from)

from pytensor_ext import reference as _ref

cnp.import_array()

__all__ = ["lstm_cell_fwd", "lstm_cell_bwd", "gru_cell_fwd", "gru_cell_bwd"]


# --- argument handling --------------------------------------------------
cdef struct Mat:
    char* data
    Py_ssize_t stride      # bytes between rows


cdef bint _rows(object a, int t, Py_ssize_t R, Py_ssize_t C, Mat* m,
                bint writable=False):
    """Fill ``m`` if ``a`` is an ``(R, C)`` array of type ``t`` with
    contiguous rows (any row stride); else False."""
    cdef cnp.ndarray arr
    if a is None or real_type(a) != t:
        return False
    arr = <cnp.ndarray>a
    if cnp.PyArray_NDIM(arr) != 2 or cnp.PyArray_DIM(arr, 0) != R or \
            cnp.PyArray_DIM(arr, 1) != C:
        return False
    if C > 1 and cnp.PyArray_STRIDE(arr, 1) != cnp.PyArray_ITEMSIZE(arr):
        return False
    if not cnp.PyArray_ISALIGNED(arr):
        return False
    if writable and not cnp.PyArray_ISWRITEABLE(arr):
        return False
    m.data = <char*>cnp.PyArray_DATA(arr)
    m.stride = cnp.PyArray_STRIDE(arr, 0)
    return True


cdef object _new(object like, Py_ssize_t R, Py_ssize_t C):
    cdef cnp.npy_intp dims[2]
    dims[0] = R
    dims[1] = C
    return cnp.PyArray_EMPTY(2, dims, cnp.PyArray_TYPE(<cnp.ndarray>like), 0)


cdef inline bint _is_2d(object a):
    # (anything else, None or not an array, goes to the reference)
    return type(a) is cnp.ndarray and (<cnp.ndarray>a).ndim == 2


def lstm_cell_fwd(gx, gh, c_prev, out=None):
    """One LSTM step from its gate pre-activations; returns ``(h, c,
    acts)`` (see the reference)."""
    cdef int t = real_type(gx)
    cdef Mat mgx, mgh, mcp, mh, mc, ma
    cdef Py_ssize_t B, H
    mgh.data = NULL
    mgh.stride = 0
    if t < 0 or gx.ndim != 2 or not _is_2d(c_prev):
        return _ref.lstm_cell_fwd(gx, gh, c_prev, out)
    B, H = c_prev.shape[0], c_prev.shape[1]
    if not (_rows(gx, t, B, 4 * H, &mgx)
            and (gh is None or _rows(gh, t, B, 4 * H, &mgh))
            and _rows(c_prev, t, B, H, &mcp)):
        return _ref.lstm_cell_fwd(gx, gh, c_prev, out)
    if out is None:
        h, c, acts = _new(gx, B, H), _new(gx, B, H), _new(gx, B, 4 * H)
    else:
        h, c, acts = out
    if not (_rows(h, t, B, H, &mh, True) and _rows(c, t, B, H, &mc, True)
            and _rows(acts, t, B, 4 * H, &ma, True)):
        return _ref.lstm_cell_fwd(gx, gh, c_prev, out)
    cdef bint has_gh = gh is not None
    with nogil:
        if t == cnp.NPY_FLOAT32:
            lstm_fwd_rows[float](<float*>mgx.data, mgx.stride // 4, NULL,
                             <float*>mgh.data, mgh.stride // 4, H, has_gh,
                             <float*>mcp.data, mcp.stride // 4,
                             <float*>mh.data, mh.stride // 4,
                             <float*>mc.data, mc.stride // 4,
                             <float*>ma.data, ma.stride // 4, H, B, H)
        else:
            lstm_fwd_rows[double](<double*>mgx.data, mgx.stride // 8, NULL,
                              <double*>mgh.data, mgh.stride // 8, H,
                              has_gh, <double*>mcp.data, mcp.stride // 8,
                              <double*>mh.data, mh.stride // 8,
                              <double*>mc.data, mc.stride // 8,
                              <double*>ma.data, ma.stride // 8, H, B, H)
    return h, c, acts


def lstm_cell_bwd(acts, c_prev, c, gh, gc, out=None):
    """Backward of :func:`lstm_cell_fwd`; returns ``(dgates, dc_prev)``."""
    cdef int t = real_type(acts)
    cdef Mat ma, mcp, mc, mgh, mgc, mdg, mdc
    cdef Py_ssize_t B, H
    mgh.data = mgc.data = NULL
    mgh.stride = mgc.stride = 0
    if t < 0 or not _is_2d(c):
        return _ref.lstm_cell_bwd(acts, c_prev, c, gh, gc, out)
    B, H = c.shape[0], c.shape[1]
    if not (_rows(acts, t, B, 4 * H, &ma) and _rows(c_prev, t, B, H, &mcp)
            and _rows(c, t, B, H, &mc)
            and (gh is None or _rows(gh, t, B, H, &mgh))
            and (gc is None or _rows(gc, t, B, H, &mgc))):
        return _ref.lstm_cell_bwd(acts, c_prev, c, gh, gc, out)
    if out is None:
        dg, dcp = _new(acts, B, 4 * H), _new(acts, B, H)
    else:
        dg, dcp = out
    if not (_rows(dg, t, B, 4 * H, &mdg, True)
            and _rows(dcp, t, B, H, &mdc, True)):
        return _ref.lstm_cell_bwd(acts, c_prev, c, gh, gc, out)
    cdef bint has_gh = gh is not None, has_gc = gc is not None
    with nogil:
        if t == cnp.NPY_FLOAT32:
            lstm_bwd_rows[float](<float*>ma.data, ma.stride // 4,
                             <float*>mcp.data, mcp.stride // 4,
                             <float*>mc.data, mc.stride // 4,
                             <float*>mgh.data, mgh.stride // 4, has_gh,
                             <float*>mgc.data, mgc.stride // 4, has_gc,
                             <float*>mdg.data, mdg.stride // 4,
                             <float*>mdc.data, mdc.stride // 4, H, B, H)
        else:
            lstm_bwd_rows[double](<double*>ma.data, ma.stride // 8,
                              <double*>mcp.data, mcp.stride // 8,
                              <double*>mc.data, mc.stride // 8,
                              <double*>mgh.data, mgh.stride // 8, has_gh,
                              <double*>mgc.data, mgc.stride // 8, has_gc,
                              <double*>mdg.data, mdg.stride // 8,
                              <double*>mdc.data, mdc.stride // 8, H, B,
                              H)
    return dg, dcp


# --- GRU ------------------------------------------------------------------
cdef void _gru_fwd(real* gx, Py_ssize_t gx_s, real* gh, Py_ssize_t gh_s,
                   real* hp, Py_ssize_t hp_s, real* h, Py_ssize_t h_s,
                   real* ws, Py_ssize_t ws_s, Py_ssize_t B,
                   Py_ssize_t H) noexcept nogil:
    cdef real pre[2 * CHUNK]
    cdef real e[2 * CHUNK]
    cdef real sg[2 * CHUNK]
    cdef real nn[CHUNK]
    cdef Py_ssize_t b, j0, n, j
    cdef real* px
    cdef real* ph
    cdef real* php
    cdef real* pho
    cdef real* pw
    cdef real zv, nv
    for b in range(B):
        px = gx + b * gx_s
        ph = gh + b * gh_s
        php = hp + b * hp_s
        pho = h + b * h_s
        pw = ws + b * ws_s
        j0 = 0
        while j0 < H:
            n = min(<Py_ssize_t>CHUNK, H - j0)
            for j in range(n):
                pre[j] = px[j0 + j] + ph[j0 + j]
                pre[CHUNK + j] = px[H + j0 + j] + ph[H + j0 + j]
            neg_abs(pre, e, n)
            neg_abs(pre + CHUNK, e + n, n)
            vexp(e, e, 2 * n)
            sigmoid_from(pre, e, sg, n)
            sigmoid_from(pre + CHUNK, e + n, sg + CHUNK, n)
            for j in range(n):
                nn[j] = px[2 * H + j0 + j] + sg[j] * ph[2 * H + j0 + j]
            vtanh(nn, nn, n)
            for j in range(n):
                zv = sg[CHUNK + j]
                nv = nn[j]
                # ws[3] (the hidden n-part) is read before anything that
                # could alias it is written: gh and ws are distinct arrays.
                pw[3 * H + j0 + j] = ph[2 * H + j0 + j]
                pw[j0 + j] = sg[j]
                pw[H + j0 + j] = zv
                pw[2 * H + j0 + j] = nv
                pho[j0 + j] = (php[j0 + j] - nv) * zv + nv
            j0 += n


cdef void _gru_bwd(real* ws, Py_ssize_t ws_s, real* hp, Py_ssize_t hp_s,
                   real* gh, Py_ssize_t gh_s, real* dgx, Py_ssize_t dgx_s,
                   real* dgh, Py_ssize_t dgh_s, real* dhp, Py_ssize_t dhp_s,
                   Py_ssize_t B, Py_ssize_t H) noexcept nogil:
    cdef Py_ssize_t b, j
    cdef real* pw
    cdef real* php
    cdef real* pg
    cdef real* px
    cdef real* pq
    cdef real* pd
    cdef real one = 1
    cdef real r, z, nv, ghn, g, dn, dz, dr
    for b in range(B):
        pw = ws + b * ws_s
        php = hp + b * hp_s
        pg = gh + b * gh_s
        px = dgx + b * dgx_s
        pq = dgh + b * dgh_s
        pd = dhp + b * dhp_s
        for j in range(H):
            r = pw[j]
            z = pw[H + j]
            nv = pw[2 * H + j]
            ghn = pw[3 * H + j]
            g = pg[j]
            dn = g * (one - z) * (one - nv * nv)
            dz = g * (php[j] - nv) * z * (one - z)
            dr = dn * ghn * r * (one - r)
            px[j] = dr
            px[H + j] = dz
            px[2 * H + j] = dn
            pq[j] = dr
            pq[H + j] = dz
            pq[2 * H + j] = dn * r
            pd[j] = g * z


def gru_cell_fwd(gx, gh, h_prev, out=None):
    """One GRU step; returns ``(h, ws)`` (see the reference)."""
    cdef int t = real_type(gx)
    cdef Mat mgx, mgh, mhp, mh, mws
    cdef Py_ssize_t B, H
    if t < 0 or gh is None or not _is_2d(h_prev):
        return _ref.gru_cell_fwd(gx, gh, h_prev, out)
    B, H = h_prev.shape[0], h_prev.shape[1]
    if not (_rows(gx, t, B, 3 * H, &mgx) and _rows(gh, t, B, 3 * H, &mgh)
            and _rows(h_prev, t, B, H, &mhp)):
        return _ref.gru_cell_fwd(gx, gh, h_prev, out)
    if out is None:
        h, ws = _new(gx, B, H), _new(gx, B, 4 * H)
    else:
        h, ws = out
    if not (_rows(h, t, B, H, &mh, True)
            and _rows(ws, t, B, 4 * H, &mws, True)):
        return _ref.gru_cell_fwd(gx, gh, h_prev, out)
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _gru_fwd[float](<float*>mgx.data, mgx.stride // 4,
                            <float*>mgh.data, mgh.stride // 4,
                            <float*>mhp.data, mhp.stride // 4,
                            <float*>mh.data, mh.stride // 4,
                            <float*>mws.data, mws.stride // 4, B, H)
        else:
            _gru_fwd[double](<double*>mgx.data, mgx.stride // 8,
                             <double*>mgh.data, mgh.stride // 8,
                             <double*>mhp.data, mhp.stride // 8,
                             <double*>mh.data, mh.stride // 8,
                             <double*>mws.data, mws.stride // 8, B, H)
    return h, ws


def gru_cell_bwd(ws, h_prev, gh, out=None):
    """Backward of :func:`gru_cell_fwd`; returns ``(dgx, dgh, dh_prev)``."""
    cdef int t = real_type(ws)
    cdef Mat mws, mhp, mgh, mdx, mdh, mdp
    cdef Py_ssize_t B, H
    if t < 0 or not _is_2d(h_prev):
        return _ref.gru_cell_bwd(ws, h_prev, gh, out)
    B, H = h_prev.shape[0], h_prev.shape[1]
    if not (_rows(ws, t, B, 4 * H, &mws) and _rows(h_prev, t, B, H, &mhp)
            and _rows(gh, t, B, H, &mgh)):
        return _ref.gru_cell_bwd(ws, h_prev, gh, out)
    if out is None:
        dgx, dgh, dhp = _new(ws, B, 3 * H), _new(ws, B, 3 * H), \
            _new(ws, B, H)
    else:
        dgx, dgh, dhp = out
    if not (_rows(dgx, t, B, 3 * H, &mdx, True)
            and _rows(dgh, t, B, 3 * H, &mdh, True)
            and _rows(dhp, t, B, H, &mdp, True)):
        return _ref.gru_cell_bwd(ws, h_prev, gh, out)
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _gru_bwd[float](<float*>mws.data, mws.stride // 4,
                            <float*>mhp.data, mhp.stride // 4,
                            <float*>mgh.data, mgh.stride // 4,
                            <float*>mdx.data, mdx.stride // 4,
                            <float*>mdh.data, mdh.stride // 4,
                            <float*>mdp.data, mdp.stride // 4, B, H)
        else:
            _gru_bwd[double](<double*>mws.data, mws.stride // 8,
                             <double*>mhp.data, mhp.stride // 8,
                             <double*>mgh.data, mgh.stride // 8,
                             <double*>mdx.data, mdx.stride // 8,
                             <double*>mdh.data, mdh.stride // 8,
                             <double*>mdp.data, mdp.stride // 8, B, H)
    return dgx, dgh, dhp

