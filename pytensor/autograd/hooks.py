"""The one hook mechanism of pytensor.

Tensors, graph nodes, modules and the global op hooks of the debugger all
keep their callbacks in a :class:`HookDict` and hand out a
:class:`RemovableHandle`; ``pytensor.debug`` lists every live hook through
:func:`all_hook_dicts`.

Global op hooks (``register_op_hook``) are objects with any of these
methods, called around every ``Function`` (Chainer's FunctionHook shape):

- ``forward_pre(node, inputs)``        before ``forward`` (inputs: arrays)
- ``forward_post(node, inputs, outputs)``  after it (outputs: Tensors)
- ``backward_pre(node, grad_outputs)``     before ``backward`` (Tensors)
- ``backward_post(node, grad_inputs, grad_outputs)``  after it
"""
import itertools
import weakref

__all__ = ["HookDict", "RemovableHandle", "register_op_hook", "op_hooks"]

_next_id = itertools.count()
_registry = weakref.WeakValueDictionary()      # id -> HookDict, for listing


class RemovableHandle:
    """Returned by every ``register_*hook``; ``remove()`` unregisters.

    Also a context manager: the hook is removed on exit.
    """

    __slots__ = ("_dict_ref", "id", "__weakref__")

    def __init__(self, hook_dict, hid):
        self._dict_ref = weakref.ref(hook_dict)
        self.id = hid

    def remove(self):
        d = self._dict_ref()
        if d is not None:
            d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()

    def __repr__(self):
        return f"<RemovableHandle id={self.id}>"


class HookDict(dict):
    """An ordered ``id -> callable`` mapping with an owner label.

    Args:
        owner: a short description of what the hooks are attached to, shown
            by ``:hooks`` in the REPL.
        kind: the event, e.g. ``"tensor.grad"``, ``"module.forward"``.
    """

    __slots__ = ("owner", "kind", "__weakref__")

    def __init__(self, owner="", kind=""):
        super().__init__()
        self.owner = owner
        self.kind = kind
        _registry[id(self)] = self

    def add(self, fn):
        if not callable(fn):
            raise TypeError(f"hook must be callable, got {type(fn).__name__}")
        hid = next(_next_id)
        self[hid] = fn
        return RemovableHandle(self, hid)

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other


def all_hook_dicts():
    """Every non-empty live HookDict (for the debugger's hook listing)."""
    return [d for d in list(_registry.values()) if len(d)]


class _OpHooks(HookDict):
    """Global op hooks; ``active`` is False when empty so ``apply`` can test
    one attribute instead of calling ``len``."""

    __slots__ = ("active",)

    def __init__(self):
        super().__init__("all ops", "op")
        self.active = False

    _EVENTS = ("forward_pre", "forward_post", "backward_pre",
               "backward_post")

    def add(self, hook):
        # Op hooks are objects with event methods, not plain callables.
        if not any(callable(getattr(hook, e, None)) for e in self._EVENTS):
            raise TypeError(
                "register_op_hook: the hook must have at least one of the "
                f"methods {', '.join(self._EVENTS)}; got "
                f"{type(hook).__name__}")
        hid = next(_next_id)
        self[hid] = hook
        self.active = True
        return RemovableHandle(self, hid)

    def pop(self, key, default=None):
        v = super().pop(key, default)
        self.active = len(self) > 0
        return v

    def clear(self):
        super().clear()
        self.active = False


op_hooks = _OpHooks()


def register_op_hook(hook):
    """Call ``hook``'s ``forward_pre/forward_post/backward_pre/backward_post``
    around every op; returns a RemovableHandle."""
    return op_hooks.add(hook)


def call_op_hooks(event, *args):
    for h in list(op_hooks.values()):
        fn = getattr(h, event, None)
        if fn is not None:
            fn(*args)
