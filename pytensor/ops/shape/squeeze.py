"""``squeeze`` and ``unsqueeze``: views that drop or add size-1 dims."""
from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import canonical_dim

__all__ = ["squeeze", "unsqueeze"]


class Squeeze(Function):
    """A reshape that only removes or inserts size-1 dims (always a view)."""

    _view = True

    def __init__(self, shape):
        self.shape = shape

    def view(self, x):
        return x.reshape(self.shape)

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, gy):
        return gy.reshape(self.in_shape)

    def backward_arrays(self, gy):
        return gy.reshape(self.in_shape)


class Unsqueeze(Squeeze):
    pass


@tensor_method("squeeze")
def squeeze(input, dim=None):
    """Remove size-1 dims (all, or those in ``dim``; others are left).

    Example:
        >>> import pytensor
        >>> pytensor.zeros(2, 1, 3, 1).squeeze().shape
        (2, 3)
        >>> pytensor.zeros(2, 1, 3).squeeze(0).shape
        (2, 1, 3)
    """
    shape = input._data.shape
    n = len(shape)
    if dim is None:
        dims = {i for i, s in enumerate(shape) if s == 1}
    else:
        ds = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = {d for d in (canonical_dim(d, n, "squeeze") for d in ds)
                if n and shape[d] == 1}
    new = tuple(s for i, s in enumerate(shape) if i not in dims)
    return Squeeze(new).apply(input)


@tensor_method("unsqueeze")
def unsqueeze(input, dim):
    """Insert a size-1 dim at ``dim`` (which may be ``ndim``, or negative).

    Example:
        >>> import pytensor
        >>> pytensor.zeros(2, 3).unsqueeze(-1).shape
        (2, 3, 1)
    """
    shape = input._data.shape
    d = canonical_dim(dim, len(shape) + 1, "unsqueeze")
    return Unsqueeze(shape[:d] + (1,) + shape[d:]).apply(input)
