// Pooling on (N, C, H, W), the GPU twins of pytensor_ext/cpu/_pool.pyx
// (geometry, tie/NaN and divisor rules: pytensor_ext/reference.py).
//
// One thread per output element (grid-stride) for the forward kernels,
// reading the input through arbitrary element strides (sn, sc, sh_, sw_):
//
// - pytensor_max_pool2d_fwd / pytensor_adaptive_max_pool2d_fwd: values and
//   flat plane indices h * W + w; ``v > best || isnan(v)`` in scan order
//   (the first maximum, the last NaN), as PyTorch's CPU kernel; a window
//   without input elements gives -inf and the index of its first offset at
//   or after 0.
// - pytensor_avg_pool2d_fwd: PyTorch's divisor (``divisor_override`` if
//   nonzero, else the window clipped to the padded input or, without
//   ``count_include_pad``, to the input); empty windows give 0.
// - pytensor_adaptive_avg_pool2d_fwd: sum / height / width.
//
// Backward kernels write a new C-contiguous (N, C, H, W) gradient:
//
// - pytensor_max_pool2d_bwd: one thread per gradient entry, atomicAdd at
//   its index (double needs sm_60+); indices outside the plane are skipped.
//   Overlapping windows add in an unspecified order, as in PyTorch on CUDA.
// - pytensor_avg_pool2d_bwd / pytensor_adaptive_avg_pool2d_bwd: one thread
//   per input element gathering ``gy / divisor`` of every window covering
//   it (no atomics, deterministic).
//
// Self-contained (no includes): the RawModule and the NVRTC compile check
// see the same source.

template <typename T>
__device__ __forceinline__ T pt_lowest() {
    return (T)(-__int_as_float(0x7f800000));            // -inf
}

template <typename T>
__device__ __forceinline__ bool pt_isnan(T v) { return v != v; }

__device__ __forceinline__ long long pt_first_at_or_after_zero(
        long long start, long long d) {
    // The first position start + k * d >= 0 (k >= 0).
    return start >= 0 ? start : start + ((-start + d - 1) / d) * d;
}

template <typename T>
__global__ void pytensor_max_pool2d_fwd(
        const T* x, T* y, long long* idx, long long N, long long C,
        long long H, long long W, long long sn, long long sc, long long sh_,
        long long sw_, long long kh, long long kw, long long sh,
        long long sw, long long ph, long long pw, long long dh, long long dw,
        long long bh, long long bw) {
    const long long total = N * C * bh * bw;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x;
         e < total; e += (long long)gridDim.x * blockDim.x) {
        const long long ow = e % bw;
        const long long oh = (e / bw) % bh;
        const long long c = (e / (bw * bh)) % C;
        const long long n = e / (bw * bh * C);
        const T* plane = x + n * sn + c * sc;
        const long long h0 = oh * sh - ph;
        const long long w0 = ow * sw - pw;
        T best = pt_lowest<T>();
        long long bi = pt_first_at_or_after_zero(h0, dh) * W +
                       pt_first_at_or_after_zero(w0, dw);
        for (long long i = 0; i < kh; i++) {
            const long long h = h0 + i * dh;
            if (h < 0 || h >= H)
                continue;
            for (long long j = 0; j < kw; j++) {
                const long long w = w0 + j * dw;
                if (w < 0 || w >= W)
                    continue;
                const T v = plane[h * sh_ + w * sw_];
                if (v > best || pt_isnan(v)) {
                    best = v;
                    bi = h * W + w;
                }
            }
        }
        y[e] = best;
        idx[e] = bi;
    }
}

