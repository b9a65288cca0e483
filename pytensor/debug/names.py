"""Naming tensors and modules the way the user knows them.

A :class:`Namer` looks at a namespace (the REPL's globals, or any dict) and
names what it finds: variables holding tensors (``x``), parameters and
buffers by their module path (``model.0.weight``), modules (``model.0``),
items of small lists/dicts (``xs[0]``), and intermediates by the tape entry
that produced them (``#7``).  :func:`resolve` turns a command argument
(an expression, a module path with numeric parts, or ``#N``) back into the
object.
"""
import contextlib
import re

from pytensor.autograd.tape import tape as _tape

__all__ = ["Namer", "resolve", "is_module", "is_optimizer", "paused_tape",
           "ResolveError"]


class ResolveError(ValueError):
    """An argument that names nothing in the namespace."""


def is_module(obj):
    """Duck-typed ``pytensor.nn.Module`` test (no import of nn)."""
    return (not isinstance(obj, type) and hasattr(obj, "named_parameters")
            and hasattr(obj, "named_modules") and callable(obj))


def is_optimizer(obj):
    return (not isinstance(obj, type) and hasattr(obj, "param_groups")
            and hasattr(obj, "state") and hasattr(obj, "step"))


def _is_tensor(obj):
    from pytensor.tensor import Tensor
    return isinstance(obj, Tensor)


def _public(name):
    return not name.startswith("_")


class Namer:
    """Names for the tensors and modules of ``namespace``.

    Args:
        namespace (dict): variable name -> object.

    Example:
        >>> import pytensor
        >>> x = pytensor.ones(2)
        >>> from pytensor.debug import Namer
        >>> Namer({"x": x}).name(x)
        'x'
    """

    def __init__(self, namespace=None):
        self.namespace = namespace if namespace is not None else {}
        self._tensors = {}          # id -> (priority, name, obj)
        self._modules = {}          # id -> (name, module)
        self.params = {}            # name -> Parameter
        self.buffers = {}           # name -> Tensor
        self.roots = {}             # top-level module variable -> module
        self.optimizers = {}        # name -> optimizer
        self._scan()

    def _put(self, obj, name, prio):
        k = id(obj)
        old = self._tensors.get(k)
        if old is None or prio < old[0] or (prio == old[0] and
                                            len(name) < len(old[1])):
            self._tensors[k] = (prio, name, obj)

    def _scan(self):
        ns = self.namespace
        items = [(k, v) for k, v in list(ns.items()) if _public(k)]
        for k, v in items:
            if is_module(v):
                self.roots.setdefault(k, v)
        # Modules first (a parameter is named by its path, not by a
        # variable that happens to alias it).
        for k, v in self.roots.items():
            self._add_module(k, v)
        for k, v in items:
            if _is_tensor(v):
                self._put(v, k, 2)
            elif is_optimizer(v):
                self.optimizers[k] = v
            elif isinstance(v, (list, tuple)) and 0 < len(v) <= 64:
                for i, e in enumerate(v):
                    if _is_tensor(e):
                        self._put(e, f"{k}[{i}]", 3)
            elif isinstance(v, dict) and 0 < len(v) <= 64:
                for kk, e in v.items():
                    if _is_tensor(e) and isinstance(kk, str):
                        self._put(e, f"{k}[{kk!r}]", 3)

    def _add_module(self, name, module):
        # Walk the module dicts directly when they are there (pytensor.nn
        # and PyTorch-shaped modules): much faster than the recursive
        # named_* generators on deep models; the public API otherwise.
        if isinstance(getattr(module, "_modules", None), dict) and \
                isinstance(getattr(module, "_parameters", None), dict):
            self._walk_dicts(name, module)
            return
        try:
            mods = list(module.named_modules())
        except Exception:           # a half-built user module
            return
        for path, m in mods:
            full = f"{name}.{path}" if path else name
            if id(m) not in self._modules:
                self._modules[id(m)] = (full, m)
        try:
            for path, p in module.named_parameters():
                full = f"{name}.{path}"
                self.params.setdefault(full, p)
                self._put(p, full, 1)
        except Exception:
            pass
        named_buffers = getattr(module, "named_buffers", None)
        if named_buffers is not None:
            try:
                for path, b in named_buffers():
                    if b is None:
                        continue
                    full = f"{name}.{path}"
                    self.buffers.setdefault(full, b)
                    self._put(b, full, 1)
            except Exception:
                pass

    def _walk_dicts(self, name, module):
        # (Hot on big models -- 10,000 modules for bench_graph's "model" --
        # so local names, no per-module lists, and children pushed in
        # reverse straight from their dict.)
        mods = self._modules
        params = self.params
        put = self._put
        tens = self._tensors
        buffers = self.buffers
        stack = [(name, module)]
        pop = stack.pop
        push = stack.append
        while stack:
            path, m = pop()
            if id(m) in mods:
                continue            # shared: named once, like named_modules
            mods[id(m)] = (path, m)
            ps = m._parameters
            if ps:
                for k, p in ps.items():
                    if p is not None:
                        full = f"{path}.{k}"
                        if full not in params:
                            params[full] = p
                        if id(p) not in tens:   # first name wins (model order)
                            tens[id(p)] = (1, full, p)
            bufs = getattr(m, "_buffers", None)
            if bufs:
                for k, b in bufs.items():
                    if b is not None:
                        full = f"{path}.{k}"
                        buffers.setdefault(full, b)
                        put(b, full, 1)
            kids = m._modules
            if kids:
                for k, c in reversed(kids.items()):
                    if c is not None:
                        push((f"{path}.{k}", c))

    # ------------------------------------------------------------------
    def name(self, t, default=None):
        """The user's name for tensor ``t`` (explicit ``t.name`` first)."""
        if t is None:
            return default
        n = getattr(t, "name", None)
        if isinstance(n, str) and n:
            return n
        e = self._tensors.get(id(t))
        return e[1] if e is not None else default

    def is_param(self, t):
        """``t`` is a parameter of a module in the namespace."""
        e = self._tensors.get(id(t))
        return e is not None and e[1] in self.params

    def module_name(self, m):
        """``model.encoder.0`` for a module found in the namespace."""
        e = self._modules.get(id(m))
        return e[0] if e is not None else None

    def module_path(self, root, path):
        """The displayed path of a tape record's module: the variable
        holding ``root`` (a module or weak reference), then ``path``."""
        if root is not None and not is_module(root):
            root = root()
        if root is None:
            return ".".join(path) if path else ""
        base = self.module_name(root) or type(root).__name__
        return ".".join((base,) + tuple(path)) if path else base

    def tensors(self):
        """``[(name, tensor)]`` of every named tensor."""
        return [(n, o) for _, n, o in sorted(self._tensors.values(),
                                             key=lambda e: e[1])]

    def modules(self):
        return [(n, m) for n, m in self._modules.values()]


