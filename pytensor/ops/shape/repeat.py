"""``repeat`` (PyTorch's: tile the whole tensor) and ``tile``."""
from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method

__all__ = ["tile"]


class Repeat(Function):
    """``x`` tiled ``reps`` times per dim (``len(reps) >= x.ndim``; missing
    leading dims are size 1).  The gradient sums the copies."""

    def __init__(self, reps):
        self.reps = reps

    def forward(self, x):
        self.in_shape = x.shape
        reps = self.reps
        lead = len(reps) - x.ndim
        x = x.reshape((1,) * lead + x.shape)
        return get_xp(x).tile(x, reps)

    def backward(self, gy):
        # View the gradient as (r0, s0, r1, s1, ...) and sum the r axes.
        reps = self.reps
        shape = (1,) * (len(reps) - len(self.in_shape)) + tuple(self.in_shape)
        split = []
        for r, s in zip(reps, shape):
            split += [r, s]
        g = gy.reshape(*split).sum(tuple(range(0, 2 * len(reps), 2)))
        return g.reshape(self.in_shape)


@tensor_method("repeat")
def repeat(input, *sizes):
    """The tensor repeated ``sizes[i]`` times along each dim (like NumPy's
    ``tile``; PyTorch semantics, not NumPy's ``repeat``).  ``sizes`` may have
    more entries than ``input`` has dims: new leading dims are added.

    Args:
        input (Tensor): the tensor.
        *sizes (ints or one sequence): repetitions per dim.

    Example:
        >>> import pytensor
        >>> pytensor.tensor([1, 2]).repeat(2, 2)
        tensor([[1, 2, 1, 2],
                [1, 2, 1, 2]])
    """
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    reps = tuple(int(s) for s in sizes)
    n = input._data.ndim
    if len(reps) < n:
        raise RuntimeError(
            f"repeat: Number of dimensions of repeat dims ({len(reps)}) can "
            f"not be smaller than number of dimensions of tensor ({n})")
    for r in reps:
        if r < 0:
            shape = (1,) * (len(reps) - n) + input._data.shape
            out = [s * r for s, r in zip(shape, reps)]
            raise RuntimeError(
                f"repeat: Trying to create tensor with negative dimension "
                f"{min(out)}: {out}")
    return Repeat(reps).apply(input)


@tensor_method("tile")
def tile(input, dims):
    """Like :meth:`Tensor.repeat`, but ``dims`` shorter than ``input.ndim``
    is padded with leading ones.

    Example:
        >>> import pytensor
        >>> pytensor.tensor([[1, 2], [3, 4]]).tile((2,))
        tensor([[1, 2, 1, 2],
                [3, 4, 3, 4]])
    """
    if isinstance(dims, int):
        dims = (dims,)
    dims = tuple(int(d) for d in dims)
    n = input._data.ndim
    if len(dims) < n:
        dims = (1,) * (n - len(dims)) + dims
    return repeat(input, dims)
