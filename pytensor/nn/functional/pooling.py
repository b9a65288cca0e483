"""Pooling with ``torch.nn.functional``'s names and signatures: the ops of
:mod:`pytensor.ops.nn`."""
from pytensor.ops.nn.adaptive_avg_pool import (adaptive_avg_pool1d,
                                               adaptive_avg_pool2d)
from pytensor.ops.nn.adaptive_max_pool import (
    adaptive_max_pool1d, adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d, adaptive_max_pool2d_with_indices)
from pytensor.ops.nn.avg_pool1d import avg_pool1d
from pytensor.ops.nn.avg_pool2d import avg_pool2d
from pytensor.ops.nn.max_pool1d import max_pool1d, max_pool1d_with_indices
from pytensor.ops.nn.max_pool2d import max_pool2d, max_pool2d_with_indices

__all__ = ["max_pool1d", "max_pool2d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "avg_pool1d", "avg_pool2d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d",
           "adaptive_max_pool1d", "adaptive_max_pool2d",
           "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices"]
