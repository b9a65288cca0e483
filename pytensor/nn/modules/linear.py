"""``Identity``, ``Linear`` and ``Bilinear``."""
import math

from pytensor import creation as _creation
from pytensor.nn import functional as F
from pytensor.nn import init
from pytensor.nn.module import Module
from pytensor.nn.parameter import Parameter

__all__ = ["Identity", "Linear", "Bilinear"]


def _empty(shape, device, dtype):
    return _creation.empty(*shape, device=device, dtype=dtype)


class Identity(Module):
    """Returns its input; any constructor arguments are ignored.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> x = pytensor.ones(2)
        >>> nn.Identity(54, unused="x")(x) is x
        True
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """``y = x @ weight.T + bias``.

    Args:
        in_features (int): size of each input sample.
        out_features (int): size of each output sample.
        bias (bool): learn an additive bias (default True).
        device, dtype: where and of which dtype the parameters are created.

    Shape:
        Input ``(*, in_features)``, output ``(*, out_features)``.

    Attributes:
        weight (Parameter): ``(out_features, in_features)``, initialised
            from U(-k, k) with ``k = 1 / sqrt(in_features)``
            (``kaiming_uniform_(a=sqrt(5))``, as PyTorch).
        bias (Parameter): ``(out_features,)``, from U(-k, k).

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> m = nn.Linear(20, 30)
        >>> m
        Linear(in_features=20, out_features=30, bias=True)
        >>> m(pytensor.randn(128, 20)).shape
        (128, 30)
    """

    __constants__ = ["in_features", "out_features"]

    def __init__(self, in_features, out_features, bias=True, device=None,
                 dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(_empty((out_features, in_features), device,
                                       dtype))
        if bias:
            self.bias = Parameter(_empty((out_features,), device, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default initialisation (see the class docstring)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, "
                f"out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """``y = x1 @ weight[k] @ x2 + bias[k]`` for each output feature k.

    Args:
        in1_features (int), in2_features (int), out_features (int).
        bias (bool): learn an additive bias.

    Shape:
        Inputs ``(*, in1_features)`` and ``(*, in2_features)``, output
        ``(*, out_features)``.

    Attributes:
        weight (Parameter): ``(out_features, in1_features, in2_features)``
            from U(-k, k), ``k = 1 / sqrt(in1_features)``.
        bias (Parameter): ``(out_features,)`` from U(-k, k).
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True,
                 device=None, dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(_empty(
            (out_features, in1_features, in2_features), device, dtype))
        if bias:
            self.bias = Parameter(_empty((out_features,), device, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, "
                f"in2_features={self.in2_features}, "
                f"out_features={self.out_features}, "
                f"bias={self.bias is not None}")
