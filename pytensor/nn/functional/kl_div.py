"""``kl_div``: the Kullback-Leibler divergence with PyTorch's argument
convention (``input`` holds log-probabilities; ``target`` probabilities, or
log-probabilities with ``log_target=True``)."""
import warnings

import numpy as np

from pytensor._errors import user_stacklevel
from pytensor.autograd.function import Function
from pytensor.nn.functional._util import (check_reduction, check_tensor,
                                          legacy_reduction)
from pytensor.nn.functional._util import reduce as _reduce

__all__ = ["kl_div"]


def _xp(a):
    if a.__class__ is np.ndarray:
        return np
    from pytensor.backend import get_xp
    return get_xp(a)


class KLDiv(Function):
    """Pointwise ``t (log t - x)`` (``xlogy(t, t) - t x``; 0 where t = 0),
    or ``exp(t) (t - x)`` for log targets."""

    def __init__(self, log_target):
        self.log_target = log_target

    def forward(self, x, t):
        xp = _xp(x)
        self.save_for_backward(x, t)
        if self.log_target:
            out = xp.exp(t) * (t - x)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                tlogt = xp.where(t == 0, 0, t * xp.log(t))
            out = tlogt - t * x
        return out.astype(np.result_type(x, t), copy=False)

    def backward(self, gy):
        x, t = self.saved_tensors
        nx, nt = self.needs_input_grad
        gx = gt = None
        if self.log_target:
            et = t.exp()
            if nx:
                gx = -(gy * et)
            if nt:
                gt = gy * et * (t - x + 1)
            return gx, gt
        if nx:
            gx = -(gy * t)
        if nt:
            # PyTorch differentiates xlogy(t, t): log t + t / t, which is
            # NaN at t = 0 (its 0 / 0); the same expression keeps that.
            gt = gy * (t.log() + t / t - x)
        return gx, gt


def kl_div(input, target, size_average=None, reduce=None, reduction="mean",
           log_target=False):
    """KL divergence ``sum target * (log target - input)``.

    Args:
        input (Tensor): log-probabilities.
        target (Tensor): probabilities (or log-probabilities with
            ``log_target=True``), broadcastable to the input.
        reduction (str): ``'none'``, ``'sum'``, ``'batchmean'`` (sum divided
            by the batch size: the mathematical KL divergence) or ``'mean'``
            (over every element; warns, as PyTorch).
        log_target (bool): ``target`` is given in log space.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> p = pytensor.tensor([[0.5, 0.5]])
        >>> F.kl_div(pytensor.tensor([[0.25, 0.75]]).log(), p,
        ...          reduction="batchmean")
        tensor(0.1438)
    """
    check_tensor("kl_div", "input", input)
    check_tensor("kl_div", "target", target)
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size "
            "and the support size.'batchmean' divides only by the batch size, "
            "and aligns with the KL div math definition.'mean' will be "
            "changed to behave the same as 'batchmean' in the next major "
            "release.", stacklevel=user_stacklevel())
    check_reduction(reduction, extra=("batchmean",))
    loss = KLDiv(bool(log_target)).apply(input, target)
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim != 0 else total
    return _reduce(loss, reduction)
