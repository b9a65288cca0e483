"""Adagrad (PyTorch 2.13's ``torch.optim.Adagrad``)."""

from pytensor_ext import kernels_for

from pytensor import backend as _backend
from pytensor.optim.optimizer import Optimizer, _to_scalar
from pytensor.tensor import Tensor

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad: per-coordinate learning rates from the sum of squared
    gradients.

    Per parameter at step ``t``, with ``g`` the gradient (negated when
    ``maximize``)::

        g = g + weight_decay * p
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g
        p = p - clr * g / (sqrt(s) + eps)

    in PyTorch's order of operations, in one fused kernel.  The state sums
    start at ``initial_accumulator_value`` and are created for every
    parameter in the constructor, as in PyTorch.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr (float): learning rate (default 1e-2).
        lr_decay (float): learning-rate decay (default 0).
        weight_decay (float): L2 penalty (default 0).
        initial_accumulator_value (float): start of the sums (default 0).
        eps (float): added to the denominator (default 1e-10).
        foreach, fused: accepted for compatibility.
        maximize (bool): maximize the objective.
        differentiable (bool): must be False.

    Example:
        >>> import pytensor
        >>> w = pytensor.tensor([1.0], requires_grad=True)
        >>> opt = pytensor.optim.Adagrad([w], lr=0.5)
        >>> w.grad = pytensor.tensor([3.0])
        >>> opt.step()                     # 3 / sqrt(9) = 1
        >>> w
        tensor([0.5000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *,
                 maximize=False, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                "Invalid initial_accumulator_value value: "
                f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        self._check_unsupported(differentiable=differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps,
                    "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, initial_accumulator_value)

    def _init_state(self, p, value):
        state = self.state[p]
        state["step"] = self._new_step()
        xp = _backend.get_xp(p._data)
        guard = _backend.device_guard(p._data)   # allocate on p's GPU
        if guard is None:
            state["sum"] = Tensor._make(xp.full_like(p._data, value))
        else:
            with guard:
                state["sum"] = Tensor._make(xp.full_like(p._data, value))

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)

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
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    # A group added after construction: PyTorch starts it
                    # from the *optimizer's* initial_accumulator_value.
                    self._init_state(
                        p, self.defaults["initial_accumulator_value"])
                step = self._advance(state["step"])
                kernels_for(p._data).adagrad_step(
                    p._data, g._data, state["sum"]._data, lr=lr,
                    lr_decay=group["lr_decay"], eps=group["eps"],
                    weight_decay=group["weight_decay"], step=step,
                    maximize=group["maximize"])
                self._updated(p, "Adagrad.step")
        return loss
