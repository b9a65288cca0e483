"""``conv1d``: 1-d convolution (cross-correlation, as in PyTorch)."""
from pytensor.ops.nn._conv_args import conv

__all__ = ["conv1d"]


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1,
           groups=1):
    """1-d convolution over an input of several channels (PyTorch's
    ``F.conv1d``).

    Args:
        input (Tensor): ``(N, C_in, L)`` or unbatched ``(C_in, L)``.
        weight (Tensor): ``(C_out, C_in / groups, kL)``.
        bias (Tensor, optional): ``(C_out,)``.
        stride, padding, dilation, groups: as for :func:`conv2d`, with one
            value per dim (``padding`` may be ``"valid"`` or ``"same"``).

    Shape:
        Output ``(N, C_out, L_out)``, ``L_out = (L + 2 * padding - dilation
        * (kL - 1) - 1) // stride + 1``.

    Returns:
        Tensor of the input's dtype.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.tensor([[[1.0, 2.0, 3.0, 4.0]]])
        >>> F.conv1d(x, pytensor.tensor([[[1.0, -1.0]]]))
        tensor([[[-1., -1., -1.]]])
    """
    return conv("conv1d", 1, input, weight, bias, stride, padding, dilation,
                groups)
