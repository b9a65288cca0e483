"""``batch_norm``: per-channel normalization with running statistics."""
from pytensor.autograd.function import Function
from pytensor.ops.nn._common import (
    check_float, check_param, check_tensor, fmt_shape, prod)
from pytensor_ext import kernels_for

__all__ = []        # functional only (pytensor.nn.functional.batch_norm)


class BatchNorm(Function):
    """Normalize each channel of ``(N, C, *)`` with its batch statistics
    (training) or the running ones (evaluation), then ``* weight + bias``.

    In training the running statistics are updated in place by the forward
    kernel (PyTorch's ``native_batch_norm``).  The first-order backward is
    one kernel pass (``batch_norm_bwd``); ``backward`` recomputes the batch
    statistics with differentiable ops so double backward is exact.
    """

    kernel = "batch_norm_fwd"

    def __init__(self, training, momentum, eps):
        self.training = training
        self.momentum = momentum
        self.eps = eps

    def forward(self, x, weight, bias, running_mean, running_var):
        x3 = _as3d(x)
        y, mean, invstd = kernels_for(x).batch_norm_fwd(
            x3, weight, bias, running_mean, running_var, self.training,
            self.momentum, self.eps)
        self.save_for_backward(x, weight, mean, invstd)
        return y.reshape(x.shape)

    def backward_arrays(self, gy):
        x, weight, mean, invstd = self.saved_arrays
        need = self.needs_input_grad
        gx, gw, gb = kernels_for(x).batch_norm_bwd(
            _as3d(gy), _as3d(x), weight, mean, invstd, self.training,
            (need[0], need[1], need[2]))
        return (None if gx is None else gx.reshape(x.shape), gw, gb,
                None, None)

    def backward(self, gy):
        x, weight, _, invstd = self.saved_tensors
        need = self.needs_input_grad
        N, C = x.shape[0], x.shape[1]
        L = prod(x.shape[2:])
        x3 = x.reshape(N, C, L)
        g3 = gy.reshape(N, C, L)
        gx = gw = gb = None
        if self.training:
            xc = x3 - x3.mean((0, 2), keepdim=True)
            r = ((xc * xc).mean((0, 2), keepdim=True) + self.eps) ** -0.5
            xhat = xc * r
        else:
            # The running statistics are constants: ``invstd`` (saved) and
            # the mean they imply through the saved forward.
            r = invstd.reshape(1, C, 1)
            mean = self.saved_tensors[2].reshape(1, C, 1)
            xhat = (x3 - mean) * r
        if need[0]:
            g = g3 if weight is None else g3 * weight.reshape(1, C, 1)
            if self.training:
                gx = r * (g - g.mean((0, 2), keepdim=True)
                          - xhat * (g * xhat).mean((0, 2), keepdim=True))
            else:
                gx = g * r
            gx = gx.reshape(x.shape)
        if need[1]:
            gw = (g3 * xhat).sum((0, 2))
        if need[2]:
            gb = g3.sum((0, 2))
        return gx, gw, gb, None, None


def _as3d(a):
    """``(N, C, *)`` as ``(N, C, L)`` (explicit sizes: zero-size dims)."""
    s = a.shape
    return a.reshape(s[0], s[1], prod(s[2:]))


def batch_norm(input, running_mean, running_var, weight=None, bias=None,
               training=False, momentum=0.1, eps=1e-5):
    """Batch normalization over the channel dim 1 of ``(N, C, *)``.

    In training mode each channel is normalized with the mean and biased
    variance of the batch (over every dim but 1), and ``running_mean`` /
    ``running_var``, when given, are updated in place:
    ``running = (1 - momentum) * running + momentum * batch_stat`` (the
    variance unbiased, as PyTorch).  In evaluation mode the running
    statistics normalize.

    Args:
        input (Tensor): ``(N, C)`` or ``(N, C, *)``.
        running_mean, running_var (Tensor or None): ``(C,)`` buffers;
            required when ``training`` is False.
        weight, bias (Tensor, optional): ``(C,)`` scale and shift.
        training (bool): use (and update) batch statistics.
        momentum (float): the update factor of the running statistics.
        eps (float): added to the variance.

    Returns:
        Tensor of ``input``'s shape.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.tensor([[1.0, 10.0], [3.0, 30.0]])
        >>> rm, rv = pytensor.zeros(2), pytensor.ones(2)
        >>> F.batch_norm(x, rm, rv, training=True)
        tensor([[-1.0000, -1.0000],
                [ 1.0000,  1.0000]])
        >>> rm, rv
        (tensor([0.2000, 2.0000]), tensor([  1.1000,  20.9000]))
    """
    op = "batch_norm"
    check_tensor(op, "input", input)
    check_float(op, input)
    shape = input._data.shape
    if len(shape) < 2:
        raise ValueError(
            f"{op}: expected an input of shape (N, C) or (N, C, *), got a "
            f"{len(shape)}-d input of shape {fmt_shape(shape)}")
    C = shape[1]
    if training:
        if shape[0] * prod(shape[2:]) == 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got "
                f"input size {fmt_shape(shape)}")
    elif running_mean is None or running_var is None:
        raise RuntimeError(
            f"{op}: running_mean and running_var must be given when not "
            "training")
    for name, t in (("weight", weight), ("bias", bias),
                    ("running_mean", running_mean),
                    ("running_var", running_var)):
        check_param(op, name, t, input, (C,),
                    per_channel=True)
    fn = BatchNorm(bool(training), float(momentum), float(eps))
    out = fn.apply(input, weight, bias, running_mean, running_var)
    if training:
        # The forward wrote the statistics in place.
        for t in (running_mean, running_var):
            if t is not None and shape[0] * prod(shape[2:]):
                t._bump_version("batch_norm")
    return out
