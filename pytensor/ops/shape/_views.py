"""The basic-indexing view Functions shared by ``__getitem__``,
``select``, ``narrow`` and ``__setitem__``: ``x[key]`` for a NumPy basic key
(ints, slices with positive steps, ``None``, ``...``), always a view."""
from pytensor.autograd.function import Function
from pytensor.backend import get_xp

__all__ = []


class Slice(Function):
    """``x[key]`` for a basic key (ints, slices, None): a view."""

    _view = True
    name = "slice"

    def __init__(self, key):
        self.key = key

    def view(self, x):
        return x[self.key]

    def forward(self, x):
        self.in_shape = x.shape
        return x[self.key]

    def backward(self, gy):
        return SliceBackward(self.key, self.in_shape).apply(gy)


class Select(Slice):
    """``x[i]`` / ``x.select(dim, i)``: a view without dim ``dim``."""

    name = "select"


class Narrow(Slice):
    """``x.narrow(dim, start, length)``: a view of a range of one dim."""

    name = "narrow"


class SliceBackward(Function):
    """Zeros of the input's shape with the view's region set to the
    gradient: the adjoint of :class:`Slice`."""

    name = "slice_backward"

    def __init__(self, key, shape):
        self.key, self.shape = key, shape

    def forward(self, g):
        out = get_xp(g).zeros(self.shape, g.dtype)
        out[self.key] = g
        return out

    def backward(self, gg):
        return Slice(self.key).apply(gg)
