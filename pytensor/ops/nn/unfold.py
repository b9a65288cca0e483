"""``unfold`` (``F.unfold``, im2col): sliding blocks as columns."""
from pytensor.ops.nn._pool_args import unfold as _unfold

__all__ = []        # functional only: not torch.unfold (Tensor.unfold differs)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding local blocks of a batched image (PyTorch's
    ``F.unfold``, also called im2col).  Not ``Tensor.unfold`` (a view of
    one dim's windows).

    Args:
        input (Tensor): float ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        kernel_size (int or tuple): block size.
        dilation (int or tuple): spacing of the block elements.
        padding (int or tuple): implicit zeros on both sides.
        stride (int or tuple): block step.

    Shape:
        Output ``(N, C * kH * kW, L)`` where ``L`` is the number of blocks;
        row ``(c * kH + i) * kW + j`` holds element ``(i, j)`` of each
        block of channel ``c``.

    Returns:
        Tensor of the input's dtype.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.arange(9.0).reshape(1, 1, 3, 3)
        >>> F.unfold(x, 2)
        tensor([[[0., 1., 3., 4.],
                 [1., 2., 4., 5.],
                 [3., 4., 6., 7.],
                 [4., 5., 7., 8.]]])
    """
    return _unfold(input, kernel_size, dilation, padding, stride)
