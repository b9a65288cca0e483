/* pt_lstm.h: the pointwise part of LSTM steps on rows of a batch, forward
 * and backward (see _rnn_cells.pxd for the arguments).
 *
 * Written in C rather than Cython for one reason: function multiversioning.
 * The functions are compiled twice (PT_CLONES, pt_reduce.h), for baseline
 * x86-64 and for AVX2, and an ifunc picks one at load time, so their loops
 * run 8 floats wide where the CPU allows while the module still runs on any
 * x86-64.  "avx2" does not enable FMA, so both versions round every
 * operation the same way: results do not depend on the CPU.  The vector
 * exp/tanh come in as function pointers (pytensor_ext.cpu._vmath).
 *
 * A loop that only copies is avoided on the hot paths: gcc turns it into a
 * memmove call, which cost 6% of the LSTM sequence kernels.
 */
#ifndef PT_LSTM_H
#define PT_LSTM_H

#include <stddef.h>

#include "pt_reduce.h"          /* PT_CLONES */

#define PT_LSTM_CHUNK 512

typedef void (*pt_vfn_f32)(const float *, float *, ptrdiff_t);
typedef void (*pt_vfn_f64)(const double *, double *, ptrdiff_t);

#define PT_LSTM_DEFINE(T, SUF)                                               \
/* y = sigmoid(x) from e = exp(-|x|): 1/(1+e) for x >= 0, e/(1+e) else. */   \
static inline void pt_sigmoid_from_##SUF(const T *x, const T *e, T *y,       \
                                         ptrdiff_t n)                        \
{                                                                            \
    ptrdiff_t j;                                                             \
    for (j = 0; j < n; j++) {                                                \
        T r = (T)1 / ((T)1 + e[j]);                                          \
        y[j] = x[j] >= (T)0 ? r : e[j] * r;                                  \
    }                                                                        \
}                                                                            \
                                                                             \
static inline void pt_neg_abs_##SUF(const T *x, T *t, ptrdiff_t n)           \
{                                                                            \
    ptrdiff_t j;                                                             \
    for (j = 0; j < n; j++)                                                  \
        t[j] = x[j] >= (T)0 ? -x[j] : x[j];                                  \
}                                                                            \
                                                                             \
PT_CLONES                                                                    \
static void pt_lstm_fwd_rows_##SUF(                                          \
    const T *gx, ptrdiff_t gx_s, const T *bias, const T *gh,                 \
    ptrdiff_t gh_s, ptrdiff_t gsh, int has_gh, const T *cp, ptrdiff_t cp_s,  \
    T *h, ptrdiff_t h_s, T *c, ptrdiff_t c_s, T *acts, ptrdiff_t acts_s,     \
    ptrdiff_t gs, ptrdiff_t B, ptrdiff_t H, pt_vfn_##SUF vexp,               \
    pt_vfn_##SUF vtanh)                                                      \
{                                                                            \
    T pre[4 * PT_LSTM_CHUNK], e[3 * PT_LSTM_CHUNK], tc[PT_LSTM_CHUNK];       \
    ptrdiff_t b, j0, n, j, k;                                                \
    for (b = 0; b < B; b++) {                                                \
        const T *px = gx + b * gx_s;                                         \
        const T *ph = has_gh ? gh + b * gh_s : NULL;                         \
        const T *cprev = cp + b * cp_s;                                      \
        T *pa = acts + b * acts_s, *pc = c + b * c_s, *hrow = h + b * h_s;   \
        for (j0 = 0; j0 < H; j0 += n) {                                      \
            n = H - j0 < PT_LSTM_CHUNK ? H - j0 : PT_LSTM_CHUNK;             \
            /* The whole chunk of gx is read before any of it is written    \
             * (acts may be gx); the bias is added to gx first. */           \
            for (k = 0; k < 4; k++) {                                        \
                T *q = pre + k * PT_LSTM_CHUNK;                              \
                const T *x = px + k * gs + j0;                               \
                const T *y = ph ? ph + k * gsh + j0 : NULL;                  \
                const T *z = bias ? bias + k * gs + j0 : NULL;               \
                if (z && y)                                                  \
                    for (j = 0; j < n; j++) q[j] = (x[j] + z[j]) + y[j];     \
                else if (y)                                                  \
                    for (j = 0; j < n; j++) q[j] = x[j] + y[j];              \
                else if (z)                                                  \
                    for (j = 0; j < n; j++) q[j] = x[j] + z[j];              \
                else    /* no h product (a cell without gh): rare */         \
                    for (j = 0; j < n; j++) q[j] = x[j];                     \
            }                                                                \
            /* One exp for the three sigmoids (i, f, o); the activations    \
             * go straight to their places in acts. */                       \
            pt_neg_abs_##SUF(pre, e, n);                                     \
            pt_neg_abs_##SUF(pre + PT_LSTM_CHUNK, e + n, n);                 \
            pt_neg_abs_##SUF(pre + 3 * PT_LSTM_CHUNK, e + 2 * n, n);         \
            vexp(e, e, 3 * n);                                               \
            pt_sigmoid_from_##SUF(pre, e, pa + j0, n);                       \
            pt_sigmoid_from_##SUF(pre + PT_LSTM_CHUNK, e + n,                \
                                  pa + gs + j0, n);                          \
            pt_sigmoid_from_##SUF(pre + 3 * PT_LSTM_CHUNK, e + 2 * n,        \
                                  pa + 3 * gs + j0, n);                      \
            vtanh(pre + 2 * PT_LSTM_CHUNK, pa + 2 * gs + j0, n);             \
            for (j = 0; j < n; j++)                                          \
                pc[j0 + j] = pa[gs + j0 + j] * cprev[j0 + j]                 \
                             + pa[j0 + j] * pa[2 * gs + j0 + j];             \
            vtanh(pc + j0, tc, n);                                           \
            for (j = 0; j < n; j++)                                          \
                hrow[j0 + j] = pa[3 * gs + j0 + j] * tc[j];                  \
        }                                                                    \
    }                                                                        \
}                                                                            \
                                                                             \
