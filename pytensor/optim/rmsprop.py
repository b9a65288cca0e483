"""RMSprop (PyTorch 2.13's ``torch.optim.RMSprop``)."""
from pytensor_ext import kernels_for

from pytensor.optim.optimizer import Optimizer, _to_scalar
from pytensor.tensor import Tensor

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running RMS of its magnitude.

    Per parameter, with ``g`` the gradient (negated when ``maximize``)::

        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v - ga * ga) + eps  (centered; ga = ga.lerp(g, 1 - alpha))
        avg = sqrt(v) + eps                (otherwise)
        b = momentum * b + g / avg;  p = p - lr * b      (momentum > 0)
        p = p - lr * g / avg                              (otherwise)

    in PyTorch's order of operations, in one fused kernel.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr (float): learning rate (default 1e-2).
        alpha (float): smoothing constant (default 0.99).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): L2 penalty (default 0).
        momentum (float): momentum factor (default 0).
        centered (bool): normalise by the estimated variance.
        maximize (bool): maximize the objective.
        foreach: accepted for compatibility.
        capturable, differentiable (bool): must be False.

    Example:
        >>> import pytensor
        >>> w = pytensor.tensor([1.0], requires_grad=True)
        >>> opt = pytensor.optim.RMSprop([w], lr=0.01, alpha=0.0)
        >>> w.grad = pytensor.tensor([4.0])
        >>> opt.step()                     # g / sqrt(g*g) = 1
        >>> w
        tensor([0.9900], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0,
                 momentum=0, centered=False, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        self._check_unsupported(capturable=capturable,
                                differentiable=differentiable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha,
                    "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)

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
            centered = group["centered"]
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = self._new_step()
                    state["square_avg"] = self._zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = self._zeros_like(p)
                    if centered:
                        state["grad_avg"] = self._zeros_like(p)
                self._advance(state["step"])
                ga = state["grad_avg"]._data if centered else None
                buf = state["momentum_buffer"]._data if momentum > 0 \
                    else None
                kernels_for(p._data).rmsprop_step(
                    p._data, g._data, state["square_avg"]._data, ga, buf,
                    lr=lr, alpha=group["alpha"], eps=group["eps"],
                    weight_decay=group["weight_decay"], momentum=momentum,
                    centered=centered, maximize=group["maximize"])
                self._updated(p, "RMSprop.step")
        return loss
