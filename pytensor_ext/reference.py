"""Pure-NumPy reference of every kernel: the oracle the Cython and CuPy
kernels are tested against, and the fallback when the extension is missing.

Every function here has the same name and signature in ``pytensor_ext.cpu``
and ``pytensor_ext.gpu``.  Kernels take and return arrays; they do not
validate user input (the op layer does) beyond what NumPy does.  They work on
CuPy arrays too (through ``_xp``), which keeps this file a usable fallback on
the GPU.

Conventions:
- ``*_fwd(x, ...)`` returns a new array; ``*_bwd(saved, gy, ...)`` returns
  the input gradient.  ``dim`` may be negative.
- ``index_add`` / ``scatter_add`` accumulate *into* ``target`` (modified in
  place) and return it; repeated indices accumulate.
"""
import functools
import math

import numpy as np

KERNEL_NAMES = (
    "sum_to_shape",
    "softmax_fwd", "softmax_bwd", "log_softmax_fwd", "log_softmax_bwd",
    "relu_fwd", "relu_bwd", "sigmoid_fwd", "sigmoid_bwd", "tanh_fwd",
    "tanh_bwd", "gelu_fwd", "gelu_bwd", "silu_fwd", "silu_bwd",
    "erf_fwd", "erfc_fwd", "index_add", "scatter_add",
)


def _xp(x):
    # NumPy scalars (np.float32(1.0), what indexing a 0-d array gives) and
    # ndarray subclasses are NumPy too; anything else is taken for CuPy.
    if x.__class__ is np.ndarray or isinstance(x, (np.ndarray, np.generic)):
        return np
    import cupy
    return cupy


def sum_to_shape(x, shape):
    """Sum ``x`` down to ``shape`` (the reverse of broadcasting).

    Args:
        x: array whose shape broadcasts from ``shape``.
        shape: the target shape (tuple).

    Returns:
        An array of exactly ``shape`` and ``x.dtype``.
    """
    shape = tuple(shape)
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape)
        if s == 1 and x.shape[lead + i] != 1)
    y = x.sum(axis=axes, keepdims=True) if axes else x
    if lead:
        y = y.reshape(y.shape[lead:])
    return y.reshape(shape)


# --- softmax family -----------------------------------------------------
def _zero_d(fn):
    """Softmax-family kernels on a 0-d array (PyTorch allows ``dim`` 0 or
    -1 there) run on a 1-element vector."""
    @functools.wraps(fn)
    def wrapper(*args):
        *arrays, dim = args
        if arrays[0].ndim == 0:
            if dim not in (0, -1):
                raise IndexError(
                    f"{fn.__name__}: Dimension out of range (expected to be "
                    f"in range of [-1, 0], but got {dim})")
            return fn(*[a.reshape(1) for a in arrays], 0).reshape(())
        return fn(*args)
    return wrapper


@_zero_d
def softmax_fwd(x, dim):
    """``exp(x - max) / sum(exp(x - max))`` along ``dim``."""
    xp = _xp(x)
    if x.size == 0:
        return xp.empty_like(x)
    m = x.max(axis=dim, keepdims=True)
    e = xp.exp(x - m)
    return e / e.sum(axis=dim, keepdims=True)


@_zero_d
def softmax_bwd(y, gy, dim):
    """Gradient of softmax: ``y * (gy - sum(gy * y))`` along ``dim``."""
    return y * (gy - (gy * y).sum(axis=dim, keepdims=True))


@_zero_d
def log_softmax_fwd(x, dim):
    """``x - max - log(sum(exp(x - max)))`` along ``dim``."""
    xp = _xp(x)
    if x.size == 0:
        return xp.empty_like(x)
    m = x.max(axis=dim, keepdims=True)
    s = x - m
    return s - xp.log(xp.exp(s).sum(axis=dim, keepdims=True))


@_zero_d
def log_softmax_bwd(y, gy, dim):
    """Gradient of log-softmax: ``gy - exp(y) * sum(gy)`` along ``dim``."""
    xp = _xp(y)
    return gy - xp.exp(y) * gy.sum(axis=dim, keepdims=True)


# --- fused activations ----------------------------------------------------
def relu_fwd(x):
    """``max(x, 0)`` (NaN stays NaN)."""
    xp = _xp(x)
    return xp.where(x > 0, x, xp.where(x != x, x, 0)).astype(x.dtype)


def relu_bwd(y, gy):
    """``gy`` where the output is positive, else 0 (0 at the kink)."""
    xp = _xp(y)
    return xp.where(y > 0, gy, 0).astype(gy.dtype)


def sigmoid_fwd(x):
    """``1 / (1 + exp(-x))``, stable for large |x|."""
    xp = _xp(x)
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


def sigmoid_bwd(y, gy):
    """``gy * y * (1 - y)`` from the output."""
    return gy * y * (1 - y)


def tanh_fwd(x):
    return _xp(x).tanh(x)


def tanh_bwd(y, gy):
    """``gy * (1 - y**2)`` from the output."""
    return gy * (1 - y * y)


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _np_special(fn, x):
    """``fn`` (math.erf or math.erfc) per element of a NumPy array or
    scalar (NumPy has no ufunc for them), exact to double precision; 0-d in,
    0-d array out."""
    x = np.asarray(x)
    if not x.size:
        return x.copy()
    y = np.frompyfunc(fn, 1, 1)(x.astype(np.float64))
    return np.asarray(y, dtype=np.float64).astype(x.dtype)


def erf_fwd(x):
    """The error function, elementwise."""
    xp = _xp(x)
    if xp is np:
        return _np_special(math.erf, x)
    import cupyx.scipy.special as sp
    return sp.erf(x)


def erfc_fwd(x):
    """The complementary error function ``1 - erf(x)``, accurate for large
    x (computed directly, not as 1 - erf)."""
    xp = _xp(x)
    if xp is np:
        return _np_special(math.erfc, x)
    import cupyx.scipy.special as sp
    return sp.erfc(x)


def _check_approximate(name, approximate):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"{name}: approximate must be 'none' or 'tanh', "
                         f"got {approximate!r}")


def gelu_fwd(x, approximate):
    """GELU: ``x * Phi(x)`` (``approximate="none"``) or the tanh form."""
    _check_approximate("gelu_fwd", approximate)
    xp = _xp(x)
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)
        return (0.5 * x * (1 + xp.tanh(inner))).astype(x.dtype)
    return (0.5 * x * (1 + erf_fwd(x * _INV_SQRT_2))).astype(x.dtype)