template <typename T>
__global__ void pytensor_adaptive_max_pool2d_fwd(
        const T* x, T* y, long long* idx, long long N, long long C,
        long long H, long long W, long long sn, long long sc, long long sh_,
        long long sw_, long long bh, long long bw) {
    const long long total = N * C * bh * bw;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x;
         e < total; e += (long long)gridDim.x * blockDim.x) {
        const long long ow = e % bw;
        const long long oh = (e / bw) % bh;
        const long long c = (e / (bw * bh)) % C;
        const long long n = e / (bw * bh * C);
        const T* plane = x + n * sn + c * sc;
        const long long hs = oh * H / bh, he = ((oh + 1) * H + bh - 1) / bh;
        const long long ws = ow * W / bw, we = ((ow + 1) * W + bw - 1) / bw;
        T best = pt_lowest<T>();
        long long bi = hs * W + ws;
        for (long long h = hs; h < he; h++)
            for (long long w = ws; w < we; w++) {
                const T v = plane[h * sh_ + w * sw_];
                if (v > best || pt_isnan(v)) {
                    best = v;
                    bi = h * W + w;
                }
            }
        y[e] = best;
        idx[e] = bi;
    }
}

template <typename T>
__global__ void pytensor_max_pool2d_bwd(const T* gy, const long long* idx,
                                        T* gx, long long planes, long long L,
                                        long long HW) {
    const long long total = planes * L;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x;
         e < total; e += (long long)gridDim.x * blockDim.x) {
        const long long t = idx[e];
        if (t >= 0 && t < HW)
            atomicAdd(gx + (e / L) * HW + t, gy[e]);
    }
}

// Window bounds of a regular average pooling along one axis, as PyTorch's
// CPU kernel computes them: [lo, hi) inside the input, ``span`` the window
// clipped to the padded input.
__device__ __forceinline__ void pt_avg_axis(long long o, long long k,
                                            long long s, long long p,
                                            long long size, long long* lo,
                                            long long* hi, long long* span) {
    const long long start = o * s - p;
    long long end = start + k;
    if (end > size + p)
        end = size + p;
    *span = end - start;
    *lo = start > 0 ? start : 0;
    *hi = end < size ? end : size;
}

template <typename T>
__device__ __forceinline__ T pt_avg_divisor(long long oh, long long ow,
        long long H, long long W, long long kh, long long kw, long long sh,
        long long sw, long long ph, long long pw, bool count_pad,
        long long divisor, bool* empty) {
    long long hlo, hhi, hspan, wlo, whi, wspan;
    pt_avg_axis(oh, kh, sh, ph, H, &hlo, &hhi, &hspan);
    pt_avg_axis(ow, kw, sw, pw, W, &wlo, &whi, &wspan);
    *empty = hlo >= hhi || wlo >= whi;
    if (divisor)
        return (T)divisor;
    return (T)(count_pad ? hspan * wspan : (hhi - hlo) * (whi - wlo));
}

template <typename T>
__global__ void pytensor_avg_pool2d_fwd(
        const T* x, T* y, long long N, long long C, long long H, long long W,
        long long sn, long long sc, long long sh_, long long sw_,
        long long kh, long long kw, long long sh, long long sw, long long ph,
        long long pw, long long bh, long long bw, bool count_pad,
        long long divisor) {
    const long long total = N * C * bh * bw;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x;
         e < total; e += (long long)gridDim.x * blockDim.x) {
        const long long ow = e % bw;
        const long long oh = (e / bw) % bh;
        const long long c = (e / (bw * bh)) % C;
        const long long n = e / (bw * bh * C);
        const T* plane = x + n * sn + c * sc;
        long long hlo, hhi, hspan, wlo, whi, wspan;
        pt_avg_axis(oh, kh, sh, ph, H, &hlo, &hhi, &hspan);
        pt_avg_axis(ow, kw, sw, pw, W, &wlo, &whi, &wspan);
        if (hlo >= hhi || wlo >= whi) {
            y[e] = (T)0;
            continue;
        }
        T acc = (T)0;
        for (long long h = hlo; h < hhi; h++)
            for (long long w = wlo; w < whi; w++)
                acc += plane[h * sh_ + w * sw_];
        bool empty;
        y[e] = acc / pt_avg_divisor<T>(oh, ow, H, W, kh, kw, sh, sw, ph, pw,
                                       count_pad, divisor, &empty);
    }
}

