"""``embedding``: rows of a weight matrix picked by integer indices.

The backward scatters the output gradient into a zero matrix with the
``index_add`` kernel (``np.add.at`` is slow; the Cython kernel accumulates
repeated indices in one pass).  Gathering rows and scattering them are each
other's adjoints, so :class:`EmbeddingGather` and
:class:`EmbeddingScatter` are each other's backward and every order of
derivative works.
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.autograd.grad_mode import no_grad
from pytensor.nn.functional._util import check_tensor, fmt_shape
from pytensor.ops._util import on_input_device
from pytensor_ext import kernels_for

__all__ = ["embedding"]


class _Rows:
    """What the backward needs about the indices: the flat index array,
    the padding row (its gradient is zero) and per-index scale factors
    (``scale_grad_by_freq``)."""

    __slots__ = ("flat", "padding_idx", "scale", "num")

    def __init__(self, flat, padding_idx, scale, num):
        self.flat = flat
        self.padding_idx = padding_idx
        self.scale = scale
        self.num = num


def _gather(w, r, idx_shape, masked):
    out = w.take(r.flat, axis=0)
    if masked:
        out = _mask_rows(out, r)
    return out.reshape(idx_shape + w.shape[1:])


def _scatter(g, r):
    from pytensor.backend import get_xp
    xp = get_xp(g)
    g2 = _mask_rows(g.reshape(r.flat.shape[0], g.shape[-1]), r)
    out = xp.zeros((r.num, g.shape[-1]), dtype=g.dtype)
    # An upstream gradient may be a broadcast view (from sum/mean):
    # kernels take contiguous arrays.
    return kernels_for(g).index_add(out, 0, r.flat, xp.ascontiguousarray(g2))


class EmbeddingGather(Function):
    """``weight[indices]``.  With ``masked`` (the adjoint of a scatter), the
    padding rows are zero and rows are scaled like the scatter scales
    them."""

    name = "embedding"

    def __init__(self, rows, idx_shape, masked=False):
        self.rows = rows
        self.idx_shape = idx_shape
        self.masked = masked

    def forward(self, w):
        return _gather(w, self.rows, self.idx_shape, self.masked)

    def backward_arrays(self, gy):
        return _scatter(gy, self.rows)

    def backward(self, gy):
        return EmbeddingScatter(self.rows).apply(gy)


class EmbeddingScatter(Function):
    """``zeros(num, dim).index_add_(0, indices, g)`` with the padding row's
    contributions dropped and the frequency scaling applied."""

    name = "embedding_backward"
    kernel = "index_add"

    def __init__(self, rows):
        self.rows = rows
        self.idx_shape = None

    def forward(self, g):
        self.idx_shape = g.shape[:-1]
        return _scatter(g, self.rows)

    def backward_arrays(self, gw):
        return _gather(gw, self.rows, self.idx_shape, True)

    def backward(self, gw):
        return EmbeddingGather(self.rows, self.idx_shape, masked=True).apply(
            gw)


def _mask_rows(a, r):
    """Zero the rows of ``a`` whose index is the padding index and apply the
    per-row gradient scale (a new array; ``a`` is not modified)."""
    if r.padding_idx is None and r.scale is None:
        return a
    a = a.copy()
    if r.scale is not None:
        a *= r.scale.reshape((-1,) + (1,) * (a.ndim - 1)).astype(a.dtype)
    if r.padding_idx is not None:
        a[r.flat == r.padding_idx] = 0
    return a


def _renorm_(weight, idx, max_norm, norm_type):
    """PyTorch's ``embedding_renorm_``: rows referenced by ``idx`` whose
    ``norm_type``-norm exceeds ``max_norm`` are scaled down to it, in place
    and outside autograd."""
    w = weight._data
    from pytensor.backend import get_xp
    xp = get_xp(w)
    rows = xp.unique(idx.reshape(-1))
    sub = w[rows]
    if norm_type == float("inf"):
        norms = xp.abs(sub).max(axis=1)
    else:
        norms = (xp.abs(sub) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    w[rows] = (sub * scale[:, None]).astype(w.dtype)
    weight._bump_version("embedding_renorm_")


@on_input_device
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Look up rows of ``weight`` by the integer indices in ``input``.

    Args:
        input (Tensor): integer indices, any shape.
        weight (Tensor): ``(num_embeddings, embedding_dim)``.
        padding_idx (int, optional): this row gets no gradient.
        max_norm (float, optional): rows looked up whose norm exceeds it are
            renormalized in place to ``max_norm`` (modifies ``weight``).
        norm_type (float): the p of that norm.
        scale_grad_by_freq (bool): divide gradients by how often each index
            occurs in the batch.
        sparse (bool): sparse gradients are not supported (must be False).

    Shape:
        Output: ``input.shape + (embedding_dim,)``.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> w = pytensor.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
        >>> F.embedding(pytensor.tensor([[2, 1], [1, 0]]), w)
        tensor([[[3., 4.],
                 [1., 2.]],
        <BLANKLINE>
                [[1., 2.],
                 [0., 0.]]])
    """
    check_tensor("embedding", "input", input)
    check_tensor("embedding", "weight", weight)
    if sparse:
        raise NotImplementedError(
            "embedding: sparse=True is not supported (pytensor has no sparse "
            "tensors); use sparse=False")
    idx = input._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            "embedding: Expected tensor for argument #1 'indices' to have one "
            f"of the following scalar types: Long, Int; but got {input.dtype} "
            "instead")
    if weight.ndim != 2:
        raise RuntimeError(f"embedding: weight must be 2-D, got shape "
                           f"{fmt_shape(weight.shape)}")
    num = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= num:
                raise AssertionError(
                    "Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -num:
                raise AssertionError(
                    "Padding_idx must be within num_embeddings")
            padding_idx = num + padding_idx
    if idx.size:
        from pytensor.ops.index._check import min_max
        lo, hi = min_max(idx)               # one read-back on a GPU
        if lo < 0 or hi >= num:
            bad = lo if lo < 0 else hi
            raise IndexError(
                f"embedding: index out of range in self (index {bad}, "
                f"num_embeddings {num})")
    flat = idx.reshape(-1)
    if flat.dtype != np.int64:
        flat = flat.astype(np.int64)
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, flat, max_norm, norm_type)
    scale = None
    if scale_grad_by_freq and flat.size:
        from pytensor.backend import get_xp
        xp = get_xp(flat)
        counts = xp.bincount(flat, minlength=num)
        scale = 1.0 / counts[flat]
    rows = _Rows(flat, padding_idx, scale, num)
    return EmbeddingGather(rows, idx.shape).apply(weight)
