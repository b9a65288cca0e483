"""``tril`` / ``triu`` (and in place): keep the lower / upper triangle of
the last two dims."""
from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method

__all__ = ["tril", "triu"]


class Tril(Function):
    """Zero the entries above diagonal ``k``; linear, so the gradient is
    masked the same way."""

    upper = False

    def __init__(self, k):
        self.k = k

    def forward(self, x):
        xp = get_xp(x)
        return (xp.triu if self.upper else xp.tril)(x, self.k)

    def backward(self, gy):
        return type(self)(self.k).apply(gy)


class Triu(Tril):
    """Zero the entries below diagonal ``k``."""

    upper = True


def _check(op, input):
    if input._data.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 "
                           f"dimensions (got shape {list(input.shape)})")


@tensor_method("tril")
def tril(input, diagonal=0):
    """The lower triangle of the last two dims (entries with ``j - i >
    diagonal`` set to zero).

    Example:
        >>> import pytensor
        >>> pytensor.ones(3, 3).tril(-1)
        tensor([[0., 0., 0.],
                [1., 0., 0.],
                [1., 1., 0.]])
    """
    _check("tril", input)
    return Tril(int(diagonal)).apply(input)


@tensor_method("triu")
def triu(input, diagonal=0):
    """The upper triangle of the last two dims (entries with ``j - i <
    diagonal`` set to zero).

    Example:
        >>> import pytensor
        >>> pytensor.ones(2, 3).triu(1)
        tensor([[0., 1., 1.],
                [0., 0., 1.]])
    """
    _check("triu", input)
    return Triu(int(diagonal)).apply(input)


@tensor_method("tril_")
def tril_(input, diagonal=0):
    """In-place :func:`tril`."""
    _check("tril_", input)
    return inplace(input, "tril_", tril, diagonal)


@tensor_method("triu_")
def triu_(input, diagonal=0):
    """In-place :func:`triu`."""
    _check("triu_", input)
    return inplace(input, "triu_", triu, diagonal)
