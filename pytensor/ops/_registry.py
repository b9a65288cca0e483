"""How op modules attach themselves to ``Tensor``.

Each op file binds its own methods with :func:`tensor_method`, so adding an
op never edits ``tensor.py``::

    @tensor_method("exp")
    def exp(input): ...
"""
from pytensor._errors import public
from pytensor.tensor import Tensor

__all__ = ["tensor_method", "set_method"]


def set_method(name, fn):
    setattr(Tensor, name, fn)


def tensor_method(*names):
    """Bind the decorated function as ``Tensor.<name>`` for each name (the
    function's own name when none is given).

    Named methods are bound through :func:`pytensor._errors.public` (an
    internal failure caused by a bad argument becomes the op's error);
    operators (``__add__`` ...) are bound as they are, to stay lean.  The
    function itself is returned unchanged, so calls inside the library skip
    the wrapper."""
    def deco(fn):
        for n in names or (fn.__name__,):
            setattr(Tensor, n, fn if n.startswith("__") else
                    public(fn, n, method=True))
        return fn
    return deco


def load_family(pkg_name, pkg_path, namespace):
    """Import every op module of a family package (files not starting with
    ``_``, in sorted order) and re-export their ``__all__``; returns the
    combined ``__all__``.  New op files need no registration.  The names
    exported are the :func:`pytensor._errors.public` wrappers; the op
    modules keep the plain functions."""
    import importlib
    import pkgutil
    names = []
    for info in sorted(pkgutil.iter_modules(pkg_path), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{pkg_name}.{info.name}")
        for n in getattr(mod, "__all__", ()):
            fn = getattr(mod, n)
            # (callable, not isfunction: compiled modules hold cyfunctions)
            namespace[n] = public(fn, n) if callable(fn) and not \
                isinstance(fn, type) else fn
            names.append(n)
    return names
