"""Neural-network ops: convolution, pooling, unfold/fold.

Every op module is loaded (and its Tensor methods bound); the names PyTorch
also has at the top level (``torch.conv2d``, ``torch.max_pool2d``, ...) are
re-exported flat from ``pytensor``, the others only through
``pytensor.nn.functional`` (and ``pytensor.ops.nn``).
"""
from pytensor.ops._registry import load_family

_ALL = load_family(__name__, __path__, globals())

# torch.<name> exists for these (torch.avg_pool2d, torch.unfold, ... do not).
TOP_LEVEL = ("conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d",
             "max_pool1d", "max_pool2d", "max_pool1d_with_indices",
             "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool1d")

__all__ = [n for n in _ALL if n in TOP_LEVEL]
FUNCTIONAL = list(_ALL)