@contextlib.contextmanager
def paused_tape():
    """Run a block without recording (inspection must not add records)."""
    was = _tape.recording
    _tape.recording = False
    try:
        yield
    finally:
        _tape.recording = was


_RECORD_REF = re.compile(r"^#(\d+)(?:\[(\d+)\])?$")
_PATH = re.compile(r"^[A-Za-z_]\w*(\.(\w+|\d+))+$")


def resolve(expr, namespace, want=None):
    """The object an argument names.

    Accepts ``#N`` (the output of tape entry N, or the record itself when
    the output is gone; ``#N[k]`` for output k), a module path with numeric
    parts (``model.0.weight``), or any Python expression (evaluated in
    ``namespace`` with the tape paused).

    Args:
        expr (str): the argument.
        namespace (dict): the names it may use.
        want: ``"record"`` to return the tape Record for ``#N``.

    Raises:
        ResolveError: when nothing matches.
    """
    expr = expr.strip()
    if not expr:
        raise ResolveError("an expression is needed")
    m = _RECORD_REF.match(expr)
    if m:
        rid = int(m.group(1))
        rec = _tape.find(rid)
        if rec is None:
            raise ResolveError(f"#{rid} is not on the tape (it holds "
                               f"{_tape_span()})")
        if want == "record":
            return rec
        k = int(m.group(2) or 0)
        outs = rec.output_tensors()
        if k < len(outs) and outs[k] is not None:
            return outs[k]
        return rec
    if _PATH.match(expr) and not _valid_python(expr):
        return _walk_path(expr, namespace)
    try:
        with paused_tape():
            return eval(compile(expr, "<argument>", "eval"), namespace)
    except SyntaxError as e:
        raise ResolveError(f"not an expression: {expr!r} ({e.msg})") from None
    except NameError as e:
        raise ResolveError(str(e)) from None


def _valid_python(expr):
    try:
        compile(expr, "<argument>", "eval")
        return True
    except SyntaxError:
        return False


def _walk_path(expr, namespace):
    head, *rest = expr.split(".")
    if head not in namespace:
        raise ResolveError(f"name {head!r} is not defined")
    obj = namespace[head]
    done = head
    for part in rest:
        nxt = None
        mods = getattr(obj, "_modules", None)
        if isinstance(mods, dict) and part in mods:
            nxt = mods[part]
        elif hasattr(obj, part):
            nxt = getattr(obj, part)
        elif part.isdigit():
            try:
                nxt = obj[int(part)]
            except Exception:
                nxt = None
        if nxt is None:
            raise ResolveError(f"{done} has no part {part!r}")
        obj = nxt
        done += "." + part
    return obj


def _tape_span():
    rows = _tape.rows
    if not rows:
        return "no entries"
    return f"#{rows[0][0]}..#{rows[-1][0]}"
