"""NaN/inf sentinels (``:nan``): stop at the first op that *produces* a
non-finite value, in forward or in backward, with the op, its line, the
statistics of its inputs and the first bad element.

"Produces" means its inputs were finite and its output is not, so the
values that merely carry an earlier NaN along do not stop again.  A leaf
that already holds NaN/inf (bad data) is reported once, at its first use.

The sentinel is an op hook (``pytensor.autograd.hooks``): forward checks
run after each op's forward, backward checks after each node's backward.
With no callback a hit raises :class:`NonFiniteError` (like anomaly mode,
but with values); the REPL passes a callback that opens a nested prompt
with the tensors bound.
"""
import dataclasses
import weakref

import numpy as np

from pytensor.autograd import hooks as _hooks
from pytensor.autograd.tape import Record, format_where, source_line, \
    tape as _tape
from pytensor.debug._render import fmt_num, fmt_shape, paint, truncate
from pytensor.debug._result import Result, live
from pytensor.debug.names import Namer
from pytensor.debug.summarize import first_bad_index, summary

__all__ = ["NanHit", "NanSentinel", "NonFiniteError", "find_nan",
           "nan_checks"]


class NonFiniteError(FloatingPointError):
    """Raised at a hit when the sentinel has no callback; ``.hit`` holds
    the :class:`NanHit`."""

    _pt_verbatim = True     # the op wrappers leave its message alone

    def __init__(self, hit):
        super().__init__(hit.render(100))
        self.hit = hit


class _Abort(BaseException):
    """Unwinds the user's statement after a hit (BaseException so that
    ``except Exception`` in user code does not swallow it)."""


@dataclasses.dataclass
class NanHit(Result):
    """Where a non-finite value was born.

    Attributes:
        direction (str): ``forward``, ``backward`` or ``input`` (a leaf
            that already held NaN/inf).
        op (str): the op (for backward: whose backward produced it).
        record (int or None): its tape id; where (str), source (str): the
            user's line of the op's forward; module (str).
        inputs (list of (label, summary)): what went in (backward: the
            incoming gradients).
        output (str): summary of the bad output (backward: the gradient).
        output_index (int): which output/gradient is bad.
        first_bad (tuple or None): index of its first bad element.
        bad_value (str): that element (``nan``, ``inf``).
        at_index (list of (label, value)): the inputs at that element
            (elementwise ops).
        count (int): bad elements.
    """
    direction: str
    op: str
    record: int
    where: str
    source: str
    module: str
    inputs: list
    output: str
    output_index: int
    first_bad: tuple
    bad_value: str
    at_index: list
    count: int
    input_tensors: object = live()
    output_tensors: object = live()
    node: object = live()

    def prompt_label(self):
        rid = f"#{self.record} " if self.record else ""
        return f"nan {rid}{self.op}"

    def render(self, width=None, color=False):
        width = width or 100
        kind = {"forward": "non-finite output in forward",
                "backward": "non-finite gradient in backward",
                "input": "non-finite values in an input"}[self.direction]
        rid = f"#{self.record} " if self.record else ""
        op = self.op if self.direction != "backward" else \
            f"backward of {self.op}"
        head = f"!! {kind}: stopped at {rid}{paint(op, 'bad', color)}"
        if self.module:
            head += f" in {self.module}"
        if self.where:
            head += f"  {self.where}"
        if self.source:
            head += f"  `{self.source}`"
        lines = [head]
        prefix = "" if self.direction == "backward" else "input "
        for name, s in self.inputs:
            lines.append(f"   {prefix}{name}: {s}")
        what = "gradient" if self.direction == "backward" else "output"
        if self.direction == "input":
            what = "values"
        where_bad = fmt_shape(self.first_bad) if self.first_bad is not None \
            else "?"
        bad = f"   {what}"
        if self.output_index:
            bad += f" {self.output_index}"
        bad += (f": {self.count} non-finite (first {self.bad_value} at "
                f"{where_bad}")
        if self.at_index:
            bad += " ← " + ", ".join(f"{n}{where_bad} = {v}"
                                     for n, v in self.at_index)
        bad += f") · {self.output}"
        lines.append(bad)
        return "\n".join(truncate(line, width) if "\x1b" not in line else
                         line for line in lines)


def _finite(arr):
    if arr is None or not hasattr(arr, "dtype") or arr.dtype.kind not in \
            "fc":
        return True
    if isinstance(arr, np.ndarray):
        return bool(np.isfinite(arr).all())
    import cupy
    return bool(cupy.isfinite(arr).all())


def _data(x):
    return getattr(x, "_data", x)


