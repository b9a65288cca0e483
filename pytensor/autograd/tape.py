"""The live tape: every op, in execution order, while recording is on.

A :class:`Record` holds a small id, the op name, *weak* references to the
input and output tensors with their shapes/dtypes/devices, the module path
(pushed and popped by ``Module.__call__``: a tuple of attribute names below
the outermost module, plus a weak reference to that module in ``root``),
the user's source location as ``(code, lineno)`` (formatted only when
shown), the device, and an optional host time.  Records never keep tensors
or nodes alive, and the tape is a bounded ring (``Tape.maxlen``), so a
model trained for a million steps with recording on does not grow memory.

Cost: recording runs on every op, so the tape stores each entry as one
flat tuple (a "row") and :attr:`Tape.records` wraps rows in
:class:`Record` views only when they are read; the user's line is found
without materializing the op's internal frames (:func:`record_op`); and,
in the compiled build, rows and the outputs' weak references are taken
out of the cyclic garbage collector's lists (they cannot form cycles, and
walking 100,000 long-lived rows at every collection was half the cost).
``tests/benchmarks/bench_tape_recording.py`` measures the overhead.

Recording is off in library use and on in the REPL::

    with pytensor.debug.record() as tape:
        loss = model(x).sum()
    tape.records[-1].op            # 'sum'
"""
import collections
import collections.abc
import gc as _gc
import itertools
import os
import sys
import weakref

import numpy as np

try:
    import cython           # compiled: resolved when the module is built
except ImportError:         # plain Python without Cython installed
    class cython:
        compiled = False

from pytensor._compiled import caller_depth as _caller_depth
from pytensor.autograd.grad_mode import state as _grad_state
from pytensor.backend import CPU as _CPU, device_of as _device_of

_ndarray = np.ndarray

__all__ = ["Record", "Tape", "tape", "record_op", "user_frame", "format_where",
           "register_source", "source_line", "set_internal",
           "add_internal_dir"]

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


def add_internal_dir(path):
    """Treat every file under ``path`` as internal (its frames are skipped
    when looking for the user's line); the REPL registers its own package.
    """
    global _PKG_DIRS
    path = os.path.abspath(path) + os.sep
    if path not in _PKG_DIRS:
        _PKG_DIRS = _PKG_DIRS + (path,)
        _internal_code.clear()
        _last_site.clear()
        _verified_sites.clear()


def set_internal(code_or_fn, internal=True):
    """Declare a function's code (or a code object) pytensor-internal, so
    its frames are skipped when looking for the user's line (the REPL's
    own evaluator uses this)."""
    code = getattr(code_or_fn, "__code__", code_or_fn)
    _internal_code[code] = bool(internal)


def user_frame(depth=2):
    """``(code, lineno)`` of the first frame outside pytensor, or None.

    ``depth`` is kept for compatibility: the walk starts at the caller
    (compiled pytensor modules have no Python frames, so a fixed depth
    could skip past the user's frame) and skips pytensor's own frames.
    Storing the code object and line number is cheap; the text of the line
    is looked up only when a record is shown (:func:`format_where`).
    """
    try:
        # Compiled (Cython), this function has no frame of its own and
        # _getframe(0) is already its caller's.
        f = sys._getframe(0 if _COMPILED else 1)
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


# Row layout (a flat tuple): the fixed fields, then the input entries
# (weak ref / number / None), then the output weak refs.
_ID, _FN, _IN_META, _OUT_META, _WHERE, _ROOT, _MODULE, _FLAGS, _RARE, \
    _NIN = range(10)
_HEAD = 10
# _FLAGS bits
GRAD_ENABLED, NODE_MADE, ANY_REQUIRES_GRAD = 1, 2, 4


