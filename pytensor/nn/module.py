"""``Module``: the base class of every layer and model.

A Module owns three ordered dicts, filled by attribute assignment:

- ``_parameters``: :class:`~pytensor.nn.Parameter` s (learnable state),
- ``_buffers``: plain tensors that are state but not learnable
  (``register_buffer``; non-persistent ones stay out of ``state_dict``),
- ``_modules``: child modules.

``__setattr__`` routes by type as PyTorch's does, ``__getattr__`` looks in the
three dicts, and everything recursive (``named_parameters``, ``state_dict``,
``train``, ``to``) walks ``_modules`` with dotted names, so the keys are
PyTorch's keys for the same architecture.

Calling a module runs ``forward``.  ``__call__`` is on every layer call, so
it has a lean path: with no hooks registered and the tape not recording it
is one attribute test plus ``forward``.  Otherwise it pushes the module on the
tape (so every op records its module path), runs the forward (pre-)hooks and
wires the full backward hooks (see ``_backward_hooks.py``).  Hooks live in
:class:`~pytensor.autograd.hooks.HookDict` s, the one hook mechanism of
pytensor, so the debugger lists them with every other hook.

An exception escaping a forward gets the module path prepended to its
message on the way out (``model.2 (Linear(...)): ...``); see
``_layer_errors.py``.
"""
import collections
import collections.abc
import sys
import warnings

from pytensor import _errors
from pytensor._compiled import caller_depth as _caller_depth
from pytensor.autograd import hooks as _hooks
from pytensor.autograd.grad_mode import no_grad
from pytensor.autograd.tape import tape as _tape
from pytensor.nn import _layer_errors
from pytensor.nn.parameter import Buffer, Parameter
from pytensor.tensor import Tensor

__all__ = ["Module"]

_EXTRA_STATE_KEY_SUFFIX = "_extra_state"
# Set by Module.__init__; missing means super().__init__() was not called.
_INIT_ATTRS = frozenset(("training", "_parameters", "_buffers", "_modules",
                         "_non_persistent_buffers_set", "_hooks"))


