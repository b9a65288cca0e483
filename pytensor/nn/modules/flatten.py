"""``Flatten`` and ``Unflatten``."""
from pytensor.nn.module import Module
from pytensor.ops import flatten, unflatten     # (checks the input's type)

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Flatten dims ``start_dim..end_dim`` into one (default: all but the
    batch dim).

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> nn.Flatten()(pytensor.zeros(32, 1, 5, 5)).shape
        (32, 25)
    """

    __constants__ = ["start_dim", "end_dim"]

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expand dim ``dim`` into the shape ``unflattened_size``.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> nn.Unflatten(1, (2, 5, 5))(pytensor.zeros(2, 50)).shape
        (2, 2, 5, 5)
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if isinstance(dim, str):
            raise TypeError("Unflatten: named dimensions are not supported")
        if not isinstance(dim, int):
            raise TypeError("invalid argument: dim must be an int")
        if not isinstance(unflattened_size, (tuple, list)) or not all(
                isinstance(s, int) for s in unflattened_size):
            raise TypeError("unflattened_size must be tuple of ints, but "
                            f"found type {type(unflattened_size).__name__}")
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input):
        return unflatten(input, self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