class Record:
    """One entry on the tape (a read-only view of a tape row).

    Attributes:
        id (int): the small id shown as ``#N``.
        op (str): the op name (``mul``; ``mul_`` for an in-place op), or the
            event of a note (``detach``, ``.numpy()``, ``backward``, ...).
        kind (str): ``"op"``; for notes ``"leave"`` (a tensor left the
            graph), ``"backward"`` (a backward pass ran) or ``"grad"`` (a
            ``.grad`` was cleared).
        fn (type or None): the Function class that ran (names the kernel).
        node: the graph node, while a live output still holds it (else
            None; the tape itself keeps no node alive).
        node_made (bool): the op joined the autograd graph.
        inputs (tuple): per argument, a weak reference to the Tensor, the
            Python number itself, or None.  CPython hands out one weak
            reference object per live object, so ``r1.outputs[0] is
            r2.inputs[1]`` means "the same tensor", even after it died.
        in_meta (tuple): per argument, ``(shape, numpy dtype)`` or None.
        in_versions (tuple): per argument, the version counter at use.
        outputs, out_meta: the same for the results.
        grad_enabled (bool): grad mode was on when the op ran.
        any_requires_grad (bool): some tensor input required grad.
        module (tuple): module path below ``root`` (``("0",)``).
        root: weak reference to the outermost module, or None.
        where: ``(code, lineno)`` of the user's line, or None.
        device: the device of the outputs.
        time (float or None): host seconds of forward, when timing.
        inplace (bool): an in-place op.
        extra: event-specific data (a backward's roots, ...).
    """

    __slots__ = ("row",)

    def __init__(self, row):
        self.row = row

    def __eq__(self, other):
        return isinstance(other, Record) and other.row is self.row

    def __hash__(self):
        return id(self.row)

    def _rare(self, key, default=None):
        r = self.row[_RARE]
        return default if r is None else r.get(key, default)

    id = property(lambda self: self.row[_ID])
    fn = property(lambda self: self.row[_FN])
    in_meta = property(lambda self: self.row[_IN_META])
    out_meta = property(lambda self: self.row[_OUT_META])
    where = property(lambda self: self.row[_WHERE])
    root = property(lambda self: self.row[_ROOT])
    module = property(lambda self: self.row[_MODULE])
    grad_enabled = property(lambda self: bool(self.row[_FLAGS] &
                                              GRAD_ENABLED))
    node_made = property(lambda self: bool(self.row[_FLAGS] & NODE_MADE))
    any_requires_grad = property(lambda self: bool(self.row[_FLAGS] &
                                                   ANY_REQUIRES_GRAD))
    kind = property(lambda self: self._rare("kind", "op"))
    inplace = property(lambda self: self._rare("inplace", False))
    time = property(lambda self: self._rare("time"))
    extra = property(lambda self: self._rare("extra"))
    device = property(lambda self: self._rare("device", _CPU))

    @property
    def op(self):
        op = self._rare("op")
        if op is None:
            return self.row[_FN].name
        return op

    @property
    def inputs(self):
        row = self.row
        return row[_HEAD:_HEAD + row[_NIN]]

    @property
    def outputs(self):
        row = self.row
        return row[_HEAD + row[_NIN]:]

    @property
    def in_versions(self):
        """Per argument, the version counter when the op ran (0 for tensors
        never modified in place, None for non-tensors)."""
        v = self._rare("versions")
        if v is not None:
            return v
        return tuple(None if m is None else 0 for m in self.in_meta)

    @property
    def node(self):
        """The graph node, found through a live output (None if none)."""
        for r in self.outputs:
            t = r()
            if t is not None:
                fn = t.grad_fn
                if fn is not None and fn._record is self.row:
                    return fn
        return None

    @property
    def module_path(self):
        return ".".join(self.module) if self.module else ""

    @property
    def kernel(self):
        """What ran the op: the Cython/CuPy kernel name, else the array
        library function (looked up on the Function class)."""
        fn = self.fn
        if fn is None:
            return "-"
        return fn.kernel_name(self.device)

    def input_tensors(self):
        """The inputs that are still alive (None for dead or non-tensors)."""
        return tuple(r() if type(r) is _ref else None
                     for r in self.inputs)

    def output_tensors(self):
        return tuple(r() for r in self.outputs)

    def __repr__(self):
        shapes = ",".join("x".join(map(str, m[0])) or "()"
                          for m in self.out_meta)
        return (f"<Record #{self.id} {self.op} -> {shapes} "
                f"{format_where(self.where)}>")


_ref = weakref.ref
_py_numbers = (int, float, bool, complex)
Tensor = None           # set by pytensor.tensor (import cycle)