def gelu_bwd(x, gy, approximate):
    """Gradient of GELU w.r.t. its input."""
    _check_approximate("gelu_bwd", approximate)
    xp = _xp(x)
    if approximate == "tanh":
        x3 = x * x * x
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * x3)
        t = xp.tanh(inner)
        d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
        g = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * d_inner
        return (gy * g).astype(gy.dtype)
    cdf = 0.5 * (1 + erf_fwd(x * _INV_SQRT_2))
    pdf = _INV_SQRT_2PI * xp.exp(-0.5 * x * x)
    return (gy * (cdf + x * pdf)).astype(gy.dtype)


def silu_fwd(x):
    """``x * sigmoid(x)``."""
    return (x * sigmoid_fwd(x)).astype(x.dtype)


def silu_bwd(x, gy):
    """``gy * s * (1 + x * (1 - s))`` with ``s = sigmoid(x)``."""
    s = sigmoid_fwd(x)
    return (gy * s * (1 + x * (1 - s))).astype(gy.dtype)


# --- scatter-add (backward of indexing, gather, embedding) ---------------
def _check_index(name, index, n, axis):
    """Indices must lie in ``[-n, n)`` (negative ones count from the end, as
    in NumPy); checked before anything is written."""
    if index.dtype.kind not in "iu":
        raise TypeError(f"{name}: index must be an integer array, got "
                        f"{index.dtype}")
    if index.size:
        lo, hi = int(index.min()), int(index.max())
        if lo < -n or hi >= n:
            bad = lo if lo < -n else hi
            raise IndexError(f"{name}: index {bad} is out of bounds for "
                             f"dimension {axis} with size {n}")


def _wrap_axis(name, axis, ndim):
    """``axis`` in ``[0, ndim)``; a 0-d target has no axis to scatter along
    (``axis % 0`` would raise ZeroDivisionError)."""
    if ndim == 0:
        raise IndexError(f"{name}: expected a target with at least one "
                         "dimension, got a 0-d array")
    return axis % ndim


def index_add(target, axis, index, src):
    """``target.index_add_(axis, index, src)``: for each i,
    ``target[..., index[i], ...] += src[..., i, ...]`` along ``axis``
    (repeated indices accumulate).  Modifies and returns ``target``."""
    xp = _xp(target)
    axis = _wrap_axis("index_add", axis, target.ndim)
    _check_index("index_add", index, target.shape[axis], axis)
    t = xp.moveaxis(target, axis, 0)
    s = xp.moveaxis(src, axis, 0)
    if xp is np:
        np.add.at(t, index, s)
    else:
        import cupyx
        cupyx.scatter_add(t, index, s)
    return target


def scatter_add(target, axis, index, src):
    """``target.scatter_add_(axis, index, src)``: ``target[index[i][j]][j]
    += src[i][j]`` for ``axis=0`` (and likewise for other axes); ``index``
    has the shape of ``src`` (or smaller, using its leading region).
    Modifies and returns ``target``."""
    xp = _xp(target)
    axis = _wrap_axis("scatter_add", axis, target.ndim)
    _check_index("scatter_add", index, target.shape[axis], axis)
    idx = list(xp.indices(index.shape, sparse=True))
    idx[axis] = index
    s = src[tuple(slice(0, n) for n in index.shape)]
    if xp is np:
        np.add.at(target, tuple(idx), s)
    else:
        import cupyx
        cupyx.scatter_add(target, tuple(idx), s)
    return target


# --- convolution and pooling (NCHW) ---------------------------------------
# Geometry shared by these kernels: ``kernel_size``, ``stride``, ``padding``
# and ``dilation`` are pairs ``(h, w)``.  ``padding`` is the number of zero
# (or -inf) rows/columns *before* the first input row/column; how far the
# windows reach past the end is set by the number of windows, ``blocks``
# (``(bh, bw)``), which the caller computes (symmetric padding, "same",
# ceil_mode and output_padding all reduce to this form).  Window ``(oh, ow)``
# covers input rows ``oh * sh - ph + i * dh`` for ``i < kh`` (columns
# likewise); positions outside the input read as padding.
#
# Column layouts of im2col/col2im (``K = C * kh * kw``, ``L = bh * bw``):
#   "nkl": (N, K, L)       what F.unfold returns;
#   "knl": (K, N * L)      the whole batch as one GEMM operand: the
#                          convolution is ``W (O, K) @ cols (K, N * L)``.
KERNEL_NAMES = KERNEL_NAMES + (
    "im2col", "col2im", "max_pool2d_fwd", "max_pool2d_bwd",
    "adaptive_max_pool2d_fwd", "avg_pool2d_fwd", "avg_pool2d_bwd",
    "adaptive_avg_pool2d_fwd", "adaptive_avg_pool2d_bwd",
)


def _window_slices(k, s, d, b):
    """For each kernel offset ``i < k``: the slice of the padded axis that
    the ``b`` windows read at that offset."""
    return [slice(i * d, i * d + (b - 1) * s + 1, s) for i in range(k)]


def _extent(image_size, padding, kernel_size, stride, dilation, blocks):
    """Rows and columns of a padded frame that holds the input (at offset
    ``padding``) and every window."""
    out = []
    for size, p, k, s, d, b in zip(image_size, padding, kernel_size, stride,
                                   dilation, blocks):
        out.append(max(p + size, (b - 1) * s + (k - 1) * d + 1 if b else 0))
    return tuple(out)


def _padded(x, padding, kernel_size, stride, dilation, blocks, fill):
    """``x`` (N, C, H, W) inside a frame of ``fill`` large enough for every
    window."""
    xp = _xp(x)
    n, c, h, w = x.shape
    ph, pw = padding
    hp, wp = _extent((h, w), padding, kernel_size, stride, dilation, blocks)
    out = xp.full((n, c, hp, wp), fill, dtype=x.dtype)
    out[:, :, ph:ph + h, pw:pw + w] = x
    return out


