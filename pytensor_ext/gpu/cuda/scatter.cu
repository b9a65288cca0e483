// index_add and scatter_add with atomicAdd (float: sm_20+, double: sm_60+).
//
// The host side (pytensor_ext/gpu/scatter.py) splits the axes other than
// ``axis`` into an outer part O (before it) and an inner part K (after it)
// and passes tables of element offsets for each array, exactly as the CPU
// kernel does; any strides (including negative) work.  One thread per
// (o, i, k) position, grid-stride:
//
//   j = index[i]                          (index_add)
//     | index[io[o] + ik[k] + i * i_ax]   (scatter_add)
//   if (j < 0) j += n;                    (bounds checked on the host)
//   target[to[o] + tk[k] + j * t_ax] += src[so[o] + sk[k] + i * s_ax]
//
// k varies fastest, so neighbouring threads touch neighbouring inner
// elements (coalesced for the embedding-backward case).  Additions into one
// element happen in an unspecified order, as in PyTorch on CUDA.

template <typename T>
__global__ void pytensor_index_add(T* target, const T* src,
                                   const long long* index, long long m,
                                   long long n, long long t_ax,
                                   long long s_ax, const long long* to,
                                   const long long* so, long long O,
                                   const long long* tk, const long long* sk,
                                   long long K) {
    const long long total = O * m * K;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x;
         e < total; e += (long long)gridDim.x * blockDim.x) {
        const long long k = e % K;
        const long long r = e / K;
        const long long i = r % m;
        const long long o = r / m;
        long long j = index[i];
        if (j < 0)
            j += n;
        atomicAdd(target + to[o] + tk[k] + j * t_ax,
                  src[so[o] + sk[k] + i * s_ax]);
    }
}

template <typename T>
__global__ void pytensor_scatter_add(T* target, const T* src,
                                     const long long* index, long long m,
                                     long long n, long long t_ax,
                                     long long s_ax, long long i_ax,
                                     const long long* to, const long long* so,
                                     const long long* io, long long O,
                                     const long long* tk, const long long* sk,
                                     const long long* ik, long long K) {
    const long long total = O * m * K;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x;
         e < total; e += (long long)gridDim.x * blockDim.x) {
        const long long k = e % K;
        const long long r = e / K;
        const long long i = r % m;
        const long long o = r / m;
        long long j = index[io[o] + ik[k] + i * i_ax];
        if (j < 0)
            j += n;
        atomicAdd(target + to[o] + tk[k] + j * t_ax,
                  src[so[o] + sk[k] + i * s_ax]);
    }
}