def make_row(rid, op, fn, inputs, outputs, module, root, where, **rare):
    """A row for anything but the op fast path (notes, tests)."""
    tensor_cls = Tensor
    ins = tuple(_ref(t) if isinstance(t, tensor_cls) else
                (t if type(t) in _py_numbers else None) for t in inputs)
    in_meta = tuple((t._data.shape, t._data.dtype)
                    if isinstance(t, tensor_cls) else None for t in inputs)
    outs = tuple(_ref(t) for t in outputs)
    out_meta = tuple((t._data.shape, t._data.dtype) for t in outputs)
    flags = GRAD_ENABLED if _grad_state.enabled else 0
    if any(isinstance(t, tensor_cls) and t._requires_grad for t in inputs):
        flags |= ANY_REQUIRES_GRAD
    if rare.get("node_made"):
        flags |= NODE_MADE
    rare.pop("node_made", None)
    if op is not None and (fn is None or op != fn.name):
        rare["op"] = op
    d = outputs[0]._data if outputs else (
        inputs[0]._data if inputs and isinstance(inputs[0], tensor_cls)
        else None)
    if d is not None and type(d) is not _ndarray:
        rare["device"] = _device_of(d)
    if any(isinstance(t, tensor_cls) and t._vc is not None for t in inputs):
        rare["versions"] = tuple(
            t._version_value() if isinstance(t, tensor_cls) else None
            for t in inputs)
    return (rid, fn, in_meta, out_meta, where, root, module, flags,
            rare or None, len(ins)) + ins + outs


def replace_row(row, **changes):
    """A copy of ``row`` with some fields changed: ``outputs`` (weak refs)
    or rare fields (``op``, ``inplace``, ``time``, ``extra``, ...)."""
    outs = changes.pop("outputs", None)
    rare = dict(row[_RARE] or {})
    rare.update(changes)
    new = row[:_RARE] + (rare,) + row[_NIN:]
    if outs is not None:
        new = new[:_HEAD + row[_NIN]] + tuple(outs)
    return new


class _RecordView(collections.abc.Sequence):
    """``tape.records``: the rows, seen as :class:`Record` objects."""

    __slots__ = ("_rows",)

    def __init__(self, rows):
        self._rows = rows

    def __len__(self):
        return len(self._rows)

    def __bool__(self):
        return bool(self._rows)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [Record(r) for r in list(self._rows)[i]]
        return Record(self._rows[i])

    def __iter__(self):
        for r in list(self._rows):
            yield Record(r)

    def __reversed__(self):
        for r in reversed(list(self._rows)):
            yield Record(r)

    def __repr__(self):
        return f"<tape records: {len(self._rows)}>"


# The tape's hot state lives in module globals: compiled (pytensor/
# _compiled.py), a global read is a cached dictionary lookup, much cheaper
# than an instance attribute.  ``Tape`` exposes them as properties.
# Mutable containers, never rebound: rebinding a module global would
# invalidate the compiled module's cached global lookups on every op.
_rows_box = [collections.deque(maxlen=100_000)]
_ids = itertools.count(1)
_flags = [True]                 # [source capture]
_mod = [(), None]               # [module path, root module weak ref]
_module_stack = []
_listeners = []


