"""``InstanceNorm1d``, ``InstanceNorm2d``, ``InstanceNorm3d``."""
import warnings

from pytensor.nn import functional as F
from pytensor.nn.modules.batchnorm import _NormBase

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


class _InstanceNorm(_NormBase):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None, *,
                 bias=True):
        super().__init__(num_features, eps, momentum, affine,
                         track_running_stats, device, dtype, bias=bias)

    _no_batch_dim = None

    def _check_input_dim(self, input):
        n = self._no_batch_dim
        if input.dim() not in (n, n + 1):
            raise ValueError(f"expected {n}D or {n + 1}D input (got "
                             f"{input.dim()}D input)")

    def _apply_instance_norm(self, input):
        return F.instance_norm(
            input, self.running_mean, self.running_var, self.weight,
            self.bias, self.training or not self.track_running_stats,
            self.momentum if self.momentum is not None else 0.0, self.eps)

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.dim() - self._no_batch_dim
        if input.size(feature_dim) != self.num_features:
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={feature_dim} to match "
                    f"num_features ({self.num_features}), but got: "
                    f"{input.size(feature_dim)}.")
            warnings.warn(
                f"input's size at dim={feature_dim} does not match "
                "num_features. You can silence this warning by not passing "
                "in num_features, which is not used because affine=False",
                stacklevel=2)
        if input.dim() == self._no_batch_dim:
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization over ``(N, C, L)`` (or unbatched ``(C, L)``):
    each sample's channels normalized over their positions.  Arguments as
    :class:`BatchNorm1d` (defaults ``affine=False``,
    ``track_running_stats=False``).

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> nn.InstanceNorm1d(2)(pytensor.tensor([[[1.0, 3.0], [0.0, 4.0]]]))
        tensor([[[-1.0000,  1.0000],
                 [-1.0000,  1.0000]]])
    """

    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization over ``(N, C, H, W)`` (or ``(C, H, W)``)."""

    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization over ``(N, C, D, H, W)`` (or unbatched)."""

    _no_batch_dim = 4