template <typename T>
__global__ void pytensor_avg_pool2d_bwd(
        const T* gy, T* gx, long long N, long long C, long long H,
        long long W, long long kh, long long kw, long long sh, long long sw,
        long long ph, long long pw, long long bh, long long bw,
        bool count_pad, long long divisor) {
    const long long total = N * C * H * W;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x;
         e < total; e += (long long)gridDim.x * blockDim.x) {
        const long long w = e % W;
        const long long h = (e / W) % H;
        const long long p = e / (W * H);            // plane n * C + c
        const T* g = gy + p * bh * bw;
        // Windows whose [start, start + k) holds h: start = oh * s - p.
        long long oh0 = (h + ph - kh + sh) / sh;    // ceil((h+ph-kh+1)/sh)
        if (h + ph - kh + 1 <= 0)
            oh0 = 0;
        long long oh1 = (h + ph) / sh;
        if (oh1 > bh - 1)
            oh1 = bh - 1;
        long long ow0 = (w + pw - kw + sw) / sw;
        if (w + pw - kw + 1 <= 0)
            ow0 = 0;
        long long ow1 = (w + pw) / sw;
        if (ow1 > bw - 1)
            ow1 = bw - 1;
        T acc = (T)0;
        for (long long oh = oh0; oh <= oh1; oh++)
            for (long long ow = ow0; ow <= ow1; ow++) {
                bool empty;
                const T d = pt_avg_divisor<T>(oh, ow, H, W, kh, kw, sh, sw,
                                              ph, pw, count_pad, divisor,
                                              &empty);
                if (!empty)
                    acc += g[oh * bw + ow] / d;
            }
        gx[e] = acc;
    }
}

template <typename T>
__global__ void pytensor_adaptive_avg_pool2d_fwd(
        const T* x, T* y, long long N, long long C, long long H, long long W,
        long long sn, long long sc, long long sh_, long long sw_,
        long long bh, long long bw) {
    const long long total = N * C * bh * bw;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x;
         e < total; e += (long long)gridDim.x * blockDim.x) {
        const long long ow = e % bw;
        const long long oh = (e / bw) % bh;
        const long long c = (e / (bw * bh)) % C;
        const long long n = e / (bw * bh * C);
        const T* plane = x + n * sn + c * sc;
        const long long hs = oh * H / bh, he = ((oh + 1) * H + bh - 1) / bh;
        const long long ws = ow * W / bw, we = ((ow + 1) * W + bw - 1) / bw;
        T acc = (T)0;
        for (long long h = hs; h < he; h++)
            for (long long w = ws; w < we; w++)
                acc += plane[h * sh_ + w * sw_];
        y[e] = acc / (T)(he - hs) / (T)(we - ws);
    }
}

template <typename T>
__global__ void pytensor_adaptive_avg_pool2d_bwd(
        const T* gy, T* gx, long long N, long long C, long long H,
        long long W, long long bh, long long bw) {
    const long long total = N * C * H * W;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x;
         e < total; e += (long long)gridDim.x * blockDim.x) {
        const long long w = e % W;
        const long long h = (e / W) % H;
        const long long p = e / (W * H);
        const T* g = gy + p * bh * bw;
        // Candidate windows around h * bh / H; membership tested exactly.
        long long oh0 = h * bh / H - 1, oh1 = (h + 1) * bh / H + 1;
        long long ow0 = w * bw / W - 1, ow1 = (w + 1) * bw / W + 1;
        if (oh0 < 0) oh0 = 0;
        if (ow0 < 0) ow0 = 0;
        if (oh1 > bh - 1) oh1 = bh - 1;
        if (ow1 > bw - 1) ow1 = bw - 1;
        T acc = (T)0;
        for (long long oh = oh0; oh <= oh1; oh++) {
            const long long hs = oh * H / bh;
            const long long he = ((oh + 1) * H + bh - 1) / bh;
            if (h < hs || h >= he)
                continue;
            for (long long ow = ow0; ow <= ow1; ow++) {
                const long long ws = ow * W / bw;
                const long long we = ((ow + 1) * W + bw - 1) / bw;
                if (w < ws || w >= we)
                    continue;
                acc += g[oh * bw + ow] / (T)(he - hs) / (T)(we - ws);
            }
        }
        gx[e] = acc;
    }
}
