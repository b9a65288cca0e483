"""``max_pool1d``: 1-d max pooling (optionally with the argmax indices)."""
from pytensor.ops.nn._pool_args import max_pool

__all__ = ["max_pool1d", "max_pool1d_with_indices"]


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode=False, return_indices=False):
    """1-d max pooling over an input of several channels (PyTorch's
    ``F.max_pool1d``); ties and NaN as in :func:`max_pool2d`.

    Args:
        input (Tensor): ``(N, C, L)`` or unbatched ``(C, L)``.
        kernel_size, stride, padding, dilation, ceil_mode, return_indices:
            as for :func:`max_pool2d`, one value each.

    Shape:
        Output ``(N, C, L_out)``, ``L_out = (L + 2 * padding - dilation *
        (kernel_size - 1) - 1) / stride + 1`` rounded down (up with
        ``ceil_mode``).

    Returns:
        Tensor, or ``(values, indices)`` with ``return_indices`` (indices
        into the length dim).

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.max_pool1d(pytensor.tensor([[1.0, 3.0, 2.0, 0.0, 7.0]]), 2)
        tensor([[3., 2.]])
    """
    return max_pool("max_pool1d", 1, input, kernel_size, stride, padding,
                    dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0,
                            dilation=1, ceil_mode=False,
                            return_indices=True):
    """:func:`max_pool1d` returning ``(values, indices)``.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.max_pool1d_with_indices(pytensor.tensor([[1.0, 3.0]]), 2)
        (tensor([[3.]]), tensor([[1]]))
    """
    return max_pool("max_pool1d", 1, input, kernel_size, stride, padding,
                    dilation, ceil_mode, True)
