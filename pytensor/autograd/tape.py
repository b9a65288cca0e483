"""The live tape: every op, in execution order, while recording is on.

A :class:`Record` holds a small id, the op name, *weak* references to the
input and output tensors with their shapes/dtypes/devices and the input
versions, the module path (pushed and popped by ``Module.__call__``: a tuple
of attribute names below the outermost module, plus a weak reference to
that module in ``root``), the
user's source location as ``(code, lineno)`` (formatted only when shown),
the device, and an optional host time.  Records never keep tensors or
nodes alive, and the tape is a bounded ring (``Tape.maxlen``), so a model
trained for a million steps with recording on does not grow memory.

Recording is off in library use and on in the REPL::

    with pytensor.debug.record() as tape:
        loss = model(x).sum()
    tape.records[-1].op            # 'sum'
"""
import collections
import itertools
import os
import sys
import weakref

__all__ = ["Record", "Tape", "tape", "user_frame", "format_where"]

# Frames whose file lives under these folders are pytensor's own; the first
# frame outside them is "the user's line".
_here = os.path.dirname(os.path.abspath(__file__))
_PKG_DIRS = tuple(
    os.path.join(os.path.dirname(os.path.dirname(_here)), name) + os.sep
    for name in ("pytensor", "pytensor_ext"))
_internal_code = {}     # code object -> bool, so each frame is tested once


def _is_internal(code):
    r = _internal_code.get(code)
    if r is None:
        fn = code.co_filename
        r = fn.startswith(_PKG_DIRS) or fn.startswith("<frozen ")
        _internal_code[code] = r
    return r


def user_frame(depth=2):
    """``(code, lineno)`` of the first frame outside pytensor, or None.

    Storing the code object and line number is cheap; the text of the line
    is looked up only when a record is shown (:func:`format_where`).
    """
    try:
        f = sys._getframe(depth)
    except ValueError:
        return None
    get = _internal_code.get
    while f is not None:
        code = f.f_code
        r = get(code)
        if r is None:
            r = _is_internal(code)
        if not r:
            return (code, f.f_lineno)
        f = f.f_back
    return None


def format_where(where, with_text=False):
    """``file:line`` (and optionally the line's text) of a source location."""
    if where is None:
        return "?"
    code, lineno = where
    fn = code.co_filename
    short = fn if fn.startswith("<") else os.path.basename(fn)
    s = f"{short}:{lineno}"
    if with_text:
        text = source_line(where)
        if text:
            s += f"  `{text}`"
    return s


_session_sources = {}       # "<repl-3>" -> source text, registered by the REPL


def register_source(filename, text):
    """Make the text of code compiled from a string (REPL input) available
    to :func:`source_line`."""
    _session_sources[filename] = text


def source_line(where):
    if where is None:
        return ""
    code, lineno = where
    fn = code.co_filename
    text = _session_sources.get(fn)
    if text is not None:
        lines = text.splitlines()
        return lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""
    import linecache
    return linecache.getline(fn, lineno).strip()


