/* pt_gemm.h: a single-threaded float32 matrix product on a right operand
 * packed once and used many times (the recurrent weight of an LSTM, used
 * by every step of a sequence).
 *
 * Why not BLAS: a BLAS product packs both operands into its own panel
 * layout on every call.  An LSTM step multiplies a small state (32 rows)
 * by the same weight 64 times; OpenBLAS spent 15% of W4's sequence kernels
 * re-packing that weight (perf).  Here the weight is packed once per
 * sequence into panels of 16 columns, ``Bp[p][k][0..15] = op(B)[k][16p +
 * 0..15]`` (zero-padded past N), and each step runs only the micro-kernel:
 * 6 rows x 16 columns of C in 12 AVX2 registers, one FMA per register and
 * k, the state's values broadcast from memory.
 *
 * The kernel is compiled for AVX2+FMA only (a target attribute, the rest
 * of the module stays baseline x86-64) and used after
 * ``pt_gemm_available()`` checked the CPU; elsewhere the callers use BLAS.
 * No -ffast-math: NaN and Inf propagate as in any FMA product.
 */
#ifndef PT_GEMM_H
#define PT_GEMM_H

#include <stddef.h>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define PT_GEMM_X86 1
#include <immintrin.h>
#endif

#define PT_GEMM_NR 16
#define PT_GEMM_MR 6

/* 1 when this CPU runs the AVX2+FMA kernel (checked once; a benign race
 * writes the same value). */
