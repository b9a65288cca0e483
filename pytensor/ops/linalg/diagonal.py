"""``diagonal`` (a view), ``diag_embed``, ``diag`` and ``trace``."""
from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import canonical_dim

__all__ = ["diagonal", "diag_embed", "diag", "trace"]


def diag_view(x, offset, dim1, dim2):
    """A *writable* view of the diagonal of ``x`` over ``(dim1, dim2)``,
    appended as the last dim (NumPy's ``diagonal`` is read-only, and views
    must accept writes for in-place ops through them)."""
    xp = get_xp(x)
    y = xp.moveaxis(x, (dim1, dim2), (-2, -1))
    y = y[..., :, offset:] if offset >= 0 else y[..., -offset:, :]
    n = max(0, min(y.shape[-2], y.shape[-1]))
    s = y.strides
    return xp.lib.stride_tricks.as_strided(
        y, shape=y.shape[:-2] + (n,), strides=s[:-2] + (s[-2] + s[-1],))


class Diagonal(Function):
    """The diagonal as a view; its backward writes the gradient onto the
    diagonal of zeros (:class:`DiagEmbed`)."""

    _view = True

    def __init__(self, offset, dim1, dim2):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2

    def view(self, x):
        return diag_view(x, self.offset, self.dim1, self.dim2)

    def forward(self, x):
        self.in_shape = x.shape
        return self.view(x)

    def backward(self, gy):
        return DiagEmbed(self.in_shape, self.offset, self.dim1,
                         self.dim2).apply(gy)

    def backward_arrays(self, gy):
        return DiagEmbed(self.in_shape, self.offset, self.dim1,
                         self.dim2).forward(gy)


class DiagEmbed(Function):
    """Zeros of ``shape`` with the input written on the diagonal over
    ``(dim1, dim2)``; the adjoint of :class:`Diagonal`."""

    def __init__(self, shape, offset, dim1, dim2):
        self.shape = shape
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2

    def forward(self, v):
        out = get_xp(v).zeros(self.shape, v.dtype)
        diag_view(out, self.offset, self.dim1, self.dim2)[...] = v
        return out

    def backward(self, gy):
        return Diagonal(self.offset, self.dim1, self.dim2).apply(gy)

    def backward_arrays(self, gy):
        return diag_view(gy, self.offset, self.dim1, self.dim2)


def _dims_pair(op, n, dim1, dim2):
    d1 = canonical_dim(dim1, n, op)
    d2 = canonical_dim(dim2, n, op)
    if d1 == d2:
        raise RuntimeError(f"{op}: diagonal dimensions cannot be identical "
                           f"{dim1}, {dim2}")
    return d1, d2


@tensor_method("diagonal")
def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of the diagonal over dims ``dim1`` and ``dim2``, appended as
    the last dim.

    Args:
        input (Tensor): at least 2-d.
        offset (int): 0 the main diagonal, > 0 above it, < 0 below.
        dim1, dim2 (int): the two dims to take the diagonal over.

    Shape:
        ``input``'s shape without ``dim1``/``dim2``, plus the diagonal's
        length (0 when ``offset`` is past the edge).

    Returns:
        Tensor sharing storage with ``input``.

    Example:
        >>> import pytensor
        >>> x = pytensor.arange(12.0).reshape(3, 4)
        >>> x.diagonal(), x.diagonal(1), x.diagonal(-1)
        (tensor([ 0.,  5., 10.]), tensor([ 1.,  6., 11.]), tensor([4., 9.]))
    """
    n = input._data.ndim
    if n < 2:
        canonical_dim(dim1, n, "diagonal")
        canonical_dim(dim2, n, "diagonal")     # raises: out of range
    d1, d2 = _dims_pair("diagonal", n, dim1, dim2)
    return Diagonal(int(offset), d1, d2).apply(input)


@tensor_method("diag_embed")
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose diagonals over ``(dim1, dim2)`` are the last dim of
    ``input`` (zeros elsewhere): the inverse of :func:`diagonal`.

    Shape:
        ``input`` of shape ``(*, n)`` gives ``n + |offset|`` sized dims
        inserted at ``dim1`` and ``dim2`` (counted in the output).

    Example:
        >>> import pytensor
        >>> pytensor.tensor([[1.0, 2.0], [3.0, 4.0]]).diag_embed()
        tensor([[[1., 0.],
                 [0., 2.]],
        <BLANKLINE>
                [[3., 0.],
                 [0., 4.]]])
    """
    n_out = input._data.ndim + 1
    d1, d2 = _dims_pair("diag_embed", n_out, dim1, dim2)
    offset = int(offset)
    shape = list(input._data.shape)
    m = (shape.pop() if shape else 1) + abs(offset)
    if input._data.ndim == 0:
        input = input.reshape(1)
    lo, hi = sorted((d1, d2))
    shape.insert(lo, m)
    shape.insert(hi, m)
    return DiagEmbed(tuple(shape), offset, d1, d2).apply(input)


@tensor_method("diag")
def diag(input, diagonal=0):
    """A 1-d tensor as a square matrix with it on the ``diagonal``-th
    diagonal, or the ``diagonal``-th diagonal of a 2-d tensor (a copy).

    Example:
        >>> import pytensor
        >>> pytensor.diag(pytensor.tensor([1.0, 2.0]))
        tensor([[1., 0.],
                [0., 2.]])
        >>> pytensor.diag(pytensor.tensor([[1.0, 2.0], [3.0, 4.0]]), 1)
        tensor([2.])
    """
    n = input._data.ndim
    if n == 1:
        return diag_embed(input, diagonal, 0, 1)
    if n == 2:
        return diagonal_copy(input, diagonal)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")


def diagonal_copy(input, offset):
    from pytensor.ops.convert.clone import clone
    return clone(diagonal(input, offset))


@tensor_method("trace")
def trace(input):
    """Sum of the main diagonal of a 2-d tensor (int64 for integer input).

    Example:
        >>> import pytensor
        >>> pytensor.tensor([[1.0, 2.0], [3.0, 4.0]]).trace()
        tensor(5.)
    """
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with "
                           f"dim {input._data.ndim}")
    return diagonal(input).sum()
