"""Compiled hot modules, and protection against stale builds.

``setup.py`` compiles the hot paths of pytensor (``Function._apply``, the
backward engine, Tensor creation, operand promotion and the most frequent
ops) from their unchanged ``.py`` sources with Cython: the ``.so`` shadows
the ``.py`` at import and runs the same code 30-40% faster.

If a source file is edited after the build, its stale ``.so`` would shadow
the edit.  :func:`install_guard` puts a finder first on ``sys.meta_path``
that loads the ``.py`` instead whenever it is newer than the ``.so``, and
warns once, so a developer never runs stale code by accident.
"""
import glob
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import warnings

# Module names compiled by setup.py (kept in one place: setup.py reads it).
MODULES = (
    "pytensor._tensor_base",
    "pytensor.tensor",
    "pytensor.autograd._node",
    "pytensor.autograd.function",
    "pytensor.autograd.engine",
    "pytensor.autograd.inplace",
    "pytensor.autograd.tape",
    "pytensor._errors",
    "pytensor.ops._util",
    "pytensor.ops._kernel",
    "pytensor.ops.arith.add",
    "pytensor.ops.arith.mul",
    "pytensor.ops.arith.div",
    "pytensor.ops.unary.tanh",
    "pytensor.ops.activation.relu",
    "pytensor.ops.reduce.sum",
    "pytensor.ops.shape.reshape",
    "pytensor.nn.functional.linear",
    "pytensor.nn.functional.cross_entropy",
    "pytensor.nn.module",
)

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def source_path(name):
    return os.path.join(_ROOT, *name.split(".")) + ".py"


def _binary(name):
    base = os.path.join(_ROOT, *name.split("."))
    hits = glob.glob(base + ".cpython-*.so") + glob.glob(base + ".*.pyd")
    return hits[0] if hits else None


class _StaleGuard(importlib.abc.MetaPathFinder):
    def __init__(self, stale):
        self.stale = stale

    def find_spec(self, fullname, path=None, target=None):
        src = self.stale.get(fullname)
        if src is None:
            return None
        loader = importlib.machinery.SourceFileLoader(fullname, src)
        return importlib.util.spec_from_file_location(fullname, src,
                                                      loader=loader)


def install_guard():
    stale = {}
    for name in MODULES:
        src, so = source_path(name), _binary(name)
        if so and os.path.exists(src) and \
                os.path.getmtime(src) > os.path.getmtime(so):
            stale[name] = src
    if stale:
        warnings.warn(
            "pytensor: compiled module(s) older than their source, using the "
            f"source instead: {', '.join(sorted(stale))}. Rebuild with "
            "`python setup.py build_ext --inplace`.", RuntimeWarning,
            stacklevel=3)
        sys.meta_path.insert(0, _StaleGuard(stale))


def caller_depth(fn):
    """The ``sys._getframe`` depth of the caller of a function defined in
    the same module as ``fn``: 1 in Python, 0 when that module is compiled
    (Cython functions have no frames of their own, so the nearest Python
    frame already is the caller's)."""
    return 0 if type(fn).__name__ != "function" else 1


def status():
    """``{module: "compiled" | "source" | "not imported"}`` for the hot
    modules (this imports nothing: a module not yet used says so)."""
    out = {}
    for name in MODULES:
        mod = sys.modules.get(name)
        if mod is None:
            out[name] = "not imported"
            continue
        f = getattr(mod, "__file__", "") or ""
        out[name] = "compiled" if f.endswith((".so", ".pyd")) else "source"
    return out
