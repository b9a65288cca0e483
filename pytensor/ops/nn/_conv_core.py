"""The convolution machinery behind conv1d/conv2d/conv_transpose{1,2}d.

A convolution is the bilinear form ``<gy, conv(x, w)>``; its three
"directions" are three ops, each the gradient of the form with respect to
one argument:

- :class:`Conv`            ``(x, w[, b]) -> y``     the forward;
- :class:`ConvInputGrad`   ``(gy, w) -> gx``        the input gradient, and
                                                    the transposed conv;
- :class:`ConvWeightGrad`  ``(x, gy) -> gw``        the weight gradient.

Each one's ``backward`` is written with the other two, so gradients of any
order come for free (``conv_transpose2d`` is ``ConvInputGrad`` with the
weight read as ``(in, out / groups, kh, kw)``).

On arrays, a convolution is ``im2col`` + one GEMM per group: the whole
batch's columns form a ``(C*kh*kw, N*L)`` matrix ("knl" layout), so the
forward, the input gradient and the weight gradient are each one BLAS call
with long dimensions (measured faster than one small GEMM per image, above
all with BLAS threads on a loaded machine), and the only extra passes are a
transpose of the ``(O, N*L)`` result to NCHW (fused with the bias) and of
the incoming gradient back.  The batch is processed in chunks of images:
to keep each chunk's columns within ``COLS_BUDGET`` bytes, and, when the
work is large enough, to run the chunks on several threads with
single-threaded BLAS (:mod:`_parallel` says why).  The forward keeps its
columns for the weight gradient when they fit in ``SAVE_BUDGET`` bytes
instead of recomputing them.

1-d ops use the same code on arrays viewed as (N, C, 1, L).
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops.nn import _parallel
from pytensor_ext import kernels_for

__all__ = []

# Bytes of im2col columns formed at once (bounds the memory of a big conv).
COLS_BUDGET = 64 << 20
# Largest columns the forward keeps for the weight gradient.
SAVE_BUDGET = 64 << 20


class ConvGeom:
    """Everything about a convolution but the arrays: (h, w) pairs for the
    kernel, stride, padding (rows/columns before the first input element),
    dilation; the groups; the image (input) and block (output) sizes; and
    ``dims`` (1 or 2) of the ops' arrays."""

    __slots__ = ("kernel", "stride", "padding", "dilation", "groups",
                 "image", "blocks", "dims", "op")

    def __init__(self, op, dims, kernel, stride, padding, dilation, groups,
                 image, blocks):
        self.op = op
        self.dims = dims
        self.kernel = tuple(kernel)
        self.stride = tuple(stride)
        self.padding = tuple(padding)
        self.dilation = tuple(dilation)
        self.groups = int(groups)
        self.image = tuple(image)
        self.blocks = tuple(blocks)

    def cols_args(self):
        return (self.kernel, self.stride, self.padding, self.dilation,
                self.blocks)

    def as4(self, a):
        """An (N, C, L) array (1-d ops) as (N, C, 1, L); others as given."""
        if self.dims == 1:
            return a.reshape(a.shape[:-1] + (1, a.shape[-1]))
        return a

    def back(self, a):
        """The inverse of :meth:`as4` for results."""
        if self.dims == 1:
            return a.reshape(a.shape[:-2] + (a.shape[-1],))
        return a


