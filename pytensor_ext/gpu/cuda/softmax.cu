// Softmax and log-softmax, forward and backward, over one axis of a
// C-contiguous array seen as (outer, D, inner), D being the softmax axis.
//
// Every kernel has the same parameters,
//     (const T* a, const T* g, T* y, long long outer, long long D,
//      long long inner)
// where ``a`` is x (forward) or the saved output (backward) and ``g`` the
// incoming gradient (ignored by the forward kernels), and two forms chosen
// by the template flag ROWS:
//
// - ROWS (inner == 1): one block per row (grid-stride over rows); threads
//   stride along the row and combine with warp shuffles, then shared memory.
// - !ROWS (inner > 1): one thread per (outer, inner) column, looping over D
//   with stride ``inner``; neighbouring threads read neighbouring columns,
//   so every access is coalesced and no transpose is needed.
//
// NaN/Inf follow the NumPy reference: a NaN, a +inf or a row of only -inf
// makes the whole row NaN (inf - inf), as in PyTorch.
//
// Self-contained (no includes) so that the RawModule and the NVRTC compile
// check (python -m pytensor_ext.gpu.compile_check) see the same source.

template <typename T>
struct PtMax {
    __device__ __forceinline__ T operator()(T a, T b) const {
        return b > a ? b : a;
    }
};

template <typename T>
struct PtSum {
    __device__ __forceinline__ T operator()(T a, T b) const { return a + b; }
};

template <typename T>
__device__ __forceinline__ T pt_exp(T v) { return exp(v); }

// -inf without <math.h> (NVRTC has no INFINITY macro by default).
template <typename T>
__device__ __forceinline__ T pt_neg_inf() {
    return (T)(-__int_as_float(0x7f800000));
}

template <typename T>
__device__ __forceinline__ T pt_log(T v) { return log(v); }

// Reduce ``v`` over the block (blockDim.x a multiple of 32, at most 1024);
// every thread gets the result.
template <typename T, typename Op>
__device__ T pt_block_reduce(T v, Op op, T identity) {
    __shared__ T partial[32];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int nwarps = (blockDim.x + 31) >> 5;
    for (int off = 16; off > 0; off >>= 1)
        v = op(v, __shfl_xor_sync(0xffffffffu, v, off));
    if (lane == 0)
        partial[warp] = v;
    __syncthreads();
    v = threadIdx.x < nwarps ? partial[threadIdx.x] : identity;
    if (warp == 0)
        for (int off = 16; off > 0; off >>= 1)
            v = op(v, __shfl_xor_sync(0xffffffffu, v, off));
    if (threadIdx.x == 0)
        partial[0] = v;
    __syncthreads();
    v = partial[0];
    __syncthreads();            // ``partial`` is reused by the next call
    return v;
}

// ---- forward ---------------------------------------------------------------
template <typename T, bool ROWS, bool LOG>
__device__ void pt_softmax_fwd(const T* __restrict__ x, T* __restrict__ y,
                               long long outer, long long D,
                               long long inner) {
    if (ROWS) {
        for (long long r = blockIdx.x; r < outer; r += gridDim.x) {
            const T* xr = x + r * D;
            T* yr = y + r * D;
            T m = pt_neg_inf<T>();
            for (long long j = threadIdx.x; j < D; j += blockDim.x)
                m = PtMax<T>()(m, xr[j]);
            m = pt_block_reduce(m, PtMax<T>(), pt_neg_inf<T>());
            T s = 0;
            for (long long j = threadIdx.x; j < D; j += blockDim.x)
                s += pt_exp(xr[j] - m);
            s = pt_block_reduce(s, PtSum<T>(), (T)0);
            if (LOG) {
                const T lse = pt_log(s);
                for (long long j = threadIdx.x; j < D; j += blockDim.x)
                    yr[j] = (xr[j] - m) - lse;
            } else {
                const T inv = (T)1 / s;
                for (long long j = threadIdx.x; j < D; j += blockDim.x)
                    yr[j] = pt_exp(xr[j] - m) * inv;
            }
        }
    } else {
        const long long cols = outer * inner;
        for (long long c = blockIdx.x * (long long)blockDim.x + threadIdx.x;
             c < cols; c += (long long)gridDim.x * blockDim.x) {
            const long long base = (c / inner) * D * inner + c % inner;
            const T* xc = x + base;
            T* yc = y + base;
            T m = pt_neg_inf<T>();
            for (long long d = 0; d < D; d++)
                m = PtMax<T>()(m, xc[d * inner]);
            T s = 0;
            for (long long d = 0; d < D; d++)
                s += pt_exp(xc[d * inner] - m);
            if (LOG) {
                const T lse = pt_log(s);
                for (long long d = 0; d < D; d++)
                    yc[d * inner] = (xc[d * inner] - m) - lse;
            } else {
                const T inv = (T)1 / s;
                for (long long d = 0; d < D; d++)
                    yc[d * inner] = pt_exp(xc[d * inner] - m) * inv;
            }
        }
    }
}

