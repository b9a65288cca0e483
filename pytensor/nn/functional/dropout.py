"""``dropout`` and the channel-wise ``dropout1d/2d/3d``.

Masks come from pytensor's random generator (``pytensor.manual_seed`` makes
them reproducible; ``generator=`` picks another stream).  Kept elements are
scaled by ``1 / (1 - p)`` so the expectation is unchanged; ``p = 1`` gives
zeros (and zero gradients).
"""
import warnings

import numpy as np

from pytensor._errors import user_stacklevel
from pytensor.autograd.function import Function
from pytensor.nn.functional._util import check_tensor
from pytensor.tensor import Tensor

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d"]


class Dropout(Function):
    """``y = x * mask``, the mask (0 or ``1/(1-p)``, possibly broadcast over
    spatial dims) drawn before the call and saved for backward."""

    def forward(self, x, mask):
        self.save_for_backward(mask)
        return x * mask

    def backward_arrays(self, gy):
        mask, = self.saved_arrays
        return gy * mask, None

    def backward(self, gy):
        mask, = self.saved_tensors
        return gy * mask, None


def _make_mask(x, p, shape, generator):
    from pytensor.random import _draw
    arr = x._data
    dtype = arr.dtype
    if p == 1.0:
        from pytensor.backend import get_xp
        return get_xp(arr).zeros(shape, dtype)
    q = 1.0 - p
    udt = np.float64 if dtype == np.float64 else np.float32

    def draw(g):
        u = g.random(shape, dtype=udt)
        m = (u < q).astype(dtype)
        m *= dtype.type(1.0 / q)
        return m
    return _draw(x.device, generator, draw)


def _check_p(p):
    if not 0.0 <= p <= 1.0:             # NaN too
        raise ValueError(
            f"dropout probability has to be between 0 and 1, but got {p}")


def _apply(input, p, training, inplace, mask_shape, generator, op):
    check_tensor(op, "input", input)
    _check_p(p)
    if not training or p == 0.0 or input._data.size == 0:
        return input
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point input, got "
                           f"{input.dtype}")
    mask = _make_mask(input, p, mask_shape, generator)
    if inplace:
        from pytensor.autograd.inplace import inplace as _inplace
        return _inplace(input, op + "_", lambda x: Dropout.apply(x, mask))
    return Dropout.apply(input, mask)


def dropout(input, p=0.5, training=True, inplace=False, *, generator=None):
    """Zero each element with probability ``p`` and scale the rest by
    ``1 / (1 - p)``; the identity when ``training`` is False.

    Args:
        input (Tensor): any shape.
        p (float): the probability of an element being zeroed.
        training (bool): apply dropout (else return ``input`` unchanged).
        inplace (bool): write the result into ``input``.
        generator (Generator, optional): the random stream (default: the
            global one, seeded by ``pytensor.manual_seed``).

    Returns:
        Tensor of the input's shape.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> _ = pytensor.manual_seed(0)
        >>> y = F.dropout(pytensor.ones(8), p=0.25)
        >>> y
        tensor([0.0000, 1.3333, 1.3333, 1.3333, 1.3333, 1.3333, 1.3333,
                1.3333])
    """
    shape = input.shape if isinstance(input, Tensor) else None
    return _apply(input, p, training, inplace, shape, generator, "dropout")


def _feature_mask_shape(shape, batched):
    keep = 2 if batched else 1
    return tuple(shape[:keep]) + (1,) * (len(shape) - keep)


def dropout1d(input, p=0.5, training=True, inplace=False, *,
              generator=None):
    """Channel-wise dropout for ``(N, C, L)`` or ``(C, L)`` inputs: whole
    channels are zeroed together.

    Returns:
        Tensor of the input's shape.
    """
    check_tensor("dropout1d", "input", input)
    n = input.ndim
    if n not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {n}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on "
            "inputs with 1 spatial dimension, a channel dimension, and an "
            "optional batch dimension (i.e. 2D or 3D inputs).")
    return _apply(input, p, training, inplace,
                  _feature_mask_shape(input.shape, n == 3), generator,
                  "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False, *,
              generator=None):
    """Channel-wise dropout for ``(N, C, H, W)`` inputs.  A 3-D input is
    taken as ``(N, C, L)`` with a warning, as in PyTorch.

    Returns:
        Tensor of the input's shape.
    """
    check_tensor("dropout2d", "input", input)
    n = input.ndim
    if n not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {n}-D input to dropout2d, which is "
            "deprecated and will result in an error in a future release. To "
            "retain the behavior and silence this warning, please use "
            "dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a "
            "channel dimension, and an optional batch dimension (i.e. 3D or "
            "4D inputs).", stacklevel=user_stacklevel())
    if n == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that "
            "channel-wise 1D dropout behavior is desired - input is "
            "interpreted as shape (N, C, L), where C is the channel dim. This "
            "behavior will change in a future release to interpret the input "
            "as one without a batch dimension, i.e. shape (C, H, W). To "
            "maintain the 1D channel-wise dropout behavior, please switch to "
            "using dropout1d instead.", stacklevel=user_stacklevel())
    return _apply(input, p, training, inplace,
                  _feature_mask_shape(input.shape, n >= 2), generator,
                  "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False, *,
              generator=None):
    """Channel-wise dropout for ``(N, C, D, H, W)`` or ``(C, D, H, W)``
    inputs.

    Returns:
        Tensor of the input's shape.
    """
    check_tensor("dropout3d", "input", input)
    n = input.ndim
    if n not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {n}-D input to dropout3d, which is "
            "deprecated and will result in an error in a future release. To "
            "retain the behavior and silence this warning, please use "
            "dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a "
            "channel dimension, and an optional batch dimension (i.e. 4D or "
            "5D inputs).", stacklevel=user_stacklevel())
    return _apply(input, p, training, inplace,
                  _feature_mask_shape(input.shape, n == 5), generator,
                  "dropout3d")
