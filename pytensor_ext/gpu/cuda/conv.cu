// im2col and col2im on (N, C, H, W), the GPU twins of pytensor_ext/cpu/_conv.pyx
// (geometry and column layouts: pytensor_ext/reference.py).
//
// The column matrix has rows r = (c * kh + i) * kw + j and, within a row,
// image n's block of L = bh * bw windows at ``n * n_stride``; the layout
// ("nkl" or "knl") is only a choice of (row_stride, n_stride).
//
// - pytensor_im2col: one thread per column entry (grid-stride), reading the
//   input through arbitrary element strides; padding reads as 0.  Threads
//   with neighbouring ``l`` read neighbouring input columns (coalesced for
//   stride 1).
// - pytensor_col2im: one thread per output element (n, c, h, w) gathering
//   every column entry that came from it, offsets in (i, j) order: no
//   atomics, and the sum into each element is formed in the same order as
//   the CPU kernel's, so the two agree to the last bit.
//
// Self-contained (no includes): the RawModule and the NVRTC compile check
// (python -m pytensor_ext.gpu.compile_check) see the same source.

template <typename T>
__global__ void pytensor_im2col(const T* x, T* cols, long long N, long long C,
                                long long H, long long W, long long sxn,
                                long long sxc, long long sxh, long long sxw,
                                long long kh, long long kw, long long sh,
                                long long sw, long long ph, long long pw,
                                long long dh, long long dw, long long bh,
                                long long bw, long long row_stride,
                                long long n_stride) {
    const long long L = bh * bw;
    const long long total = C * kh * kw * N * L;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x;
         e < total; e += (long long)gridDim.x * blockDim.x) {
        const long long l = e % L;
        const long long rn = e / L;
        const long long n = rn % N;
        const long long r = rn / N;
        const long long j = r % kw;
        const long long i = (r / kw) % kh;
        const long long c = r / (kw * kh);
        const long long oh = l / bw;
        const long long ow = l % bw;
        const long long h = oh * sh - ph + i * dh;
        const long long w = ow * sw - pw + j * dw;
        T v = (T)0;
        if (h >= 0 && h < H && w >= 0 && w < W)
            v = x[n * sxn + c * sxc + h * sxh + w * sxw];
        cols[r * row_stride + n * n_stride + l] = v;
    }
}

template <typename T>
__global__ void pytensor_col2im(const T* cols, T* x, long long N, long long C,
                                long long H, long long W, long long kh,
                                long long kw, long long sh, long long sw,
                                long long ph, long long pw, long long dh,
                                long long dw, long long bh, long long bw,
                                long long row_stride, long long n_stride) {
    const long long total = N * C * H * W;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x;
         e < total; e += (long long)gridDim.x * blockDim.x) {
        const long long w = e % W;
        const long long h = (e / W) % H;
        const long long c = (e / (W * H)) % C;
        const long long n = e / (W * H * C);
        T acc = (T)0;
        for (long long i = 0; i < kh; i++) {
            const long long th = h + ph - i * dh;       // oh * sh
            if (th < 0 || th % sh)
                continue;
            const long long oh = th / sh;
            if (oh >= bh)
                continue;
            for (long long j = 0; j < kw; j++) {
                const long long tw = w + pw - j * dw;   // ow * sw
                if (tw < 0 || tw % sw)
                    continue;
                const long long ow = tw / sw;
                if (ow >= bw)
                    continue;
                const long long r = (c * kh + i) * kw + j;
                acc += cols[r * row_stride + n * n_stride + oh * bw + ow];
            }
        }
        x[e] = acc;
    }
}
