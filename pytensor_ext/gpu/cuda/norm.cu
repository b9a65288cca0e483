// Layer-norm and batch-norm reductions (the elementwise parts are
// ElementwiseKernels in gpu/norm.py).
//
// - pytensor_layer_norm_fwd<T>: one block per row of the (M, N) input
//   (grid-stride over rows): mean, then the biased variance around it (two
//   passes over the row, which stays in L1/L2), then the output.
// - pytensor_layer_norm_bwd<T>: one block per row: the two row sums of the
//   input-gradient formula, then gx.
// - pytensor_layer_norm_wgrad_bwd<T>: one thread per column: the weight and
//   bias gradients, summed over the rows (coalesced across columns).
// - pytensor_batch_norm_stats_fwd<T>: one block per channel of (N, C, L): mean
//   and biased variance (two passes).
// - pytensor_batch_norm_sums_bwd<T>: one block per channel: sum(gy) and
//   sum(gy * (x - mean)).
//
// Sums are accumulated in T (float for float32, as PyTorch's CUDA kernels
// do), per thread and then across the block.  NaN/Inf propagate (no fast
// math).  Self-contained (no includes) so that the RawModule and the NVRTC
// compile check (python -m pytensor_ext.gpu.compile_check) see the same
// source.

// Sum ``v`` over the block (blockDim.x a multiple of 32, at most 1024);
// every thread gets the result.
template <typename T>
__device__ T pt_norm_block_sum(T v) {
    __shared__ T partial[32];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int nwarps = (blockDim.x + 31) >> 5;
    for (int off = 16; off > 0; off >>= 1)
        v += __shfl_xor_sync(0xffffffffu, v, off);
    if (lane == 0)
        partial[warp] = v;
    __syncthreads();
    v = threadIdx.x < nwarps ? partial[threadIdx.x] : (T)0;
    if (warp == 0)
        for (int off = 16; off > 0; off >>= 1)
            v += __shfl_xor_sync(0xffffffffu, v, off);
    if (threadIdx.x == 0)
        partial[0] = v;
    __syncthreads();
    v = partial[0];
    __syncthreads();            // ``partial`` is reused by the next call
    return v;
}

template <typename T>
__device__ __forceinline__ T pt_rsqrt(T v) { return (T)1 / sqrt(v); }

// ---- layer norm --------------------------------------------------------------
template <typename T>
__global__ void pytensor_layer_norm_fwd(
        const T* __restrict__ x, const T* __restrict__ w,
        const T* __restrict__ b, T* __restrict__ y, T* __restrict__ mean,
        T* __restrict__ rstd, long long M, long long N, double eps) {
    for (long long r = blockIdx.x; r < M; r += gridDim.x) {
        const T* xr = x + r * N;
        T* yr = y + r * N;
        T s = 0;
        for (long long j = threadIdx.x; j < N; j += blockDim.x)
            s += xr[j];
        const T m = pt_norm_block_sum(s) / (T)N;
        T v = 0;
        for (long long j = threadIdx.x; j < N; j += blockDim.x) {
            const T d = xr[j] - m;
            v += d * d;
        }
        const T a = pt_rsqrt(pt_norm_block_sum(v) / (T)N + (T)eps);
        if (threadIdx.x == 0) {
            mean[r] = m;
            rstd[r] = a;
        }
        for (long long j = threadIdx.x; j < N; j += blockDim.x) {
            T o = (xr[j] - m) * a;
            if (w != nullptr)
                o *= w[j];
            if (b != nullptr)
                o += b[j];
            yr[j] = o;
        }
    }
}

template <typename T>
__global__ void pytensor_layer_norm_bwd(
        const T* __restrict__ gy, const T* __restrict__ x,
        const T* __restrict__ mean, const T* __restrict__ rstd,
        const T* __restrict__ w, T* __restrict__ gx, long long M,
        long long N) {
    for (long long r = blockIdx.x; r < M; r += gridDim.x) {
        const T* gr = gy + r * N;
        const T* xr = x + r * N;
        const T m = mean[r], a = rstd[r];
        T s1 = 0, s2 = 0;
        for (long long j = threadIdx.x; j < N; j += blockDim.x) {
            const T g = w != nullptr ? gr[j] * w[j] : gr[j];
            s1 += g;
            s2 += g * (xr[j] - m) * a;
        }
        s1 = pt_norm_block_sum(s1) / (T)N;
        s2 = pt_norm_block_sum(s2) / (T)N;
        for (long long j = threadIdx.x; j < N; j += blockDim.x) {
            const T g = w != nullptr ? gr[j] * w[j] : gr[j];
            gx[r * N + j] = a * (g - s1 - (xr[j] - m) * a * s2);
        }
    }
}

template <typename T>
__global__ void pytensor_layer_norm_wgrad_bwd(
        const T* __restrict__ gy, const T* __restrict__ x,
        const T* __restrict__ mean, const T* __restrict__ rstd,
        T* __restrict__ gw, T* __restrict__ gb, long long M, long long N) {
    for (long long j = blockIdx.x * (long long)blockDim.x + threadIdx.x;
         j < N; j += (long long)gridDim.x * blockDim.x) {
        T sw = 0, sb = 0;
        for (long long r = 0; r < M; ++r) {
            const T g = gy[r * N + j];
            sw += g * (x[r * N + j] - mean[r]) * rstd[r];
            sb += g;
        }
        if (gw != nullptr)
            gw[j] = sw;
        if (gb != nullptr)
            gb[j] = sb;
    }
}

// ---- batch norm ---------------------------------------------------------------
template <typename T>
__global__ void pytensor_batch_norm_stats_fwd(
        const T* __restrict__ x, T* __restrict__ mean, T* __restrict__ var,
        long long N, long long C, long long L) {
    const long long n = N * L;
    for (long long c = blockIdx.x; c < C; c += gridDim.x) {
        T s = 0;
        for (long long k = threadIdx.x; k < n; k += blockDim.x)
            s += x[((k / L) * C + c) * L + k % L];
        const T m = pt_norm_block_sum(s) / (T)n;
        T v = 0;
        for (long long k = threadIdx.x; k < n; k += blockDim.x) {
            const T d = x[((k / L) * C + c) * L + k % L] - m;
            v += d * d;
        }
        v = pt_norm_block_sum(v) / (T)n;
        if (threadIdx.x == 0) {
            mean[c] = m;
            var[c] = v;
        }
    }
}

template <typename T>
__global__ void pytensor_batch_norm_sums_bwd(
        const T* __restrict__ gy, const T* __restrict__ x,
        const T* __restrict__ mean, T* __restrict__ sg, T* __restrict__ sgx,
        long long N, long long C, long long L) {
    const long long n = N * L;
    for (long long c = blockIdx.x; c < C; c += gridDim.x) {
        const T m = mean[c];
        T s1 = 0, s2 = 0;
        for (long long k = threadIdx.x; k < n; k += blockDim.x) {
            const long long i = ((k / L) * C + c) * L + k % L;
            s1 += gy[i];
            s2 += gy[i] * (x[i] - m);
        }
        s1 = pt_norm_block_sum(s1);
        s2 = pt_norm_block_sum(s2);
        if (threadIdx.x == 0) {
            sg[c] = s1;
            sgx[c] = s2;
        }
    }
}
