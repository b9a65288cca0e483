"""Normalization functionals (the ops live in ``pytensor.ops.nn``)."""
from pytensor.ops.nn.batch_norm import batch_norm
from pytensor.ops.nn.group_norm import group_norm
from pytensor.ops.nn.instance_norm import instance_norm
from pytensor.ops.nn.layer_norm import layer_norm
from pytensor.ops.nn.rms_norm import rms_norm

__all__ = ["batch_norm", "group_norm", "instance_norm", "layer_norm",
           "rms_norm"]
