"""``pad``: constant, reflect, replicate and circular padding of the last
dims.

``pad`` lists ``(left, right)`` pairs starting from the last dim; negative
amounts crop.  Constant padding copies the input into a filled array; its
backward is the same operation with source and destination swapped (a
crop), so the pair is closed under differentiation.  The other modes are a
gather along each padded dim with an index map (``reflect``: mirror without
repeating the edge; ``replicate``: repeat the edge; ``circular``: wrap);
their backward scatters the gradient back with the ``index_add`` kernel,
and the two are each other's adjoints.
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.nn.functional._util import check_tensor, fmt_shape
from pytensor.ops._util import on_input_device
from pytensor_ext import kernels_for

__all__ = ["pad"]


def _xp(a):
    if a.__class__ is np.ndarray:
        return np
    from pytensor.backend import get_xp
    return get_xp(a)


class ConstantPad(Function):
    """``out = full(out_shape, value); out[dst] = x[src]``."""

    name = "constant_pad"

    def __init__(self, src, dst, in_shape, out_shape, value):
        self.src, self.dst = src, dst
        self.in_shape, self.out_shape = in_shape, out_shape
        self.value = value

    def forward(self, x):
        out = _xp(x).full(self.out_shape, self.value, dtype=x.dtype)
        out[self.dst] = x[self.src]
        return out

    def backward(self, gy):
        return ConstantPad(self.dst, self.src, self.out_shape, self.in_shape,
                           0).apply(gy)


class IndexPad(Function):
    """``x.take(idx_d, axis=d)`` for each padded dim ``d``."""

    name = "pad"

    def __init__(self, maps, mode):
        self.maps = maps                    # [(axis, index, in_size)]
        self.mode = mode

    def forward(self, x):
        xp = _xp(x)
        y = x
        for axis, idx, _ in self.maps:
            y = xp.take(y, xp.asarray(idx), axis=axis)
        return y

    def backward(self, gy):
        return IndexPadBackward(self.maps, self.mode).apply(gy)


class IndexPadBackward(Function):
    """The adjoint of :class:`IndexPad`: scatter-add along each dim."""

    name = "pad_backward"
    kernel = "index_add"

    def __init__(self, maps, mode):
        self.maps = maps
        self.mode = mode

    def forward(self, g):
        xp = _xp(g)
        k = kernels_for(g)
        for axis, idx, n in reversed(self.maps):
            shape = list(g.shape)
            shape[axis] = n
            out = xp.zeros(shape, dtype=g.dtype)
            g = k.index_add(out, axis, xp.asarray(idx),
                            xp.ascontiguousarray(g))
        return g

    def backward(self, gg):
        return IndexPad(self.maps, self.mode).apply(gg)


_NON_CONSTANT_HELP = (
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _index_map(mode, n, left, right, xp=np):
    """Input positions for each output position along one dim (built with
    ``xp``: on the GPU for a GPU input, with no host copy)."""
    if mode == "circular":
        s, e = max(-left, 0), n - max(-right, 0)
        m = e - s
        lp, rp = max(left, 0), max(right, 0)
        if lp > m or rp > m:
            raise RuntimeError(
                "pad: Padding value causes wrapping around more than once.")
        k = xp.arange(m + lp + rp)
        return s + (k - lp) % m if m else k[:0]
    j = xp.arange(-left, n + right)
    if mode == "replicate":
        return xp.clip(j, 0, n - 1)
    # reflect: mirror about the edge elements
    j = xp.abs(j)
    return xp.where(j > n - 1, 2 * (n - 1) - j, j)


@on_input_device
def pad(input, pad, mode="constant", value=None):
    """Pad (or, with negative amounts, crop) the last dims of ``input``.

    Args:
        input (Tensor): any shape (constant mode); 2-5 dims otherwise.
        pad (tuple of int): ``(left, right)`` for the last dim, then for the
            one before, ...; ``len(pad) // 2`` dims are padded.
        mode (str): ``'constant'``, ``'reflect'``, ``'replicate'`` or
            ``'circular'``.
        value (float): the fill value of constant padding (default 0).

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.tensor([[[1.0, 2.0, 3.0]]])
        >>> F.pad(x, (2, 1), mode="reflect")
        tensor([[[3., 2., 1., 2., 3., 2.]]])
        >>> F.pad(x, (1, -1), value=9.0)
        tensor([[[9., 1., 2.]]])
    """
    check_tensor("pad", "input", input)
    pad = tuple(int(p) for p in pad)
    nd = input.ndim
    shape = input.shape
    if len(pad) % 2:
        raise RuntimeError("pad: Padding length must be divisible by 2")
    k = len(pad) // 2
    if k > nd:
        raise RuntimeError(
            "pad: Padding length should be less than or equal to two times "
            f"the input dimension but got padding length {len(pad)} and "
            f"input of dimension {nd}")
    dims = [(nd - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(k)]
    if mode == "constant":
        src, dst, out_shape = [slice(None)] * nd, [slice(None)] * nd, \
            list(shape)
        for axis, left, right in dims:
            n = shape[axis]
            size = n + left + right
            if size < 0:
                raise RuntimeError(
                    f"pad: the padded size of dimension {axis} would be "
                    f"negative ({n} + {left} + {right}) for input of shape "
                    f"{fmt_shape(shape)}")
            out_shape[axis] = size
            s0, s1 = max(-left, 0), n - max(-right, 0)
            if s1 <= s0:                 # everything cropped away
                s0 = s1 = 0
            d0 = max(left, 0)
            src[axis] = slice(s0, s1)
            dst[axis] = slice(d0, d0 + (s1 - s0))
        val = 0 if value is None else value
        return ConstantPad(tuple(src), tuple(dst), shape, tuple(out_shape),
                           val).apply(input)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad: Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'pad: Padding mode "{mode}" doesn\'t take in '
                           'value argument')
    if not (1 <= k <= 3 and nd in (k + 1, k + 2)):
        raise NotImplementedError(
            f"pad: Padding size {len(pad)} is not supported for {nd}D input "
            f"tensor.\n{_NON_CONSTANT_HELP}")
    maps = []
    for axis, left, right in dims:
        n = shape[axis]
        if mode == "reflect" and (left >= n or right >= n):
            raise RuntimeError(
                "pad: Argument #4: Padding size should be less than the "
                "corresponding input dimension, but got: padding "
                f"({left}, {right}) at dimension {axis} of input "
                f"{fmt_shape(shape)}")
        if n + left + right < 0 or (n == 0 and left + right > 0):
            raise RuntimeError(
                f"pad: cannot {mode}-pad dimension {axis} of size {n} by "
                f"({left}, {right})")
        maps.append((axis, _index_map(mode, n, left, right,
                                      _xp(input._data)), n))
    return IndexPad(maps, mode).apply(input)