def im2col(x, kernel_size, stride, padding, dilation, blocks, layout="nkl"):
    """Sliding-window columns of ``x`` (N, C, H, W) (``F.unfold``).

    Args:
        x: (N, C, H, W).
        kernel_size, stride, padding, dilation: pairs (see above).
        blocks: ``(bh, bw)``, the number of windows along each axis.
        layout: ``"nkl"`` -> (N, C*kh*kw, bh*bw); ``"knl"`` ->
            (C*kh*kw, N*bh*bw).  Row ``(c * kh + i) * kw + j`` holds
            kernel offset ``(i, j)`` of channel ``c``.

    Returns:
        A new array of ``x.dtype``; padding reads as 0.
    """
    xp = _xp(x)
    n, c = x.shape[:2]
    (kh, kw), (bh, bw) = kernel_size, blocks
    xpad = _padded(x, padding, kernel_size, stride, dilation, blocks, 0)
    rows = _window_slices(kh, stride[0], dilation[0], bh)
    cols_ = _window_slices(kw, stride[1], dilation[1], bw)
    out = xp.empty((n, c, kh, kw, bh, bw), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, :, i, j] = xpad[:, :, rows[i], cols_[j]]
    if layout == "nkl":
        return out.reshape(n, c * kh * kw, bh * bw)
    return xp.ascontiguousarray(out.transpose(1, 2, 3, 0, 4, 5)).reshape(
        c * kh * kw, n * bh * bw)


def col2im(cols, image_size, kernel_size, stride, padding, dilation, blocks,
           layout="nkl"):
    """The adjoint of :func:`im2col` (``F.fold``): every column entry is
    added to the input position it was read from (overlaps accumulate,
    padding positions are dropped).

    Args:
        cols: (N, C*kh*kw, bh*bw) for ``"nkl"``, (C*kh*kw, N*bh*bw) for
            ``"knl"``.
        image_size: ``(H, W)`` of the result.

    Returns:
        A new (N, C, H, W) array of ``cols.dtype``.
    """
    xp = _xp(cols)
    (kh, kw), (bh, bw) = kernel_size, blocks
    (ph, pw), (h, w) = padding, image_size
    big_l = bh * bw
    if layout == "nkl":
        n, k = cols.shape[0], cols.shape[1]
        c = k // (kh * kw)
        blk = cols.reshape(n, c, kh, kw, bh, bw)
    else:
        k = cols.shape[0]
        c = k // (kh * kw)
        n = cols.shape[1] // big_l if big_l else 0
        blk = cols.reshape(c, kh, kw, n, bh, bw).transpose(3, 0, 1, 2, 4, 5)
    ext = _extent((h, w), padding, kernel_size, stride, dilation, blocks)
    acc = xp.zeros((n, c) + ext, dtype=cols.dtype)
    rows = _window_slices(kh, stride[0], dilation[0], bh)
    cols_ = _window_slices(kw, stride[1], dilation[1], bw)
    for i in range(kh):
        for j in range(kw):
            acc[:, :, rows[i], cols_[j]] += blk[:, :, i, j]
    return xp.ascontiguousarray(acc[:, :, ph:ph + h, pw:pw + w])


def _lowest(dtype):
    if dtype.kind == "f":
        return -np.inf
    if dtype.kind == "b":
        return False
    return np.iinfo(dtype).min


def _first_max(vals, valid, xp):
    """Index along axis 2 of the maximum of ``vals`` among ``valid``
    positions, with PyTorch's CPU rule: the first maximum in scan order,
    but a NaN wins and the last NaN wins over earlier ones."""
    lowest = _lowest(vals.dtype)
    v = xp.where(valid, vals, lowest)
    if vals.dtype.kind == "f":
        nan = xp.isnan(v) & valid
        k = v.shape[2]
        last_nan = k - 1 - xp.argmax(nan[:, :, ::-1], axis=2)
        has_nan = nan.any(axis=2)
    m = v.max(axis=2, keepdims=True)
    # A window of only ``lowest`` values keeps its first valid position.
    first = xp.argmax((v == m) & valid, axis=2)
    if vals.dtype.kind == "f":
        first = xp.where(has_nan, last_nan, first)
    return first


def max_pool2d_fwd(x, kernel_size, stride, padding, dilation, blocks):
    """Max pooling of ``x`` (N, C, H, W) with ``blocks`` windows.

    Returns:
        ``(values, indices)``: (N, C, bh, bw) of ``x.dtype``, and int64 flat
        indices ``h * W + w`` into each input plane (PyTorch's
        ``return_indices``).  Ties go to the first position in scan order
        (rows, then columns); a NaN wins, the last NaN over earlier ones.
    """
    xp = _xp(x)
    n, c, h, w = x.shape
    (kh, kw), (bh, bw) = kernel_size, blocks
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    # Row/column of every (window, offset) pair, and whether it is inside.
    r = xp.arange(bh)[:, None] * sh - ph + xp.arange(kh)[None, :] * dh
    q = xp.arange(bw)[:, None] * sw - pw + xp.arange(kw)[None, :] * dw
    rv, qv = (r >= 0) & (r < h), (q >= 0) & (q < w)
    rc, qc = xp.clip(r, 0, max(h - 1, 0)), xp.clip(q, 0, max(w - 1, 0))
    # vals[n, c, i*kw + j, oh, ow] = x[n, c, r[oh, i], q[ow, j]]
    ri = rc.T[:, None, :, None]                    # (kh, 1, bh, 1)
    qi = qc.T[None, :, None, :]                    # (1, kw, 1, bw)
    if x.size:
        vals = x[:, :, ri, qi].reshape(n, c, kh * kw, bh, bw)
    else:
        vals = xp.zeros((n, c, kh * kw, bh, bw), dtype=x.dtype)
    valid = (rv.T[:, None, :, None] & qv.T[None, :, None, :]).reshape(
        1, 1, kh * kw, bh, bw)
    k = _first_max(vals, valid, xp)                 # (n, c, bh, bw)
    ki, kj = k // kw, k % kw
    oh = xp.arange(bh)[:, None]
    ow = xp.arange(bw)[None, :]
    rows = oh * sh - ph + ki * dh
    colz = ow * sw - pw + kj * dw
    idx = (rows * w + colz).astype(np.int64)
    # A window with no input element (possible with ceil_mode, padding and
    # dilation) gives the lowest value and, as PyTorch computes it, the
    # index of its first offset at or after row/column 0, even when that
    # lies past the input (max_pool2d_bwd ignores such indices).
    # (Computed for every window, without a data-dependent branch: no
    # device-to-host read when this runs on CuPy arrays.)
    none = ~valid.any(axis=2)[0, 0]
    fh = xp.arange(bh) * sh - ph
    fh = fh + (-(fh.clip(None, 0)) + dh - 1) // dh * dh
    fw = xp.arange(bw) * sw - pw
    fw = fw + (-(fw.clip(None, 0)) + dw - 1) // dw * dw
    idx = xp.where(none, fh[:, None] * w + fw[None, :], idx)
    values = xp.take_along_axis(
        xp.where(valid, vals, _lowest(x.dtype)).astype(x.dtype),
        k[:, :, None], axis=2)[:, :, 0]
    return values, idx


