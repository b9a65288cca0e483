"""``adaptive_avg_pool1d`` / ``adaptive_avg_pool2d``."""
from pytensor.ops.nn._pool_args import adaptive_pool

# adaptive_avg_pool2d is functional only, as in PyTorch.
__all__ = ["adaptive_avg_pool1d"]


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size (PyTorch's
    ``F.adaptive_avg_pool2d``): output ``(i, j)`` averages rows
    ``floor(i * H / H_out)`` to ``ceil((i + 1) * H / H_out)`` (exclusive)
    and likewise columns.

    Args:
        input (Tensor): float ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        output_size (int or tuple): ``H_out, W_out``; ``None`` keeps that
            dim's input size.

    Shape:
        Output ``(N, C, H_out, W_out)``.

    Returns:
        Tensor of the input's dtype.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.arange(9.0).reshape(1, 3, 3)
        >>> F.adaptive_avg_pool2d(x, 1)
        tensor([[[4.]]])
        >>> F.adaptive_avg_pool2d(x, (2, None))
        tensor([[[1.5000, 2.5000, 3.5000],
                 [4.5000, 5.5000, 6.5000]]])
    """
    return adaptive_pool("adaptive_avg_pool2d", 2, input, output_size, "avg")


def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a fixed output length (PyTorch's
    ``F.adaptive_avg_pool1d``); windows as in :func:`adaptive_avg_pool2d`.

    Args:
        input (Tensor): float ``(N, C, L)`` or unbatched ``(C, L)``.
        output_size (int): ``L_out``.

    Shape:
        Output ``(N, C, L_out)``.

    Returns:
        Tensor of the input's dtype.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.adaptive_avg_pool1d(pytensor.tensor([[1.0, 2.0, 4.0]]), 2)
        tensor([[1.5000, 3.0000]])
    """
    return adaptive_pool("adaptive_avg_pool1d", 1, input, output_size, "avg")
