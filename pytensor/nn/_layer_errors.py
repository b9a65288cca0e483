"""Layer-path errors: name the module an exception escaped from.

PyTorch reports ``mat1 and mat2 shapes cannot be multiplied`` and leaves the
user to find which of fifty layers raised it.  Here ``Module.__call__``
calls :func:`note` when an exception leaves a module's forward, and the
message gains the module's path from the outermost module called::

    model.2 (Linear(in_features=8, out_features=1, bias=True)): linear:
    expected input with last dimension 8, got shape [16, 4]

Every enclosing ``__call__`` on the way out extends the path by one name
and rewrites the prefix from the original message, so the path appears
exactly once and the exception keeps its type and traceback.  The
outermost module is named after the variable that holds it in the caller's
frame (``model``), else by its class name.  Exceptions whose ``str`` is not
their message (``KeyError`` quotes it, ``OSError`` formats errno) get the
path as a note (``add_note``) instead.

Only the error path does work here; ``__call__`` pays nothing otherwise.
"""

__all__ = ["note"]

_STATE = "_pytensor_module_path"


def note(module, exc, caller_frame):
    """Record that ``exc`` escaped ``module``'s forward (called from
    ``caller_frame``) and rewrite its message with the path so far.  Never
    raises: a failure here must not mask the user's error."""
    try:
        _note(module, exc, caller_frame)
    except Exception:
        pass


def _note(module, exc, caller_frame):
    try:
        state = exc.__dict__.get(_STATE)
    except AttributeError:          # exceptions without __dict__
        return
    if state is None:
        leaf, path = module, []
    else:
        leaf, path, inner = state
        path = _path_to(module, inner) + path
    exc.__dict__[_STATE] = (leaf, path, module)
    root = _variable_name(module, caller_frame) or module._get_name()
    where = ".".join([root] + path)
    label = f"{where} ({_short_repr(leaf)})"
    _rewrite(exc, label)


def _path_to(module, inner):
    """Attribute names from ``module`` down to ``inner`` (one name for a
    direct child; a dotted search for deeper ones; the class name when
    ``inner`` is not registered under ``module`` at all)."""
    for name, child in module._modules.items():
        if child is inner:
            return [name]
    for name, m in module.named_modules():
        if m is inner and name:
            return name.split(".")
    return [inner._tape_name or inner._get_name()]


def _variable_name(module, frame):
    if frame is None:
        return None
    try:
        for scope in (frame.f_locals, frame.f_globals):
            for k, v in scope.items():
                if v is module and k != "self" and not k.startswith("_"):
                    return k
    except Exception:               # exotic frames: never mask the error
        return None
    return None


def _short_repr(module):
    try:
        r = repr(module)
    except Exception:
        return module._get_name()
    return r if "\n" not in r and len(r) <= 200 else module._get_name()


def _rewrite(exc, label):
    d = exc.__dict__
    orig = d.get("_pytensor_orig_args")
    if orig is None:
        args = exc.args
        plain = (type(exc).__str__ is BaseException.__str__
                 and len(args) == 1 and isinstance(args[0], str))
        if not plain:
            _renote(exc, label)
            return
        orig = d["_pytensor_orig_args"] = args
    exc.args = (f"{label}: {orig[0]}",)


def _renote(exc, label):
    text = f"(raised in {label})"
    notes = getattr(exc, "__notes__", None)
    i = exc.__dict__.get("_pytensor_note_index")
    if notes is not None and i is not None and i < len(notes):
        notes[i] = text
        return
    exc.add_note(text)
    exc.__dict__["_pytensor_note_index"] = len(exc.__notes__) - 1