def max_pool2d_bwd(gy, indices, image_size):
    """Gradient of max pooling: ``gy`` (N, C, bh, bw) added at the flat
    plane positions ``indices`` of a zero (N, C, H, W) array (windows that
    share an argmax accumulate; indices outside ``[0, H*W)``, which only
    windows without any input element produce, are ignored)."""
    xp = _xp(gy)
    n, c = gy.shape[:2]
    h, w = image_size
    gx = xp.zeros((n * c, h * w), dtype=gy.dtype)
    rows = xp.repeat(xp.arange(n * c), gy.shape[2] * gy.shape[3])
    g, idx = gy.reshape(-1), indices.reshape(-1)
    # Out-of-plane indices add 0 at a clipped position (no boolean-mask
    # indexing: that would read the mask back from a device).
    keep = (idx >= 0) & (idx < h * w)
    g = xp.where(keep, g, 0).astype(gy.dtype, copy=False)
    idx = xp.clip(idx, 0, max(h * w - 1, 0))
    if xp is np:
        np.add.at(gx, (rows, idx), g)
    else:
        import cupyx
        cupyx.scatter_add(gx, (rows, idx), g)
    return gx.reshape(n, c, h, w)


def adaptive_windows(in_size, out_size):
    """PyTorch's adaptive pooling windows: output ``i`` covers
    ``[floor(i * in / out), ceil((i + 1) * in / out))``."""
    i = np.arange(out_size)
    start = (i * in_size) // out_size
    end = -((-(i + 1) * in_size) // out_size)
    return start, end


def adaptive_max_pool2d_fwd(x, blocks):
    """Adaptive max pooling of ``x`` (N, C, H, W) to ``blocks`` (bh, bw).

    Returns:
        ``(values, indices)`` as :func:`max_pool2d_fwd` (same tie rule).
    """
    xp = _xp(x)
    n, c, h, w = x.shape
    bh, bw = blocks
    hs, he = adaptive_windows(h, bh)
    ws, we = adaptive_windows(w, bw)
    values = xp.empty((n, c, bh, bw), dtype=x.dtype)
    idx = xp.empty((n, c, bh, bw), dtype=np.int64)
    for oh in range(bh):
        for ow in range(bw):
            win = x[:, :, hs[oh]:he[oh], ws[ow]:we[ow]]
            kh, kw = win.shape[2], win.shape[3]
            vals = win.reshape(n, c, kh * kw, 1, 1)
            k = _first_max(vals, xp.ones((1, 1, kh * kw, 1, 1), bool), xp)
            k = k[:, :, 0, 0]
            values[:, :, oh, ow] = xp.take_along_axis(
                vals[:, :, :, 0, 0], k[:, :, None], axis=2)[:, :, 0]
            idx[:, :, oh, ow] = (hs[oh] + k // kw) * w + ws[ow] + k % kw
    return values, idx


def _avg_divisors(image_size, kernel_size, stride, padding, blocks,
                  count_include_pad, divisor_override):
    """Per-window divisor (bh, bw) and, per axis, the window bounds clipped
    to the input, as PyTorch's CPU kernel computes them."""
    out = []
    for ax in range(2):
        size, k, s, p, b = (image_size[ax], kernel_size[ax], stride[ax],
                            padding[ax], blocks[ax])
        start = np.arange(b) * s - p
        end = np.minimum(start + k, size + p)
        span = end - start                       # counting padding
        lo, hi = np.maximum(start, 0), np.minimum(end, size)
        out.append((span, lo, hi))
    (sh_, lh, hh), (sw_, lw, hw) = out
    if divisor_override:
        div = np.full((blocks[0], blocks[1]), divisor_override, np.int64)
    elif count_include_pad:
        div = sh_[:, None] * sw_[None, :]
    else:
        div = (hh - lh)[:, None] * (hw - lw)[None, :]
    return div, (lh, hh), (lw, hw)


def avg_pool2d_fwd(x, kernel_size, stride, padding, blocks,
                   count_include_pad=True, divisor_override=None):
    """Average pooling of ``x`` (N, C, H, W) with ``blocks`` windows.

    The divisor follows PyTorch: ``divisor_override`` if given, else the
    window size clipped to the padded input (``count_include_pad``) or to
    the input.  Windows with no input element give 0.  Integer inputs sum
    in int64 and divide truncating toward zero (as C++ does).
    """
    xp = _xp(x)
    n, c, h, w = x.shape
    div, (lh, hh), (lw, hw) = _avg_divisors(
        (h, w), kernel_size, stride, padding, blocks, count_include_pad,
        divisor_override)
    bh, bw = blocks
    acc_t = x.dtype if x.dtype.kind == "f" else np.int64
    out = xp.zeros((n, c, bh, bw), dtype=x.dtype)
    for oh in range(bh):
        for ow in range(bw):
            if lh[oh] >= hh[oh] or lw[ow] >= hw[ow]:
                continue
            win = x[:, :, lh[oh]:hh[oh], lw[ow]:hw[ow]].astype(acc_t)
            s = win.sum(axis=(2, 3))
            d = int(div[oh, ow])
            if x.dtype.kind == "f":
                out[:, :, oh, ow] = s / x.dtype.type(d)
            else:
                out[:, :, oh, ow] = _trunc_div(s, d, xp)
    return out


def avg_pool2d_bwd(gy, image_size, kernel_size, stride, padding,
                   count_include_pad=True, divisor_override=None):
    """Gradient of :func:`avg_pool2d_fwd`: each window's ``gy / divisor``
    added to the input positions it covers; ``blocks`` is ``gy``'s
    spatial shape."""
    xp = _xp(gy)
    n, c, bh, bw = gy.shape
    h, w = image_size
    div, (lh, hh), (lw, hw) = _avg_divisors(
        (h, w), kernel_size, stride, padding, (bh, bw), count_include_pad,
        divisor_override)
    gx = xp.zeros((n, c, h, w), dtype=gy.dtype)
    for oh in range(bh):
        for ow in range(bw):
            if lh[oh] >= hh[oh] or lw[ow] >= hw[ow]:
                continue
            g = gy[:, :, oh, ow] / gy.dtype.type(div[oh, ow])
            gx[:, :, lh[oh]:hh[oh], lw[ow]:hw[ow]] += g[:, :, None, None]
    return gx


def adaptive_avg_pool2d_fwd(x, blocks):
    """Adaptive average pooling of float ``x`` (N, C, H, W) to ``blocks``
    (bh, bw): each window's sum divided by its height, then by its width
    (PyTorch's order of the two roundings)."""
    xp = _xp(x)
    n, c, h, w = x.shape
    bh, bw = blocks
    hs, he = adaptive_windows(h, bh)
    ws, we = adaptive_windows(w, bw)
    out = xp.empty((n, c, bh, bw), dtype=x.dtype)
    for oh in range(bh):
        for ow in range(bw):
            s = x[:, :, hs[oh]:he[oh], ws[ow]:we[ow]].sum(axis=(2, 3))
            out[:, :, oh, ow] = (s / x.dtype.type(he[oh] - hs[oh])
                                 / x.dtype.type(we[ow] - ws[ow]))
    return out


def adaptive_avg_pool2d_bwd(gy, image_size):
    """Gradient of :func:`adaptive_avg_pool2d_fwd`."""
    xp = _xp(gy)
    n, c, bh, bw = gy.shape
    h, w = image_size
    hs, he = adaptive_windows(h, bh)
    ws, we = adaptive_windows(w, bw)
    gx = xp.zeros((n, c, h, w), dtype=gy.dtype)
    for oh in range(bh):
        for ow in range(bw):
            g = (gy[:, :, oh, ow] / gy.dtype.type(he[oh] - hs[oh])
                 / gy.dtype.type(we[ow] - ws[ow]))
            gx[:, :, hs[oh]:he[oh], ws[ow]:we[ow]] += g[:, :, None, None]
    return gx


def _trunc_div(s, d, xp):
    """Integer division rounding toward zero (C++'s ``/``)."""
    q = xp.abs(s) // abs(int(d))
    return xp.where((s < 0) != (d < 0), -q, q)


# --- normalization --------------------------------------------------------
KERNEL_NAMES = KERNEL_NAMES + (
    "layer_norm_fwd", "layer_norm_bwd", "batch_norm_fwd", "batch_norm_bwd",
    "lstm_cell_fwd", "lstm_cell_bwd", "gru_cell_fwd", "gru_cell_bwd",
)


def layer_norm_fwd(x, weight, bias, eps):
    """Normalize each row of ``x`` (``(M, N)``) to zero mean and unit
    (biased) variance, then ``* weight + bias``.

    Args:
        x: ``(M, N)`` float array.
        weight, bias: ``(N,)`` arrays or None.
        eps (float): added to the variance.

    Returns:
        ``(y, mean, rstd)``: ``y`` of ``x``'s shape, ``mean`` and
        ``rstd = 1 / sqrt(var + eps)`` of shape ``(M,)``.
    """
    xp = _xp(x)
    M, N = x.shape
    if N == 0:
        y = xp.empty_like(x)
        nan = xp.full((M,), xp.nan, x.dtype)
        return y, nan, nan.copy()
    mean = x.mean(axis=1)
    xc = x - mean[:, None]
    var = (xc * xc).mean(axis=1)
    rstd = (1 / xp.sqrt(var + eps)).astype(x.dtype)
    y = xc * rstd[:, None]
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y.astype(x.dtype), mean.astype(x.dtype), rstd


def layer_norm_bwd(gy, x, mean, rstd, weight, output_mask):
    """Gradients of :func:`layer_norm_fwd`.

    Args:
        gy, x: ``(M, N)``; mean, rstd: ``(M,)`` as returned by the forward;
        weight: ``(N,)`` or None.
        output_mask: three bools: which of ``(gx, gweight, gbias)`` to
            compute (the others are None).

    Returns:
        ``(gx, gweight, gbias)``.
    """
    xp = _xp(x)
    M, N = x.shape
    xhat = (x - mean[:, None]) * rstd[:, None]
    gx = gw = gb = None
    if output_mask[0]:
        g = gy * weight if weight is not None else gy
        if N == 0:
            gx = xp.empty_like(x)
        else:
            m1 = g.mean(axis=1, keepdims=True)
            m2 = (g * xhat).mean(axis=1, keepdims=True)
            gx = ((g - m1 - xhat * m2) * rstd[:, None]).astype(x.dtype)
    if output_mask[1]:
        gw = (gy * xhat).sum(axis=0).astype(x.dtype)
    if output_mask[2]:
        gb = gy.sum(axis=0).astype(x.dtype)
    return gx, gw, gb


def batch_norm_fwd(x, weight, bias, running_mean, running_var, training,
                   momentum, eps):
    """Batch normalization over the channels of ``x`` (``(N, C, L)``).

    In training, each channel is normalized with its batch mean and
    (biased) variance over the N and L axes, and ``running_mean`` /
    ``running_var`` (when given) are updated *in place* with
    ``(1 - momentum) * running + momentum * batch``, the variance taken
    unbiased (``n / (n - 1)``) as PyTorch does.  Otherwise the running
    statistics normalize.

    Args:
        x: ``(N, C, L)`` float array.
        weight, bias: ``(C,)`` or None.
        running_mean, running_var: ``(C,)`` or None (required when not
            training).
        training (bool), momentum (float), eps (float).

    Returns:
        ``(y, save_mean, save_invstd)``, the last two of shape ``(C,)``:
        what the backward needs.
    """
    xp = _xp(x)
    N, C, L = x.shape
    n = N * L
    if training:
        if n == 0:
            mean = xp.zeros((C,), x.dtype)
            var = xp.zeros((C,), x.dtype)
        else:
            mean = x.mean(axis=(0, 2))
            xc = x - mean[None, :, None]
            var = (xc * xc).mean(axis=(0, 2))
        # PyTorch's order of operations (momentum * batch first), with an
        # empty batch leaving the statistics alone.
        if running_mean is not None and n > 0:
            running_mean[...] = momentum * mean + (1 - momentum) * running_mean
        if running_var is not None and n > 0:
            with np.errstate(divide="ignore", invalid="ignore"):
                # (a scalar of var's dtype: no host array on a GPU)
                unbiased = var * n / var.dtype.type(n - 1)
            running_var[...] = (momentum * unbiased
                                + (1 - momentum) * running_var)
    else:
        mean = running_mean
        var = running_var
    invstd = (1 / xp.sqrt(var + eps)).astype(x.dtype)
    scale = invstd if weight is None else invstd * weight
    shift = -mean * scale
    if bias is not None:
        shift = shift + bias
    y = x * scale[None, :, None] + shift[None, :, None]
    return y.astype(x.dtype), mean.astype(x.dtype).copy(), invstd


def batch_norm_bwd(gy, x, weight, save_mean, save_invstd, training,
                   output_mask):
    """Gradients of :func:`batch_norm_fwd` (``output_mask`` as in
    :func:`layer_norm_bwd`); in training the batch statistics depend on
    ``x``, otherwise they are constants."""
    N, C, L = x.shape
    n = N * L
    xhat = (x - save_mean[None, :, None]) * save_invstd[None, :, None]
    gx = gw = gb = None
    sum_gy = gy.sum(axis=(0, 2))
    sum_gy_xhat = (gy * xhat).sum(axis=(0, 2))
    if output_mask[0]:
        scale = save_invstd if weight is None else save_invstd * weight
        if training and n > 0:
            gx = (gy - (sum_gy / n)[None, :, None]
                  - xhat * (sum_gy_xhat / n)[None, :, None]) \
                * scale[None, :, None]
        else:
            gx = gy * scale[None, :, None]
        gx = gx.astype(x.dtype)
    if output_mask[1]:
        gw = sum_gy_xhat.astype(x.dtype)
    if output_mask[2]:
        gb = sum_gy.astype(x.dtype)
    return gx, gw, gb


# --- recurrent cells ------------------------------------------------------
def _write(out, i, value):
    if out is None:
        return value
    out[i][...] = value
    return out[i]


def lstm_cell_fwd(gx, gh, c_prev, out=None):
    """One LSTM step from its gate pre-activations, PyTorch's gate order
    (input, forget, cell, output).

    Args:
        gx: ``(B, 4H)``, ``x @ W_ih.T + b_ih (+ b_hh)``.
        gh: ``(B, 4H)``, ``h @ W_hh.T (+ b_hh)``, or None.
        c_prev: ``(B, H)``, the previous cell state.
        out: optional ``(h, c, acts)`` arrays to write the results into.

    Returns:
        ``(h, c, acts)``: ``c = f * c_prev + i * g``, ``h = o * tanh(c)``,
        and the activated gates ``acts = [i, f, g, o]`` (``(B, 4H)``)
        which :func:`lstm_cell_bwd` needs.
    """
    xp = _xp(gx)
    H = c_prev.shape[1]
    pre = gx if gh is None else gx + gh
    i = sigmoid_fwd(pre[:, :H])
    f = sigmoid_fwd(pre[:, H:2 * H])
    g = xp.tanh(pre[:, 2 * H:3 * H])
    o = sigmoid_fwd(pre[:, 3 * H:])
    c = f * c_prev + i * g
    h = o * xp.tanh(c)
    acts = xp.concatenate([i, f, g, o], axis=1)
    return _write(out, 0, h), _write(out, 1, c), _write(out, 2, acts)


def lstm_cell_bwd(acts, c_prev, c, gh, gc, out=None):
    """Backward of :func:`lstm_cell_fwd`.

    Args:
        acts: ``(B, 4H)`` activated gates; c_prev, c: ``(B, H)``.
        gh, gc: gradients of ``h`` and ``c`` (``(B, H)``), either None
            (zero).
        out: optional ``(dgates, dc_prev)`` arrays to write into.

    Returns:
        ``(dgates, dc_prev)``: the gradient of the gate pre-activations
        (``(B, 4H)``) and of ``c_prev``.
    """
    xp = _xp(acts)
    H = c.shape[1]
    i, f, g, o = (acts[:, k * H:(k + 1) * H] for k in range(4))
    tc = xp.tanh(c)
    if gh is None:
        gh = xp.zeros_like(c)
    dc = gh * o * (1 - tc * tc)
    if gc is not None:
        dc = dc + gc
    dgates = xp.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                             dc * i * (1 - g * g), gh * tc * o * (1 - o)],
                            axis=1)
    return _write(out, 0, dgates), _write(out, 1, dc * f)


