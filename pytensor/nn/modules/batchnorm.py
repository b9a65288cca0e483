"""``BatchNorm1d``, ``BatchNorm2d``, ``BatchNorm3d``."""
from pytensor import creation as _creation
from pytensor import dtypes as _dt
from pytensor.nn import functional as F
from pytensor.nn import init
from pytensor.nn.module import Module
from pytensor.nn.parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]


class _NormBase(Module):
    """Common base of the batch and instance norms: the affine parameters
    and the running statistics (PyTorch's ``_NormBase``)."""

    _version = 2
    __constants__ = ["track_running_stats", "momentum", "eps", "num_features",
                     "affine"]

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *,
                 bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        kw = dict(device=device, dtype=dtype)
        if affine:
            self.weight = Parameter(_creation.empty(num_features, **kw))
            if bias:
                self.bias = Parameter(_creation.empty(num_features, **kw))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean",
                                 _creation.zeros(num_features, **kw))
            self.register_buffer("running_var",
                                 _creation.ones(num_features, **kw))
            self.register_buffer("num_batches_tracked", _creation.tensor(
                0, dtype=_dt.int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        """Running mean 0, variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        """Running statistics reset; weight 1, bias 0."""
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, "
                f"momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            if self.num_batches_tracked is not None:
                self.num_batches_tracked.add_(1)
                if self.momentum is None:
                    # Cumulative moving average.
                    factor = 1.0 / float(self.num_batches_tracked)
        # Batch statistics in training, and in evaluation when there are no
        # running statistics to use.
        if self.training:
            bn_training = True
        else:
            bn_training = self.running_mean is None and \
                self.running_var is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input, self.running_mean if track else None,
            self.running_var if track else None, self.weight, self.bias,
            bn_training, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalization over ``(N, C)`` or ``(N, C, L)`` inputs.

    In training mode each channel is normalized with the mean and (biased)
    variance of the batch and the running statistics are updated,
    ``running = (1 - momentum) * running + momentum * batch`` (the variance
    unbiased); ``momentum=None`` gives the cumulative average over all the
    batches seen.  In evaluation mode the running statistics normalize.

    Args:
        num_features (int): ``C``.
        eps (float): added to the variance.
        momentum (float or None): the running-statistics factor.
        affine (bool): learn ``weight`` (init 1) and ``bias`` (init 0).
        track_running_stats (bool): keep ``running_mean``, ``running_var``
            and ``num_batches_tracked`` buffers; without them the batch
            statistics are used in evaluation mode too.
        bias (bool, keyword): learn the bias (with ``affine``).

    Shape:
        Input ``(N, C)`` or ``(N, C, L)``; output the same.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> bn = nn.BatchNorm1d(2)
        >>> bn.eps, bn.momentum, bn.affine, bn.track_running_stats
        (1e-05, 0.1, True, True)
        >>> y = bn(pytensor.tensor([[1.0, 10.0], [3.0, 30.0]]))
        >>> bn.running_mean, bn.num_batches_tracked
        (tensor([0.2000, 2.0000]), tensor(1))
    """

    def _check_input_dim(self, input):
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(
                f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalization over ``(N, C, H, W)`` inputs; arguments as
    :class:`BatchNorm1d`.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> bn = nn.BatchNorm2d(3, affine=False)
        >>> bn(pytensor.randn(4, 3, 2, 2)).shape
        (4, 3, 2, 2)
    """

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    """Batch normalization over ``(N, C, D, H, W)`` inputs; arguments as
    :class:`BatchNorm1d`."""

    def _check_input_dim(self, input):
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")
