/* Row reductions for the pytensor CPU kernels (header-only, stateless).
 *
 * gcc will not split a float sum into several partial sums by itself: that is
 * a reassociation only -fassociative-math (part of fast-math) allows.  So the
 * split is written out: PT_ACC independent accumulators, one per lane of a
 * small array, which gcc turns into several vector registers (no dependency
 * chain between them), summed pairwise at the end.  That is 4-8x faster than
 * the plain loop and, like NumPy's pairwise sum, more accurate than it.
 * NaN/Inf still propagate (plain IEEE arithmetic, any order).
 */
#ifndef PT_REDUCE_H
#define PT_REDUCE_H

#include <math.h>
#include <stddef.h>

/* Accumulators per reduction: 8 SSE registers' worth for either type
 * (32 floats, 16 doubles), which leaves the other 8 of the 16 registers for
 * loads (32 doubles spilled to the stack: a conv-bias sum was 1.3-1.5x
 * slower). */
/* Functions compiled twice, for baseline x86-64 and for AVX2 (gcc function
 * multiversioning: an ifunc picks one at load time, so the default build
 * still runs on any x86-64 CPU). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PT_CLONES
#endif

#define PT_ACC_f32 32
#define PT_ACC_f64 16

/* pt_max_* is NaN-agnostic on purpose: callers compute exp(x - max), and a
 * NaN element turns the whole row into NaN whether or not the max saw it. */
#define PT_RED_DEFINE(T, SUF, PT_ACC)                                       \
    static inline T pt_combine_##SUF(T *acc)                                \
    {                                                                       \
        int w, j;                                                           \
        for (w = PT_ACC / 2; w >= 1; w /= 2)                                \
            for (j = 0; j < w; j++)                                         \
                acc[j] += acc[j + w];                                       \
        return acc[0];                                                      \
    }                                                                       \
    PT_CLONES                                                               \
    static T pt_sum_##SUF(const T *x, ptrdiff_t n)                          \
    {                                                                       \
        T acc[PT_ACC] = {0};                                                \
        ptrdiff_t i = 0;                                                    \
        int j;                                                              \
        if (n < PT_ACC) {      /* short rows: no set-up, no combine */      \
            T s = 0;                                                        \
            for (; i < n; i++)                                              \
                s += x[i];                                                  \
            return s;                                                       \
        }                                                                   \
        for (; i + PT_ACC <= n; i += PT_ACC)                                \
            for (j = 0; j < PT_ACC; j++)                                    \
                acc[j] += x[i + j];                                         \
        for (j = 0; i < n; i++, j++)                                        \
            acc[j] += x[i];                                                 \
        return pt_combine_##SUF(acc);                                       \
    }                                                                       \
    PT_CLONES                                                               \
    static T pt_dot_##SUF(const T *x, const T *y, ptrdiff_t n)              \
    {                                                                       \
        T acc[PT_ACC] = {0};                                                \
        ptrdiff_t i = 0;                                                    \
        int j;                                                              \
        if (n < PT_ACC) {                                                   \
            T s = 0;                                                        \
            for (; i < n; i++)                                              \
                s += x[i] * y[i];                                           \
            return s;                                                       \
        }                                                                   \
        for (; i + PT_ACC <= n; i += PT_ACC)                                \
            for (j = 0; j < PT_ACC; j++)                                    \
                acc[j] += x[i + j] * y[i + j];                              \
        for (j = 0; i < n; i++, j++)                                        \
            acc[j] += x[i] * y[i];                                          \
        return pt_combine_##SUF(acc);                                       \
    }                                                                       \
    PT_CLONES                                                               \
    static T pt_max_##SUF(const T *x, ptrdiff_t n)                          \
    {                                                                       \
        T acc[PT_ACC];                                                      \
        T v, m;                                                             \
        ptrdiff_t i = 0;                                                    \
        int j;                                                              \
        if (n < PT_ACC) {                                                   \
            m = -INFINITY;                                                  \
            for (; i < n; i++)                                              \
                m = x[i] > m ? x[i] : m;                                    \
            return m;                                                       \
        }                                                                   \
        for (j = 0; j < PT_ACC; j++)                                        \
            acc[j] = -INFINITY;                                             \
        for (; i + PT_ACC <= n; i += PT_ACC)                                \
            for (j = 0; j < PT_ACC; j++) {                                  \
                v = x[i + j];                                               \
                acc[j] = v > acc[j] ? v : acc[j];                           \
            }                                                               \
        for (j = 0; i < n; i++, j++)                                        \
            acc[j] = x[i] > acc[j] ? x[i] : acc[j];                         \
        m = acc[0];                                                         \
        for (j = 1; j < PT_ACC; j++)                                        \
            m = acc[j] > m ? acc[j] : m;                                    \
        return m;                                                           \
    }

PT_RED_DEFINE(float, f32, PT_ACC_f32)
PT_RED_DEFINE(double, f64, PT_ACC_f64)


/* out[c] += sum of rows r of x[r * stride + c], for c in [0, ncols): the
 * "bias gradient" reduction (N, D) -> (D,).  Four rows per sweep (a quarter
 * of the loads/stores of ``out``, pairwise partial sums).  With rows in
 * cache this is bound by add throughput: the SSE2 build lost to NumPy's
 * AVX2 add loop by 5-10% on (128, 512) float64; the AVX2 clone wins. */

#define PT_ADDROWS_DEFINE(T, SUF)                                           \
    PT_CLONES                                                               \
    static void pt_addrows_##SUF(const T *x, T *out, ptrdiff_t nrows,       \
                                 ptrdiff_t stride, ptrdiff_t ncols)         \
    {                                                                       \
        ptrdiff_t r = 0, c;                                                 \
        for (; r + 4 <= nrows; r += 4) {                                    \
            const T *r0 = x + r * stride, *r1 = r0 + stride;                \
            const T *r2 = r1 + stride, *r3 = r2 + stride;                   \
            for (c = 0; c < ncols; c++)                                     \
                out[c] += (r0[c] + r1[c]) + (r2[c] + r3[c]);                \
        }                                                                   \
        for (; r < nrows; r++) {                                            \
            const T *r0 = x + r * stride;                                   \
            for (c = 0; c < ncols; c++)                                     \
                out[c] += r0[c];                                            \
        }                                                                   \
    }

PT_ADDROWS_DEFINE(float, f32)
PT_ADDROWS_DEFINE(double, f64)

#endif /* PT_REDUCE_H */
