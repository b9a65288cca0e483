"""``adaptive_max_pool1d`` / ``adaptive_max_pool2d``."""
from pytensor.ops.nn._pool_args import adaptive_pool

# The others are functional only, as in PyTorch.
__all__ = ["adaptive_max_pool1d"]


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size (PyTorch's
    ``F.adaptive_max_pool2d``); windows as in :func:`adaptive_avg_pool2d`,
    ties and NaN as in :func:`max_pool2d`.

    Args:
        input (Tensor): float ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        output_size (int or tuple): ``H_out, W_out`` (``None`` keeps a
            dim's size).
        return_indices (bool): also return the flat argmax positions.

    Shape:
        Output ``(N, C, H_out, W_out)``.

    Returns:
        Tensor, or ``(values, indices)``.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.arange(9.0).reshape(1, 3, 3)
        >>> F.adaptive_max_pool2d(x, 2)
        tensor([[[4., 5.],
                 [7., 8.]]])
    """
    return adaptive_pool("adaptive_max_pool2d", 2, input, output_size,
                         "max", return_indices)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling to a fixed output length (PyTorch's
    ``F.adaptive_max_pool1d``).

    Args:
        input (Tensor): float ``(N, C, L)`` or unbatched ``(C, L)``.
        output_size (int): ``L_out``.
        return_indices (bool): also return the argmax positions.

    Shape:
        Output ``(N, C, L_out)``.

    Returns:
        Tensor, or ``(values, indices)``.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.adaptive_max_pool1d(pytensor.tensor([[1.0, 3.0, 2.0]]), 2)
        tensor([[3., 3.]])
    """
    return adaptive_pool("adaptive_max_pool1d", 1, input, output_size,
                         "max", return_indices)


def adaptive_max_pool2d_with_indices(input, output_size,
                                     return_indices=True):
    """:func:`adaptive_max_pool2d` returning ``(values, indices)``.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.tensor([[[1.0, 2.0], [4.0, 3.0]]])
        >>> F.adaptive_max_pool2d_with_indices(x, 1)
        (tensor([[[4.]]]), tensor([[[2]]]))
    """
    return adaptive_pool("adaptive_max_pool2d", 2, input, output_size,
                         "max", True)


def adaptive_max_pool1d_with_indices(input, output_size,
                                     return_indices=True):
    """:func:`adaptive_max_pool1d` returning ``(values, indices)``.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.tensor([[1.0, 3.0]])
        >>> F.adaptive_max_pool1d_with_indices(x, 1)
        (tensor([[3.]]), tensor([[1]]))
    """
    return adaptive_pool("adaptive_max_pool1d", 1, input, output_size,
                         "max", True)
