"""Convolutions and unfold/fold with ``torch.nn.functional``'s names and
signatures: the ops of :mod:`pytensor.ops.nn` (``F.conv2d is
pytensor.conv2d``)."""
from pytensor.ops.nn.conv1d import conv1d
from pytensor.ops.nn.conv2d import conv2d
from pytensor.ops.nn.conv_transpose1d import conv_transpose1d
from pytensor.ops.nn.conv_transpose2d import conv_transpose2d
from pytensor.ops.nn.fold import fold
from pytensor.ops.nn.unfold import unfold

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d",
           "unfold", "fold"]
