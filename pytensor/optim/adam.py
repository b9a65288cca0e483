"""Adam (PyTorch 2.13's ``torch.optim.Adam``)."""
from pytensor_ext import kernels_for

from pytensor.optim.optimizer import Optimizer, _to_scalar
from pytensor.tensor import Tensor

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam: adaptive moment estimation.

    Per parameter at step ``t``, with ``g`` the gradient (negated when
    ``maximize``)::

        g = g + weight_decay * p     (AdamW: p = p * (1 - lr * wd) instead)
        m = m.lerp(g, 1 - beta1)
        v = v * beta2 + (1 - beta2) * g * g
        v_max = max(v_max, v)              (amsgrad; then used for v below)
        denom = sqrt(v) / sqrt(1 - beta2**t) + eps
        p = p - (lr / (1 - beta1**t)) * m / denom

    exactly PyTorch's single-tensor (``foreach=False``) formulas and order of
    operations, evaluated in one fused kernel per parameter.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr (float): learning rate (default 1e-3).
        betas (tuple[float, float]): decay rates of the moment estimates
            (default (0.9, 0.999)).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): L2 penalty added to the gradient (default 0).
        amsgrad (bool): use the running maximum of ``v`` (AMSGrad).
        maximize (bool): maximize the objective.
        decoupled_weight_decay (bool): AdamW's decoupled decay.
        foreach, fused: accepted for compatibility (always fused kernels).
        capturable, differentiable (bool): must be False.

    Example:
        >>> import pytensor
        >>> w = pytensor.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = pytensor.optim.Adam([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        tensor([ 0.9000, -1.9000], requires_grad=True)
        >>> sorted(opt.state[w])
        ['exp_avg', 'exp_avg_sq', 'step']
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=0, amsgrad=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False,
                 fused=None, decoupled_weight_decay=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor)
                    and isinstance(betas[1], Tensor))):
            raise ValueError(
                "betas must be either both floats or both Tensors")
        betas = tuple(_to_scalar(b) for b in betas)
        self._check_unsupported(capturable=capturable,
                                differentiable=differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps,
                    "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach,
                    "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)

    def step(self, closure=None):
        """Perform one optimization step.

        Args:
            closure (callable): re-evaluates the model and returns the loss.

        Returns:
            The closure's loss, or None.
        """
        loss = self._run_closure(closure)
        op = f"{type(self).__name__}.step"
        for group in self.param_groups:
            beta1, beta2 = (_to_scalar(b) for b in group["betas"])
            lr = _to_scalar(group["lr"])
            amsgrad = group["amsgrad"]
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = self._new_step()
                    state["exp_avg"] = self._zeros_like(p)
                    state["exp_avg_sq"] = self._zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = self._zeros_like(p)
                step = self._advance(state["step"])
                vmax = state["max_exp_avg_sq"]._data if amsgrad else None
                kernels_for(p._data).adam_step(
                    p._data, g._data, state["exp_avg"]._data,
                    state["exp_avg_sq"]._data, vmax, lr=lr, beta1=beta1,
                    beta2=beta2, eps=group["eps"],
                    weight_decay=group["weight_decay"], step=step,
                    amsgrad=amsgrad, maximize=group["maximize"],
                    decoupled_weight_decay=group["decoupled_weight_decay"])
                self._updated(p, op)
        return loss
