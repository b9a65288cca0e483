"""``binary_cross_entropy`` (on probabilities) and
``binary_cross_entropy_with_logits`` (on logits, numerically stable).

As in PyTorch: the logs of ``binary_cross_entropy`` are clamped at -100 (so
a probability of exactly 0 or 1 gives a finite loss), its input gradient
divides by ``max(x (1 - x), 1e-12)``, and the target gets the gradient
``-logit(x)``.  The logits version computes ``(1 - t) x + lw * softplus(-x)``
with ``lw = 1 + (pos_weight - 1) t`` through ``log1p(exp(-|x|))``, which
never overflows.  Backwards are written with differentiable ops.
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.nn.functional._util import (check_reduction, check_tensor,
                                          fmt_shape, legacy_reduction)
from pytensor.nn.functional._util import reduce as _reduce
from pytensor.ops._util import on_input_device
from pytensor.tensor import Tensor

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits"]

_EPSILON = 1e-12


def _xp(a):
    if a.__class__ is np.ndarray:
        return np
    from pytensor.backend import get_xp
    return get_xp(a)


class BinaryCrossEntropy(Function):
    """``-(t log x + (1 - t) log(1 - x))`` with logs clamped at -100."""

    def forward(self, x, t):
        xp = _xp(x)
        self.save_for_backward(x, t)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)
        return (-(t * log_x + (1 - t) * log_1mx)).astype(x.dtype, copy=False)

    def backward(self, gy):
        from pytensor.ops.arith.where import where
        x, t = self.saved_tensors
        nx, nt = self.needs_input_grad
        gx = gt = None
        if nx:
            den = x * (1 - x)
            ok = _make(den._data >= _EPSILON)
            gx = gy * (x - t) / where(ok, den, _EPSILON)
        if nt:
            gt = gy * ((1 - x).log() - x.log())
        return gx, gt


class BinaryCrossEntropyWithLogits(Function):
    """``(1 - t) x + lw * (log1p(exp(-|x|)) + max(-x, 0))``,
    ``lw = 1 + (pos_weight - 1) t``."""

    def forward(self, x, t, pos_weight=None):
        xp = _xp(x)
        self.save_for_backward(x, t, pos_weight)
        sp = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)  # softplus(-x)
        if pos_weight is None:
            loss = (1 - t) * x + sp
        else:
            loss = (1 - t) * x + (1 + (pos_weight - 1) * t) * sp
        return loss.astype(x.dtype, copy=False)

    def backward(self, gy):
        x, t, pw = self.saved_tensors
        nx, nt = self.needs_input_grad[:2]
        gx = gt = None
        if nx:
            s = x.sigmoid()
            if pw is None:
                gx = gy * (s - t)
            else:
                lw = (pw - 1) * t + 1
                gx = gy * (lw * s - pw * t)
        if nt:
            if pw is None:
                gt = gy * -x
            else:
                from pytensor.nn import functional as F
                gt = gy * (-x - (pw - 1) * F.logsigmoid(x))
        return gx, gt, None


_make = Tensor._make


def _check(op, input, target, weight):
    check_tensor(op, "input", input)
    check_tensor(op, "target", target)
    if target.shape != input.shape:
        raise ValueError(
            f"{op}: Using a target size ({fmt_shape(target.shape)}) that is "
            f"different to the input size ({fmt_shape(input.shape)}) is "
            "deprecated. Please ensure they have the same size.")
    if weight is not None:
        check_tensor(op, "weight", weight)


@on_input_device
def binary_cross_entropy(input, target, weight=None, size_average=None,
                         reduce=None, reduction="mean"):
    """Binary cross entropy between probabilities ``input`` and
    ``target``: ``-w (t log x + (1 - t) log(1 - x))``, logs clamped at -100.

    Args:
        input (Tensor): probabilities in [0, 1], any shape.
        target (Tensor): same shape, values in [0, 1].
        weight (Tensor, optional): rescales each element (broadcast).
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'``.
        size_average, reduce: deprecated; use ``reduction``.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.binary_cross_entropy(pytensor.tensor([0.5, 1.0]),
        ...                        pytensor.tensor([1.0, 0.0]),
        ...                        reduction="none")
        tensor([  0.6931, 100.0000])
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    _check("binary_cross_entropy", input, target, weight)
    x = input._data
    if x.size and bool(((x < 0) | (x > 1)).any()):
        raise RuntimeError("binary_cross_entropy: all elements of input "
                           "should be between 0 and 1")
    if target._data.dtype != x.dtype:
        target = target.to(input.dtype)
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None,
                                     size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid + binary cross entropy in one stable op.

    Args:
        input (Tensor): logits, any shape.
        target (Tensor): same shape, values in [0, 1].
        weight (Tensor, optional): rescales each element (broadcast).
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'``.
        pos_weight (Tensor, optional): weight of positive examples,
            broadcast along the last (class) dim.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.binary_cross_entropy_with_logits(
        ...     pytensor.tensor([0.0, 100.0]), pytensor.tensor([1.0, 0.0]),
        ...     reduction="none")
        tensor([  0.6931, 100.0000])
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    _check("binary_cross_entropy_with_logits", input, target, weight)
    if target._data.dtype != input._data.dtype:
        target = target.to(input.dtype)
    if pos_weight is not None:
        check_tensor("binary_cross_entropy_with_logits", "pos_weight",
                     pos_weight)
    loss = BinaryCrossEntropyWithLogits.apply(input, target, pos_weight)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)
