"""``permute``, ``transpose``/``swapaxes``/``swapdims``, ``t``, ``movedim``:
views that reorder dimensions."""
from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import canonical_dim

__all__ = ["permute", "transpose", "swapaxes", "swapdims", "t", "movedim",
           "moveaxis"]


class Permute(Function):
    _view = True

    def __init__(self, dims):
        self.dims = dims

    def view(self, x):
        return x.transpose(self.dims)

    def forward(self, x):
        return x.transpose(self.dims)

    def backward(self, gy):
        inv = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inv[d] = i
        return gy.permute(*inv)

    def backward_arrays(self, gy):
        inv = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inv[d] = i
        return gy.transpose(inv)


@tensor_method("permute")
def permute(input, *dims):
    """A view with dims reordered.

    Example:
        >>> import pytensor
        >>> pytensor.zeros(2, 3, 4).permute(2, 0, 1).shape
        (4, 2, 3)
    """
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input "
            f"does not match the length of the desired ordering of "
            f"dimensions i.e. input.dim() = {n} is not equal to "
            f"len(dims) = {len(dims)}")
    dims = tuple(canonical_dim(d, n, "permute") for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError(f"permute: repeated dim in {list(dims)}")
    return Permute(dims).apply(input)


@tensor_method("transpose", "swapaxes", "swapdims")
def transpose(input, dim0, dim1):
    """A view with ``dim0`` and ``dim1`` swapped."""
    n = input._data.ndim
    if n == 0:
        canonical_dim(dim0, 0, "transpose")
        canonical_dim(dim1, 0, "transpose")
        return permute(input)
    d0 = canonical_dim(dim0, n, "transpose")
    d1 = canonical_dim(dim1, n, "transpose")
    dims = list(range(n))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute(tuple(dims)).apply(input)


swapaxes = swapdims = transpose


@tensor_method("t")
def t(input):
    """Transpose of a tensor with at most 2 dims."""
    if input._data.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is "
            f"{input._data.ndim}D")
    if input._data.ndim < 2:
        return permute(input, *range(input._data.ndim))
    return transpose(input, 0, 1)


@tensor_method("movedim", "moveaxis")
def movedim(input, source, destination):
    """Move dims from ``source`` to ``destination`` positions."""
    n = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(
        destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source "
            f"({list(src)} dims) should contain the same number of dims as "
            f"destination ({list(dst)} dims)")
    src = [canonical_dim(d, n, "movedim") for d in src]
    dst = [canonical_dim(d, n, "movedim") for d in dst]
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, *order)


moveaxis = movedim