PT_CLONES                                                                    \
static void pt_lstm_bwd_rows_##SUF(                                          \
    const T *acts, ptrdiff_t acts_s, const T *cp, ptrdiff_t cp_s,            \
    const T *c, ptrdiff_t c_s, const T *gh, ptrdiff_t gh_s, int has_gh,      \
    const T *gc, ptrdiff_t gc_s, int has_gc, T *dg, ptrdiff_t dg_s, T *dcp,  \
    ptrdiff_t dcp_s, ptrdiff_t gs, ptrdiff_t B, ptrdiff_t H,                 \
    pt_vfn_##SUF vtanh)                                                      \
{                                                                            \
    T tc[PT_LSTM_CHUNK], dcb[PT_LSTM_CHUNK];                                 \
    ptrdiff_t b, j0, n, j;                                                   \
    for (b = 0; b < B; b++) {                                                \
        const T *pa = acts + b * acts_s, *pcp = cp + b * cp_s;               \
        const T *pc = c + b * c_s;                                           \
        const T *pgh = has_gh ? gh + b * gh_s : NULL;                        \
        const T *pgc = has_gc ? gc + b * gc_s : NULL;                        \
        T *pdg = dg + b * dg_s, *pdc = dcp + b * dcp_s;                      \
        for (j0 = 0; j0 < H; j0 += n) {                                      \
            n = H - j0 < PT_LSTM_CHUNK ? H - j0 : PT_LSTM_CHUNK;             \
            vtanh(pc + j0, tc, n);                                           \
            /* dc = gc + gh * o * (1 - tanh(c)^2) */                         \
            if (pgh) {                                                       \
                for (j = 0; j < n; j++) {                                    \
                    T t = tc[j], ov = pa[3 * gs + j0 + j];                   \
                    dcb[j] = pgh[j0 + j] * ov * ((T)1 - t * t);              \
                    pdg[3 * gs + j0 + j] =                                   \
                        pgh[j0 + j] * t * ov * ((T)1 - ov);                  \
                }                                                            \
            } else {                                                         \
                for (j = 0; j < n; j++) {                                    \
                    dcb[j] = (T)0;                                           \
                    pdg[3 * gs + j0 + j] = (T)0;                             \
                }                                                            \
            }                                                                \
            if (pgc)                                                         \
                for (j = 0; j < n; j++) dcb[j] = dcb[j] + pgc[j0 + j];       \
            /* dc_prev may be gc: each element is read before written. */    \
            for (j = 0; j < n; j++) {                                        \
                T iv = pa[j0 + j], fv = pa[gs + j0 + j];                     \
                T gv = pa[2 * gs + j0 + j], dcv = dcb[j];                    \
                pdg[j0 + j] = dcv * gv * iv * ((T)1 - iv);                   \
                pdg[gs + j0 + j] = dcv * pcp[j0 + j] * fv * ((T)1 - fv);     \
                pdg[2 * gs + j0 + j] = dcv * iv * ((T)1 - gv * gv);          \
                pdc[j0 + j] = dcv * fv;                                      \
            }                                                                \
        }                                                                    \
    }                                                                        \
}

PT_LSTM_DEFINE(float, f32)
PT_LSTM_DEFINE(double, f64)

#endif /* PT_LSTM_H */
