"""Ranking and embedding losses built from differentiable ops:
``margin_ranking_loss`` and ``cosine_embedding_loss``."""
from pytensor.nn.functional._util import (check_reduction, check_tensor,
                                          fmt_shape, legacy_reduction)
from pytensor.nn.functional._util import reduce as _reduce

__all__ = ["margin_ranking_loss", "cosine_embedding_loss"]

_EPSILON = 1e-12


def margin_ranking_loss(input1, input2, target, margin=0.0,
                        size_average=None, reduce=None, reduction="mean"):
    """``max(0, -target * (input1 - input2) + margin)``, reduced.

    Args:
        input1, input2 (Tensor): scores, same number of dims.
        target (Tensor): 1 (input1 should rank higher) or -1.
        margin (float): the required gap.
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'``.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.margin_ranking_loss(pytensor.tensor([1.0, 0.0]),
        ...                       pytensor.tensor([0.0, 1.0]),
        ...                       pytensor.tensor([1.0, 1.0]), margin=0.5)
        tensor(0.7500)
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    for name, t in (("input1", input1), ("input2", input2),
                    ("target", target)):
        check_tensor("margin_ranking_loss", name, t)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same "
            f"dimension but got sizes: input1: {fmt_shape(input1.shape)}, "
            f"input2: {fmt_shape(input2.shape)}, target: "
            f"{fmt_shape(target.shape)} ")
    loss = (-target * (input1 - input2) + margin).clamp_min(0)
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0,
                          size_average=None, reduce=None, reduction="mean"):
    """``1 - cos(x1, x2)`` where ``target == 1``, ``max(0, cos(x1, x2) -
    margin)`` where ``target == -1`` (cosine over the last dim, each
    squared norm offset by 1e-12 as in PyTorch).

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.cosine_embedding_loss(pytensor.tensor([[1.0, 0.0]]),
        ...                         pytensor.tensor([[1.0, 0.0]]),
        ...                         pytensor.tensor([-1]))
        tensor(1.)
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    for name, t in (("input1", input1), ("input2", input2),
                    ("target", target)):
        check_tensor("cosine_embedding_loss", name, t)
    targ_dim = target.ndim
    if targ_dim not in (0, 1):
        raise RuntimeError("cosine_embedding_loss: 0D or 1D target tensor "
                           "expected, multi-target not supported")
    if targ_dim == 1 and (input1.ndim != 2 or input2.ndim != 2):
        raise RuntimeError(
            f"cosine_embedding_loss: 1D target tensor expects 2D input "
            f"tensors, but found inputs with sizes "
            f"{fmt_shape(input1.shape)} and {fmt_shape(input2.shape)}.")
    if targ_dim == 0 and (input1.ndim != 1 or input2.ndim != 1):
        raise RuntimeError(
            f"cosine_embedding_loss: 0D target tensor expects 1D input "
            f"tensors, but found inputs with sizes "
            f"{fmt_shape(input1.shape)} and {fmt_shape(input2.shape)}.")
    from pytensor import where, zeros_like
    prod_sum = (input1 * input2).sum(targ_dim)
    mag1 = (input1 * input1).sum(targ_dim) + _EPSILON
    mag2 = (input2 * input2).sum(targ_dim) + _EPSILON
    cos = prod_sum / (mag1 * mag2).sqrt()
    zeros = zeros_like(cos)
    pos = 1 - cos
    neg = (cos - margin).clamp_min(0)
    out = where(target == 1, pos, zeros) + where(target == -1, neg, zeros)
    return _reduce(out, reduction)