def _elem(arr, idx, out_shape):
    """The element of ``arr`` that broadcasting puts at ``idx`` of the
    output, or None when the op is not elementwise over it."""
    if arr is None or not hasattr(arr, "shape"):
        return None
    shape = arr.shape
    if len(shape) > len(idx):
        return None
    off = len(idx) - len(shape)
    j = []
    for d, s in enumerate(shape):
        o = out_shape[off + d]
        if s == o:
            j.append(idx[off + d])
        elif s == 1:
            j.append(0)
        else:
            return None
    v = arr[tuple(j)]
    v = v.item() if hasattr(v, "item") else v
    return fmt_num(v, 4) if isinstance(v, float) else str(v)


def _record_of(node, outputs):
    """The tape record of the op that just ran (the newest row)."""
    row = node._record
    if row is not None:
        return Record(row)
    if _tape.recording and _tape.rows:
        rec = Record(_tape.rows[-1])
        if rec.fn is type(node) and outputs and rec.outputs and \
                rec.outputs[0]() is outputs[0]:
            return rec
    return None


class NanSentinel:
    """Watch every op for non-finite values.

    Args:
        forward (bool): check op outputs.
        backward (bool): check the gradients each backward node produces.
        on_hit: ``fn(hit) -> "continue" | "abort" | None``; None means
            raise :class:`NonFiniteError`.
        namespace (dict): for names in reports.

    Use as a context manager or with ``enable()`` / ``disable()``.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([1.0, -1.0])
        >>> from pytensor.debug import NanSentinel
        >>> with NanSentinel():
        ...     y = x.log()
        Traceback (most recent call last):
        ...
        pytensor.debug.nan.NonFiniteError: !! non-finite output in forward:
        stopped at log ...
    """

    def __init__(self, forward=True, backward=True, on_hit=None,
                 namespace=None):
        self.forward = forward
        self.backward = backward
        self.on_hit = on_hit
        self.namespace = namespace
        self.hits = []
        self._handle = None
        self._bad_leaves = {}       # id -> weak ref (tensors compare
        #                             elementwise, so no WeakSet)
        self._busy = False
        self._in_backward = False

    def reset(self):
        """Forget the state of an interrupted backward (call between
        statements)."""
        self._in_backward = False

    @property
    def enabled(self):
        return self._handle is not None

    def enable(self):
        if self._handle is None:
            self._handle = _hooks.register_op_hook(self)
        return self

    def disable(self):
        if self._handle is not None:
            self._handle.remove()
            self._handle = None

    def __enter__(self):
        return self.enable()

    def __exit__(self, *exc):
        self.disable()

    # -- hook methods ----------------------------------------------------
    def backward_pre(self, node, grad_outputs):
        # Ops a backward runs internally are checked as that backward's
        # result (backward_post), not as forward ops.
        self._in_backward = True

    def forward_post(self, node, inputs, outputs):
        if not self.forward or self._busy or self._in_backward:
            return
        bad = [i for i, o in enumerate(outputs) if not _finite(o._data)]
        if not bad:
            return
        rec = _record_of(node, outputs)
        tensors = rec.input_tensors() if rec is not None else ()
        bad_in = [i for i, a in enumerate(inputs) if not _finite(a)]
        if bad_in:
            # Propagation, unless a leaf brought bad data in.
            leaves = [tensors[i] for i in bad_in if i < len(tensors) and
                      tensors[i] is not None and tensors[i].grad_fn is None
                      and not self._seen_leaf(tensors[i])
                      and _producer_is_none(tensors[i])]
            if not leaves:
                return
            for t in leaves:
                self._bad_leaves[id(t)] = weakref.ref(t)
            self._hit(self._input_hit(node, rec, leaves[0]))
            return
        self._hit(self._build(node, rec, "forward", inputs, tensors,
                              outputs, bad[0]))

    def backward_post(self, node, grad_inputs, grad_outputs):
        self._in_backward = False
        if not self.backward or self._busy:
            return
        bad = [i for i, g in enumerate(grad_inputs) if g is not None and
               not _finite(g._data)]
        if not bad:
            return
        if any(g is not None and not _finite(g._data) for g in grad_outputs):
            return          # an incoming gradient was bad already
        rec = Record(node._record) if node._record is not None else None
        self._hit(self._build(node, rec, "backward", [
            _data(g) for g in grad_outputs], list(grad_outputs),
            list(grad_inputs), bad[0]))

    def _seen_leaf(self, t):
        r = self._bad_leaves.get(id(t))
        return r is not None and r() is t

    # -------------------------------------------------------------------
    def _names(self):
        return Namer(self.namespace or {})

    def _build(self, node, rec, direction, arrays, tensors, outputs, k):
        namer = self._names()
        out = outputs[k]
        arr = _data(out)
        idx = first_bad_index(out)
        bad_value = "?"
        if idx is not None:
            v = arr[idx]
            v = v.item() if hasattr(v, "item") else v
            bad_value = fmt_num(v)
        count = int((~np.isfinite(np.asarray(arr))).sum()) \
            if isinstance(arr, np.ndarray) else -1
        ins = []
        at = []
        for i, a in enumerate(arrays):
            t = tensors[i] if i < len(tensors) else None
            if not hasattr(a, "dtype"):
                continue
            if direction == "backward":
                label = f"grad_output[{i}]" if len(arrays) > 1 else \
                    "grad_output"
            else:
                label = (namer.name(t) if t is not None else None) or \
                    _input_label(rec, i)
            ins.append((label, summary(t if t is not None else a) +
                        _range(a)))
            if idx is not None and direction == "forward":
                e = _elem(a, idx, arr.shape)
                if e is not None:
                    at.append((label, e))
        if direction == "backward":
            # Show the saved inputs of the op too: they explain a NaN grad.
            for label, t in _forward_inputs(node, rec, namer):
                ins.append((label, summary(t) + _range(t._data)))
                if idx is not None:
                    e = _elem(t._data, idx, arr.shape)
                    if e is not None:
                        at.append((label, e))
        return NanHit(
            direction, rec.op if rec is not None else node.name,
            rec.id if rec is not None else None,
            format_where(rec.where) if rec is not None and rec.where else "",
            source_line(rec.where) if rec is not None and rec.where else "",
            namer.module_path(rec.root, rec.module) if rec is not None
            else "", ins, summary(out), k, idx, bad_value, at, count,
            tensors, outputs, node)

    def _input_hit(self, node, rec, t):
        namer = self._names()
        idx = first_bad_index(t)
        v = t._data[idx].item() if idx is not None else None
        count = int((~np.isfinite(np.asarray(t._data))).sum()) \
            if isinstance(t._data, np.ndarray) else -1
        name = namer.name(t) or "an input"
        return NanHit(
            "input", rec.op if rec is not None else node.name,
            rec.id if rec is not None else None,
            format_where(rec.where) if rec is not None and rec.where else "",
            source_line(rec.where) if rec is not None and rec.where else "",
            namer.module_path(rec.root, rec.module) if rec is not None
            else "", [(name, summary(t) + _range(t._data))], summary(t), 0,
            idx, fmt_num(v), [], count, [t], [t], node)

    def _hit(self, hit):
        self.hits.append(hit)
        if self.on_hit is None:
            raise NonFiniteError(hit)
        self._busy = True           # the callback may run ops itself
        try:
            action = self.on_hit(hit)
        finally:
            self._busy = False
        if action == "abort":
            raise _Abort(hit)