// ---- backward --------------------------------------------------------------
// softmax:     gx = y * (gy - sum(gy * y))
// log_softmax: gx = gy - exp(y) * sum(gy)
template <typename T, bool ROWS, bool LOG>
__device__ void pt_softmax_bwd(const T* __restrict__ y,
                               const T* __restrict__ gy, T* __restrict__ gx,
                               long long outer, long long D,
                               long long inner) {
    if (ROWS) {
        for (long long r = blockIdx.x; r < outer; r += gridDim.x) {
            const T* yr = y + r * D;
            const T* gr = gy + r * D;
            T* out = gx + r * D;
            T s = 0;
            for (long long j = threadIdx.x; j < D; j += blockDim.x)
                s += LOG ? gr[j] : gr[j] * yr[j];
            s = pt_block_reduce(s, PtSum<T>(), (T)0);
            for (long long j = threadIdx.x; j < D; j += blockDim.x)
                out[j] = LOG ? gr[j] - pt_exp(yr[j]) * s
                             : yr[j] * (gr[j] - s);
        }
    } else {
        const long long cols = outer * inner;
        for (long long c = blockIdx.x * (long long)blockDim.x + threadIdx.x;
             c < cols; c += (long long)gridDim.x * blockDim.x) {
            const long long base = (c / inner) * D * inner + c % inner;
            T s = 0;
            for (long long d = 0; d < D; d++) {
                const long long k = base + d * inner;
                s += LOG ? gy[k] : gy[k] * y[k];
            }
            for (long long d = 0; d < D; d++) {
                const long long k = base + d * inner;
                gx[k] = LOG ? gy[k] - pt_exp(y[k]) * s : y[k] * (gy[k] - s);
            }
        }
    }
}

// ---- entry points (instantiated through RawModule name_expressions) ---------
template <typename T, bool ROWS>
__global__ void pytensor_softmax_fwd(const T* a, const T* g, T* y,
                                     long long outer, long long D,
                                     long long inner) {
    pt_softmax_fwd<T, ROWS, false>(a, y, outer, D, inner);
}

template <typename T, bool ROWS>
__global__ void pytensor_log_softmax_fwd(const T* a, const T* g, T* y,
                                         long long outer, long long D,
                                         long long inner) {
    pt_softmax_fwd<T, ROWS, true>(a, y, outer, D, inner);
}

template <typename T, bool ROWS>
__global__ void pytensor_softmax_bwd(const T* a, const T* g, T* y,
                                     long long outer, long long D,
                                     long long inner) {
    pt_softmax_bwd<T, ROWS, false>(a, g, y, outer, D, inner);
}

template <typename T, bool ROWS>
__global__ void pytensor_log_softmax_bwd(const T* a, const T* g, T* y,
                                         long long outer, long long D,
                                         long long inner) {
    pt_softmax_bwd<T, ROWS, true>(a, g, y, outer, D, inner);
}
