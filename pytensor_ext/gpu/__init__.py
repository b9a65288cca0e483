"""The GPU kernels: CuPy implementations of every kernel of
:mod:`pytensor_ext.reference`, with the same names and signatures.

Importing this package never imports CuPy: kernels are declarations
(:mod:`pytensor_ext.gpu._registry`) that are built per device on first
use, so the names can be listed, and the CUDA bodies compile-checked
(``python -m pytensor_ext.gpu.compile_check``), on machines without a GPU.
:func:`available` says whether CuPy imports and sees a device.
"""
from pytensor_ext.gpu.arith import add_fwd, div_fwd, mul_fwd, sub_fwd
from pytensor_ext.gpu.activation import (
    erf_fwd, erfc_fwd, gelu_bwd, gelu_fwd, relu_bwd, relu_fwd, sigmoid_bwd,
    sigmoid_fwd, silu_bwd, silu_fwd, tanh_bwd, tanh_fwd)
from pytensor_ext.gpu.conv import col2im, im2col
from pytensor_ext.gpu.norm import (
    batch_norm_bwd, batch_norm_fwd, layer_norm_bwd, layer_norm_fwd)
from pytensor_ext.gpu.optim import (
    adagrad_step, adam_step, rmsprop_step, sgd_step)
from pytensor_ext.gpu.pool import (
    adaptive_avg_pool2d_bwd, adaptive_avg_pool2d_fwd,
    adaptive_max_pool2d_fwd, avg_pool2d_bwd, avg_pool2d_fwd, max_pool2d_bwd,
    max_pool2d_fwd)
from pytensor_ext.gpu.reduce import sum_to_shape
from pytensor_ext.gpu.rnn import (
    gru_cell_bwd, gru_cell_fwd, lstm_cell_bwd, lstm_cell_fwd, lstm_seq_bwd,
    lstm_seq_fwd)
from pytensor_ext.gpu.scatter import index_add, scatter_add
from pytensor_ext.gpu.softmax import (
    log_softmax_bwd, log_softmax_fwd, softmax_bwd, softmax_fwd)

__all__ = ["available", "sum_to_shape", "softmax_fwd", "softmax_bwd",
           "log_softmax_fwd", "log_softmax_bwd", "relu_fwd", "relu_bwd",
           "sigmoid_fwd", "sigmoid_bwd", "tanh_fwd", "tanh_bwd", "gelu_fwd",
           "gelu_bwd", "silu_fwd", "silu_bwd", "erf_fwd", "erfc_fwd",
           "index_add", "scatter_add", "sgd_step", "adam_step",
           "rmsprop_step", "adagrad_step", "layer_norm_fwd", "layer_norm_bwd",
           "batch_norm_fwd", "batch_norm_bwd", "lstm_cell_fwd",
           "lstm_cell_bwd", "gru_cell_fwd", "gru_cell_bwd", "add_fwd",
           "sub_fwd", "mul_fwd", "div_fwd", "im2col", "col2im",
           "max_pool2d_fwd", "max_pool2d_bwd", "adaptive_max_pool2d_fwd",
           "avg_pool2d_fwd", "avg_pool2d_bwd", "adaptive_avg_pool2d_fwd",
           "adaptive_avg_pool2d_bwd", "lstm_seq_fwd", "lstm_seq_bwd"]

_available = None


def available():
    """True when CuPy imports and at least one CUDA device is usable
    (cached after the first call; never raises)."""
    global _available
    if _available is None:
        try:
            from pytensor_ext.gpu._memo import cupy
            _available = cupy().cuda.runtime.getDeviceCount() > 0
        except Exception:           # no CuPy, no driver, no device
            _available = False
    return _available
