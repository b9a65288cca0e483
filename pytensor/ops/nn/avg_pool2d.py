"""``avg_pool2d``: 2-d average pooling."""
from pytensor.ops.nn._pool_args import avg_pool

__all__ = []        # functional only (pytensor.nn.functional.avg_pool2d)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-d average pooling (PyTorch's ``F.avg_pool2d``).

    Each window's sum is divided by ``divisor_override`` if given, else by
    the window's size clipped to the padded input (``count_include_pad``)
    or to the input.  Integer inputs divide rounding toward zero.

    Args:
        input (Tensor): ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        kernel_size (int or tuple): window size.
        stride (int or tuple): window step (default: ``kernel_size``).
        padding (int or tuple): implicit zeros on both sides (at most half
            the kernel size).
        ceil_mode (bool): round the output size up (see
            :func:`max_pool2d`).
        count_include_pad (bool): count the padding in the divisor.
        divisor_override (int, optional): divide by this instead.

    Shape:
        Output ``(N, C, H_out, W_out)`` as for :func:`max_pool2d` with
        dilation 1.

    Returns:
        Tensor of the input's dtype.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.arange(16.0).reshape(1, 1, 4, 4)
        >>> F.avg_pool2d(x, 2)
        tensor([[[[ 2.5000,  4.5000],
                  [10.5000, 12.5000]]]])
        >>> F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
        tensor([[[[ 2.5000,  4.0000],
                  [ 8.5000, 10.0000]]]])
    """
    return avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding,
                    ceil_mode, count_include_pad, divisor_override)
