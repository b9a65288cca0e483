"""Full backward hooks of modules, built from two identity Functions.

When a module has full backward (pre-)hooks, ``Module.__call__`` passes the
tensors of its positional arguments through one :class:`BackwardHookFunction`
node and its outputs through another.  Gradients reach the output node
first (its node is newer): it records ``grad_output`` and runs the backward
pre-hooks (which may replace it).  The input node runs once the gradients
w.r.t. the module's inputs are known: it calls the full backward hooks with
``(module, grad_input, grad_output)``, which may replace ``grad_input``.
This is PyTorch's ``BackwardHook`` design, on pytensor's one Function type,
so it needs no special support from the engine.
"""
import warnings

from pytensor.autograd.function import Function
from pytensor.autograd.grad_mode import state as _grad_state
from pytensor.tensor import Tensor

__all__ = ["BackwardHookState", "BackwardHookFunction"]


class BackwardHookFunction(Function):
    """Identity on its tensor arguments; ``backward`` hands the gradients to
    a :class:`BackwardHookState`."""

    name = "backward_hook"

    def __init__(self, state, is_output):
        self.state = state
        self.is_output = is_output

    def forward(self, *arrays):
        return arrays

    def backward(self, *grads):
        if self.is_output:
            return self.state.on_grad_outputs(grads)
        return self.state.on_grad_inputs(grads)


def _pack_with_none(indices, values, size):
    res = [None] * size
    for i, v in zip(indices, values):
        res[i] = v
    return tuple(res)


class BackwardHookState:
    """The gradients seen so far for one call of one module."""

    def __init__(self, module, hooks, pre_hooks):
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.input_idx = None
        self.n_outputs = 0
        self.output_idx = None

    def _wrap(self, values, is_output):
        """Pass the tensors among ``values`` that need a gradient through a
        fresh identity node; returns (new values, their indices or None)."""
        idx = [i for i, v in enumerate(values)
               if isinstance(v, Tensor) and v._requires_grad]
        if not idx or not _grad_state.enabled:
            return values, None
        outs = BackwardHookFunction(self, is_output).apply(
            *[values[i] for i in idx])
        values = list(values)
        for i, t in zip(idx, outs):
            # Same storage: share the version counter too, so an in-place
            # op on the returned tensor is seen by nodes that saved the
            # original (PyTorch returns views here).
            t._vc = values[i]._get_vc()
            values[i] = t
        return tuple(values), idx

    def setup_input_hook(self, args):
        self.n_inputs = len(args)
        args, self.input_idx = self._wrap(args, False)
        return args

    def setup_output_hook(self, result):
        single = not isinstance(result, tuple)
        values = (result,) if single else result
        self.n_outputs = len(values)
        values, self.output_idx = self._wrap(values, True)
        return values[0] if single else values

    def on_grad_outputs(self, grads):
        self.grad_outputs = _pack_with_none(self.output_idx, grads,
                                            self.n_outputs)
        for hook in self.pre_hooks:
            res = hook(self.module, self.grad_outputs)
            if res is None:
                continue
            res = tuple(res) if isinstance(res, (tuple, list)) else (res,)
            if len(res) != len(self.grad_outputs):
                raise RuntimeError(
                    "Backward pre hook returned an invalid number of "
                    f"grad_output, got {len(res)}, but expected "
                    f"{len(self.grad_outputs)}")
            self.grad_outputs = res
        local = self.grad_outputs
        if self.input_idx is None:
            # No input needs a gradient: the input node never runs, so the
            # hooks fire here with grad_input all None (PyTorch's rule).
            if self.hooks:
                warnings.warn(
                    "Full backward hook is firing when gradients are computed "
                    "with respect to module outputs since no inputs require "
                    "gradients.", stacklevel=2)
            grad_inputs = (None,) * self.n_inputs
            for hook in self.hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(
                        r is None for r in res)):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires "
                        "gradient should always return None or None for all "
                        "gradients.")
            self.grad_outputs = None
        return tuple(local[i] for i in self.output_idx)

    def on_grad_inputs(self, grads):
        if self.grad_outputs is None:
            # The gradient reached the inputs without passing through the
            # outputs (double backward): nothing to report.
            return grads
        res = _pack_with_none(self.input_idx, grads, self.n_inputs)
        for hook in self.hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            out = tuple(out) if isinstance(out, (tuple, list)) else (out,)
            if len(out) != len(res):
                raise RuntimeError(
                    "Backward hook returned an invalid number of grad_input, "
                    f"got {len(out)}, but expected {len(res)}")
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_idx)
