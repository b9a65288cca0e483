// The pointwise part of one step of the whole-sequence LSTM kernels
// (gpu/rnn.py: lstm_seq_fwd / lstm_seq_bwd), one thread per (batch row,
// hidden unit).
//
// Why not the cell kernels (lstm_cell_fwd/bwd): those take one step's
// slices, so the loop made a view of each buffer per step, checked them
// and launched an ElementwiseKernel; on the host that was most of a step
// (the step's GPU work, a 32 x 256 x 1024 product and this kernel, is a few
// microseconds).  These take the whole (T, B, 4H) / (T + 1, B, H) buffers
// and the step's row numbers, so the host loop is one cuBLAS call and one
// launch.  The formulas, and the order of every operation, are the cell
// kernels'.
//
// - pytensor_lstm_seq_step_fwd<T>: gates A[t] + gh -> activations written
//   over A[t]; c = f * C[t + prev] + i * g into C[t + cur]; h = o * tanh(c)
//   into H[t + cur].
// - pytensor_lstm_seq_step_bwd<T>: with dh + g_out[t] as the gradient of
//   h (the loop's ``dh += g_out[t]``, folded in) and dc: the gate
//   gradients into dG[t] and dc_prev over dc.
//
// NaN/Inf propagate (no fast math).  Self-contained (no includes) so that
// the RawModule and the NVRTC compile check see the same source.

template <typename T>
__device__ __forceinline__ T pt_seq_sigmoid(T x) {
    const T e = exp(-fabs(x));
    const T r = (T)1 / ((T)1 + e);
    return x >= (T)0 ? r : e * r;
}

template <typename T>
__global__ void pytensor_lstm_seq_step_fwd(
        T* __restrict__ A, const T* __restrict__ gh, T* __restrict__ Hs,
        T* __restrict__ Cs, long long t, long long cur, long long prev,
        long long B, long long H) {
    const long long n = B * H;
    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n)
        return;
    const long long b = i / H, j = i % H, g = b * 4 * H + j;
    T* a = A + t * B * 4 * H + g;
    T pi = a[0], pf = a[H], pg = a[2 * H], po = a[3 * H];
    pi += gh[g]; pf += gh[g + H]; pg += gh[g + 2 * H]; po += gh[g + 3 * H];
    const T ig = pt_seq_sigmoid(pi), fg = pt_seq_sigmoid(pf), gg = tanh(pg),
            og = pt_seq_sigmoid(po);
    const T cv = fg * Cs[(t + prev) * n + i] + ig * gg;
    Cs[(t + cur) * n + i] = cv;
    Hs[(t + cur) * n + i] = og * tanh(cv);
    a[0] = ig; a[H] = fg; a[2 * H] = gg; a[3 * H] = og;
}

template <typename T>
__global__ void pytensor_lstm_seq_step_bwd(
        const T* __restrict__ A, const T* __restrict__ Cs,
        const T* __restrict__ g_out, const T* __restrict__ dh,
        T* __restrict__ dc, T* __restrict__ dG, long long t, long long cur,
        long long prev, long long B, long long H) {
    const long long n = B * H;
    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n)
        return;
    const long long b = i / H, j = i % H, r = t * B * 4 * H + b * 4 * H + j;
    const T ig = A[r], fg = A[r + H], gg = A[r + 2 * H], og = A[r + 3 * H];
    const T tc = tanh(Cs[(t + cur) * n + i]);
    const T hv = dh[i] + g_out[t * n + i];
    T dcv = hv * og * ((T)1 - tc * tc);
    dcv += dc[i];
    dG[r] = dcv * gg * ig * ((T)1 - ig);
    dG[r + H] = dcv * Cs[(t + prev) * n + i] * fg * ((T)1 - fg);
    dG[r + 2 * H] = dcv * ig * ((T)1 - gg * gg);
    dG[r + 3 * H] = hv * tc * og * ((T)1 - og);
    dc[i] = dcv * fg;
}
