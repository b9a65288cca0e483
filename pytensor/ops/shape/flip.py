"""``flip``, ``fliplr``, ``flipud`` and ``roll``: copies with entries
reordered (PyTorch's ``flip`` copies, unlike NumPy's)."""
from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import canonical_dims, canonical_dim

__all__ = ["flip", "fliplr", "flipud", "roll"]


class Flip(Function):
    """Reverse the order along ``dims``; its own adjoint."""

    def __init__(self, dims):
        self.dims = dims

    def forward(self, x):
        xp = get_xp(x)
        return xp.ascontiguousarray(xp.flip(x, self.dims)) if self.dims \
            else x.copy()

    def backward(self, gy):
        return Flip(self.dims).apply(gy)


@tensor_method("flip")
def flip(input, *dims):
    """Reverse the order of entries along ``dims`` (a copy).

    Example:
        >>> import pytensor
        >>> pytensor.arange(6).reshape(2, 3).flip(1)
        tensor([[2, 1, 0],
                [5, 4, 3]])
    """
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    n = input._data.ndim
    ds = canonical_dims(dims, n, "flip")
    return Flip(ds if n else ()).apply(input)


@tensor_method("fliplr")
def fliplr(input):
    """Flip dim 1 (left/right); needs at least 2 dims."""
    if input._data.ndim < 2:
        raise RuntimeError("fliplr: Input must be >= 2-d.")
    return Flip((1,)).apply(input)


@tensor_method("flipud")
def flipud(input):
    """Flip dim 0 (up/down); needs at least 1 dim."""
    if input._data.ndim < 1:
        raise RuntimeError("flipud: Input must be >= 1-d.")
    return Flip((0,)).apply(input)


class Roll(Function):
    """Shift entries cyclically; the gradient rolls back."""

    def __init__(self, shifts, dims):
        self.shifts, self.dims = shifts, dims

    def forward(self, x):
        xp = get_xp(x)
        if self.dims is None:
            return xp.roll(x.reshape(-1), self.shifts[0]).reshape(x.shape)
        return xp.roll(x, self.shifts, self.dims)

    def backward(self, gy):
        return Roll(tuple(-s for s in self.shifts), self.dims).apply(gy)


@tensor_method("roll")
def roll(input, shifts, dims=None):
    """Roll entries by ``shifts`` along ``dims``; without ``dims`` the
    tensor is flattened, rolled and reshaped.

    Args:
        input (Tensor): the tensor.
        shifts (int or tuple of int): how far to shift (per dim).
        dims (int or tuple of int, optional): the dims to roll.

    Example:
        >>> import pytensor
        >>> x = pytensor.arange(6).reshape(2, 3)
        >>> x.roll(1)
        tensor([[5, 0, 1],
                [2, 3, 4]])
        >>> x.roll((1, -1), (0, 1))
        tensor([[4, 5, 3],
                [1, 2, 0]])
    """
    sh = (shifts,) if isinstance(shifts, int) else tuple(int(s)
                                                         for s in shifts)
    n = input._data.ndim
    if dims is None:
        if len(sh) != 1:
            raise RuntimeError(
                f"roll: shifts and dimensions must align. shifts: {len(sh)}, "
                "dims:0")
        return Roll(sh, None).apply(input)
    ds = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(sh) != len(ds):
        raise RuntimeError(
            f"roll: shifts and dimensions must align. shifts: {len(sh)}, "
            f"dims:{len(ds)}")
    if n == 0:
        raise IndexError(f"roll: Dimension specified as {ds[0]} but tensor "
                         "has no dimensions")
    ds = tuple(canonical_dim(d, n, "roll") for d in ds)
    return Roll(sh, ds).apply(input)