def gru_cell_fwd(gx, gh, h_prev, out=None):
    """One GRU step, PyTorch's gate order (reset, update, new).

    Args:
        gx: ``(B, 3H)``, ``x @ W_ih.T + b_ih``.
        gh: ``(B, 3H)``, ``h @ W_hh.T + b_hh`` (the reset gate scales its
            new-gate part, so it cannot be folded into ``gx``).
        h_prev: ``(B, H)``.
        out: optional ``(h, ws)`` arrays to write into.

    Returns:
        ``(h, ws)``: ``h = (h_prev - n) * z + n`` and the workspace
        ``ws = [r, z, n, gh_n]`` (``(B, 4H)``) for :func:`gru_cell_bwd`.
    """
    xp = _xp(gx)
    H = h_prev.shape[1]
    r = sigmoid_fwd(gx[:, :H] + gh[:, :H])
    z = sigmoid_fwd(gx[:, H:2 * H] + gh[:, H:2 * H])
    ghn = gh[:, 2 * H:]
    n = xp.tanh(gx[:, 2 * H:] + r * ghn)
    h = (h_prev - n) * z + n
    ws = xp.concatenate([r, z, n, ghn], axis=1)
    return _write(out, 0, h), _write(out, 1, ws)


def gru_cell_bwd(ws, h_prev, gh, out=None):
    """Backward of :func:`gru_cell_fwd`.

    Args:
        ws: ``(B, 4H)`` workspace of the forward; h_prev: ``(B, H)``;
        gh: ``(B, H)``, the gradient of ``h``.
        out: optional ``(dgx, dgh, dh_prev)`` arrays to write into.

    Returns:
        ``(dgx, dgh, dh_prev)``: gradients of ``gx`` and ``gh``
        (``(B, 3H)``) and the direct part ``gh * z`` of ``h_prev``'s
        gradient (the part through ``gh`` is ``dgh @ W_hh``).
    """
    xp = _xp(ws)
    H = h_prev.shape[1]
    r, z, n, ghn = (ws[:, k * H:(k + 1) * H] for k in range(4))
    dn = gh * (1 - z) * (1 - n * n)
    dz = gh * (h_prev - n) * z * (1 - z)
    dr = dn * ghn * r * (1 - r)
    dgx = xp.concatenate([dr, dz, dn], axis=1)
    dgh = xp.concatenate([dr, dz, dn * r], axis=1)
    return (_write(out, 0, dgx), _write(out, 1, dgh),
            _write(out, 2, gh * z))