class Record:
    """One op on the tape (see the module docstring for the fields)."""

    __slots__ = ("id", "op", "node", "inputs", "in_meta", "in_versions",
                 "outputs", "out_meta", "module", "root", "where", "device",
                 "time", "inplace", "kind", "op_type", "__weakref__")

    def __init__(self, rid, op, node, inputs, outputs, module, where,
                 inplace=False, kind="op", root=None, op_type=None):
        self.id = rid
        # The Function class, kept (classes live for good) so the kernel is
        # known after the node died or when no node was built (no_grad).
        self.op_type = op_type if op_type is not None else (
            type(node) if node is not None else None)
        self.root = root
        self.op = op
        self.kind = kind
        self.node = weakref.ref(node) if node is not None else None
        refs, meta, versions = [], [], []
        for t in inputs:
            if t is None or not hasattr(t, "_data"):
                refs.append(None)
                meta.append(None)
                versions.append(None)
                continue
            refs.append(weakref.ref(t))
            meta.append((t._data.shape, t._data.dtype, t.device))
            versions.append(t._version_value())
        self.inputs = tuple(refs)
        self.in_meta = tuple(meta)
        self.in_versions = tuple(versions)
        self.outputs = tuple(weakref.ref(t) for t in outputs)
        self.out_meta = tuple((t._data.shape, t._data.dtype) for t in outputs)
        self.device = outputs[0].device if outputs else (
            meta[0][2] if meta and meta[0] else None)
        self.module = module
        self.where = where
        self.time = None
        self.inplace = inplace

    @property
    def module_path(self):
        return ".".join(self.module) if self.module else ""

    @property
    def kernel(self):
        """What ran the op: the Cython/CuPy kernel name, else the array
        library function (looked up on the node class; see Function.kernel)."""
        node = self.node() if self.node is not None else None
        if node is not None:
            return node.kernel_name(self.device)
        if self.op_type is not None:
            return self.op_type.kernel_name(self.device)
        return "-"

    def __repr__(self):
        shapes = ",".join("x".join(map(str, m[0])) or "()" for m in self.out_meta)
        return (f"<Record #{self.id} {self.op} -> {shapes} "
                f"{format_where(self.where)}>")


class Tape:
    """The process-wide tape.  ``recording`` is read by ``Function.apply``.

    Attributes:
        recording (bool): record ops now.
        source (bool): capture the user's source location for each op.
        timing (bool): time each op's forward on the host.
        maxlen (int): records kept (oldest dropped first).
    """

    def __init__(self, maxlen=100_000):
        self.recording = False
        self.source = True
        self.timing = False
        self.records = collections.deque(maxlen=maxlen)
        self._ids = itertools.count(1)
        self._depth = 0
        self.module_stack = []        # (module path, root ref), innermost last
        self.module_path = ()         # names below the root module
        self.module_root = None       # weakref to the outermost module
        self.listeners = []           # callables(record), e.g. :watch

    @property
    def maxlen(self):
        return self.records.maxlen

    @maxlen.setter
    def maxlen(self, n):
        self.records = collections.deque(self.records, maxlen=n)

    def next_id(self):
        return next(self._ids)

    def add(self, op, node, inputs, outputs, inplace=False, kind="op",
            where=None, op_type=None):
        """Append a record; returns it.  Called by Function.apply."""
        if where is None and self.source:
            where = user_frame(3)
        rec = Record(next(self._ids), op, node, inputs, outputs,
                     self.module_path, where, inplace, kind,
                     self.module_root, op_type)
        self.records.append(rec)
        for fn in self.listeners:
            fn(rec)
        return rec

    def note(self, kind, tensor, op):
        """Record a non-op event that matters to the debugger: a tensor
        leaving the graph through ``detach()``, ``.numpy()``, ``.item()``."""
        if self.recording:
            self.add(op, None, (tensor,), (), kind=kind)

    def clear(self):
        self.records.clear()

    def push_module(self, module):
        """Enter ``module``'s forward (called by ``Module.__call__`` while
        recording).  The path is the chain of attribute names from the
        outermost module (``("0",)`` for ``model[0]``); the outermost module
        itself is kept as a weak reference so the REPL can name it by the
        variable that holds it."""
        self.module_stack.append((self.module_path, self.module_root))
        if self.module_root is None:
            self.module_root = weakref.ref(module)
            return
        name = getattr(module, "_tape_name", None)
        self.module_path = self.module_path + (name or type(module).__name__,)

    def pop_module(self):
        if self.module_stack:
            self.module_path, self.module_root = self.module_stack.pop()
        else:
            self.module_path, self.module_root = (), None

    def find(self, rid):
        """The record with id ``rid`` (or None if it has left the ring)."""
        recs = self.records
        if not recs:
            return None
        lo = recs[0].id
        i = rid - lo
        if 0 <= i < len(recs) and recs[i].id == rid:
            return recs[i]
        for r in recs:
            if r.id == rid:
                return r
        return None

    def start(self):
        self._depth += 1
        self.recording = True

    def stop(self):
        self._depth = max(0, self._depth - 1)
        self.recording = self._depth > 0


tape = Tape()
