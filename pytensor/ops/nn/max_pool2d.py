"""``max_pool2d``: 2-d max pooling (optionally with the argmax indices)."""
from pytensor.ops.nn._pool_args import max_pool

# max_pool2d_with_indices is functional only, as in PyTorch.
__all__ = ["max_pool2d"]


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode=False, return_indices=False):
    """2-d max pooling over an input of several planes (PyTorch's
    ``F.max_pool2d``).

    The gradient goes to the position of each window's maximum: the first
    one in scan order (rows, then columns) when several are equal; a NaN
    in a window wins (the last NaN when there are several), as in
    PyTorch's CPU kernel.

    Args:
        input (Tensor): ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        kernel_size (int or tuple): window size.
        stride (int or tuple): window step (default: ``kernel_size``).
        padding (int or tuple): implicit ``-inf`` on both sides (at most
            half the kernel size).
        dilation (int or tuple): spacing of the window elements.
        ceil_mode (bool): round the output size up, so a last partial
            window is kept if it starts inside the input or the left
            padding.
        return_indices (bool): also return the flat argmax position
            ``h * W + w`` in each input plane (int64), as
            ``max_unpool2d`` takes it.

    Shape:
        Output ``(N, C, H_out, W_out)``, ``H_out = (H + 2 * padding -
        dilation * (kH - 1) - 1) / stride + 1`` rounded down (up with
        ``ceil_mode``).

    Returns:
        Tensor, or ``(values, indices)`` with ``return_indices``.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.tensor([[[[1.0, 5.0, 2.0], [3.0, 4.0, 9.0]]]])
        >>> F.max_pool2d(x, 2, stride=1)
        tensor([[[[5., 9.]]]])
        >>> F.max_pool2d(x, 2, ceil_mode=True, return_indices=True)[1]
        tensor([[[[1, 5]]]])
    """
    return max_pool("max_pool2d", 2, input, kernel_size, stride, padding,
                    dilation, ceil_mode, return_indices)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0,
                            dilation=1, ceil_mode=False,
                            return_indices=True):
    """:func:`max_pool2d` returning ``(values, indices)``.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.tensor([[[[1.0, 5.0], [3.0, 4.0]]]])
        >>> F.max_pool2d_with_indices(x, 2)
        (tensor([[[[5.]]]]), tensor([[[[1]]]]))
    """
    return max_pool("max_pool2d", 2, input, kernel_size, stride, padding,
                    dilation, ceil_mode, True)