# --- a whole LSTM sequence --------------------------------------------------
KERNEL_NAMES = KERNEL_NAMES + ("lstm_seq_fwd", "lstm_seq_bwd")


def seq_rows(T, reverse):
    """``(steps, cur, prev)`` of a recurrent layer's loop: the steps in
    their order, and step ``t`` writes state row ``t + cur`` and reads row
    ``t + prev`` of the ``(T + 1, B, H)`` buffers (forward: row 0 holds the
    initial state; reverse: row ``T``).  Rows ``cur .. cur + T`` are then
    the outputs in time order; the backward runs ``reversed(steps)``."""
    if reverse:
        return range(T - 1, -1, -1), 0, 1
    return range(T), 1, 0


def lstm_seq_loop_fwd(A, Hs, Cs, w_hh, bias, reverse, cell):
    """:func:`lstm_seq_fwd` as a loop of one matrix product and one
    ``cell`` call (an ``lstm_cell_fwd``) per step, for any array module."""
    xp = _xp(A)
    if bias is not None:
        A += bias
    B, H = Hs.shape[1], Hs.shape[2]
    steps, cur, prev = seq_rows(A.shape[0], reverse)
    gh = xp.empty((B, 4 * H), A.dtype)
    w_t = w_hh.T
    for t in steps:
        xp.matmul(Hs[t + prev], w_t, out=gh)
        # The activated gates overwrite the pre-activations in A.
        cell(A[t], gh, Cs[t + prev], out=(Hs[t + cur], Cs[t + cur], A[t]))
    return Hs, Cs, A


