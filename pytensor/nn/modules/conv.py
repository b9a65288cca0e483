"""Convolution layers: ``Conv1d``, ``Conv2d``, ``ConvTranspose1d``,
``ConvTranspose2d`` (PyTorch's constructors, attributes, initialisation and
``extra_repr``)."""
import collections.abc
import math

from pytensor import creation as _creation
from pytensor.nn import functional as F
from pytensor.nn import init
from pytensor.nn.module import Module
from pytensor.nn.parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _ntuple(x, n):
    """PyTorch's ``_single``/``_pair``: iterables become tuples as they
    are, anything else is repeated."""
    if isinstance(x, collections.abc.Iterable):
        return tuple(x)
    return (x,) * n


class _ConvNd(Module):
    """What the convolution layers share (PyTorch's ``_ConvNd``)."""

    __constants__ = ["stride", "padding", "dilation", "groups",
                     "padding_mode", "output_padding", "in_channels",
                     "out_channels", "kernel_size"]
    _dims = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride,
                 padding, dilation, transposed, output_padding, groups, bias,
                 padding_mode, device=None, dtype=None):
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of "
                    f"{{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for "
                                 "strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {set(_PADDING_MODES)}, but got "
                f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        # What F.pad needs for the non-zero padding modes: (left, right)
        # pairs starting from the last dim.
        if isinstance(padding, str):
            rev = [0, 0] * len(kernel_size)
            if padding == "same":
                for d, k, i in zip(dilation, kernel_size,
                                   range(len(kernel_size) - 1, -1, -1)):
                    total = d * (k - 1)
                    rev[2 * i] = total // 2
                    rev[2 * i + 1] = total - total // 2
            self._reversed_padding_repeated_twice = rev
        else:
            self._reversed_padding_repeated_twice = [
                p for p in reversed(padding) for _ in range(2)]
        if transposed:
            shape = (in_channels, out_channels // groups) + tuple(kernel_size)
        else:
            shape = (out_channels, in_channels // groups) + tuple(kernel_size)
        self.weight = Parameter(_creation.empty(*shape, device=device,
                                                dtype=dtype))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, device=device,
                                                  dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: ``kaiming_uniform_(weight, a=sqrt(5))`` (i.e.
        U(-k, k) with ``k = 1 / sqrt(fan_in)``) and the bias from U(-k, k)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = ("{in_channels}, {out_channels}, kernel_size={kernel_size}"
             ", stride={stride}")
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)


class _Conv(_ConvNd):
    _fn = None          # F.conv1d / F.conv2d

    def __init__(self, in_channels, out_channels, kernel_size, stride=1,
                 padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        n = self._dims
        super().__init__(
            in_channels, out_channels, _ntuple(kernel_size, n),
            _ntuple(stride, n),
            padding if isinstance(padding, str) else _ntuple(padding, n),
            _ntuple(dilation, n), False, _ntuple(0, n), groups, bias,
            padding_mode, device=device, dtype=dtype)

    def _conv_forward(self, input, weight, bias):
        fn = type(self)._fn
        if self.padding_mode != "zeros":
            return fn(F.pad(input, self._reversed_padding_repeated_twice,
                            mode=self.padding_mode), weight, bias,
                      self.stride, (0,) * self._dims, self.dilation,
                      self.groups)
        return fn(input, weight, bias, self.stride, self.padding,
                  self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv2d(_Conv):
    """2-d convolution layer (:func:`~pytensor.nn.functional.conv2d`).

    Args:
        in_channels (int), out_channels (int): channels of the input and
            the output (both divisible by ``groups``).
        kernel_size (int or tuple): window size.
        stride, padding, dilation, groups: as for ``F.conv2d``
            (``padding`` may be ``"valid"`` or ``"same"``).
        bias (bool): learn a bias (default True).
        padding_mode (str): ``'zeros'`` (default), ``'reflect'``,
            ``'replicate'`` or ``'circular'`` (through ``F.pad``).
        device, dtype: of the parameters.

    Shape:
        Input ``(N, C_in, H, W)`` or ``(C_in, H, W)``; output ``(N, C_out,
        H_out, W_out)`` (see ``F.conv2d``).

    Attributes:
        weight (Parameter): ``(out_channels, in_channels / groups, kH, kW)``
            from U(-k, k), ``k = 1 / sqrt(in_channels / groups * kH * kW)``
            (``kaiming_uniform_(a=sqrt(5))``, as PyTorch).
        bias (Parameter): ``(out_channels,)`` from U(-k, k).

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> m = nn.Conv2d(3, 8, 3, padding=1)
        >>> m
        Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
        >>> m(pytensor.randn(2, 3, 16, 16)).shape
        (2, 8, 16, 16)
    """

    _dims = 2
    _fn = staticmethod(F.conv2d)


class Conv1d(_Conv):
    """1-d convolution layer (:func:`~pytensor.nn.functional.conv1d`);
    arguments, initialisation and padding modes as for :class:`Conv2d`.

    Shape:
        Input ``(N, C_in, L)`` or ``(C_in, L)``; output ``(N, C_out,
        L_out)``.

    Attributes:
        weight (Parameter): ``(out_channels, in_channels / groups, k)``.
        bias (Parameter): ``(out_channels,)``.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> m = nn.Conv1d(4, 6, 5, stride=2, bias=False)
        >>> m
        Conv1d(4, 6, kernel_size=(5,), stride=(2,), bias=False)
        >>> m(pytensor.randn(3, 4, 21)).shape
        (3, 6, 9)
    """

    _dims = 1
    _fn = staticmethod(F.conv1d)


class _ConvTransposeNd(_ConvNd):
    _fn = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1,
                 padding=0, output_padding=0, groups=1, bias=True,
                 dilation=1, padding_mode="zeros", device=None, dtype=None):
        n = self._dims
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f'{type(self).__name__}')
        super().__init__(
            in_channels, out_channels, _ntuple(kernel_size, n),
            _ntuple(stride, n), _ntuple(padding, n), _ntuple(dilation, n),
            True, _ntuple(output_padding, n), groups, bias, padding_mode,
            device=device, dtype=dtype)

    def _output_padding(self, input, output_size):
        """The output padding that gives ``output_size`` (PyTorch's
        ``_ConvTransposeNd._output_padding``)."""
        if output_size is None:
            return self.output_padding
        n = self._dims
        batched = input.dim() == n + 2
        lead = 2 if batched else 1
        output_size = tuple(output_size)
        if len(output_size) == lead + n:
            output_size = output_size[lead:]
        if len(output_size) != n:
            raise ValueError(
                f"ConvTranspose{n}D: for {input.dim()}D input, output_size "
                f"must have {n} or {lead + n} elements (got "
                f"{len(output_size)})")
        mins, maxs = [], []
        for d in range(n):
            size = ((input.shape[d + lead] - 1) * self.stride[d]
                    - 2 * self.padding[d]
                    + self.dilation[d] * (self.kernel_size[d] - 1) + 1)
            mins.append(size)
            maxs.append(size + self.stride[d] - 1)
        for size, lo, hi in zip(output_size, mins, maxs):
            if size < lo or size > hi:
                raise ValueError(
                    f"requested an output size of {list(output_size)}, but "
                    f"valid sizes range from {mins} to {maxs} (for an input "
                    f"of {list(input.shape[lead:])})")
        return tuple(int(s) - lo for s, lo in zip(output_size, mins))

    def forward(self, input, output_size=None):
        if self.padding_mode != "zeros":
            raise ValueError(f"Only `zeros` padding mode is supported for "
                             f"{type(self).__name__}")
        output_padding = self._output_padding(input, output_size)
        return type(self)._fn(input, self.weight, self.bias, self.stride,
                              self.padding, output_padding, self.groups,
                              self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-d convolution layer
    (:func:`~pytensor.nn.functional.conv_transpose2d`).

    Args:
        in_channels (int), out_channels (int): divisible by ``groups``.
        kernel_size, stride, padding, output_padding, groups, dilation: as
            for ``F.conv_transpose2d``.
        bias (bool): learn a bias (default True).
        padding_mode (str): only ``'zeros'``.

    Shape:
        Input ``(N, C_in, H, W)`` or ``(C_in, H, W)``; output ``(N, C_out,
        H_out, W_out)``.  ``forward(input, output_size)`` picks the output
        padding that gives ``output_size``.

    Attributes:
        weight (Parameter): ``(in_channels, out_channels / groups, kH, kW)``
            from ``kaiming_uniform_(a=sqrt(5))`` (fan-in = ``out_channels /
            groups * kH * kW``, as PyTorch computes it).
        bias (Parameter): ``(out_channels,)``.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> m = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1)
        >>> m
        ConvTranspose2d(8, 4, kernel_size=(3, 3), stride=(2, 2),
                        padding=(1, 1))
        >>> x = pytensor.randn(1, 8, 5, 5)
        >>> m(x).shape
        (1, 4, 9, 9)
        >>> m(x, output_size=(10, 10)).shape
        (1, 4, 10, 10)
    """

    _dims = 2
    _fn = staticmethod(F.conv_transpose2d)


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-d convolution layer
    (:func:`~pytensor.nn.functional.conv_transpose1d`); as
    :class:`ConvTranspose2d` with one spatial dim.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> m = nn.ConvTranspose1d(2, 3, 4, stride=2)
        >>> m
        ConvTranspose1d(2, 3, kernel_size=(4,), stride=(2,))
        >>> m(pytensor.randn(5, 2, 7)).shape
        (5, 3, 16)
    """

    _dims = 1
    _fn = staticmethod(F.conv_transpose1d)