class Tape:
    """The process-wide tape (one instance, :data:`tape`).

    ``recording`` is read by ``Function.apply`` on every op.

    Attributes:
        recording (bool): record ops now.
        source (bool): capture the user's source location for each op.
        timing (bool): time each op's forward on the host.
        maxlen (int): records kept (oldest dropped first).
        records: the entries, oldest first, as :class:`Record` objects.
        rows (deque): the raw rows behind ``records``.
        listeners (list): callables ``fn(record)`` run on every new record.
        module_path (tuple), module_root: the module whose forward is
            running (pushed and popped by ``Module.__call__``).
    """

    def __init__(self):
        self.recording = False
        self.timing = False
        self._depth = 0

    # -- state kept in module globals -----------------------------------
    @property
    def rows(self):
        return _rows_box[0]

    @property
    def source(self):
        return _flags[0]

    @source.setter
    def source(self, value):
        _flags[0] = bool(value)

    @property
    def listeners(self):
        return _listeners

    @property
    def module_path(self):
        return _mod[0]

    @property
    def module_root(self):
        return _mod[1]

    @property
    def module_stack(self):
        return _module_stack

    @property
    def records(self):
        return _RecordView(_rows_box[0])

    @property
    def maxlen(self):
        return _rows_box[0].maxlen

    @maxlen.setter
    def maxlen(self, n):
        _rows_box[0] = collections.deque(_rows_box[0], maxlen=n)

    def next_id(self):
        return next(_ids)

    def last_id(self):
        """The id of the newest record (0 when empty)."""
        rows = _rows_box[0]
        return rows[-1][_ID] if rows else 0

    def add(self, op, node, inputs, outputs, inplace=False, kind="op",
            where=None, **rare):
        """Append a record (any kind); returns it as a :class:`Record`."""
        if where is None and _flags[0]:
            where = user_frame(3)
        if inplace:
            rare["inplace"] = True
        if kind != "op":
            rare["kind"] = kind
        row = make_row(self.next_id(), op, type(node) if node else None,
                       inputs, outputs, _mod[0], _mod[1],
                       where, node_made=node is not None, **rare)
        _rows_box[0].append(row)
        rec = Record(row)
        if _listeners:
            for fn in list(_listeners):
                fn(rec)
        return rec

    def add_op(self, fn, made, inputs, outputs, elapsed=None):
        """Record one op (see :func:`record_op`); returns the row."""
        return record_op(fn, made, inputs, outputs, elapsed)

    def retag(self, row, **changes):
        """Replace ``row`` (the newest rows are searched) by a copy with
        some fields changed (see :func:`replace_row`); returns the new
        row."""
        rows = _rows_box[0]
        for i in range(len(rows) - 1, max(-1, len(rows) - 64), -1):
            if rows[i] is row:
                new = replace_row(row, **changes)
                rows[i] = new
                return new
        return row

    def note(self, kind, tensor, op, out=None, extra=None):
        """Record a non-op event that matters to the debugger: a tensor
        leaving the graph through ``detach()``, ``.numpy()``, ``.item()``,
        ``.data`` (``kind="leave"``, ``out`` the detached tensor if any), a
        backward pass (``kind="backward"``), a ``.grad`` cleared
        (``kind="grad"``).  Returns the record (None when not recording)."""
        if not self.recording:
            return None
        rare = {} if extra is None else {"extra": extra}
        return self.add(op, None, (tensor,), () if out is None else (out,),
                        kind=kind, **rare)

    def clear(self):
        _rows_box[0].clear()

    def truncate(self, last_id):
        """Drop the records newer than ``last_id`` and number the next one
        ``last_id + 1`` (inspection that ran ops leaves no trace)."""
        global _ids
        rows = _rows_box[0]
        while rows and rows[-1][_ID] > last_id:
            rows.pop()
        _ids = itertools.count(last_id + 1)

    def reset(self):
        """Clear the tape and number the next record #1 again (a fresh
        session; nodes made before keep their old records)."""
        global _ids
        _rows_box[0].clear()
        _ids = itertools.count(1)

    def push_module(self, module):
        """Enter ``module``'s forward (called by ``Module.__call__`` while
        recording).  The path is the chain of attribute names from the
        outermost module (``("0",)`` for ``model[0]``); the outermost module
        itself is kept as a weak reference so the REPL can name it by the
        variable that holds it."""
        _module_stack.append((_mod[0], _mod[1]))
        if _mod[1] is None:
            _mod[1] = weakref.ref(module)
            return
        name = getattr(module, "_tape_name", None)
        _mod[0] = _mod[0] + (name or type(module).__name__,)

    def pop_module(self):
        if _module_stack:
            _mod[0], _mod[1] = _module_stack.pop()
        else:
            _mod[0], _mod[1] = (), None

    def find(self, rid):
        """The record with id ``rid`` (or None if it has left the ring)."""
        rows = _rows_box[0]
        if not rows:
            return None
        i = rid - rows[0][_ID]
        if 0 <= i < len(rows) and rows[i][_ID] == rid:
            return Record(rows[i])
        for r in rows:
            if r[_ID] == rid:
                return Record(r)
        return None

    def start(self):
        self._depth += 1
        self.recording = True
        if self._depth == 1:
            _gc_rebate_start()

    def stop(self):
        self._depth = max(0, self._depth - 1)
        self.recording = self._depth > 0
        if not self.recording:
            _gc_rebate_stop()


# While the tape records, the cyclic collector's young-generation threshold
# is raised.  Why: the collector runs when net allocations of collectable
# types (tuples, weak references, ...) since the last run pass a threshold
# (700 by default), whether or not the objects are tracked.  Each recorded
# op keeps about five such objects alive in the ring -- the row, the
# output's weak reference, the metadata tuples the row shares with its node
# -- that the collector can never free (rows and references are untracked
# on creation), so they only make collections of everything else come
# more often: four times as often on W1, where that was a third of the
# recording cost.  Scaling the threshold by GC_REBATE gives back the
# collections those objects triggered: W1's recording cost went from +16%
# to +10% of its instructions (tests/benchmarks/bench_tape_recording.py
# --instructions).  stop() restores the threshold unless someone changed it
# meanwhile.
GC_REBATE = 3
_gc_saved = [None, None]        # [threshold before start, threshold set]