def lstm_seq_loop_bwd(A, Hs, Cs, w_hh, g_out, dh, dc, dG, reverse, cell):
    """:func:`lstm_seq_bwd` as a loop of one ``cell`` call (an
    ``lstm_cell_bwd``) and one matrix product per step."""
    steps, cur, prev = seq_rows(A.shape[0], reverse)
    xp = _xp(A)
    for t in reversed(steps):
        dh += g_out[t]
        cell(A[t], Cs[t + prev], Cs[t + cur], dh, dc, out=(dG[t], dc))
        xp.matmul(dG[t], w_hh, out=dh)
    return dG, dh, dc


def lstm_seq_fwd(A, Hs, Cs, w_hh, bias=None, *, reverse=False, threads=0):
    """One direction of an LSTM layer over ``T`` steps, in place.

    Args:
        A: ``(T, B, 4H)`` gate pre-activations from the input
            (``x @ W_ih.T``); overwritten with the activated gates
            ``[i, f, g, o]`` that :func:`lstm_seq_bwd` needs.
        Hs, Cs: ``(T + 1, B, H)`` hidden and cell states; row 0 (row ``T``
            when ``reverse``) holds the initial state, the others are
            written.
        w_hh: ``(4H, H)``, the recurrent weight.
        bias: ``(4H,)`` (``b_ih + b_hh``) added to every step's ``A``, or
            None.
        reverse (bool): run the steps from ``T - 1`` down to 0.
        threads (int): threads to split the hidden units over; 0 lets the
            kernel choose (the reference runs on one).

    Returns:
        ``(Hs, Cs, A)``.
    """
    return lstm_seq_loop_fwd(A, Hs, Cs, w_hh, bias, reverse, lstm_cell_fwd)


def lstm_seq_bwd(A, Hs, Cs, w_hh, g_out, dh, dc, dG, *, reverse=False,
                 threads=0):
    """Backward through time of :func:`lstm_seq_fwd`, in place.

    Args:
        A, Hs, Cs, w_hh: as the forward left them.
        g_out: ``(T, B, H)``, the gradient of the output ``h`` of each step.
        dh, dc: ``(B, H)``, the gradients of the last ``h`` and ``c``;
            overwritten with the gradients of the initial ones.
        dG: ``(T, B, 4H)``, written with the gradients of the gate
            pre-activations (from which the op takes the weight gradients).
        reverse, threads: as for the forward.

    Returns:
        ``(dG, dh, dc)``.
    """
    return lstm_seq_loop_bwd(A, Hs, Cs, w_hh, g_out, dh, dc, dG, reverse,
                             lstm_cell_bwd)


# =========================================================================
# Optimizer updates (pytensor.optim)
#
# One fused, in-place update per parameter.  Each reproduces the
# single-tensor ("foreach=False") path of PyTorch 2.13's optimizer one
# PyTorch op at a time, in the same order and with the same rounding:
# float32 and float64 are computed in their own type (every arithmetic
# operation rounded once), with the Python-float hyper-parameters cast to
# that type as PyTorch's CPU kernels cast them; float16 is computed in
# float32 with float32 hyper-parameters and rounded to float16 once per
# PyTorch op, as PyTorch's kernels for reduced-precision types do.  The
# compiled kernels in ``cpu/_optim.pyx`` and ``gpu/optim.py`` evaluate
# exactly these expressions per element (float32/float64), so they agree
# with this reference bit for bit.
#
# PyTorch itself can differ from these by an ulp here and there: its AVX2
# kernels contract some multiply-adds into FMAs (``lerp_``, ``addcmul_``,
# ``add(alpha=)``) and its ``sqrt`` (MKL VML) is not correctly rounded.
# =========================================================================
KERNEL_NAMES = KERNEL_NAMES + (
    "sgd_step", "adam_step", "rmsprop_step", "adagrad_step",
)


def _same(x):
    return x


def _opmath(a):
    """``(scalar type, up, down)`` for arrays of ``a``'s dtype: ``up``
    converts an operand to the type the arithmetic runs in and ``down``
    rounds an op's result back to the storage type (both the identity
    except for float16, computed in float32)."""
    if a.dtype == np.float16:
        def up(x):
            return x.astype(np.float32)

        def down(x):
            return x.astype(np.float16)
        return np.float32, up, down
    return a.dtype.type, _same, _same


