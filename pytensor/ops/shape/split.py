"""``split``, ``chunk``, ``tensor_split`` and ``unbind``: several views of
one tensor at once.

All outputs come from one :class:`SplitViews` node, so the backward of a
split into ``n`` pieces costs one pass over the input (not ``n``).  Each
output is a view of the input (it shares storage and the version counter);
as in PyTorch, such views may not be modified in place while autograd
records (the error says why), but may be under ``no_grad``.
"""
from pytensor.autograd.function import Function, _mark_view
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import canonical_dim
from pytensor.tensor import Tensor

_INT64_MAX = 2 ** 63 - 1

__all__ = ["split", "split_with_sizes", "chunk", "tensor_split", "unbind"]

_FULL = slice(None)


class _Piece:
    """The view-chain entry of one output: the same view of any array of
    the input's shape (what in-place ops through the view replay)."""

    __slots__ = ("key", "multi_output", "output_nr")

    def __init__(self, key, op, nr):
        self.key = key
        self.multi_output = op
        self.output_nr = nr

    def view(self, arr):
        return arr[self.key]


class SplitViews(Function):
    """Views ``x[key]`` for each key; the gradient is the pieces' gradients
    written back into place (summed where pieces overlap)."""

    name = "split"

    def __init__(self, keys, name):
        self.keys = keys
        self.name = name

    def forward(self, x):
        self.in_shape = x.shape
        return tuple(x[k] for k in self.keys)

    def backward(self, *grads):
        return SplitBackward(self.keys, self.in_shape).apply(*grads)

    def name_backward(self):
        return f"{self.name.capitalize()}Backward"


class SplitBackward(Function):
    """Zeros of the input's shape with each piece's gradient added at its
    place."""

    name = "split_backward"

    def __init__(self, keys, shape):
        self.keys, self.shape = keys, shape

    def forward(self, *grads):
        g0 = next((g for g in grads if g is not None), None)
        out = get_xp(g0).zeros(self.shape, g0.dtype)
        for k, g in zip(self.keys, grads):
            if g is not None:
                out[k] += g
        return out

    def backward(self, gg):
        from pytensor.ops.shape._views import Slice
        return tuple(Slice(k).apply(gg) for k in self.keys)


def _views(input, keys, op):
    """Run :class:`SplitViews` and mark every output as a view of
    ``input``."""
    if not keys:
        return ()
    outs = SplitViews(keys, op).apply(input)
    if outs.__class__ is not tuple:
        outs = (outs,)
    label = f"{op.capitalize()}Backward"
    for i, (o, k) in enumerate(zip(outs, keys)):
        _mark_view(o, input, _Piece(k, label, i))
    return outs


def _range_keys(d, bounds):
    pre = (_FULL,) * d
    return tuple(pre + (slice(a, b), Ellipsis) for a, b in bounds)


def _split_sizes(op, n, sizes):
    bounds = []
    start = 0
    for s in sizes:
        bounds.append((start, start + s))
        start += s
    return bounds


