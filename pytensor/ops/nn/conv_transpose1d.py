"""``conv_transpose1d``: the transposed 1-d convolution."""
from pytensor.ops.nn._conv_args import conv_transpose

__all__ = ["conv_transpose1d"]


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0,
                     output_padding=0, groups=1, dilation=1):
    """Transposed 1-d convolution: the gradient of :func:`conv1d` with
    respect to its input, as a layer (PyTorch's ``F.conv_transpose1d``).

    Args:
        input (Tensor): ``(N, C_in, L)`` or unbatched ``(C_in, L)``.
        weight (Tensor): ``(C_in, C_out / groups, kL)``.
        bias (Tensor, optional): ``(C_out,)``.
        stride, padding, output_padding, groups, dilation: as for
            :func:`conv_transpose2d`, one value per dim.

    Shape:
        Output ``(N, C_out, L_out)``, ``L_out = (L - 1) * stride - 2 *
        padding + dilation * (kL - 1) + output_padding + 1``.

    Returns:
        Tensor of the input's dtype.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.tensor([[[1.0, 2.0]]])
        >>> w = pytensor.tensor([[[1.0, 1.0, 1.0]]])
        >>> F.conv_transpose1d(x, w, stride=2)
        tensor([[[1., 1., 3., 2., 2.]]])
    """
    return conv_transpose("conv_transpose1d", 1, input, weight, bias, stride,
                          padding, output_padding, groups, dilation)
