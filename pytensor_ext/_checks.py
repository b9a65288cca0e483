"""Argument checks shared by the CPU (Cython) and GPU (CuPy) window kernels
(im2col/col2im, pooling): one message for one mistake, whichever backend
ran."""

__all__ = ["pair", "conv_geometry", "four_d", "adaptive_fits"]


def pair(name, what, value, minimum):
    """``value`` as a pair of ints, each at least ``minimum``.

    Example:
        >>> from pytensor_ext._checks import pair
        >>> pair("im2col", "stride", (2, 1), 1)
        (2, 1)
    """
    try:
        a, b = value
        a, b = int(a), int(b)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: {what} must be a pair of ints, got "
                        f"{value!r}") from None
    if a < minimum or b < minimum:
        raise ValueError(f"{name}: {what} must be at least {minimum}, got "
                         f"{(a, b)}")
    return a, b


def conv_geometry(name, kernel_size, stride, padding, dilation, blocks,
                  layout):
    """The checked ``(kernel_size, stride, padding, dilation, blocks)``
    pairs of an im2col/col2im call; ``layout`` is ``"nkl"`` or ``"knl"``."""
    if not isinstance(layout, str) or layout not in ("nkl", "knl"):
        raise ValueError(f"{name}: layout must be 'nkl' or 'knl', got "
                         f"{layout!r}")
    return (pair(name, "kernel_size", kernel_size, 1),
            pair(name, "stride", stride, 1),
            pair(name, "padding", padding, 0),
            pair(name, "dilation", dilation, 1),
            pair(name, "blocks", blocks, 0))


def four_d(name, x):
    """Raise unless ``x`` is a 4-d (N, C, H, W) array.

    Example:
        >>> import numpy as np
        >>> from pytensor_ext._checks import four_d
        >>> four_d("im2col", np.zeros((1, 1, 2, 2)))
    """
    if x.ndim != 4:
        raise ValueError(f"{name}: expected a 4-d (N, C, H, W) array, got "
                         f"shape {tuple(x.shape)}")


def adaptive_fits(name, shape, bh, bw):
    """Raise when an adaptive pooling of an (N, C, H, W) ``shape`` to
    ``(bh, bw)`` would pool an empty plane into non-empty windows."""
    n, c, h, w = shape
    if (h == 0 or w == 0) and bh * bw and n * c:
        raise ValueError(f"{name}: cannot pool an empty plane {(h, w)} to "
                         f"{(bh, bw)}")