@tensor_method("split")
def split(tensor, split_size_or_sections, dim=0):
    """Split into views along ``dim``: pieces of ``split_size`` (the last
    may be smaller), or of the listed sizes (which must sum to the dim's
    size).

    Args:
        tensor (Tensor): the tensor.
        split_size_or_sections (int or list of int): piece size, or sizes.
        dim (int): the dim to split.

    Returns:
        tuple of Tensor: views of ``tensor``.

    Example:
        >>> import pytensor
        >>> x = pytensor.arange(5)
        >>> x.split(2)
        (tensor([0, 1]), tensor([2, 3]), tensor([4]))
        >>> x.split([1, 4])
        (tensor([0]), tensor([1, 2, 3, 4]))
    """
    shape = tensor._data.shape
    if not shape:
        raise RuntimeError("split: expected at least a 1-dimensional tensor")
    d = canonical_dim(dim, len(shape), "split")
    n = shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        return split_with_sizes(tensor, split_size_or_sections, d)
    s = int(split_size_or_sections)
    if s < 0:
        raise RuntimeError(f"split: split expects split_size be "
                           f"non-negative, but got split_size={s}")
    if s == 0:
        if n != 0:
            raise RuntimeError(
                "split: split_size can only be 0 if dimension size is 0, but "
                f"got dimension size of {n}")
        return _views(tensor, _range_keys(d, [(0, 0)]), "split")
    count = max((n + s - 1) // s, 1)
    bounds = [(i * s, min((i + 1) * s, n)) for i in range(count)]
    return _views(tensor, _range_keys(d, bounds), "split")


@tensor_method("split_with_sizes")
def split_with_sizes(input, split_sizes, dim=0):
    """Split into views of the given sizes along ``dim``."""
    shape = input._data.shape
    if not shape:
        raise RuntimeError("split_with_sizes: expected at least a "
                           "1-dimensional tensor")
    d = canonical_dim(dim, len(shape), "split_with_sizes")
    n = shape[d]
    sizes = [int(s) for s in split_sizes]
    for s in sizes:
        if s < 0:
            raise RuntimeError(
                f"split_with_sizes: split_with_sizes expects split_sizes have "
                f"only non-negative entries, but got split_sizes={sizes}")
    if sum(sizes) != n:
        raise RuntimeError(
            f"split_with_sizes: split_with_sizes expects split_sizes to sum "
            f"exactly to {n} (input tensor's size at dimension {d}), but got "
            f"split_sizes={sizes}")
    return _views(input, _range_keys(d, _split_sizes("split", n, sizes)),
                  "split")


@tensor_method("chunk")
def chunk(input, chunks, dim=0):
    """Split into at most ``chunks`` views of equal size (the last may be
    smaller; fewer pieces when the size does not allow ``chunks``).

    Example:
        >>> import pytensor
        >>> [c.shape for c in pytensor.zeros(5, 2).chunk(3)]
        [(2, 2), (2, 2), (1, 2)]
    """
    shape = input._data.shape
    if not shape:
        raise RuntimeError("chunk: chunk expects at least a 1-dimensional "
                           "tensor")
    chunks = int(chunks)
    if chunks <= 0:
        raise RuntimeError(f"chunk: chunk expects `chunks` to be greater than "
                           f"0, got: {chunks}")
    d = canonical_dim(dim, len(shape), "chunk")
    n = shape[d]
    if n == 0:
        return _views(input, _range_keys(d, [(0, 0)] * chunks), "chunk")
    s = (n + chunks - 1) // chunks
    count = (n + s - 1) // s
    bounds = [(i * s, min((i + 1) * s, n)) for i in range(count)]
    return _views(input, _range_keys(d, bounds), "chunk")


@tensor_method("tensor_split")
def tensor_split(input, indices_or_sections, dim=0):
    """Split into views: ``sections`` pieces as equal as possible (the first
    ``size % sections`` get one more), or at the given indices.

    Example:
        >>> import pytensor
        >>> x = pytensor.arange(7)
        >>> x.tensor_split(3)
        (tensor([0, 1, 2]), tensor([3, 4]), tensor([5, 6]))
        >>> x.tensor_split([1, 5])
        (tensor([0]), tensor([1, 2, 3, 4]), tensor([5, 6]))
    """
    shape = input._data.shape
    if not shape:
        raise RuntimeError("tensor_split: expected at least a 1-dimensional "
                           "tensor, but got a tensor with 0 dims")
    d = canonical_dim(dim, len(shape), "tensor_split")
    n = shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios._data.dtype.kind not in "iu" or ios._data.ndim > 1:
            raise RuntimeError(
                "tensor_split: tensor_split expected tensor_indices_or_"
                "sections to be a zero-dimensional or one-dimensional tensor "
                f"of dtype int64, but got a tensor with {ios._data.ndim} dims "
                f"of dtype {ios.dtype}")
        ios = ios.item() if ios._data.ndim == 0 else ios.tolist()
    if isinstance(ios, (list, tuple)):
        bounds = []
        start = 0
        for idx in list(ios) + [n]:
            idx = int(idx)
            if idx < 0:
                idx += n
            stop = min(max(idx, 0), n)
            start_c = min(start, n)
            bounds.append((start_c, max(start_c, stop)))
            start = stop
        return _views(input, _range_keys(d, bounds), "tensor_split")
    sections = int(ios)
    if sections <= 0:
        raise RuntimeError(f"tensor_split: number of sections must be larger "
                           f"than 0, got {sections}")
    if sections > _INT64_MAX:       # would loop "forever" below
        raise RuntimeError(f"tensor_split: Overflow when unpacking long: "
                           f"{sections} sections")
    q, r = divmod(n, sections)
    bounds = []
    start = 0
    for i in range(sections):
        size = q + (1 if i < r else 0)
        bounds.append((start, start + size))
        start += size
    return _views(input, _range_keys(d, bounds), "tensor_split")


@tensor_method("unbind")
def unbind(input, dim=0):
    """All slices along ``dim``, as views without that dim.

    Example:
        >>> import pytensor
        >>> pytensor.arange(6).reshape(2, 3).unbind(1)
        (tensor([0, 3]), tensor([1, 4]), tensor([2, 5]))
    """
    shape = input._data.shape
    if not shape:
        raise IndexError("unbind: Dimension specified as 0 but tensor has no "
                         "dimensions")
    d = canonical_dim(dim, len(shape), "unbind")
    pre = (_FULL,) * d
    keys = tuple(pre + (i, Ellipsis) for i in range(shape[d]))
    return _views(input, keys, "unbind")