def _plan(xp, n, per_image, flops):
    """Chunks of images ``[(n0, n1), ...]`` and the threads to run them
    on: enough chunks to keep each one's columns within ``COLS_BUDGET``,
    and several per thread when the work is worth threads (CPU only)."""
    nt = _parallel.threads_for(flops, n) if xp is np else 1
    parts = -(-n // max(1, COLS_BUDGET // max(per_image, 1)))
    if nt > 1:
        parts = max(parts, min(n, nt * _parallel.CHUNKS_PER_THREAD))
    return _parallel.split(n, parts), nt


def _gemm(xp, wg, cols, groups):
    """``W @ cols`` per group: (O, K/groups) blocks times (K, M) columns."""
    if groups == 1:
        return xp.matmul(wg[0], cols)
    kg = wg.shape[2]
    return xp.matmul(wg, cols.reshape(groups, kg, cols.shape[1])).reshape(
        -1, cols.shape[1])


# --- arrays -------------------------------------------------------------
def conv_forward(x, w, b, g, keep_cols=False):
    """``conv(x, w) + b`` on 4-d arrays; returns ``(y, saved)`` where
    ``saved`` is ``(bounds, cols)`` -- the chunks and their columns, for
    the weight gradient -- when ``keep_cols`` and they fit in
    ``SAVE_BUDGET`` bytes, else None."""
    xp = get_xp(x)
    n, c = x.shape[:2]
    o = w.shape[0]
    groups = g.groups
    (kh, kw), (bh, bw) = g.kernel, g.blocks
    big_l = bh * bw
    kg = (c // groups) * kh * kw
    if n == 0 or o == 0 or big_l == 0 or kg == 0:
        out = xp.zeros((n, o, bh, bw), dtype=x.dtype)
        if b is not None:
            out += b.reshape(1, o, 1, 1)
        return out, None
    k = kernels_for(x)
    wg = w.reshape(groups, o // groups, kg)
    per_image = c * kh * kw * big_l * x.itemsize
    bounds, nt = _plan(xp, n, per_image, o * kg * big_l * n)
    keep = keep_cols and per_image * n <= SAVE_BUDGET
    if n == 1:
        # One image: the GEMM result is already NCHW.
        cols = k.im2col(x, *g.cols_args(), "knl")
        y = _gemm(xp, wg, cols, groups)
        if b is not None:
            y += b.reshape(o, 1)
        return y.reshape(1, o, bh, bw), ((bounds, [cols]) if keep else None)
    out = xp.empty((n, o, bh, bw), dtype=xp.result_type(x, w))
    kept = [None] * len(bounds)

    def chunk(i, n0, n1):
        nb = n1 - n0
        cols = k.im2col(x[n0:n1], *g.cols_args(), "knl")
        y = _gemm(xp, wg, cols, groups)
        dst = out[n0:n1].reshape(nb, o, big_l)
        src = y.reshape(o, nb, big_l).transpose(1, 0, 2)
        if b is not None:
            xp.add(src, b.reshape(1, o, 1), out=dst)
        else:
            dst[...] = src
        if keep:
            kept[i] = cols

    _parallel.run(bounds, nt, chunk)
    return out, ((bounds, kept) if keep else None)


def _gy_rows(xp, gy, n0, n1, big_l):
    """Images [n0, n1) of ``gy`` (N, O, bh, bw) as an (O, nb*L) matrix."""
    nb, o = n1 - n0, gy.shape[1]
    return xp.ascontiguousarray(
        gy[n0:n1].reshape(nb, o, big_l).transpose(1, 0, 2)).reshape(
            o, nb * big_l)


def conv_backward(x, w, gy, g, need_x, need_w, need_b, w_shape=None,
                  x_shape=None, saved=None):
    """Gradients of ``conv(x, w) + b`` on 4-d arrays for ``gy``; returns
    ``(gx, gw, gb)`` (None where not needed).  ``x`` may be None when only
    ``gx`` is wanted (give ``x_shape``) and ``w`` None when only ``gw`` is
    (give ``w_shape``); ``saved``: the forward's ``(bounds, cols)``.
    Partial weight and bias gradients are summed in chunk order, so the
    result does not depend on which thread ran which chunk."""
    xp = get_xp(gy)
    n, o = gy.shape[:2]
    w_shape = tuple(w.shape) if w is not None else tuple(w_shape)
    x_shape = tuple(x.shape) if x is not None else tuple(x_shape)
    c = x_shape[1]
    groups = g.groups
    (kh, kw), (bh, bw) = g.kernel, g.blocks
    big_l = bh * bw
    og, kg = o // groups, (c // groups) * kh * kw
    dtype = gy.dtype
    gx = gw = gb = None
    if not (need_x or need_w):
        if need_b:
            gb = gy.sum(axis=(0, 2, 3))
        return gx, gw, gb
    if n == 0 or big_l == 0 or kg == 0 or o == 0:
        if need_x:
            gx = xp.zeros(x_shape, dtype=dtype)
        if need_w:
            gw = xp.zeros(w_shape, dtype=dtype)
        if need_b:
            gb = gy.sum(axis=(0, 2, 3))
        return gx, gw, gb
    k = kernels_for(gy)
    if saved is not None:
        bounds, cols = saved
        nt = _parallel.threads_for(o * kg * big_l * n, n) if xp is np else 1
    else:
        cols = None
        per_image = max(c * kh * kw, o) * big_l * gy.itemsize
        bounds, nt = _plan(xp, n, per_image,
                           o * kg * big_l * n * (need_x + need_w))
    wg = w.reshape(groups, og, kg) if need_x else None
    parts_w = [None] * len(bounds)
    parts_b = [None] * len(bounds)
    one = len(bounds) == 1
    if need_x and not one:
        gx = xp.empty(x_shape, dtype=dtype)
    box = [None]

    def chunk(i, n0, n1):
        nb = n1 - n0
        gy2 = _gy_rows(xp, gy, n0, n1, big_l)
        if need_b:
            parts_b[i] = gy2.sum(axis=1)
        if need_w:
            cc = cols[i] if cols is not None else k.im2col(
                x[n0:n1], *g.cols_args(), "knl")
            if groups == 1:
                parts_w[i] = xp.matmul(gy2, cc.T)
            else:
                parts_w[i] = xp.matmul(
                    gy2.reshape(groups, og, nb * big_l),
                    cc.reshape(groups, kg, nb * big_l).transpose(0, 2, 1))
        if need_x:
            if groups == 1:
                gc = xp.matmul(wg[0].T, gy2)
            else:
                gc = xp.matmul(wg.transpose(0, 2, 1),
                               gy2.reshape(groups, og, nb * big_l)).reshape(
                                   c * kh * kw, nb * big_l)
            r = k.col2im(gc, g.image, *g.cols_args(), "knl")
            if one:
                box[0] = r
            else:
                gx[n0:n1] = r

    _parallel.run(bounds, nt, chunk)
    if one and need_x:
        gx = box[0]
    if need_w:
        acc = parts_w[0]
        for p in parts_w[1:]:
            acc = acc + p
        gw = acc.reshape(w_shape)
    if need_b:
        acc = parts_b[0]
        for p in parts_b[1:]:
            acc = acc + p
        gb = acc
    return gx, gw, gb


# --- the three ops ------------------------------------------------------
def _sum_dims(g):
    return (0,) + tuple(range(2, 2 + g.dims))


class Conv(Function):
    """``y = conv(x, w) + b`` (``b`` optional)."""

    kernel = "im2col"

    def __init__(self, geom):
        self.geom = geom
        self.name = geom.op

    def forward(self, x, w, b=None):
        g = self.geom
        needs = self.needs_input_grad
        keep = len(needs) > 1 and needs[1]
        y, saved = conv_forward(g.as4(x), g.as4(w), b, g, keep_cols=keep)
        if needs:
            if saved is None:
                self.save_for_backward(x, w)
            else:
                # The chunks' columns (arrays) and, as metadata, the
                # chunks they belong to.
                self.cols_bounds = saved[0]
                self.save_for_backward(x, w, *saved[1])
        return g.back(y)

    def backward_arrays(self, gy):
        x, w, *cols = self.saved_arrays
        g = self.geom
        needs = self.needs_input_grad
        nb = len(needs) > 2 and needs[2]
        saved = (self.cols_bounds, cols) if cols else None
        gx, gw, gb = conv_backward(g.as4(x), g.as4(w), g.as4(gy), g,
                                   needs[0], needs[1], nb, saved=saved)
        out = (None if gx is None else g.back(gx),
               None if gw is None else g.back(gw))
        return out + (gb,) if len(needs) > 2 else out

    def backward(self, gy):
        x, w = self.saved_tensors[:2]
        g = self.geom
        needs = self.needs_input_grad
        gx = ConvInputGrad(g, tuple(x.shape)).apply(gy, w) if needs[0] \
            else None
        gw = ConvWeightGrad(g, tuple(w.shape)).apply(x, gy) if needs[1] \
            else None
        if len(needs) > 2:
            return gx, gw, gy.sum(_sum_dims(g)) if needs[2] else None
        return gx, gw


class ConvInputGrad(Function):
    """``gx = conv_x^T(gy, w)``: the input gradient of :class:`Conv`, and
    the transposed convolution."""

    kernel = "col2im"

    def __init__(self, geom, x_shape):
        self.geom = geom
        self.x_shape = x_shape
        self.name = geom.op

    def forward(self, gy, w):
        g = self.geom
        if self.needs_input_grad:
            self.save_for_backward(gy, w)
        gx, _, _ = conv_backward(None, g.as4(w), g.as4(gy), g, True, False,
                                 False, x_shape=_shape4(g, self.x_shape))
        return g.back(gx)

    def backward_arrays(self, ggx):
        gy, w = self.saved_arrays
        g = self.geom
        na, nw = self.needs_input_grad
        ggy = conv_forward(g.as4(ggx), g.as4(w), None, g)[0] if na else None
        gw = conv_backward(g.as4(ggx), None, g.as4(gy), g, False, True,
                           False, w_shape=_shape4(g, w.shape))[1] if nw \
            else None
        return (None if ggy is None else g.back(ggy),
                None if gw is None else g.back(gw))

    def backward(self, ggx):
        gy, w = self.saved_tensors
        g = self.geom
        na, nw = self.needs_input_grad
        ggy = Conv(g).apply(ggx, w) if na else None
        gw = ConvWeightGrad(g, tuple(w.shape)).apply(ggx, gy) if nw else None
        return ggy, gw


class ConvWeightGrad(Function):
    """``gw = conv_w^T(x, gy)``: the weight gradient of :class:`Conv`."""

    kernel = "im2col"

    def __init__(self, geom, w_shape):
        self.geom = geom
        self.w_shape = w_shape
        self.name = geom.op

    def forward(self, x, gy):
        g = self.geom
        if self.needs_input_grad:
            self.save_for_backward(x, gy)
        gw = conv_backward(g.as4(x), None, g.as4(gy), g, False, True, False,
                           w_shape=_shape4(g, self.w_shape))[1]
        return g.back(gw)

    def backward_arrays(self, ggw):
        x, gy = self.saved_arrays
        g = self.geom
        nx, ng = self.needs_input_grad
        gx = conv_backward(None, g.as4(ggw), g.as4(gy), g, True, False,
                           False, x_shape=_shape4(g, x.shape))[0] if nx \
            else None
        ggy = conv_forward(g.as4(x), g.as4(ggw), None, g)[0] if ng else None
        return (None if gx is None else g.back(gx),
                None if ggy is None else g.back(ggy))

    def backward(self, ggw):
        x, gy = self.saved_tensors
        g = self.geom
        nx, ng = self.needs_input_grad
        gx = ConvInputGrad(g, tuple(x.shape)).apply(gy, ggw) if nx else None
        ggy = Conv(g).apply(x, ggw) if ng else None
        return gx, ggy


def _shape4(g, shape):
    shape = tuple(shape)
    if g.dims == 1:
        return shape[:-1] + (1, shape[-1])
    return shape
