"""``Fold`` and ``Unfold`` layers (col2im / im2col) over
:func:`~pytensor.nn.functional.fold` and :func:`~pytensor.nn.functional.
unfold`."""
from pytensor.nn import functional as F
from pytensor.nn.module import Module

__all__ = ["Fold", "Unfold"]


class Fold(Module):
    """Combine sliding local blocks into an image, summing overlaps
    (``F.fold``).

    Args:
        output_size, kernel_size, dilation=1, padding=0, stride=1: as for
            ``F.fold``.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> fold = nn.Fold(output_size=(4, 5), kernel_size=(2, 2))
        >>> fold
        Fold(output_size=(4, 5), kernel_size=(2, 2), dilation=1, padding=0,
             stride=1)
        >>> fold(pytensor.randn(1, 3 * 2 * 2, 12)).shape
        (1, 3, 4, 5)
    """

    __constants__ = ["output_size", "kernel_size", "dilation", "padding",
                     "stride"]

    def __init__(self, output_size, kernel_size, dilation=1, padding=0,
                 stride=1):
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size,
                      self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return ("output_size={output_size}, kernel_size={kernel_size}, "
                "dilation={dilation}, padding={padding}, stride={stride}"
                .format(**self.__dict__))


class Unfold(Module):
    """Extract sliding local blocks as columns (``F.unfold``).

    Args:
        kernel_size, dilation=1, padding=0, stride=1: as for ``F.unfold``.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> unfold = nn.Unfold(kernel_size=(2, 3))
        >>> unfold
        Unfold(kernel_size=(2, 3), dilation=1, padding=0, stride=1)
        >>> unfold(pytensor.randn(2, 5, 3, 4)).shape
        (2, 30, 4)
    """

    __constants__ = ["kernel_size", "dilation", "padding", "stride"]

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding,
                        self.stride)

    def extra_repr(self):
        return ("kernel_size={kernel_size}, dilation={dilation}, padding="
                "{padding}, stride={stride}".format(**self.__dict__))
