"""Pooling layers: ``MaxPool1d/2d``, ``AvgPool1d/2d``,
``AdaptiveAvgPool1d/2d``, ``AdaptiveMaxPool1d/2d`` (PyTorch's
constructors, attributes and ``extra_repr``)."""
from pytensor.nn import functional as F
from pytensor.nn.module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
           "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d",
           "AdaptiveMaxPool2d"]


def _single(x):
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,)


class _MaxPoolNd(Module):
    __constants__ = ["kernel_size", "stride", "padding", "dilation",
                     "return_indices", "ceil_mode"]

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self):
        return ("kernel_size={kernel_size}, stride={stride}, padding="
                "{padding}, dilation={dilation}, ceil_mode={ceil_mode}"
                .format(**self.__dict__))


class MaxPool2d(_MaxPoolNd):
    """2-d max pooling layer (:func:`~pytensor.nn.functional.max_pool2d`).

    Args:
        kernel_size, stride (default ``kernel_size``), padding, dilation,
        ceil_mode: as for ``F.max_pool2d``.
        return_indices (bool): ``forward`` returns ``(values, indices)``.

    Shape:
        Input ``(N, C, H, W)`` or ``(C, H, W)``; output ``(N, C, H_out,
        W_out)``.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> m = nn.MaxPool2d(2)
        >>> m
        MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1,
                  ceil_mode=False)
        >>> m(pytensor.randn(4, 3, 9, 9)).shape
        (4, 3, 4, 4)
    """

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride,
                            self.padding, self.dilation,
                            ceil_mode=self.ceil_mode,
                            return_indices=self.return_indices)


class MaxPool1d(_MaxPoolNd):
    """1-d max pooling layer (:func:`~pytensor.nn.functional.max_pool1d`);
    arguments as for :class:`MaxPool2d`.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> m = nn.MaxPool1d(3, stride=2, return_indices=True)
        >>> values, indices = m(pytensor.randn(2, 4, 11))
        >>> values.shape, indices.dtype
        ((2, 4, 5), pytensor.int64)
    """

    def forward(self, input):
        return F.max_pool1d(input, self.kernel_size, self.stride,
                            self.padding, self.dilation,
                            ceil_mode=self.ceil_mode,
                            return_indices=self.return_indices)


class AvgPool2d(Module):
    """2-d average pooling layer (:func:`~pytensor.nn.functional.
    avg_pool2d`).

    Args:
        kernel_size, stride (default ``kernel_size``), padding, ceil_mode,
        count_include_pad, divisor_override: as for ``F.avg_pool2d``.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> m = nn.AvgPool2d(3, stride=2, padding=1)
        >>> m
        AvgPool2d(kernel_size=3, stride=2, padding=1)
        >>> m(pytensor.randn(1, 2, 8, 8)).shape
        (1, 2, 4, 4)
    """

    __constants__ = ["kernel_size", "stride", "padding", "ceil_mode",
                     "count_include_pad", "divisor_override"]

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}")

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride,
                            self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class AvgPool1d(Module):
    """1-d average pooling layer (:func:`~pytensor.nn.functional.
    avg_pool1d`); the sizes are stored as 1-tuples, as in PyTorch.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> m = nn.AvgPool1d(2)
        >>> m
        AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))
        >>> m(pytensor.tensor([[[1.0, 3.0, 5.0, 7.0]]]))
        tensor([[[2., 6.]]])
    """

    __constants__ = ["kernel_size", "stride", "padding", "ceil_mode",
                     "count_include_pad"]

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}")

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride,
                            self.padding, self.ceil_mode,
                            self.count_include_pad)


class _AdaptivePool(Module):
    __constants__ = ["output_size"]

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptivePool):
    """Average pooling to a fixed output size
    (:func:`~pytensor.nn.functional.adaptive_avg_pool2d`).

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> m = nn.AdaptiveAvgPool2d((1, 1))
        >>> m
        AdaptiveAvgPool2d(output_size=(1, 1))
        >>> m(pytensor.randn(2, 16, 7, 7)).shape
        (2, 16, 1, 1)
    """

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveAvgPool1d(_AdaptivePool):
    """Average pooling to a fixed output length
    (:func:`~pytensor.nn.functional.adaptive_avg_pool1d`).

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> nn.AdaptiveAvgPool1d(3)(pytensor.randn(2, 5, 10)).shape
        (2, 5, 3)
    """

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)


class _AdaptiveMaxPool(_AdaptivePool):
    __constants__ = ["output_size", "return_indices"]

    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = return_indices


class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """Max pooling to a fixed output size
    (:func:`~pytensor.nn.functional.adaptive_max_pool2d`).

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> m = nn.AdaptiveMaxPool2d((2, 3))
        >>> m
        AdaptiveMaxPool2d(output_size=(2, 3))
        >>> m(pytensor.randn(1, 4, 7, 9)).shape
        (1, 4, 2, 3)
    """

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size,
                                     self.return_indices)


class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """Max pooling to a fixed output length
    (:func:`~pytensor.nn.functional.adaptive_max_pool1d`).

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> nn.AdaptiveMaxPool1d(4)(pytensor.randn(2, 3, 9)).shape
        (2, 3, 4)
    """

    def forward(self, input):
        return F.adaptive_max_pool1d(input, self.output_size,
                                     self.return_indices)
