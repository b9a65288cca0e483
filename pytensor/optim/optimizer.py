"""``Optimizer``: parameter groups, per-parameter state, hooks and state
dicts, shared by every optimizer (PyTorch 2.13's ``torch.optim.Optimizer``).

Subclasses implement ``step(closure=None)``: for each parameter with a
gradient they call one fused kernel, ``kernels_for(p._data).<name>_step``,
on the raw arrays (in place, no graph), then :meth:`Optimizer._updated`
bumps the parameter's version counter, so a backward that saved the old
value raises instead of silently using the new one.
"""
import functools
import itertools
import warnings
from collections import defaultdict
from copy import deepcopy

import numpy as np

from pytensor._errors import user_stacklevel
from pytensor import backend as _backend
from pytensor import dtypes as _dt
from pytensor.autograd import hooks as _hooks
from pytensor.autograd.grad_mode import enable_grad
from pytensor.autograd.tape import user_frame
from pytensor.tensor import Tensor

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]


class _RequiredParameter:
    """Singleton marking a hyper-parameter every group must give."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_global_step_pre_hooks = _hooks.HookDict("all optimizers",
                                         "optimizer.step_pre")
_global_step_post_hooks = _hooks.HookDict("all optimizers",
                                          "optimizer.step_post")


def register_optimizer_step_pre_hook(hook):
    """Call ``hook(optimizer, args, kwargs)`` before every optimizer's
    ``step``; it may return ``(new_args, new_kwargs)``.

    Returns:
        A RemovableHandle.
    """
    return _global_step_pre_hooks.add(hook)


def register_optimizer_step_post_hook(hook):
    """Call ``hook(optimizer, args, kwargs)`` after every optimizer's
    ``step``.

    Returns:
        A RemovableHandle.
    """
    return _global_step_post_hooks.add(hook)


def _typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    t = type(obj)
    return t.__name__ if t.__module__ == "builtins" else \
        f"{t.__module__}.{t.__qualname__}"


def _to_scalar(x):
    """A Python number from a number or a one-element tensor (a tensor
    learning rate is allowed, as in PyTorch)."""
    if isinstance(x, Tensor):
        return x.item()
    return x


def _scalar_dtype():
    """The dtype of the ``step`` counters: float64 when that is the default
    dtype, else float32 (PyTorch's ``_get_scalar_dtype``)."""
    return np.dtype(np.float64) if _dt.get_default_dtype() is _dt.float64 \
        else np.dtype(np.float32)


def _wrap_step(step):
    """Run the global and per-optimizer step hooks around ``step``."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if self.__dict__.get("_in_step"):   # super().step() of a subclass
            return step(self, *args, **kwargs)
        guard = self._device_guard()
        if guard is not None:
            # The parameters' GPU is not the current one: CuPy runs the
            # update kernels (and allocates the state) on the current one.
            with guard:
                return wrapper(self, *args, **kwargs)
        for pre in itertools.chain(list(_global_step_pre_hooks.values()),
                                   list(self._step_pre_hooks.values())):
            result = pre(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(
                        f"{step} must return None or a tuple of (new_args, "
                        f"new_kwargs), but got {result}.")
        # The user's line that called step(): in-place updates are reported
        # there when a stale saved tensor is found by backward.
        self._step_where = user_frame(2)
        self._opt_called = True         # seen by the lr schedulers' warning
        self._in_step = True
        try:
            out = step(self, *args, **kwargs)
        finally:
            self._in_step = False
        for post in itertools.chain(list(self._step_post_hooks.values()),
                                    list(_global_step_post_hooks.values())):
            post(self, args, kwargs)
        return out

    wrapper._hooked = True
    return wrapper


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs, or of
            dicts (parameter groups: ``{"params": [...], "lr": ...}``).
        defaults (dict): default values of the hyper-parameters, used for
            groups that do not set them.

    Attributes:
        param_groups (list[dict]): the groups, each with every
            hyper-parameter filled in and ``"params"`` a list of Tensors.
        state (defaultdict): per-parameter state (``{"exp_avg": ...}``),
            keyed by the parameter Tensor (tensors hash by identity).
        defaults (dict): the constructor's hyper-parameters.

    Example:
        >>> import pytensor
        >>> w = pytensor.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = pytensor.optim.SGD([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        tensor([0.8000, 1.6000], requires_grad=True)
        >>> opt.zero_grad()
        >>> w.grad is None
        True
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _wrap_step(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        name = type(self).__name__
        self._step_pre_hooks = _hooks.HookDict(name, "optimizer.step_pre")
        self._step_post_hooks = _hooks.HookDict(name, "optimizer.step_post")
        self._state_dict_pre_hooks = _hooks.HookDict(
            name, "optimizer.state_dict_pre")
        self._state_dict_post_hooks = _hooks.HookDict(
            name, "optimizer.state_dict_post")
        self._load_state_dict_pre_hooks = _hooks.HookDict(
            name, "optimizer.load_state_dict_pre")
        self._load_state_dict_post_hooks = _hooks.HookDict(
            name, "optimizer.load_state_dict_post")
        self._step_where = None
        self._in_step = False

        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an "
                "iterable of Tensors or dicts, but got " + _typename(params))
        if isinstance(params, (set, frozenset)):
            # PyTorch lets a top-level set through; its order changes between
            # runs, so state dicts would not load back: reject it as PyTorch
            # does inside a group.
            raise TypeError(
                "optimizer parameters need to be organized in ordered "
                "collections, but the ordering of tensors in sets will "
                "change between runs. Please use a list instead.")

        self.state = defaultdict(dict)
        self.param_groups = []

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # ------------------------------------------------------------------
    # Parameter groups
    def add_param_group(self, param_group):
        """Add a parameter group (a dict with ``"params"`` and optional
        hyper-parameters; missing ones take the optimizer's defaults).

        Raises:
            TypeError: ``param_group`` is not a dict, its params are a set,
                or a param is not a Tensor.
            ValueError: a param is a non-leaf tensor, or already belongs
                to another group.
        """
        if not isinstance(param_group, dict):
            raise TypeError(
                f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                "optimizer parameters need to be organized in ordered "
                "collections, but the ordering of tensors in sets will "
                "change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)

        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) == len(tensors):
                param_group["param_names"] = names
            else:
                raise ValueError(
                    "all optimizer params should be with/without names. Some "
                    "param names are missing")

        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the "
                    "params is " + _typename(param))
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    f"parameter group didn't specify a value of required "
                    f"optimization parameter {name}")
            param_group.setdefault(name, default)

        if len(tensors) != len(set(tensors)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate "
                "parameters; in future, this will cause an error; see "
                "github.com/pytorch/pytorch/issues/40967 for more "
                "information", stacklevel=user_stacklevel())

        param_set = set()
        for group in self.param_groups:
            param_set.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = ("with names" if "param_names" in param_group
                         else "without names")
                raise ValueError(
                    "all optimizer param groups should be with/without "
                    f"names. cannot add param group {which} to the optimizer")
        if not param_set.isdisjoint(tensors):
            raise ValueError(
                "some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors.

        Args:
            set_to_none (bool): set ``.grad`` to None (default) instead of
                filling it with zeros in place.
        """
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                    continue
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
                guard = _backend.device_guard(g._data)
                if guard is None:
                    g._data.fill(0)
                else:
                    with guard:
                        g._data.fill(0)
                g._bump_version("zero_")

    def step(self, closure=None):
        """Perform one optimization step (implemented by subclasses).

        Args:
            closure (callable): re-evaluates the model and returns the loss;
                run with gradients enabled.
        """
        raise NotImplementedError

    # ------------------------------------------------------------------
    # Helpers for subclasses
    @staticmethod
    def _run_closure(closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def _updated(self, p, op):
        """Record that ``p`` was written in place by ``op`` (bumps its
        version and remembers the user's line of ``step()``)."""
        p._get_vc().bump(op, self._step_where)

    def _device_guard(self):
        """A context manager making the parameters' GPU current, or None
        (CPU parameters, or their GPU is current).  The first parameter
        decides: parameters spread over several GPUs are not supported by
        one optimizer (use one per device)."""
        for group in self.param_groups:
            for p in group["params"]:
                return _backend.device_guard(p._data)
        return None

    @staticmethod
    def _zeros_like(p):
        return Tensor._make(_backend.get_xp(p._data).zeros_like(p._data))

    @staticmethod
    def _new_step():
        return Tensor._make(np.zeros((), dtype=_scalar_dtype()))

    @staticmethod
    def _advance(step_t):
        """``step_t += 1`` in the counter's dtype; returns it as a float."""
        arr = step_t._data
        arr += 1
        return float(arr)

    def _check_unsupported(self, **flags):
        name = type(self).__name__
        for key, value in flags.items():
            if value:
                raise ValueError(
                    f"{name}: {key}=True is not supported by pytensor "
                    "optimizers (updates run in fused kernels outside the "
                    "autograd graph)")

    # ------------------------------------------------------------------
    # Hooks
    def register_step_pre_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` before ``step``; it may
        return ``(new_args, new_kwargs)``.

        Returns:
            A RemovableHandle.
        """
        return self._step_pre_hooks.add(hook)

    def register_step_post_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` after ``step``.

        Returns:
            A RemovableHandle.
        """
        return self._step_post_hooks.add(hook)

    @staticmethod
    def _add(hook_dict, hook, prepend):
        handle = hook_dict.add(hook)
        if prepend:
            items = list(hook_dict.items())
            hook_dict.clear()
            hook_dict[handle.id] = hook
            hook_dict.update((k, v) for k, v in items if k != handle.id)
        return handle

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """Call ``hook(optimizer)`` before :meth:`state_dict`."""
        return self._add(self._state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """Call ``hook(optimizer, state_dict)`` after :meth:`state_dict`;
        a returned dict replaces the state dict."""
        return self._add(self._state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """Call ``hook(optimizer, state_dict)`` before
        :meth:`load_state_dict`; a returned dict is loaded instead."""
        return self._add(self._load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """Call ``hook(optimizer)`` after :meth:`load_state_dict`."""
        return self._add(self._load_state_dict_post_hooks, hook, prepend)

    # ------------------------------------------------------------------
    # State dicts
    def state_dict(self):
        """The optimizer's state as a dict, in PyTorch's layout.

        Returns:
            ``{"state": {id: {name: value}}, "param_groups": [group]}``,
            where ``id`` numbers the parameters in group order and each
            group lists its parameters' ids under ``"params"``.  Tensors are
            returned by reference, not copied.
        """
        for hook in list(self._state_dict_pre_hooks.values()):
            hook(self)
        param_mappings = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            # (PyTorch's comprehension: ids already mapped by an earlier
            # group are kept; within this group the last duplicate wins)
            param_mappings.update({id(p): i for i, p in
                                   enumerate(group["params"], start_index)
                                   if id(p) not in param_mappings})
            packed["params"] = [param_mappings[id(p)]
                                for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor)
                         else k): v for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for hook in list(self._state_dict_post_hooks.values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value(param, value, key):
        """Copy a loaded state tensor onto the parameter's device, cast to
        its dtype when the parameter is floating point; ``step`` counters
        keep their dtype and stay on the CPU."""
        arr = value._data
        if key == "step":
            dev = _backend.CPU
        else:
            dev = param.device
            if param.is_floating_point() and arr.dtype != param._data.dtype:
                arr = arr.astype(param._data.dtype)
        return Tensor._make(_backend.to_device(arr, dev,
                                               copy=arr is value._data))

    def load_state_dict(self, state_dict):
        """Load a state dict made by :meth:`state_dict` (of an optimizer of
        the same kind over parameters of the same shapes, in the same order).

        State tensors are copied (never aliased), cast to the parameter's
        dtype and moved to its device.  The groups' hyper-parameters are
        replaced by the loaded ones.

        Raises:
            ValueError: the number of groups or of parameters per group
                differs, or a state tensor's shape does not match its
                parameter.
        """
        state_dict = dict(state_dict)
        for hook in list(self._load_state_dict_pre_hooks.values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of "
                             "parameter groups")
        if any(len(g["params"]) != len(s["params"])
               for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group "
                             "that doesn't match the size of optimizer's "
                             "group")
        id_map = dict(zip(
            itertools.chain.from_iterable(g["params"] for g in saved_groups),
            itertools.chain.from_iterable(g["params"] for g in groups)))

        def cast(param, pid, value, key=None):
            if isinstance(value, Tensor):
                if key != "step" and value.ndim and \
                        tuple(value.shape) != tuple(param.shape):
                    raise ValueError(
                        f"loaded state dict has a state tensor {key!r} of "
                        f"shape {list(value.shape)} for parameter {pid} of "
                        f"shape {list(param.shape)}; was it saved from an "
                        "optimizer over other parameters?")
                return self._process_value(param, value, key)
            if isinstance(value, dict):
                return {k: cast(param, pid, v, key=k)
                        for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, pid, v) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, k, v)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng)
                        for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for hook in list(self._load_state_dict_post_hooks.values()):
            hook(self)

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.defaults.setdefault("differentiable", False)

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"