def _producer_is_none(t):
    from pytensor.debug._tapeindex import producer
    return producer(t) is None


def _input_label(rec, i):
    """``#N op`` of the op that made input ``i`` (else ``input i``)."""
    if rec is not None and i < len(rec.inputs):
        r = rec.inputs[i]
        if r.__class__ is weakref.ref:
            for row in reversed(_tape.rows):
                if row[0] >= rec.id:
                    continue
                n = row[9]
                if any(o is r for o in row[10 + n:]):
                    return f"#{row[0]} {Record(row).op}"
    return f"input {i}"


def _range(a):
    """`` [min, max]`` of the finite values (or empty)."""
    try:
        arr = np.asarray(a) if isinstance(a, np.ndarray) else None
        if arr is None or arr.dtype.kind not in "fiu" or arr.size == 0:
            return ""
        fin = arr[np.isfinite(arr)] if arr.dtype.kind == "f" else arr
        if fin.size == 0:
            return ""
        lo, hi = fin.min().item(), fin.max().item()
        neg = int((fin <= 0).sum()) if arr.dtype.kind == "f" else 0
        s = f" [{fmt_num(lo)}, {fmt_num(hi)}]"
        if neg and lo <= 0:
            s += f" · {neg}/{arr.size} ≤ 0"
        return s
    except Exception:
        return ""


def _forward_inputs(node, rec, namer):
    """The forward inputs of a backward node that are still alive."""
    out = []
    if rec is None:
        return out
    for i, t in enumerate(rec.input_tensors()):
        if t is None:
            continue
        out.append(((namer.name(t) or f"input {i}") + " (forward)", t))
    return out


def find_nan(fn, forward=True, backward=True, namespace=None):
    """Run ``fn()`` with sentinels and return the first :class:`NanHit`
    (None when everything stayed finite); the run stops at the hit.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([4.0, 0.0], requires_grad=True)
        >>> from pytensor.debug import find_nan
        >>> hit = find_nan(lambda: (x.log() * 0).sum().backward())
        >>> hit.direction, hit.op, hit.first_bad
        ('forward', 'log', (1,))
    """
    found = []

    def stop(hit):
        found.append(hit)
        return "abort"
    s = NanSentinel(forward, backward, stop, namespace)
    with s:
        try:
            fn()
        except _Abort:
            pass
    return found[0] if found else None


def nan_checks():
    """The NaN sentinels currently installed (for ``:nan`` status)."""
    return [h for h in _hooks.op_hooks.values()
            if isinstance(h, NanSentinel)]
