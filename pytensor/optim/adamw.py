"""AdamW (PyTorch 2.13's ``torch.optim.AdamW``)."""
from pytensor.optim.adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p = p * (1 - lr * weight_decay)``
    before the Adam update, instead of an L2 term in the gradient.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr (float): learning rate (default 1e-3).
        betas (tuple[float, float]): default (0.9, 0.999).
        eps (float): default 1e-8.
        weight_decay (float): decoupled decay coefficient (default 1e-2).
        amsgrad (bool): use AMSGrad.
        maximize (bool): maximize the objective.
        foreach, fused: accepted for compatibility.
        capturable, differentiable (bool): must be False.

    Example:
        >>> import pytensor
        >>> w = pytensor.tensor([1.0], requires_grad=True)
        >>> opt = pytensor.optim.AdamW([w], lr=0.1, weight_decay=0.5)
        >>> w.grad = pytensor.tensor([0.0])
        >>> opt.step()                     # only the decay moves w
        >>> w
        tensor([0.9500], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=1e-2, amsgrad=False, *, maximize=False,
                 foreach=None, capturable=False, differentiable=False,
                 fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad,
                         foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
