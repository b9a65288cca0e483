"""``fold`` (``F.fold``, col2im): columns summed back into an image."""
from pytensor.ops.nn._pool_args import fold as _fold

__all__ = []        # functional only (pytensor.nn.functional.fold)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine an array of sliding local blocks into a batched image,
    summing where blocks overlap (PyTorch's ``F.fold``; the adjoint of
    :func:`unfold`).

    Args:
        input (Tensor): float ``(N, C * kH * kW, L)`` or unbatched
            ``(C * kH * kW, L)``.
        output_size (int or tuple): ``(H, W)`` of the image.
        kernel_size, dilation, padding, stride: as for :func:`unfold`;
            ``L`` must be the number of blocks they give.

    Shape:
        Output ``(N, C, H, W)``.

    Returns:
        Tensor of the input's dtype.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.fold(pytensor.ones(1, 4, 4), (3, 3), 2)
        tensor([[[[1., 2., 1.],
                  [2., 4., 2.],
                  [1., 2., 1.]]]])
    """
    return _fold(input, output_size, kernel_size, dilation, padding, stride)
