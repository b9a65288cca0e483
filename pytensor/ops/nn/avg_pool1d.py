"""``avg_pool1d``: 1-d average pooling."""
from pytensor.ops.nn._pool_args import avg_pool

__all__ = ["avg_pool1d"]


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-d average pooling (PyTorch's ``F.avg_pool1d``); divisors as in
    :func:`avg_pool2d`.

    Args:
        input (Tensor): ``(N, C, L)`` or unbatched ``(C, L)``.
        kernel_size, stride, padding, ceil_mode, count_include_pad: as for
            :func:`avg_pool2d`, one value each.

    Shape:
        Output ``(N, C, L_out)``.

    Returns:
        Tensor of the input's dtype.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.avg_pool1d(pytensor.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]]), 2)
        tensor([[[1.5000, 3.5000]]])
    """
    return avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding,
                    ceil_mode, count_include_pad, None)
