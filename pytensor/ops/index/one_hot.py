"""``one_hot``: class indices to one-hot int64 rows (re-exported by
``pytensor.nn.functional``)."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.tensor import Tensor
from pytensor.ops._util import on_input_device

__all__ = ["one_hot"]


class OneHot(Function):
    """``out[..., c] = (x[...] == c)`` as int64; not differentiable."""

    name = "one_hot"

    def __init__(self, num_classes):
        self.num_classes = num_classes

    def forward(self, x):
        xp = get_xp(x)
        out = xp.zeros(x.shape + (self.num_classes,), np.int64)
        flat = out.reshape(-1, self.num_classes)
        flat[xp.arange(x.size), x.reshape(-1)] = 1
        return out


@on_input_device
def one_hot(tensor, num_classes=-1):
    """One-hot encode int64 class indices.

    Args:
        tensor (Tensor): int64 class indices of any shape.
        num_classes (int): the number of classes; -1 infers
            ``tensor.max() + 1``.

    Returns:
        Tensor: int64 of shape ``tensor.shape + (num_classes,)``.

    Example:
        >>> import pytensor
        >>> pytensor.one_hot(pytensor.tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    op = "one_hot"
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got "
                        f"{type(tensor).__name__}")
    arr = tensor._data
    if arr.dtype != np.int64:
        raise RuntimeError(f"{op} is only applicable to index tensor of type "
                           f"LongTensor (got {tensor.dtype.name}).")
    num_classes = int(num_classes)
    if arr.size == 0:
        if num_classes == -1:
            raise RuntimeError(f"{op}: Can not infer total number of classes "
                               "from empty tensor.")
    else:
        lo, hi = int(arr.min()), int(arr.max())
        if lo < 0:
            raise RuntimeError(f"{op}: Class values must be non-negative.")
        if num_classes == -1:
            num_classes = hi + 1
        elif hi >= num_classes:
            raise RuntimeError(f"{op}: Class values must be smaller than "
                               f"num_classes (got {hi} for num_classes="
                               f"{num_classes}).")
    if num_classes < 0:
        raise RuntimeError(f"{op}: num_classes should be positive or -1, got "
                           f"{num_classes}")
    return OneHot(num_classes).apply(tensor)