def _lerp_(start, end, weight):
    """``start.lerp_(end, weight)`` for a Python-float weight, with
    PyTorch's two formulas (the weight is first cast to the op type)."""
    t, up, _ = _opmath(start)
    w = t(weight)
    s, e = up(start), up(end)
    if abs(w) < 0.5:
        start[...] = s + w * (e - s)
    else:
        start[...] = e - (e - s) * (t(1) - w)


def adam_scalars(lr, beta1, beta2, step):
    """``(step_size, bias_correction2_sqrt)`` of Adam's step ``step``,
    computed in Python floats exactly as PyTorch does."""
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    return lr / bias_correction1, bias_correction2 ** 0.5


def sgd_step(param, grad, momentum_buffer=None, *, lr, momentum=0.0,
             dampening=0.0, weight_decay=0.0, nesterov=False,
             maximize=False, first=False):
    """One SGD update of ``param`` in place (PyTorch's ``_single_tensor_sgd``).

    Args:
        param, grad: arrays of one shape and float dtype.
        momentum_buffer: the momentum buffer (same shape), updated in
            place; unused when ``momentum == 0``.
        first: the buffer is uninitialised: set it to the (decayed)
            gradient instead of averaging into it.
        lr, momentum, dampening, weight_decay, nesterov, maximize: as in
            ``optim.SGD``.
    """
    t, up, down = _opmath(param)
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = down(up(g) + t(weight_decay) * up(param))
    if momentum != 0:
        buf = momentum_buffer
        if first:
            buf[...] = g
        else:
            buf *= t(momentum)
            buf += t(1 - dampening) * up(g)
        if nesterov:
            g = down(up(g) + t(momentum) * up(buf))
        else:
            g = buf
    param += t(-lr) * up(g)
    return param


def adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq=None, *,
              lr, beta1, beta2, eps, weight_decay, step, amsgrad=False,
              maximize=False, decoupled_weight_decay=False):
    """One Adam/AdamW update in place (PyTorch's ``_single_tensor_adam``).

    Args:
        param, grad, exp_avg, exp_avg_sq: arrays of one shape and dtype;
            all but ``grad`` are updated in place.
        max_exp_avg_sq: AMSGrad's running maximum (used when ``amsgrad``).
        step: the step number after incrementing (1 on the first step).
        decoupled_weight_decay: AdamW's ``param *= 1 - lr * weight_decay``
            instead of adding ``weight_decay * param`` to the gradient.
    """
    xp = _xp(param)
    t, up, down = _opmath(param)
    g = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= t(1 - lr * weight_decay)
        else:
            g = down(up(g) + t(weight_decay) * up(param))
    _lerp_(exp_avg, g, 1 - beta1)
    exp_avg_sq *= t(beta2)
    exp_avg_sq += (t(1 - beta2) * up(g)) * up(g)
    step_size, bias_correction2_sqrt = adam_scalars(lr, beta1, beta2, step)
    if amsgrad:
        xp.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        second = max_exp_avg_sq
    else:
        second = exp_avg_sq
    denom = down(xp.sqrt(up(second)))
    denom = down(up(denom) / t(bias_correction2_sqrt))
    denom = down(up(denom) + t(eps))
    param += (t(-step_size) * up(exp_avg)) / up(denom)
    return param


def rmsprop_step(param, grad, square_avg, grad_avg=None, momentum_buffer=None,
                 *, lr, alpha, eps, weight_decay=0.0, momentum=0.0,
                 centered=False, maximize=False):
    """One RMSprop update in place (PyTorch's ``_single_tensor_rmsprop``).

    Args:
        square_avg: running average of squared gradients (in place).
        grad_avg: running average of gradients (``centered``, in place).
        momentum_buffer: the momentum buffer (``momentum > 0``, in place).
    """
    xp = _xp(param)
    t, up, down = _opmath(param)
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = down(up(g) + t(weight_decay) * up(param))
    square_avg *= t(alpha)
    square_avg += (t(1 - alpha) * up(g)) * up(g)
    if centered:
        _lerp_(grad_avg, g, 1 - alpha)
        avg = down(up(square_avg) + (t(-1) * up(grad_avg)) * up(grad_avg))
        avg = down(xp.sqrt(up(avg)))
    else:
        avg = down(xp.sqrt(up(square_avg)))
    avg = down(up(avg) + t(eps))
    if momentum > 0:
        momentum_buffer *= t(momentum)
        momentum_buffer += (t(1) * up(g)) / up(avg)
        param += t(-lr) * up(momentum_buffer)
    else:
        param += (t(-lr) * up(g)) / up(avg)
    return param


def adagrad_clr(lr, lr_decay, step):
    """Adagrad's decayed learning rate at step ``step`` (Python floats)."""
    return lr / (1 + (step - 1) * lr_decay)


def adagrad_step(param, grad, state_sum, *, lr, lr_decay, eps, weight_decay,
                 step, maximize=False):
    """One Adagrad update in place (PyTorch's ``_single_tensor_adagrad``,
    dense gradients)."""
    xp = _xp(param)
    t, up, down = _opmath(param)
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = down(up(g) + t(weight_decay) * up(param))
    clr = adagrad_clr(lr, lr_decay, step)
    state_sum += (t(1) * up(g)) * up(g)
    std = down(xp.sqrt(up(state_sum)))
    std = down(up(std) + t(eps))
    param += (t(-clr) * up(g)) / up(std)
    return param


# --- binary arithmetic -------------------------------------------------
# ``a op b`` with NumPy's semantics (a Python number takes the array's dtype,
# NEP 50).  The compiled versions exist to skip NumPy's per-call overhead on
# small contiguous float arrays; see ``cpu/_arith.pyx``.
KERNEL_NAMES = KERNEL_NAMES + ("add_fwd", "sub_fwd", "mul_fwd", "div_fwd")


def _keep_array(r):
    return np.asarray(r) if isinstance(r, np.generic) else r


def add_fwd(a, b):
    """``a + b`` (arrays and/or Python numbers)."""
    return _keep_array(a + b)


def sub_fwd(a, b):
    """``a - b``."""
    return _keep_array(a - b)


def mul_fwd(a, b):
    """``a * b``."""
    return _keep_array(a * b)


def div_fwd(a, b):
    """``a / b`` (true division)."""
    return _keep_array(a / b)