class _IncompatibleKeys(
        collections.namedtuple("IncompatibleKeys",
                               ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns (PyTorch's named tuple)."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(s, num_spaces):
    """Indent every line but the first (PyTorch's nested repr)."""
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    first = lines.pop(0)
    lines = [(num_spaces * " ") + line if line.strip() else ""
             for line in lines]
    return first + "\n" + "\n".join(lines)


def _typename(obj):
    """PyTorch's ``torch.typename`` for the objects users assign."""
    if isinstance(obj, Parameter):
        return "pytensor.nn.Parameter"
    if isinstance(obj, Tensor):
        return "pytensor.Tensor"
    module = type(obj).__module__
    name = type(obj).__qualname__
    if module in ("builtins", "__builtin__", None):
        return name
    return f"{module}.{name}"


class _Hooks:
    """A module's hook dicts, created on the first registration (so a module
    without hooks costs ``__call__`` a single ``is None`` test)."""

    __slots__ = ("forward_pre", "forward", "backward", "backward_pre",
                 "pre_with_kwargs", "fwd_with_kwargs", "always_call")

    def __init__(self, module):
        owner = type(module).__name__
        self.forward_pre = _hooks.HookDict(owner, "module.forward_pre")
        self.forward = _hooks.HookDict(owner, "module.forward")
        self.backward = _hooks.HookDict(owner, "module.backward")
        self.backward_pre = _hooks.HookDict(owner, "module.backward_pre")
        self.pre_with_kwargs = set()
        self.fwd_with_kwargs = set()
        self.always_call = set()


def _add_hook(hook_dict, hook, prepend):
    handle = hook_dict.add(hook)
    if prepend:
        items = list(hook_dict.items())
        hook_dict.clear()
        hook_dict[items[-1][0]] = items[-1][1]
        hook_dict.update(items[:-1])
    return handle


class Module:
    """Base class for all neural network modules.

    Subclasses assign parameters and submodules as attributes in
    ``__init__`` (after calling ``super().__init__()``) and define
    ``forward``; calling the module runs ``forward`` with hooks, tape
    recording and layer-path errors::

        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(4, 8)
                self.fc2 = nn.Linear(8, 1)

            def forward(self, x):
                return self.fc2(F.relu(self.fc1(x)))

    Attributes:
        training (bool): training (True) or evaluation mode; set by
            :meth:`train` / :meth:`eval`.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        >>> model
        Sequential(
          (0): Linear(in_features=4, out_features=8, bias=True)
          (1): ReLU()
          (2): Linear(in_features=8, out_features=1, bias=True)
        )
        >>> [name for name, _ in model.named_parameters()]
        ['0.weight', '0.bias', '2.weight', '2.bias']
        >>> model(pytensor.randn(16, 4)).shape
        (16, 1)
    """

    _version = 1            # state_dict metadata version, as in PyTorch
    call_super_init = False
    _tape_name = None       # the attribute name under the parent (tape path)

    def __init__(self, *args, **kwargs):
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got an unexpected keyword "
                f"argument '{next(iter(kwargs))}'")
        if args:
            raise TypeError(
                f"{type(self).__name__}.__init__() takes 1 positional "
                f"argument but {len(args) + 1} were given")
        # object.__setattr__ skips our routing: these are plain attributes.
        setattr_ = object.__setattr__
        setattr_(self, "training", True)
        setattr_(self, "_parameters", {})
        setattr_(self, "_buffers", {})
        setattr_(self, "_non_persistent_buffers_set", set())
        setattr_(self, "_modules", {})
        setattr_(self, "_hooks", None)

    def forward(self, *args, **kwargs):
        """The computation of the module; every subclass defines it."""
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required '
            f'"forward" function')

    # ------------------------------------------------------------------
    # Calling
    def __call__(self, *args, **kwargs):
        try:
            if self._hooks is None and not _tape.recording:
                return self.forward(*args, **kwargs)
            return self._call_impl(args, kwargs)
        except Exception as e:
            if type(e) is AttributeError:   # a non-Tensor input?
                e2 = _errors.module_input_error(self, args, kwargs, e)
                if e2 is not None:
                    _layer_errors.note(self, e2, sys._getframe(_CALLER))
                    raise e2 from None
            _layer_errors.note(self, e, sys._getframe(_CALLER))
            raise

    def _call_impl(self, args, kwargs):
        recording = _tape.recording
        if recording:
            _tape.push_module(self)
        try:
            h = self._hooks
            if h is None:
                return self.forward(*args, **kwargs)
            return self._call_with_hooks(h, args, kwargs)
        finally:
            if recording:
                _tape.pop_module()

    def _call_with_hooks(self, h, args, kwargs):
        for hid, hook in list(h.forward_pre.items()):
            if hid in h.pre_with_kwargs:
                res = hook(self, args, kwargs)
                if res is not None:
                    if isinstance(res, tuple) and len(res) == 2:
                        args, kwargs = res
                    else:
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of "
                            f"(new_args, new_kwargs), but got {res}.")
            else:
                res = hook(self, args)
                if res is not None:
                    args = res if isinstance(res, tuple) else (res,)
        bw = None
        if h.backward or h.backward_pre:
            from pytensor.nn._backward_hooks import BackwardHookState
            bw = BackwardHookState(self, list(h.backward.values()),
                                   list(h.backward_pre.values()))
            args = bw.setup_input_hook(args)
        result = None
        called = set()
        try:
            result = self.forward(*args, **kwargs)
            for hid, hook in list(h.forward.items()):
                called.add(hid)
                if hid in h.fwd_with_kwargs:
                    res = hook(self, args, kwargs, result)
                else:
                    res = hook(self, args, result)
                if res is not None:
                    result = res
        except Exception:
            self._run_always_call_hooks(h, called, args, kwargs, result)
            raise
        if bw is not None:
            if not isinstance(result, (Tensor, tuple)):
                warnings.warn(
                    "For backward hooks to be called, module output should "
                    "be a Tensor or a tuple of Tensors but received "
                    f"{type(result)}", stacklevel=3)
            else:
                result = bw.setup_output_hook(result)
        return result

    def _run_always_call_hooks(self, h, called, args, kwargs, result):
        for hid, hook in list(h.forward.items()):
            if hid not in h.always_call or hid in called:
                continue
            try:
                if hid in h.fwd_with_kwargs:
                    res = hook(self, args, kwargs, result)
                else:
                    res = hook(self, args, result)
                if res is not None:
                    result = res
            except Exception as e:
                warnings.warn(
                    "module forward hook with ``always_call=True`` raised an "
                    "exception that was silenced as another error was raised "
                    f"in forward: {e}", stacklevel=4)

    # ------------------------------------------------------------------
    # Hooks
    def _get_hooks(self):
        h = self.__dict__.get("_hooks")
        if h is None:
            if "_parameters" not in self.__dict__:
                raise AttributeError(
                    "cannot register hooks before Module.__init__() call")
            h = _Hooks(self)
            object.__setattr__(self, "_hooks", h)
        return h

    @property
    def _forward_hooks(self):
        return self._get_hooks().forward

    @property
    def _forward_pre_hooks(self):
        return self._get_hooks().forward_pre

    @property
    def _backward_hooks(self):
        return self._get_hooks().backward

    @property
    def _backward_pre_hooks(self):
        return self._get_hooks().backward_pre

    def register_forward_pre_hook(self, hook, *, prepend=False,
                                  with_kwargs=False):
        """Call ``hook(module, args)`` before ``forward``.

        A non-None return value replaces ``args`` (a single value is wrapped
        in a tuple).  With ``with_kwargs=True`` the hook is
        ``hook(module, args, kwargs)`` and may return ``(args, kwargs)``.

        Args:
            hook (callable): the hook.
            prepend (bool): run before the hooks already registered.
            with_kwargs (bool): pass (and accept back) the keyword arguments.

        Returns:
            RemovableHandle: ``handle.remove()`` unregisters the hook.
        """
        h = self._get_hooks()
        handle = _add_hook(h.forward_pre, hook, prepend)
        if with_kwargs:
            h.pre_with_kwargs.add(handle.id)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False,
                              always_call=False):
        """Call ``hook(module, args, output)`` after ``forward``.

        A non-None return value replaces the output.  With
        ``with_kwargs=True`` the hook is ``hook(module, args, kwargs,
        output)``.  With ``always_call=True`` it also runs when ``forward``
        raised (with ``output=None``).

        Returns:
            RemovableHandle

        Example:
            >>> import pytensor
            >>> from pytensor import nn
            >>> lin = nn.Linear(3, 2)
            >>> shapes = []
            >>> handle = lin.register_forward_hook(
            ...     lambda m, args, out: shapes.append(out.shape))
            >>> _ = lin(pytensor.ones(4, 3))
            >>> handle.remove()
            >>> _ = lin(pytensor.ones(1, 3))
            >>> shapes
            [(4, 2)]
        """
        h = self._get_hooks()
        handle = _add_hook(h.forward, hook, prepend)
        if with_kwargs:
            h.fwd_with_kwargs.add(handle.id)
        if always_call:
            h.always_call.add(handle.id)
        return handle

    def register_full_backward_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_input, grad_output)`` once the gradients
        w.r.t. the module's inputs are computed.

        ``grad_input`` has one entry per positional argument of the call
        (None for non-Tensors and tensors that need no gradient),
        ``grad_output`` one per output.  A non-None return value (a tuple of
        the same length) replaces ``grad_input``.  The hook must not modify
        its arguments in place.

        Returns:
            RemovableHandle
        """
        return _add_hook(self._get_hooks().backward, hook, prepend)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_output)`` when the gradients w.r.t. the
        module's outputs are known, before they flow into the module; a
        non-None return value replaces ``grad_output``.

        Returns:
            RemovableHandle
        """
        return _add_hook(self._get_hooks().backward_pre, hook, prepend)

    # ------------------------------------------------------------------
    # Registration
    def register_buffer(self, name, tensor, persistent=True):
        """Add a buffer: state that is not a parameter (running statistics,
        masks).  Accessible as an attribute; part of ``state_dict`` unless
        ``persistent=False``; moved and cast by ``to()``.

        Args:
            name (str): the attribute name.
            tensor (Tensor or None): the buffer; None registers the name with
                no value (skipped by ``to()`` and ``state_dict``).
            persistent (bool): include it in ``state_dict``.
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError(
                "cannot assign buffer before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(
                f"buffer name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError('buffer name can\'t contain "."')
        if name == "":
            raise KeyError('buffer name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_typename(tensor)}' object to buffer "
                f"'{name}' (pytensor Tensor or None required)")
        if isinstance(tensor, Buffer):
            tensor = _plain(tensor)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name, param):
        """Add a parameter (or None) under ``name``.

        Args:
            name (str): the attribute name.
            param (Parameter or None): the parameter; None registers the
                name with no value (e.g. ``bias=False``).
        """
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                "cannot assign parameter before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(
                f"parameter name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError('parameter name can\'t contain "."')
        if name == "":
            raise KeyError('parameter name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is None:
            self._parameters[name] = None
        elif not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_typename(param)}' object to parameter "
                f"'{name}' (pytensor.nn.Parameter or None required)")
        elif param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model "
                f"parameters must be created explicitly. To express '{name}' "
                "as a function of another Tensor, compute the value in the "
                "forward() method.")
        else:
            self._parameters[name] = param

    def add_module(self, name, module):
        """Add a child module under ``name`` (None reserves the name)."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(
                f"module name should be a string. Got {_typename(name)}")
        if "_modules" not in self.__dict__:
            raise AttributeError(
                "cannot assign module before Module.__init__() call")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module
        if module is not None:
            object.__setattr__(module, "_tape_name", name)

    def register_module(self, name, module):
        """Alias of :meth:`add_module`."""
        self.add_module(name, module)

    def get_submodule(self, target):
        """The submodule at the dotted path ``target`` (``""`` is self).

        Raises:
            AttributeError: naming the first part of the path that does not
                exist or is not a Module.
        """
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(
                    mod._get_name() + " has no attribute `" + item + "`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return mod

    def set_submodule(self, target, module, strict=False):
        """Replace (or, unless ``strict``, add) the submodule at ``target``."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        atoms = target.split(".")
        if not isinstance(module, Module):
            raise ValueError(
                f"`module` is not an nn.Module, found {type(module)}")
        parent = self if len(atoms) == 1 else self.get_submodule(
            ".".join(atoms[:-1]))
        if strict and not hasattr(parent, atoms[-1]):
            raise AttributeError(
                parent._get_name() + " has no attribute `" + atoms[-1] + "`")
        if hasattr(parent, atoms[-1]):
            mod = getattr(parent, atoms[-1])
            if not isinstance(mod, Module):
                raise AttributeError("`" + atoms[-1] + "` is not an nn.Module")
        setattr(parent, atoms[-1], module)

    def get_parameter(self, target):
        """The parameter at the dotted path ``target``
        (``"encoder.0.weight"``)."""
        module_path, _, param_name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, param_name):
            raise AttributeError(
                mod._get_name() + " has no attribute `" + param_name + "`")
        param = getattr(mod, param_name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + param_name + "` is not an nn.Parameter")
        return param

    def get_buffer(self, target):
        """The buffer at the dotted path ``target``."""
        module_path, _, buffer_name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, buffer_name):
            raise AttributeError(
                mod._get_name() + " has no attribute `" + buffer_name + "`")
        buffer = getattr(mod, buffer_name)
        if buffer_name not in mod._buffers:
            raise AttributeError("`" + buffer_name + "` is not a buffer")
        return buffer

    def get_extra_state(self):
        """Override (with :meth:`set_extra_state`) to store non-tensor
        state in ``state_dict`` under ``<prefix>_extra_state``."""
        raise RuntimeError(
            "Reached a code path in Module.get_extra_state() that should "
            "never be called.")

    def set_extra_state(self, state):
        """Restore what :meth:`get_extra_state` returned."""
        raise RuntimeError(
            "Reached a code path in Module.set_extra_state() that should "
            "never be called.")

    # ------------------------------------------------------------------
    # Attribute routing
    def __getattr__(self, name):
        d = self.__dict__
        if "_parameters" in d:
            params = d["_parameters"]
            if name in params:
                return params[name]
        if "_buffers" in d:
            buffers = d["_buffers"]
            if name in buffers:
                return buffers[name]
        if "_modules" in d:
            modules = d["_modules"]
            if name in modules:
                return modules[name]
        elif name in _INIT_ATTRS:
            raise AttributeError(
                f"'{type(self).__name__}' object has no attribute '{name}': "
                f"{type(self).__name__}.__init__ must call "
                "super().__init__() before anything else")
        raise AttributeError(
            f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        d = self.__dict__

        def remove_from(*dicts_or_sets):
            for x in dicts_or_sets:
                if name in x:
                    if isinstance(x, dict):
                        del x[name]
                    else:
                        x.discard(name)

        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError(
                    "cannot assign parameters before Module.__init__() call")
            remove_from(d, self._buffers, self._modules,
                        self._non_persistent_buffers_set)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as parameter "
                    f"'{name}' (pytensor.nn.Parameter or None expected)")
            self.register_parameter(name, value)
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError(
                    "cannot assign module before Module.__init__() call")
            remove_from(d, self._parameters, self._buffers,
                        self._non_persistent_buffers_set)
            modules[name] = value
            object.__setattr__(value, "_tape_name", name)
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as child module "
                    f"'{name}' (pytensor.nn.Module or None expected)")
            modules[name] = value
            return
        buffers = d.get("_buffers")
        if isinstance(value, Buffer) or (buffers is not None
                                         and name in buffers):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as buffer '{name}' "
                    "(pytensor.nn.Buffer, pytensor.Tensor or None expected)")
            if isinstance(value, Buffer):
                persistent = value.persistent
            else:
                persistent = name not in self._non_persistent_buffers_set
            if buffers is None:
                raise AttributeError(
                    "cannot assign buffer before Module.__init__() call")
            remove_from(d, self._parameters, self._modules)
            self.register_buffer(name, value, persistent)
            return
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        keys = (dir(type(self)) + list(self.__dict__.keys())
                + list(self._parameters.keys()) + list(self._modules.keys())
                + list(self._buffers.keys()))
        # Drop names that are not valid identifiers ("0" in Sequential).
        return sorted(k for k in keys if not k[0].isdigit())

    # ------------------------------------------------------------------
    # Iteration
    def _named_members(self, get_members_fn, prefix="", recurse=True,
                       remove_duplicate=True):
        memo = set()
        modules = (self.named_modules(prefix=prefix,
                                      remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for module_prefix, module in modules:
            for k, v in get_members_fn(module):
                if v is None or v in memo:
                    continue
                if remove_duplicate:
                    memo.add(v)
                yield module_prefix + ("." if module_prefix else "") + k, v

    def parameters(self, recurse=True):
        """Iterate over the parameters (each shared one once), in
        registration order, depth first; what an optimizer takes."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """Iterate over ``(dotted_name, parameter)`` pairs.

        Args:
            prefix (str): prepended to every name.
            recurse (bool): include submodules' parameters.
            remove_duplicate (bool): yield a shared parameter once.
        """
        yield from self._named_members(
            lambda m: m._parameters.items(), prefix=prefix, recurse=recurse,
            remove_duplicate=remove_duplicate)

    def buffers(self, recurse=True):
        """Iterate over the buffers (persistent or not)."""
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        """Iterate over ``(dotted_name, buffer)`` pairs."""
        yield from self._named_members(
            lambda m: m._buffers.items(), prefix=prefix, recurse=recurse,
            remove_duplicate=remove_duplicate)

    def children(self):
        """Iterate over the immediate child modules."""
        for _, module in self.named_children():
            yield module

    def named_children(self):
        """Iterate over ``(name, child)`` pairs (each child once)."""
        memo = set()
        for name, module in self._modules.items():
            if module is not None and module not in memo:
                memo.add(module)
                yield name, module

    def modules(self, remove_duplicate=True):
        """Iterate over every module in the tree, self first."""
        for _, module in self.named_modules(remove_duplicate=remove_duplicate):
            yield module

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """Iterate over ``(dotted_name, module)`` pairs, self first (with
        name ``prefix``), depth first."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    # ------------------------------------------------------------------
    # Modes and gradients
    def train(self, mode=True):
        """Set training mode on this module and every submodule; returns
        self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        """``train(False)``; returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` of every parameter (freeze/unfreeze);
        returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of every parameter: to None (default) or to
        zeros in place."""
        for p in self.parameters():
            g = p._grad
            if g is None:
                continue
            if set_to_none:
                p._grad = None
            else:
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g._requires_grad = False
                g._data[...] = 0
                g._bump_version("zero_")

    def apply(self, fn):
        """Call ``fn(module)`` on every submodule (children first) and on
        self; returns self.  Typical use: custom initialisation."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------
    # Devices and dtypes
    def _apply(self, fn, recurse=True):
        """Replace every parameter's data (and grad) by ``fn(data)`` in
        place, keeping the Parameter objects (optimizers holding them stay
        valid), and every buffer by ``fn(buffer)``."""
        if recurse:
            for module in self.children():
                module._apply(fn)
        for param in self._parameters.values():
            if param is None:
                continue
            with no_grad():
                applied = fn(param)
            param.data = applied
            g = param._grad
            if g is not None:
                with no_grad():
                    g_applied = fn(g)
                if g_applied is not g:
                    param._grad = Tensor._make(g_applied._data)
        for key, buf in self._buffers.items():
            if buf is not None:
                with no_grad():
                    self._buffers[key] = fn(buf)
        return self

    def to(self, *args, **kwargs):
        """Move and/or cast parameters and buffers, in place; returns self.

        ``to(device)``, ``to(dtype)``, ``to(device, dtype)``,
        ``to(tensor)``, or keywords ``device=``, ``dtype=``.  Only floating
        point tensors are cast; integer buffers keep their dtype.

        Example:
            >>> import pytensor
            >>> from pytensor import nn
            >>> lin = nn.Linear(2, 2)
            >>> w = lin.weight
            >>> lin.to(pytensor.float64).weight is w
            True
            >>> w.dtype
            pytensor.float64
        """
        from pytensor.ops.convert.to import _parse_to_args
        from pytensor.dtypes import to_dtype
        kwargs = dict(kwargs)
        dtype, device, _ = _parse_to_args(self, args, kwargs)
        if dtype is not None:
            dtype = to_dtype(dtype)
            if not dtype.is_floating_point:
                raise TypeError(
                    "nn.Module.to only accepts floating point or complex "
                    f"dtypes, but got desired dtype={dtype}")

        def convert(t):
            return t.to(device=device,
                        dtype=dtype if t.is_floating_point() else None)
        return self._apply(convert)

    def cuda(self, device=None):
        """Move everything to a CUDA device; returns self."""
        if device is None:
            device = "cuda"
        elif isinstance(device, int):
            device = f"cuda:{device}"
        return self._apply(lambda t: t.to(device=device))

    def cpu(self):
        """Move everything to the CPU; returns self."""
        return self._apply(lambda t: t.to(device="cpu"))

    def type(self, dst_type):
        """Cast every parameter and buffer to ``dst_type``; returns self."""
        return self._apply(lambda t: t.to(dtype=dst_type))

    def _cast_floats(self, dtype):
        return self._apply(
            lambda t: t.to(dtype=dtype) if t.is_floating_point() else t)

    def float(self):
        """Cast floating point parameters and buffers to float32."""
        from pytensor import dtypes
        return self._cast_floats(dtypes.float32)

    def double(self):
        """Cast floating point parameters and buffers to float64."""
        from pytensor import dtypes
        return self._cast_floats(dtypes.float64)

    def half(self):
        """Cast floating point parameters and buffers to float16."""
        from pytensor import dtypes
        return self._cast_floats(dtypes.float16)

    # ------------------------------------------------------------------
    # State dict
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        """Put this module's own parameters and persistent buffers (not its
        children's) into ``destination``."""
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else \
                    param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in \
                    self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else \
                    buf.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = \
                self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        """The module's state: an ordered ``{dotted_name: tensor}`` of every
        parameter and persistent buffer, with PyTorch's keys.

        The tensors share storage with the module's (detached unless
        ``keep_vars``).

        Args:
            destination (dict): fill and return this mapping instead.
            prefix (str): prepended to every key.
            keep_vars (bool): return the Parameters themselves.

        Example:
            >>> from pytensor import nn
            >>> list(nn.Sequential(nn.Linear(2, 3), nn.Tanh(),
            ...                    nn.Linear(3, 1)).state_dict())
            ['0.weight', '0.bias', '2.weight', '2.bias']
        """
        if args:
            warnings.warn(
                "Positional args are being deprecated, use kwargs instead.",
                FutureWarning, stacklevel=2)
            if destination is None:
                destination = args[0]
            if len(args) > 1 and prefix == "":
                prefix = args[1]
            if len(args) > 2 and keep_vars is False:
                keep_vars = args[2]
        if destination is None:
            destination = collections.OrderedDict()
            destination._metadata = collections.OrderedDict()
        local_metadata = dict(version=self._version)
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination,
                                  prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata,
                              strict, missing_keys, unexpected_keys,
                              error_msgs):
        """Copy this module's own entries of ``state_dict``; record missing
        and unexpected keys and errors (subclasses override this to
        convert old checkpoints)."""
        persistent = {k: v for k, v in self._buffers.items()
                      if k not in self._non_persistent_buffers_set}
        local_state = {k: v for k, v in
                       list(self._parameters.items())
                       + list(persistent.items())
                       if v is not None}
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            input_param = _as_state_tensor(state_dict[key])
            if input_param is None:
                error_msgs.append(
                    f'While copying the parameter named "{key}", expected '
                    "pytensor.Tensor or Tensor-like object from checkpoint "
                    f"but received {type(state_dict[key])}")
                continue
            if param.ndim == 0 and input_param.shape == (1,):
                input_param = input_param.reshape(())
            if input_param.shape != param.shape:
                error_msgs.append(
                    f"size mismatch for {key}: copying a param with shape "
                    f"{_fmt_shape(input_param.shape)} from checkpoint, the "
                    f"shape in current model is {_fmt_shape(param.shape)}.")
                continue
            try:
                with no_grad():
                    if assign:
                        if isinstance(param, Parameter):
                            new = input_param if isinstance(
                                input_param, Parameter) else Parameter(
                                input_param, requires_grad=False)
                            new.requires_grad_(param.requires_grad)
                            setattr(self, name, new)
                        else:
                            setattr(self, name, input_param)
                    else:
                        _copy_into(param, input_param)
            except Exception as ex:
                error_msgs.append(
                    f'While copying the parameter named "{key}", whose '
                    f"dimensions in the model are {_fmt_shape(param.shape)} "
                    "and whose dimensions in the checkpoint are "
                    f"{_fmt_shape(input_param.shape)}, an exception "
                    f"occurred : {ex.args}.")
        extra_key = prefix + _EXTRA_STATE_KEY_SUFFIX
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if key.startswith(prefix) and key != extra_key:
                    input_name = key[len(prefix):].split(".", 1)
                    if len(input_name) > 1:
                        if input_name[0] not in self._modules:
                            unexpected_keys.append(key)
                    elif input_name[0] not in local_state:
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy parameters and buffers from ``state_dict`` into this module
        and its descendants (in place: the Parameter objects are kept).

        Args:
            state_dict (dict): as returned by :meth:`state_dict` (values may
                be Tensors or NumPy arrays).
            strict (bool): require the keys to match exactly.
            assign (bool): assign the checkpoint's tensors instead of copying
                into the existing ones (``requires_grad`` is kept).

        Returns:
            ``IncompatibleKeys(missing_keys, unexpected_keys)``.

        Raises:
            RuntimeError: listing missing and unexpected keys (when
                ``strict``) and size mismatches, in PyTorch's format.

        Example:
            >>> from pytensor import nn
            >>> a, b = nn.Linear(2, 2), nn.Linear(2, 2)
            >>> b.load_state_dict(a.state_dict())
            <All keys matched successfully>
            >>> b.load_state_dict({"weight": a.weight}, strict=False)
            _IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])
        """
        if not isinstance(state_dict, collections.abc.Mapping):
            raise TypeError(
                "Expected state_dict to be dict-like, got "
                f"{type(state_dict)}.")
        missing_keys, unexpected_keys, error_msgs = [], [], []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = collections.OrderedDict(state_dict)

        def load(module, local_state_dict, prefix=""):
            local_metadata = {} if metadata is None else dict(
                metadata.get(prefix[:-1], {}))
            if assign:
                local_metadata["assign_to_params_buffers"] = assign
            module._load_from_state_dict(
                local_state_dict, prefix, local_metadata, True, missing_keys,
                unexpected_keys, error_msgs)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    child_state = {k: v for k, v in local_state_dict.items()
                                   if k.startswith(child_prefix)}
                    load(child, child_state, child_prefix)

        load(self, state_dict)
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. "
                                  .format(", ".join(f'"{k}"'
                                                    for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, "Missing key(s) in state_dict: {}. "
                                  .format(", ".join(f'"{k}"'
                                                    for k in missing_keys)))
        if error_msgs:
            raise RuntimeError(
                "Error(s) in loading state_dict for {}:\n\t{}".format(
                    type(self).__name__, "\n\t".join(error_msgs)))
        return _IncompatibleKeys(missing_keys, unexpected_keys)

    # ------------------------------------------------------------------
    # Printing
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        """The module's own settings for ``repr`` (one or more lines);
        override in layers (``in_features=4, out_features=8, bias=True``)."""
        return ""

    def __repr__(self):
        extra_lines = []
        extra_repr = self.extra_repr()
        if extra_repr:
            extra_lines = extra_repr.split("\n")
        child_lines = []
        for key, module in self._modules.items():
            mod_str = _addindent(repr(module), 2)
            child_lines.append("(" + key + "): " + mod_str)
        lines = extra_lines + child_lines
        main_str = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main_str += extra_lines[0]
            else:
                main_str += "\n  " + "\n  ".join(lines) + "\n"
        return main_str + ")"


def _plain(t):
    """A Buffer marker's value as a plain tensor sharing its storage."""
    out = Tensor._make(t._data)
    out._requires_grad = t._requires_grad
    return out


def _fmt_shape(shape):
    return f"[{', '.join(map(str, shape))}]"


def _as_state_tensor(value):
    """Tensors as they are; NumPy arrays (and anything with ``__array__``
    and a shape, e.g. a CPU torch tensor) wrapped; None otherwise."""
    if isinstance(value, Tensor):
        return value
    if hasattr(value, "__array__") and hasattr(value, "shape"):
        import numpy as np
        return Tensor._make(np.asarray(value))
    return None


def _copy_into(dst, src):
    """``dst.copy_(src)`` for load_state_dict: casts dtype, moves device,
    writes in place and bumps the version."""
    arr = src._data
    from pytensor import backend
    if src.device != dst.device:
        arr = backend.to_device(arr, dst.device)
    guard = backend.device_guard(dst._data)     # dst on a non-current GPU
    if guard is None:
        dst._data[...] = arr
    else:
        with guard:
            dst._data[...] = arr
    dst._bump_version("copy_")


# sys._getframe depth of our caller: 1, or 0 when this module is compiled.
_CALLER = _caller_depth(_addindent)
