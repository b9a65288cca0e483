"""Argument checks shared by the CPU (Cython) and GPU (CuPy) window kernels
(im2col/col2im, pooling): one message for one mistake, whichever backend
ran."""

__all__ = ["pair", "conv_geometry"]


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
