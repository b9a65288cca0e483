# cython: language_level=3
"""The pointwise part of one LSTM step on rows of a batch, shared by the
one-step kernels (``_rnn.pyx``) and the whole-sequence kernels
(``_lstm_seq.pyx``); the GRU kernels use the sigmoid helpers.  The loops
themselves are C (``include/pt_lstm.h``); these are their typed entry
points.

``gs`` is the distance between the gates (i, f, g, o) within a row of the
gate arrays and ``H`` the number of hidden units processed: the one-step
kernels pass ``gs = H``; the sequence kernels pass a thread's slice of the
units (``H`` of them starting at some unit ``j0``) with ``gs`` the full
hidden size, and a ``gsh`` of their own for the thread's private product.
"""
from pytensor_ext.cpu._common cimport real
from pytensor_ext.cpu._vmath cimport (
    vexp_f32, vexp_f64, vtanh_f32, vtanh_f64)


cdef extern from "pt_lstm.h" nogil:
    void pt_sigmoid_from_f32(const float* x, const float* e, float* y,
                             Py_ssize_t n)
    void pt_sigmoid_from_f64(const double* x, const double* e, double* y,
                             Py_ssize_t n)
    void pt_neg_abs_f32(const float* x, float* t, Py_ssize_t n)
    void pt_neg_abs_f64(const double* x, double* t, Py_ssize_t n)


cdef inline void sigmoid_from(const real* x, const real* e, real* y,
                              Py_ssize_t n) noexcept nogil:
    """``y = sigmoid(x)`` given ``e = exp(-|x|)``: ``1 / (1 + e)`` for
    ``x >= 0``, ``e / (1 + e)`` otherwise (stable; NaN stays NaN); the
    one definition is ``pt_lstm.h``'s."""
    if real is float:
        pt_sigmoid_from_f32(x, e, y, n)
    else:
        pt_sigmoid_from_f64(x, e, y, n)


cdef inline void neg_abs(const real* x, real* t,
                         Py_ssize_t n) noexcept nogil:
    """``t = -|x|``."""
    if real is float:
        pt_neg_abs_f32(x, t, n)
    else:
        pt_neg_abs_f64(x, t, n)


# --- LSTM -----------------------------------------------------------------
# The loops are in C (include/pt_lstm.h), compiled for baseline x86-64 and
# for AVX2; these wrappers pick the type and pass the vector exp/tanh.
cdef extern from "pt_lstm.h" nogil:
    ctypedef void (*pt_vfn_f32)(const float*, float*,
                                Py_ssize_t) noexcept nogil
    ctypedef void (*pt_vfn_f64)(const double*, double*,
                                Py_ssize_t) noexcept nogil
    void pt_lstm_fwd_rows_f32(
        const float* gx, Py_ssize_t gx_s, const float* bias, const float* gh,
        Py_ssize_t gh_s, Py_ssize_t gsh, int has_gh, const float* cp,
        Py_ssize_t cp_s, float* h, Py_ssize_t h_s, float* c, Py_ssize_t c_s,
        float* acts, Py_ssize_t acts_s, Py_ssize_t gs, Py_ssize_t B,
        Py_ssize_t H, pt_vfn_f32 vexp, pt_vfn_f32 vtanh)
    void pt_lstm_fwd_rows_f64(
        const double* gx, Py_ssize_t gx_s, const double* bias,
        const double* gh, Py_ssize_t gh_s, Py_ssize_t gsh, int has_gh,
        const double* cp, Py_ssize_t cp_s, double* h, Py_ssize_t h_s,
        double* c, Py_ssize_t c_s, double* acts, Py_ssize_t acts_s,
        Py_ssize_t gs, Py_ssize_t B, Py_ssize_t H, pt_vfn_f64 vexp,
        pt_vfn_f64 vtanh)
    void pt_lstm_bwd_rows_f32(
        const float* acts, Py_ssize_t acts_s, const float* cp,
        Py_ssize_t cp_s, const float* c, Py_ssize_t c_s, const float* gh,
        Py_ssize_t gh_s, int has_gh, const float* gc, Py_ssize_t gc_s,
        int has_gc, float* dg, Py_ssize_t dg_s, float* dcp, Py_ssize_t dcp_s,
        Py_ssize_t gs, Py_ssize_t B, Py_ssize_t H, pt_vfn_f32 vtanh)
    void pt_lstm_bwd_rows_f64(
        const double* acts, Py_ssize_t acts_s, const double* cp,
        Py_ssize_t cp_s, const double* c, Py_ssize_t c_s, const double* gh,
        Py_ssize_t gh_s, int has_gh, const double* gc, Py_ssize_t gc_s,
        int has_gc, double* dg, Py_ssize_t dg_s, double* dcp,
        Py_ssize_t dcp_s, Py_ssize_t gs, Py_ssize_t B, Py_ssize_t H,
        pt_vfn_f64 vtanh)


cdef inline void lstm_fwd_rows(
        real* gx, Py_ssize_t gx_s, const real* bias, real* gh,
        Py_ssize_t gh_s, Py_ssize_t gsh, bint has_gh, real* cp,
        Py_ssize_t cp_s, real* h, Py_ssize_t h_s, real* c, Py_ssize_t c_s,
        real* acts, Py_ssize_t acts_s, Py_ssize_t gs, Py_ssize_t B,
        Py_ssize_t H) noexcept nogil:
    """The gates of ``B`` rows, ``H`` units each: ``acts`` = [i, f, g, o]
    activated (may be ``gx``), ``c = f * cp + i * g``, ``h = o * tanh(c)``;
    ``bias`` (gate stride ``gs``, or NULL) is added to ``gx`` first."""
    if real is float:
        pt_lstm_fwd_rows_f32(gx, gx_s, bias, gh, gh_s, gsh, has_gh, cp, cp_s,
                             h, h_s, c, c_s, acts, acts_s, gs, B, H,
                             vexp_f32, vtanh_f32)
    else:
        pt_lstm_fwd_rows_f64(gx, gx_s, bias, gh, gh_s, gsh, has_gh, cp, cp_s,
                             h, h_s, c, c_s, acts, acts_s, gs, B, H,
                             vexp_f64, vtanh_f64)


cdef inline void lstm_bwd_rows(
        real* acts, Py_ssize_t acts_s, real* cp, Py_ssize_t cp_s, real* c,
        Py_ssize_t c_s, real* gh, Py_ssize_t gh_s, bint has_gh, real* gc,
        Py_ssize_t gc_s, bint has_gc, real* dg, Py_ssize_t dg_s, real* dcp,
        Py_ssize_t dcp_s, Py_ssize_t gs, Py_ssize_t B,
        Py_ssize_t H) noexcept nogil:
    """Gate gradients ``dg`` and ``dcp = dc * f`` from the gradients of
    ``h`` (``gh``) and ``c`` (``gc``; ``dcp`` may be ``gc``)."""
    if real is float:
        pt_lstm_bwd_rows_f32(acts, acts_s, cp, cp_s, c, c_s, gh, gh_s, has_gh,
                             gc, gc_s, has_gc, dg, dg_s, dcp, dcp_s, gs, B, H,
                             vtanh_f32)
    else:
        pt_lstm_bwd_rows_f64(acts, acts_s, cp, cp_s, c, c_s, gh, gh_s, has_gh,
                             gc, gc_s, has_gc, dg, dg_s, dcp, dcp_s, gs, B, H,
                             vtanh_f64)