def _gc_rebate_start():
    t = _gc.get_threshold()
    if t[0] <= 0:                   # collection off: nothing to rebate
        return
    new = (t[0] * GC_REBATE,) + t[1:]
    _gc.set_threshold(*new)
    _gc_saved[0], _gc_saved[1] = t, new


def _gc_rebate_stop():
    old, new = _gc_saved
    if old is not None and _gc.get_threshold() == new:
        _gc.set_threshold(*old)
    _gc_saved[0] = _gc_saved[1] = None


def record_op(fn, made, inputs, outputs, elapsed=None, in_meta=None,
              out_meta=None):
    """Record one op; the hot path called by ``Function._apply``.

    Args:
        fn: the Function instance that ran (its class names the op).
        made (bool): it joined the autograd graph (it is a node).
        inputs: the op's arguments (Tensors, numbers, other values).
        outputs: the result Tensors.
        elapsed: host seconds of forward, when timing.
        in_meta, out_meta: the node's ``_in_meta``/``_out_meta`` when the
            caller has them at hand (else read from ``fn`` when ``made``).

    Returns:
        The row (a tuple; ``Record(row)`` reads it).

    Written for the compiled build (pytensor/_compiled.py): ``type(x)``
    instead of ``x.__class__``, no generator expressions (each would
    allocate a closure per call), globals that are never rebound (a
    rebinding invalidates Cython's cached global lookups), and the weak
    reference a tensor already has is reused (``__weakref__``) instead of
    calling ``weakref.ref`` again.
    """
    cls = type(fn)
    if made:
        if in_meta is None:
            in_meta = fn._in_meta
            out_meta = fn._out_meta
        flags = 7           # GRAD_ENABLED | NODE_MADE | ANY_REQUIRES_GRAD
    else:
        in_meta, out_meta, flags = _meta_no_node(inputs, outputs)
    rare = None
    if outputs and type(outputs[0]._data) is not _ndarray:
        rare = {"device": _device_of(outputs[0]._data)}
    if elapsed is not None:
        rare = _with(rare, "time", elapsed)
    where = None
    if _flags[0]:           # source capture on
        # Materializing the short-lived internal frames of every op
        # (``f_back``) is what makes a plain frame walk expensive.  So
        # jump straight to the depth where this op class's user frame was
        # last found, and trust it when that exact call site (code object
        # and instruction) was verified by a full walk before: first
        # against the class's last site (identity tests only), then
        # against all verified sites.
        try:                # (indexing is cheaper than .get, compiled)
            site = _last_site[cls]
        except KeyError:
            site = None
        if site is not None:
            if cython.compiled:
                # C calls (tape.pxd): the frame's code and f_lasti
                code = _site_code(site[0])  # noqa: F821
                lasti = _site_lasti()       # noqa: F821
            else:
                try:
                    f = _getframe(site[0])
                    code = f.f_code
                    lasti = f.f_lasti
                except ValueError:
                    code = None
            if code is not None:
                if code is site[1] and lasti == site[2]:
                    where = site[3]
                else:
                    site = _verified_sites.get((cls, id(code), lasti))
                    if site is not None and site[1] is code:
                        _last_site[cls] = site
                        where = site[3]
        if where is None:
            where = _walk_user_frame(cls)
    # Arguments: a weak reference per Tensor (the same object for the same
    # live tensor: the one it already has is reused), Python numbers as
    # they are, else None (``_arg_ref``: a C function when compiled,
    # tape.pxd).  The common shapes (two or one argument, one output)
    # build the row in one go.
    n = len(inputs)
    if n == 2 and len(outputs) == 1:
        # (compiled: the C call, not weakref.ref's type call with its
        # argument parsing; cython.compiled is a compile-time constant)
        ro = PyWeakref_NewRef(outputs[0], None) if cython.compiled \
            else _ref(outputs[0])  # noqa: F821 (PyWeakref_NewRef: tape.pxd)
        row = (next(_ids), cls, in_meta, out_meta, where, _mod[1], _mod[0],
               flags, rare, 2, _arg_ref(inputs[0]), _arg_ref(inputs[1]), ro)
    elif n == 1 and len(outputs) == 1:
        ro = PyWeakref_NewRef(outputs[0], None) if cython.compiled \
            else _ref(outputs[0])  # noqa: F821
        row = (next(_ids), cls, in_meta, out_meta, where, _mod[1], _mod[0],
               flags, rare, 1, _arg_ref(inputs[0]), ro)
    else:
        row = (next(_ids), cls, in_meta, out_meta, where, _mod[1], _mod[0],
               flags, rare, n) + tuple([_arg_ref(t) for t in inputs]) + \
            tuple([_ref(t) for t in outputs])
    if cython.compiled:
        # Rows and the output's weak reference live long (the ring) and
        # cannot be part of a reference cycle (a weak reference without a
        # callback holds nothing; a row holds weak references, numbers,
        # strings and shared tuples), so the cyclic garbage collector need
        # not walk them again and again: half of the cost of recording
        # was the collector's.  (Compiled build only; see tape.pxd.)
        PyObject_GC_UnTrack(row)  # noqa: F821 (declared in tape.pxd)
        if len(outputs) == 1:
            PyObject_GC_UnTrack(row[-1])  # noqa: F821
    _rows_box[0].append(row)
    if _listeners:
        _notify(row)
    return row


