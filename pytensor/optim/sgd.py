"""Stochastic gradient descent (PyTorch 2.13's ``torch.optim.SGD``)."""
from pytensor_ext import kernels_for

from pytensor.optim.optimizer import Optimizer, _to_scalar

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    Per parameter, with ``g`` the gradient (negated when ``maximize``)::

        g = g + weight_decay * p
        b = g                              (first step)
        b = momentum * b + (1 - dampening) * g
        g = g + momentum * b   if nesterov else   g = b
        p = p - lr * g

    evaluated in PyTorch's order of operations, in one fused kernel.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr (float): learning rate (default 1e-3).
        momentum (float): momentum factor (default 0).
        dampening (float): dampening of the momentum (default 0).
        weight_decay (float): L2 penalty (default 0).
        nesterov (bool): Nesterov momentum (needs ``momentum > 0`` and
            ``dampening == 0``).
        maximize (bool): maximize the objective instead of minimizing.
        foreach, fused: accepted for compatibility (updates are always
            fused kernels).
        differentiable (bool): must be False.

    Example:
        >>> import pytensor
        >>> w = pytensor.tensor([1.0, -1.0], requires_grad=True)
        >>> opt = pytensor.optim.SGD([w], lr=0.5, momentum=0.9)
        >>> for _ in range(2):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
        >>> w
        tensor([-0.9000,  0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0,
                 weight_decay=0, nesterov=False, *, maximize=False,
                 foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov,
                    "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening")
        self._check_unsupported(differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def step(self, closure=None):
        """Perform one optimization step.

        Args:
            closure (callable): re-evaluates the model and returns the loss.

        Returns:
            The closure's loss, or None.
        """
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            momentum = group["momentum"]
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                buf = None
                first = False
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = self._zeros_like(p)
                        first = True
                kernels_for(p._data).sgd_step(
                    p._data, g._data, None if buf is None else buf._data,
                    lr=lr, momentum=momentum, dampening=group["dampening"],
                    weight_decay=group["weight_decay"],
                    nesterov=group["nesterov"], maximize=group["maximize"],
                    first=first)
                self._updated(p, "SGD.step")
        return loss
