"""Regression losses: ``mse_loss``, ``l1_loss``, ``smooth_l1_loss``,
``huber_loss``.

Each elementwise loss is one op (NumPy forward in one pass over ``x - t``)
whose backward is written with differentiable ops; the piecewise choices
(sign, inside/outside the quadratic zone) are constant masks, exact for
every derivative order away from the kinks.  Kinks follow PyTorch: the L1
gradient at 0 is 0; smooth L1 and Huber are continuous there.  The
reduction (and PyTorch 2.13's elementwise ``weight``) is applied with ops.
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.nn.functional._util import (check_reduction, check_tensor,
                                          legacy_reduction, size_warning,
                                          weighted_reduce)
from pytensor.tensor import Tensor

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"]

_make = Tensor._make


def _xp(a):
    if a.__class__ is np.ndarray:
        return np
    from pytensor.backend import get_xp
    return get_xp(a)


def _grads(self, g):
    """``(g, -g)`` for (input, target), only where needed."""
    nx, nt = self.needs_input_grad
    return (g if nx else None), (-g if nt else None)


class AbsDiff(Function):
    """``|x - t|``; the gradient is ``sign(x - t)`` (0 at 0)."""

    name = "l1_loss"

    def forward(self, x, t):
        xp = _xp(x)
        d = xp.asarray(x - t)       # (ufuncs give NumPy scalars for 0-d)
        self.save_for_backward(xp.asarray(xp.sign(d)))
        return xp.abs(d)

    def backward(self, gy):
        sign, = self.saved_tensors
        return _grads(self, gy * sign)


class SmoothL1(Function):
    """``0.5 d² / beta`` for ``|d| < beta``, else ``|d| - 0.5 beta``."""

    name = "smooth_l1_loss"

    def __init__(self, beta):
        self.beta = beta

    def forward(self, x, t):
        xp = _xp(x)
        b = self.beta
        d = xp.asarray(x - t)
        ad = xp.abs(d)
        inner = xp.asarray(ad < b)
        self.save_for_backward(x, t, inner, xp.asarray(xp.sign(d)))
        return xp.where(inner, 0.5 * d * d / b, ad - 0.5 * b).astype(
            d.dtype, copy=False)

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        x, t, inner, sign = self.saved_tensors
        g = where(inner, (x - t) / self.beta, sign)
        return _grads(self, gy * g)


class Huber(Function):
    """``0.5 d²`` for ``|d| < delta``, else ``delta (|d| - 0.5 delta)``."""

    name = "huber_loss"

    def __init__(self, delta):
        self.delta = delta

    def forward(self, x, t):
        xp = _xp(x)
        c = self.delta
        d = xp.asarray(x - t)
        ad = xp.abs(d)
        inner = xp.asarray(ad < c)
        self.save_for_backward(x, t, inner, xp.asarray(xp.sign(d) * c))
        return xp.where(inner, 0.5 * d * d, c * (ad - 0.5 * c)).astype(
            d.dtype, copy=False)

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        x, t, inner, clipped = self.saved_tensors
        g = where(inner, x - t, clipped)
        return _grads(self, gy * g)


def _prepare(op, input, target, weight, size_average, reduce, reduction):
    check_tensor(op, "input", input)
    check_tensor(op, "target", target)
    size_warning(op, input, target, stacklevel=4)
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, reduction, 4)
    check_reduction(reduction)
    if weight is not None:
        check_tensor(op, "weight", weight)
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size.")
    from pytensor.ops._util import promote
    input, target = promote(op, input, target)
    return input, target, reduction


def mse_loss(input, target, size_average=None, reduce=None,
             reduction="mean", weight=None):
    """Mean squared error ``(input - target)²``, reduced.

    Args:
        input (Tensor): any shape.
        target (Tensor): broadcastable to the input (a warning if the
            shapes differ, as in PyTorch).
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'``.
        weight (Tensor, optional): elementwise weights of the input's shape;
            ``'mean'`` is then ``sum(w * l) / sum(w)``.
        size_average, reduce: deprecated; use ``reduction``.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.mse_loss(pytensor.tensor([1.0, 2.0]),
        ...            pytensor.tensor([0.0, 4.0]))
        tensor(2.5000)
    """
    input, target, reduction = _prepare("mse_loss", input, target, weight,
                                        size_average, reduce, reduction)
    d = input - target
    return weighted_reduce(d * d, weight, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean",
            weight=None):
    """Mean absolute error ``|input - target|``, reduced (arguments as
    :func:`mse_loss`).

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.l1_loss(pytensor.tensor([1.0, 2.0]), pytensor.tensor([0.0, 4.0]),
        ...           reduction="sum")
        tensor(3.)
    """
    input, target, reduction = _prepare("l1_loss", input, target, weight,
                                        size_average, reduce, reduction)
    return weighted_reduce(AbsDiff.apply(input, target), weight, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None,
                   reduction="mean", beta=1.0):
    """Smooth L1: quadratic ``0.5 d² / beta`` below ``beta``, linear
    ``|d| - 0.5 beta`` above; ``beta = 0`` is the L1 loss.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.smooth_l1_loss(pytensor.tensor([0.5, 3.0]), pytensor.zeros(2),
        ...                  reduction="none")
        tensor([0.1250, 2.5000])
    """
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values "
                           "for beta.")
    input, target, reduction = _prepare("smooth_l1_loss", input, target, None,
                                        size_average, reduce, reduction)
    if beta == 0.0:
        loss = AbsDiff.apply(input, target)
    else:
        loss = SmoothL1(float(beta)).apply(input, target)
    return weighted_reduce(loss, None, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Huber loss: ``0.5 d²`` below ``delta``, ``delta (|d| - 0.5 delta)``
    above (``smooth_l1_loss`` times ``delta`` with ``beta = delta``).

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.huber_loss(pytensor.tensor([0.5, 3.0]), pytensor.zeros(2),
        ...              reduction="none", delta=2.0)
        tensor([0.1250, 4.0000])
    """
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values "
                           "for delta.")
    input, target, reduction = _prepare("huber_loss", input, target, weight,
                                        None, None, reduction)
    loss = Huber(float(delta)).apply(input, target)
    return weighted_reduce(loss, weight, reduction, weighted_mean=False)