static int pt_gemm_available(void) {
#ifdef PT_GEMM_X86
    static int ok = -1;
    if (ok < 0) {
        __builtin_cpu_init();
        ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return ok;
#else
    return 0;
#endif
}

/* Floats of the packed form of a K x N operand. */
static ptrdiff_t pt_gemm_packed_size(ptrdiff_t K, ptrdiff_t N) {
    return ((N + PT_GEMM_NR - 1) / PT_GEMM_NR) * K * PT_GEMM_NR;
}

/* Pack op(B) (K x N) into ``out``: op(B)[k][j] = B[k * ldb + j], or
 * B[j * ldb + k] when ``trans``. */
static void pt_gemm_pack(int trans, ptrdiff_t K, ptrdiff_t N, const float* B,
                         ptrdiff_t ldb, float* out) {
    ptrdiff_t p, k, c, np = (N + PT_GEMM_NR - 1) / PT_GEMM_NR;
    for (p = 0; p < np; p++) {
        ptrdiff_t j0 = p * PT_GEMM_NR;
        ptrdiff_t nc = N - j0 < PT_GEMM_NR ? N - j0 : PT_GEMM_NR;
        float* o = out + p * K * PT_GEMM_NR;
        if (trans) {
            for (c = 0; c < nc; c++) {
                const float* row = B + (j0 + c) * ldb;
                for (k = 0; k < K; k++)
                    o[k * PT_GEMM_NR + c] = row[k];
            }
        } else {
            for (k = 0; k < K; k++)
                for (c = 0; c < nc; c++)
                    o[k * PT_GEMM_NR + c] = B[k * ldb + j0 + c];
        }
        for (k = 0; k < K; k++)
            for (c = nc; c < PT_GEMM_NR; c++)
                o[k * PT_GEMM_NR + c] = 0.0f;
    }
}

#ifdef PT_GEMM_X86
/* C[0..mr, 0..nc] (+)= A[0..mr, 0..K] @ panel (K x 16).  Rows past ``mr``
 * repeat row 0 (computed, not stored), so a short block needs no copy. */
__attribute__((target("avx2,fma")))
static void pt_gemm_block(ptrdiff_t K, const float* A, ptrdiff_t lda,
                          int mr, const float* P, float* C, ptrdiff_t ldc,
                          int nc, int accumulate) {
    const float* a0 = A;
    const float* a1 = mr > 1 ? A + lda : A;
    const float* a2 = mr > 2 ? A + 2 * lda : A;
    const float* a3 = mr > 3 ? A + 3 * lda : A;
    const float* a4 = mr > 4 ? A + 4 * lda : A;
    const float* a5 = mr > 5 ? A + 5 * lda : A;
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    ptrdiff_t k;
    for (k = 0; k < K; k++) {
        __m256 b0 = _mm256_loadu_ps(P + k * PT_GEMM_NR);
        __m256 b1 = _mm256_loadu_ps(P + k * PT_GEMM_NR + 8);
        __m256 a;
        a = _mm256_broadcast_ss(a0 + k);
        c00 = _mm256_fmadd_ps(a, b0, c00);
        c01 = _mm256_fmadd_ps(a, b1, c01);
        a = _mm256_broadcast_ss(a1 + k);
        c10 = _mm256_fmadd_ps(a, b0, c10);
        c11 = _mm256_fmadd_ps(a, b1, c11);
        a = _mm256_broadcast_ss(a2 + k);
        c20 = _mm256_fmadd_ps(a, b0, c20);
        c21 = _mm256_fmadd_ps(a, b1, c21);
        a = _mm256_broadcast_ss(a3 + k);
        c30 = _mm256_fmadd_ps(a, b0, c30);
        c31 = _mm256_fmadd_ps(a, b1, c31);
        a = _mm256_broadcast_ss(a4 + k);
        c40 = _mm256_fmadd_ps(a, b0, c40);
        c41 = _mm256_fmadd_ps(a, b1, c41);
        a = _mm256_broadcast_ss(a5 + k);
        c50 = _mm256_fmadd_ps(a, b0, c50);
        c51 = _mm256_fmadd_ps(a, b1, c51);
    }
    if (nc == PT_GEMM_NR) {
        /* Full blocks straight from the registers (an element loop here
         * compiles to a memmove call per row). */
        __m256 r[PT_GEMM_MR][2] = {{c00, c01}, {c10, c11}, {c20, c21},
                                   {c30, c31}, {c40, c41}, {c50, c51}};
        int i;
        for (i = 0; i < mr; i++) {
            float* c = C + i * ldc;
            if (accumulate) {
                r[i][0] = _mm256_add_ps(_mm256_loadu_ps(c), r[i][0]);
                r[i][1] = _mm256_add_ps(_mm256_loadu_ps(c + 8), r[i][1]);
            }
            _mm256_storeu_ps(c, r[i][0]);
            _mm256_storeu_ps(c + 8, r[i][1]);
        }
    } else {
        float t[PT_GEMM_MR][PT_GEMM_NR];
        int i, j;
        _mm256_storeu_ps(t[0], c00); _mm256_storeu_ps(t[0] + 8, c01);
        _mm256_storeu_ps(t[1], c10); _mm256_storeu_ps(t[1] + 8, c11);
        _mm256_storeu_ps(t[2], c20); _mm256_storeu_ps(t[2] + 8, c21);
        _mm256_storeu_ps(t[3], c30); _mm256_storeu_ps(t[3] + 8, c31);
        _mm256_storeu_ps(t[4], c40); _mm256_storeu_ps(t[4] + 8, c41);
        _mm256_storeu_ps(t[5], c50); _mm256_storeu_ps(t[5] + 8, c51);
        for (i = 0; i < mr; i++) {
            float* c = C + i * ldc;
            if (accumulate)
                for (j = 0; j < nc; j++) c[j] += t[i][j];
            else
                for (j = 0; j < nc; j++) c[j] = t[i][j];
        }
    }
}
#endif

/* Row-major C (M x N) = A (M x K, row stride lda) @ B, or C += ... when
 * ``accumulate``; ``Bp`` is B packed by ``pt_gemm_pack``.  Only after
 * ``pt_gemm_available()``. */
static void pt_gemm_packed(ptrdiff_t M, ptrdiff_t N, ptrdiff_t K,
                           const float* A, ptrdiff_t lda, const float* Bp,
                           float* C, ptrdiff_t ldc, int accumulate) {
#ifdef PT_GEMM_X86
    ptrdiff_t p, i0, np = (N + PT_GEMM_NR - 1) / PT_GEMM_NR;
    for (p = 0; p < np; p++) {
        ptrdiff_t j0 = p * PT_GEMM_NR;
        int nc = (int)(N - j0 < PT_GEMM_NR ? N - j0 : PT_GEMM_NR);
        for (i0 = 0; i0 < M; i0 += PT_GEMM_MR) {
            int mr = (int)(M - i0 < PT_GEMM_MR ? M - i0 : PT_GEMM_MR);
            pt_gemm_block(K, A + i0 * lda, lda, mr, Bp + p * K * PT_GEMM_NR,
                          C + i0 * ldc + j0, ldc, nc, accumulate);
        }
    }
#else
    (void)M; (void)N; (void)K; (void)A; (void)lda; (void)Bp; (void)C;
    (void)ldc; (void)accumulate;
#endif
}

#endif /* PT_GEMM_H */
