"""The pooling and unfold/fold ops (Functions) behind the public pooling
functions.

Pairs of linear ops that are each other's adjoint make double backward
work: ``AvgPool`` / ``AvgPoolGrad``, ``AdaptiveAvgPool`` /
``AdaptiveAvgPoolGrad``, ``Unfold`` / ``Fold``.  Max pooling returns the
values and the argmax indices; its backward, ``MaxPoolScatter``, adds the
gradient at the indices, and its own backward gathers (``Tensor.gather``)
at the same indices.

The Functions take inputs with one or two spatial dims, batched or not;
kernels always see (N, C, H, W) views (1-d: H = 1).
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.tensor import Tensor
from pytensor_ext import kernels_for

__all__ = []


class PoolGeom:
    """A pooling's configuration: ``(h, w)`` pairs (1-d ops: h = 1) for
    the kernel, stride, padding, dilation, the output ``blocks`` and the
    input ``image``; ``dims`` (1 or 2); the average's options; the op
    name."""

    __slots__ = ("op", "dims", "kernel", "stride", "padding", "dilation",
                 "blocks", "image", "count_include_pad", "divisor_override")

    def __init__(self, op, dims, kernel=(1, 1), stride=(1, 1),
                 padding=(0, 0), dilation=(1, 1), blocks=(1, 1),
                 image=(1, 1), count_include_pad=True,
                 divisor_override=None):
        self.op = op
        self.dims = dims
        self.kernel = tuple(kernel)
        self.stride = tuple(stride)
        self.padding = tuple(padding)
        self.dilation = tuple(dilation)
        self.blocks = tuple(blocks)
        self.image = tuple(image)
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def as4(self, a):
        """``a`` (``(N, C) + spatial`` or ``(C,) + spatial``) as a 4-d
        view."""
        if self.dims == 1:
            a = a[..., None, :]
        if a.ndim == 3:
            a = a[None]
        return a

    def back(self, a, like_ndim):
        """A 4-d kernel result in the layout of an input with
        ``like_ndim`` dims."""
        if self.dims == 1:
            a = a[..., 0, :]
        if like_ndim == self.dims + 1:
            a = a[0]
        return a


def _spatial(geom, shape_hw):
    return tuple(shape_hw[-geom.dims:])


# --- max ----------------------------------------------------------------
class MaxPool(Function):
    """``(values, indices)`` of a max pooling (indices: flat positions in
    each input plane, int64)."""

    kernel = "max_pool2d_fwd"

    def __init__(self, geom, adaptive=False):
        self.geom = geom
        self.adaptive = adaptive
        self.name = geom.op

    def forward(self, x):
        g = self.geom
        k = kernels_for(x)
        x4 = g.as4(x)
        if self.adaptive:
            y, idx = k.adaptive_max_pool2d_fwd(x4, g.blocks)
        else:
            y, idx = k.max_pool2d_fwd(x4, g.kernel, g.stride, g.padding,
                                      g.dilation, g.blocks)
        y, idx = g.back(y, x.ndim), g.back(idx, x.ndim)
        if self.needs_input_grad:
            self.set_materialize_grads(False)
            # A view, so it is saved as a constant and not as the (integer)
            # output: backward must not make it part of the graph.
            self.save_for_backward(idx.view())
        return y, idx

    def backward_arrays(self, gy, gidx=None):
        idx, = self.saved_arrays
        g = self.geom
        gx = kernels_for(gy).max_pool2d_bwd(g.as4(gy), g.as4(idx), g.image)
        return g.back(gx, gy.ndim)

    def backward(self, gy, gidx=None):
        idx, = self.saved_tensors
        return MaxPoolScatter(self.geom).apply(gy, idx)


class MaxPoolScatter(Function):
    """``gx``: ``gy`` added at ``indices`` of zero input planes (the
    backward of :class:`MaxPool`); linear in ``gy``."""

    kernel = "max_pool2d_bwd"

    def __init__(self, geom):
        self.geom = geom
        self.name = geom.op + "_backward"

    def forward(self, gy, idx):
        g = self.geom
        if self.needs_input_grad:
            self.save_for_backward(idx)
        gx = kernels_for(gy).max_pool2d_bwd(g.as4(gy), g.as4(idx), g.image)
        return g.back(gx, gy.ndim)

    def backward(self, ggx):
        idx, = self.saved_tensors
        plane = int(np.prod(self.geom.image))
        lead = tuple(ggx.shape[:-self.geom.dims])
        flat = ggx.reshape(lead + (plane,))
        ia = idx._data
        # Windows without any input element carry an index outside the
        # plane (and got no gradient): gather a valid position and zero it.
        # Done for every window rather than after testing for such indices,
        # which would read data back from a GPU.
        xp = get_xp(ia)
        ix = Tensor._make(xp.clip(ia, 0, plane - 1).reshape(lead + (-1,)))
        keep = Tensor._make(((ia >= 0) & (ia < plane)).astype(
            ggx._data.dtype))
        return flat.gather(-1, ix).reshape(idx.shape) * keep, None


# --- average ------------------------------------------------------------
def _avg_fwd(g, x, adaptive):
    k = kernels_for(x)
    x4 = g.as4(x)
    if adaptive:
        y = k.adaptive_avg_pool2d_fwd(x4, g.blocks)
    else:
        y = k.avg_pool2d_fwd(x4, g.kernel, g.stride, g.padding, g.blocks,
                             g.count_include_pad, g.divisor_override)
    return g.back(y, x.ndim)


def _avg_bwd(g, gy, adaptive):
    k = kernels_for(gy)
    gy4 = g.as4(gy)
    if adaptive:
        gx = k.adaptive_avg_pool2d_bwd(gy4, g.image)
    else:
        gx = k.avg_pool2d_bwd(gy4, g.image, g.kernel, g.stride, g.padding,
                              g.count_include_pad, g.divisor_override)
    return g.back(gx, gy.ndim)


class AvgPool(Function):
    """Average pooling (``adaptive``: PyTorch's adaptive windows)."""

    kernel = "avg_pool2d_fwd"

    def __init__(self, geom, adaptive=False):
        self.geom = geom
        self.adaptive = adaptive
        self.name = geom.op

    def forward(self, x):
        return _avg_fwd(self.geom, x, self.adaptive)

    def backward_arrays(self, gy):
        return _avg_bwd(self.geom, gy, self.adaptive)

    def backward(self, gy):
        return AvgPoolGrad(self.geom, self.adaptive).apply(gy)


class AvgPoolGrad(Function):
    """The adjoint of :class:`AvgPool` (its input gradient)."""

    kernel = "avg_pool2d_bwd"

    def __init__(self, geom, adaptive=False):
        self.geom = geom
        self.adaptive = adaptive
        self.name = geom.op + "_backward"

    def forward(self, gy):
        return _avg_bwd(self.geom, gy, self.adaptive)

    def backward_arrays(self, ggx):
        return _avg_fwd(self.geom, ggx, self.adaptive)

    def backward(self, ggx):
        return AvgPool(self.geom, self.adaptive).apply(ggx)


# --- unfold / fold ------------------------------------------------------
def _unfold(g, x):
    x4 = x if x.ndim == 4 else x[None]
    cols = kernels_for(x).im2col(x4, g.kernel, g.stride, g.padding,
                                 g.dilation, g.blocks, "nkl")
    return cols if x.ndim == 4 else cols[0]


def _fold(g, cols):
    c3 = cols if cols.ndim == 3 else cols[None]
    x = kernels_for(cols).col2im(c3, g.image, g.kernel, g.stride, g.padding,
                                 g.dilation, g.blocks, "nkl")
    return x if cols.ndim == 3 else x[0]


class Unfold(Function):
    """``F.unfold`` (im2col): sliding blocks as columns."""

    kernel = "im2col"
    name = "unfold"

    def __init__(self, geom):
        self.geom = geom

    def forward(self, x):
        return _unfold(self.geom, x)

    def backward_arrays(self, gc):
        return _fold(self.geom, gc)

    def backward(self, gc):
        return Fold(self.geom).apply(gc)


class Fold(Function):
    """``F.fold`` (col2im): columns summed back into an image."""

    kernel = "col2im"
    name = "fold"

    def __init__(self, geom):
        self.geom = geom

    def forward(self, cols):
        return _fold(self.geom, cols)

    def backward_arrays(self, gx):
        return _unfold(self.geom, gx)

    def backward(self, gx):
        return Unfold(self.geom).apply(gx)
