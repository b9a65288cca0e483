"""``expand``, ``expand_as``, ``broadcast_to``: stride-0 views."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method

__all__ = ["broadcast_to", "broadcast_tensors", "broadcast_shapes"]


class Expand(Function):
    """A read-only broadcast view; the engine sums the gradient back."""

    _view = True

    def __init__(self, shape):
        self.shape = shape

    def view(self, x):
        from pytensor.backend import get_xp
        return get_xp(x).broadcast_to(x, self.shape)

    def forward(self, x):
        return self.view(x)

    def backward(self, gy):
        return gy       # the engine's sum_to_size does the reduction

    def backward_arrays(self, gy):
        return gy


@tensor_method("expand")
def expand(input, *sizes):
    """A view with singleton dims repeated to ``sizes`` (-1 keeps a dim).

    Example:
        >>> import pytensor
        >>> pytensor.tensor([[1], [2]]).expand(2, 3)
        tensor([[1, 1, 1],
                [2, 2, 2]])
    """
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    shape = input._data.shape
    n = len(sizes)
    if n < len(shape):
        raise RuntimeError(
            f"expand: the number of sizes provided ({n}) must be greater or "
            f"equal to the number of dimensions in the tensor "
            f"({len(shape)})")
    lead = n - len(shape)
    out = []
    for i, s in enumerate(sizes):
        s = int(s)
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"expand: the expanded size of the tensor (-1) isn't "
                    f"allowed in a leading, non-existing dimension {i}")
            out.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            s = cur
        elif cur != s and cur != 1:
            raise RuntimeError(
                f"expand: the expanded size of the tensor ({s}) must match "
                f"the existing size ({cur}) at non-singleton dimension {i}. "
                f"Target sizes: {list(sizes)}. Tensor sizes: {list(shape)}")
        out.append(s)
    return Expand(tuple(out)).apply(input)


@tensor_method("expand_as")
def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, size):
    return expand(input, tuple(size))


def broadcast_shapes(*shapes):
    """The broadcast of several shapes (RuntimeError if incompatible)."""
    try:
        return tuple(np.broadcast_shapes(*[tuple(s) for s in shapes]))
    except ValueError:
        raise RuntimeError(f"shapes {[list(s) for s in shapes]} cannot be "
                           "broadcast together") from None


def broadcast_tensors(*tensors):
    """Expand all tensors to their common broadcast shape."""
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)
