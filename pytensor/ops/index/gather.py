"""``gather`` and ``take_along_dim``: pick entries along one dim by an
index tensor; the backward scatter-adds through ``pytensor_ext``."""
from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import canonical_dim
from pytensor.ops.index._check import (index_arg, check_bounds, grid_key,
                                       keep, shape_list)
from pytensor.tensor import Tensor
from pytensor_ext import kernels_for
from pytensor.ops._util import on_input_device

__all__ = ["gather", "take_along_dim"]


class Gather(Function):
    """``out[i][j] = x[index[i][j]][j]`` (for ``dim == 0``)."""

    def __init__(self, dim, index):
        self.dim, self.index = dim, index

    def forward(self, x):
        self.in_shape = x.shape
        self.index = keep(self, self.index)
        return x[grid_key(self.index, self.dim, get_xp(x))]

    def backward(self, gy):
        return GatherBackward(self.dim, self.index,
                              self.in_shape).apply(gy)


class GatherBackward(Function):
    """Zeros of the input's shape with the gradient added at the gathered
    positions (repeated indices accumulate)."""

    name = "gather_backward"
    kernel = "scatter_add"

    def __init__(self, dim, index, shape):
        self.dim, self.index, self.shape = dim, index, shape

    def forward(self, g):
        xp = get_xp(g)
        out = xp.zeros(self.shape, g.dtype)
        if self.index.size:
            kernels_for(out).scatter_add(out, self.dim, self.index, g)
        return out

    def backward(self, gg):
        return Gather(self.dim, self.index).apply(gg)


def check_gather_shapes(op, dim, ishape, xshape, what="self"):
    if len(ishape) != len(xshape):
        raise RuntimeError(
            f"{op}: Index tensor must have the same number of dimensions as "
            f"{what} tensor (index {shape_list(ishape)}, {what} "
            f"{shape_list(xshape)})")
    for d, (a, b) in enumerate(zip(ishape, xshape)):
        if d != dim and a > b:
            raise RuntimeError(
                f"{op}: Size does not match at dimension {d} expected index "
                f"{shape_list(ishape)} to be no larger than {what} "
                f"{shape_list(xshape)} apart from dimension {dim}")


def _as_1d(input, index):
    """0-d input/index behave as 1-element 1-d ones (as in PyTorch)."""
    return (input.reshape(1) if input._data.ndim == 0 else input,
            index.reshape(1) if index._data.ndim == 0 else index)


@tensor_method("gather")
@on_input_device
def gather(input, dim, index, *, sparse_grad=False):
    """Entries of ``input`` along ``dim`` picked by ``index``:
    ``out[i][j][k] = input[index[i][j][k]][j][k]`` for ``dim == 0`` (and
    likewise for other dims).

    Args:
        input (Tensor): the source.
        dim (int): the dim to index along.
        index (Tensor): int64 (or int32) tensor with ``input``'s number of
            dims, no larger than ``input`` in the other dims.

    Returns:
        Tensor of ``index``'s shape.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[1, 2], [3, 4]])
        >>> x.gather(1, pytensor.tensor([[0, 0], [1, 0]]))
        tensor([[1, 1],
                [4, 3]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"gather: input must be a Tensor, got "
                        f"{type(input).__name__}")
    scalar = input._data.ndim == 0 and isinstance(index, Tensor) and \
        index._data.ndim == 0
    x, index = _as_1d(input, index) if input._data.ndim == 0 else (
        input, index)
    arr = x._data
    d = canonical_dim(dim, arr.ndim, "gather")
    idx = index_arg("gather", index, arr)
    check_gather_shapes("gather", d, idx.shape, arr.shape)
    check_bounds("gather", idx, arr.shape[d], d)
    out = Gather(d, idx).apply(x)
    return out.reshape(()) if scalar else out


@tensor_method("take_along_dim")
@on_input_device
def take_along_dim(input, indices, dim=None):
    """Like NumPy's ``take_along_axis``: gather along ``dim`` after
    broadcasting ``input`` and ``indices`` in the other dims; with ``dim``
    None both are flattened.  Negative indices count from the end.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[10, 30, 20], [60, 40, 50]])
        >>> idx = pytensor.tensor([[1], [0]])     # e.g. x.argmax(1, True)
        >>> pytensor.take_along_dim(x, idx, dim=1)
        tensor([[30],
                [60]])
    """
    op = "take_along_dim"
    if not isinstance(indices, Tensor):
        raise TypeError(f"{op}: indices must be a Tensor, got "
                        f"{type(indices).__name__}")
    if indices._data.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): dtype of indices should be Long but got "
                           f"{indices.dtype.name}")
    if dim is None:
        x = input.reshape(-1)
        index = indices.reshape(-1)
        d = 0
    else:
        if input._data.ndim != indices._data.ndim:
            raise RuntimeError(
                f"{op}(): input and indices should have the same number of "
                f"dimensions, but got {input._data.ndim} dimensions for "
                f"input, and {indices._data.ndim} dimensions for indices")
        n = max(input._data.ndim, 1)
        d = canonical_dim(dim, n, op)
        xs, is_ = list(input.shape), list(indices.shape)
        if not xs:
            x, index = _as_1d(input, indices)
        else:
            from pytensor.ops.shape.expand import broadcast_shapes
            a, b = xs[:d] + xs[d + 1:], is_[:d] + is_[d + 1:]
            try:
                common = list(broadcast_shapes(a, b))
            except RuntimeError:
                raise RuntimeError(
                    f"{op}: the shapes of input {shape_list(xs)} and indices "
                    f"{shape_list(is_)} do not broadcast apart from dimension "
                    f"{d}") from None
            x = input.expand(common[:d] + [xs[d]] + common[d:])
            index = indices.expand(common[:d] + [is_[d]] + common[d:])
    arr = x._data
    idx = index_arg(op, index, arr)
    idx = check_bounds(op, idx, arr.shape[d], d, allow_negative=True)
    out = Gather(d, idx).apply(x)
    if dim is not None and input._data.ndim == 0:
        return out.reshape(())
    return out
