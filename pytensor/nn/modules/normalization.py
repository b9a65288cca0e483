"""``LayerNorm``, ``GroupNorm``, ``RMSNorm``."""
import numbers

from pytensor import creation as _creation
from pytensor.nn import functional as F
from pytensor.nn import init
from pytensor.nn.module import Module
from pytensor.nn.parameter import Parameter

__all__ = ["LayerNorm", "GroupNorm", "RMSNorm"]


def _shape(normalized_shape):
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(normalized_shape)


class LayerNorm(Module):
    """Layer normalization over the trailing ``normalized_shape`` dims:
    ``(x - E[x]) / sqrt(Var[x] + eps) * weight + bias``.

    Args:
        normalized_shape (int or sequence of int): the trailing shape.
        eps (float): added to the variance.
        elementwise_affine (bool): learn ``weight`` (init 1) and ``bias``
            (init 0) of shape ``normalized_shape``.
        bias (bool): learn the bias (with ``elementwise_affine``).

    Shape:
        Input ``(*, *normalized_shape)``; output the same.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> ln = nn.LayerNorm(3)
        >>> ln
        LayerNorm((3,), eps=1e-05, elementwise_affine=True, bias=True)
        >>> ln(pytensor.tensor([[1.0, 2.0, 3.0]]))
        tensor([[-1.2247,  0.0000,  1.2247]], grad_fn=<LayerNormBackward>)
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True,
                 bias=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        kw = dict(device=device, dtype=dtype)
        if elementwise_affine:
            self.weight = Parameter(_creation.empty(*self.normalized_shape,
                                                    **kw))
            if bias:
                self.bias = Parameter(_creation.empty(*self.normalized_shape,
                                                      **kw))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight,
                            self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Group normalization: the ``num_channels`` channels split into
    ``num_groups`` groups, each normalized over its channels and positions,
    then a per-channel affine map.

    Args:
        num_groups (int): must divide ``num_channels``.
        num_channels (int): ``C``.
        eps (float): added to the variance.
        affine (bool): learn ``weight`` (init 1) and ``bias`` (init 0).
        bias (bool, keyword): learn the bias (with ``affine``).

    Shape:
        Input ``(N, C, *)``; output the same.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> nn.GroupNorm(2, 4)
        GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)
    """

    __constants__ = ["num_groups", "num_channels", "eps", "affine"]

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be "
                             f"divisible by num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        kw = dict(device=device, dtype=dtype)
        if affine:
            self.weight = Parameter(_creation.empty(num_channels, **kw))
            if bias:
                self.bias = Parameter(_creation.empty(num_channels, **kw))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias,
                            self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")


class RMSNorm(Module):
    """Root-mean-square normalization over the trailing dims:
    ``x / sqrt(mean(x ** 2) + eps) * weight``.

    Args:
        normalized_shape (int or sequence of int): the trailing shape.
        eps (float, optional): defaults to the input dtype's machine
            epsilon.
        elementwise_affine (bool): learn ``weight`` (init 1).

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> nn.RMSNorm(2, eps=0.0)(pytensor.tensor([[3.0, 4.0]]))
        tensor([[0.8485, 1.1314]], grad_fn=<RMSNormBackward>)
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True,
                 device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(_creation.empty(
                *self.normalized_shape, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
