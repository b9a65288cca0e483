"""Loss modules: each holds its options (and class weights as buffers, so
they follow ``.to()`` and appear in ``state_dict`` as in PyTorch) and calls
the matching ``nn.functional`` loss."""
from pytensor.nn import functional as F
from pytensor.nn.functional._util import legacy_reduction
from pytensor.nn.module import Module

__all__ = ["L1Loss", "MSELoss", "CrossEntropyLoss", "NLLLoss",
           "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss",
           "KLDivLoss", "CosineEmbeddingLoss", "MarginRankingLoss"]


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        if size_average is not None or reduce is not None:
            self.reduction = legacy_reduction(size_average, reduce, reduction,
                                              stacklevel=4)
        else:
            self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None,
                 reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """Mean absolute error; see :func:`~pytensor.nn.functional.l1_loss`."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error; see :func:`~pytensor.nn.functional.mse_loss`.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> nn.MSELoss()(pytensor.tensor([1.0, 3.0]),
        ...              pytensor.tensor([1.0, 1.0]))
        tensor(2.)
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross entropy on logits (log-softmax + NLL fused); see
    :func:`~pytensor.nn.functional.cross_entropy`.

    Args:
        weight (Tensor, optional): per-class weights (a buffer).
        ignore_index (int): targets to skip (default -100).
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'``.
        label_smoothing (float): in [0, 1].

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> loss = nn.CrossEntropyLoss()
        >>> loss(pytensor.zeros(2, 4), pytensor.tensor([0, 3]))
        tensor(1.3863)
    """

    __constants__ = ["ignore_index", "reduction", "label_smoothing"]

    def __init__(self, weight=None, size_average=None, ignore_index=-100,
                 reduce=None, reduction="mean", label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight,
                               ignore_index=self.ignore_index,
                               reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log likelihood of log-probabilities; see
    :func:`~pytensor.nn.functional.nll_loss`."""

    __constants__ = ["ignore_index", "reduction"]

    def __init__(self, weight=None, size_average=None, ignore_index=-100,
                 reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight,
                          ignore_index=self.ignore_index,
                          reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Smooth L1 loss; see :func:`~pytensor.nn.functional.smooth_l1_loss`."""

    __constants__ = ["reduction"]

    def __init__(self, size_average=None, reduce=None, reduction="mean",
                 beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction,
                                beta=self.beta)


class HuberLoss(_Loss):
    """Huber loss; see :func:`~pytensor.nn.functional.huber_loss`."""

    __constants__ = ["reduction", "delta"]

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction,
                            delta=self.delta)


class BCELoss(_WeightedLoss):
    """Binary cross entropy on probabilities; see
    :func:`~pytensor.nn.functional.binary_cross_entropy`."""

    __constants__ = ["reduction"]

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross entropy, stable; see
    :func:`~pytensor.nn.functional.binary_cross_entropy_with_logits`.
    ``weight`` and ``pos_weight`` are buffers."""

    def __init__(self, weight=None, size_average=None, reduce=None,
                 reduction="mean", pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, pos_weight=self.pos_weight,
            reduction=self.reduction)


class KLDivLoss(_Loss):
    """KL divergence; see :func:`~pytensor.nn.functional.kl_div`."""

    __constants__ = ["reduction"]

    def __init__(self, size_average=None, reduce=None, reduction="mean",
                 log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction,
                        log_target=self.log_target)


class CosineEmbeddingLoss(_Loss):
    """See :func:`~pytensor.nn.functional.cosine_embedding_loss`."""

    __constants__ = ["margin", "reduction"]

    def __init__(self, margin=0.0, size_average=None, reduce=None,
                 reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target,
                                       margin=self.margin,
                                       reduction=self.reduction)


class MarginRankingLoss(_Loss):
    """See :func:`~pytensor.nn.functional.margin_ranking_loss`."""

    __constants__ = ["margin", "reduction"]

    def __init__(self, margin=0.0, size_average=None, reduce=None,
                 reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target,
                                     margin=self.margin,
                                     reduction=self.reduction)
