"""``conv_transpose2d``: the transposed 2-d convolution."""
from pytensor.ops.nn._conv_args import conv_transpose

__all__ = ["conv_transpose2d"]


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0,
                     output_padding=0, groups=1, dilation=1):
    """Transposed 2-d convolution ("deconvolution"): the gradient of
    :func:`conv2d` with respect to its input, as a layer (PyTorch's
    ``F.conv_transpose2d``).

    Args:
        input (Tensor): ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``.
        weight (Tensor): ``(C_in, C_out / groups, kH, kW)``.
        bias (Tensor, optional): ``(C_out,)``.
        stride (int or tuple): stride of the corresponding convolution.
        padding (int or tuple): ``dilation * (k - 1) - padding`` zeros are
            implicitly added on both sides (the corresponding convolution's
            padding).
        output_padding (int or tuple): extra rows/columns on one side of
            the output (smaller than the stride or the dilation).
        groups (int): independent groups of channels.
        dilation (int or tuple): spacing of the kernel taps.

    Shape:
        Output ``(N, C_out, H_out, W_out)``, ``H_out = (H - 1) * stride - 2
        * padding + dilation * (kH - 1) + output_padding + 1``.

    Returns:
        Tensor of the input's dtype.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.ones(1, 1, 2, 2)
        >>> F.conv_transpose2d(x, pytensor.ones(1, 1, 2, 2), stride=1)
        tensor([[[[1., 2., 1.],
                  [2., 4., 2.],
                  [1., 2., 1.]]]])
    """
    return conv_transpose("conv_transpose2d", 2, input, weight, bias, stride,
                          padding, output_padding, groups, dilation)