def _arg_ref(t):
    """What a row stores for an argument (see :func:`record_op`)."""
    c = type(t)
    if c is float or c is int:          # (the common scalar, tested first)
        return t
    if c is Tensor or isinstance(t, Tensor):
        if cython.compiled:     # reuses its plain reference (tape.pxd)
            r = PyWeakref_NewRef(t, None)  # noqa: F821
        else:
            r = t.__weakref__
            if r is None or r.__callback__ is not None:
                r = _ref(t)     # the plain weak reference, cached by CPython
        return r
    if c in _py_numbers:
        return t
    return None


def _meta_no_node(inputs, outputs):
    """``(in_meta, out_meta, flags)`` of an op that made no graph node."""
    in_meta = []
    any_rg = False
    for t in inputs:
        if isinstance(t, Tensor):
            d = t._data
            in_meta.append((d.shape, d.dtype))
            if t._requires_grad:
                any_rg = True
        else:
            in_meta.append(None)
    out_meta = []
    for t in outputs:
        d = t._data
        out_meta.append((d.shape, d.dtype))
    # With grad mode on, no node means no input required grad.
    if _grad_state.enabled:
        flags = GRAD_ENABLED
    else:
        flags = ANY_REQUIRES_GRAD if any_rg else 0
    return tuple(in_meta), tuple(out_meta), flags


def _with(d, key, value):
    d = dict(d) if d else {}
    d[key] = value
    return d


def _notify(row):
    rec = Record(row)
    for cb in list(_listeners):
        cb(rec)


_last_site = {}         # Function class -> its last call site (below)
# (class, id(code), f_lasti) -> (depth, code, lasti, where)
_verified_sites = {}


def _walk_user_frame(cls):
    """The full walk behind :func:`record_op` (depth counted from its
    frame); remembers the depth and call site it found."""
    # Start at record_op's caller: when the hot modules are compiled (Cython,
    # pytensor/_compiled.py) the op's internal calls have no Python frames
    # and the user's frame may be right there.  Compiled, this module has
    # no frames either, and _getframe(0) is already the nearest Python
    # frame outside it.
    depth = 0 if _COMPILED else 1       # as record_op counts it
    f = _getframe(depth + (0 if _COMPILED else 1))
    get = _internal_code.get
    while f is not None:
        code = f.f_code
        r = get(code)
        if r is None:
            r = _is_internal(code)
        if not r:
            if len(_verified_sites) > 50_000:
                _verified_sites.clear()
            where = (code, f.f_lineno)
            site = (depth, code, f.f_lasti, where)
            _verified_sites[(cls, id(code), f.f_lasti)] = site
            _last_site[cls] = site
            return where
        f = f.f_back
        depth += 1
    return None


_getframe = sys._getframe
# True when this module runs compiled by Cython (see pytensor/_compiled.py):
# its functions then have no Python frames.
_COMPILED = _caller_depth(_walk_user_frame) == 0

tape = Tape()
