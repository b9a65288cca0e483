"""``conv2d``: 2-d convolution (cross-correlation, as in PyTorch)."""
from pytensor.ops.nn._conv_args import conv

__all__ = ["conv2d"]


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1,
           groups=1):
    """2-d convolution over an input of several planes.

    ``out[n, o] = bias[o] + sum_c weight[o, c] (*) input[n, g(o) * C/groups
    + c]``, where ``(*)`` is the valid cross-correlation of the padded,
    strided and dilated input (PyTorch's ``F.conv2d``).

    Args:
        input (Tensor): ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``.
        weight (Tensor): ``(C_out, C_in / groups, kH, kW)``.
        bias (Tensor, optional): ``(C_out,)``.
        stride (int or tuple): step of the windows (default 1).
        padding (int, tuple or str): zeros added on both sides of each
            spatial dim, or ``"valid"`` (none) or ``"same"`` (output as
            large as the input; stride 1 only; an odd total puts the extra
            zero after the input).
        dilation (int or tuple): spacing of the kernel taps (default 1).
        groups (int): split the channels into this many independent
            convolutions (``C_in`` and ``C_out`` divisible by it).

    Shape:
        Output ``(N, C_out, H_out, W_out)`` with ``H_out = (H + 2 * padding
        - dilation * (kH - 1) - 1) // stride + 1`` (likewise ``W_out``).

    Returns:
        Tensor of the input's dtype.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.arange(16.0).reshape(1, 1, 4, 4)
        >>> w = pytensor.ones(1, 1, 2, 2)
        >>> F.conv2d(x, w, stride=2)
        tensor([[[[10., 18.],
                  [42., 50.]]]])
        >>> F.conv2d(x, w, padding="same").shape
        (1, 1, 4, 4)
    """
    return conv("conv2d", 2, input, weight, bias, stride, padding, dilation,
                groups)
