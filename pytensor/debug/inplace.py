"""In-place diagnosis: ``inplace_report()`` (``:inplace``) finds tensors
saved for backward that an in-place op changed afterwards, and names that
op and its line; ``saved(x)`` (``:saved``) lists what one op saved.

Every in-place op bumps the tensor's version counter and records which op
and which user line did it (``Version.history`` in
``pytensor/_tensor_base.py``); a saved tensor remembers the version it was
saved at.  A mismatch is exactly PyTorch's "one of the
variables needed for gradient computation has been modified by an inplace
operation" error, found before (or after) backward raises it.
"""
import dataclasses
import re

from pytensor.autograd.tape import Record, format_where, source_line, \
    tape as _tape
from pytensor.debug._render import fmt_bytes, fmt_dtype, fmt_shape, paint, \
    truncate, Table
from pytensor.debug._result import Result
from pytensor.debug.names import Namer

__all__ = ["Bump", "StaleSaved", "InplaceReport", "inplace_report",
           "SavedItem", "SavedReport", "saved", "find_node"]


@dataclasses.dataclass
class Bump:
    """One in-place change: version ``frm`` -> ``to`` by ``op`` at
    ``where`` (tape id ``record`` when found)."""
    frm: int
    to: int
    op: str
    where: str
    source: str
    record: int = None


@dataclasses.dataclass
class StaleSaved:
    """A saved tensor that changed after it was saved.

    Attributes:
        tensor (str): its name (or dtype/shape).
        saved_by (str): the op that saved it; record (int): its tape id;
            where (str): its line.
        saved_version, version (int): then and now.
        bumps (list of Bump): the in-place ops in between.
        fix (str): a suggestion.
    """
    tensor: str
    saved_by: str
    record: int
    where: str
    saved_version: int
    version: int
    bumps: list
    fix: str


@dataclasses.dataclass
class InplaceReport(Result):
    """Stale saved tensors found (empty when backward is safe)."""
    stale: list
    nodes_checked: int

    def render(self, width=None, color=False):
        width = width or 100
        if not self.stale:
            return (f"no saved tensor was modified in place "
                    f"({self.nodes_checked} graph nodes checked)")
        out = []
        for s in self.stale:
            rec = f"#{s.record} " if s.record else ""
            head = (f"{paint(s.tensor, 'name', color)}  saved by "
                    f"{rec}{s.saved_by}")
            if s.where:
                head += f" ({s.where})"
            head += f" at v{s.saved_version} · now v{s.version}"
            out.append(head)
            for b in s.bumps:
                rid = f"#{b.record} " if b.record else ""
                line = (f"  v{b.frm} → v{b.to}  {rid}"
                        f"{paint(b.op, 'bad', color)} (in-place)  {b.where}")
                if b.source:
                    line += f"  `{b.source}`"
                out.append(truncate(line, width) if not color else line)
            out.append(truncate(f"  fix: {s.fix}", width))
        return "\n".join(out)


def _node_of(rid, roots):
    for n in _walk(roots):
        row = n._record
        if row is not None and row[0] == rid:
            return n
    return None


def _walk(roots):
    seen = set()
    stack = [t.grad_fn for t in roots if getattr(t, "grad_fn", None)
             is not None]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        yield n
        for nxt, nr in n.next_functions:
            if nxt is not None and nr >= 0:
                stack.append(nxt)


def _roots(t, namespace):
    from pytensor.tensor import Tensor
    if t is not None:
        return [t]
    roots = [v for v in (namespace or {}).values() if isinstance(v, Tensor)]
    for row in _tape.rows:
        n = row[9]
        for r in row[10 + n:]:
            o = r()
            if o is not None and o.grad_fn is not None:
                roots.append(o)
    return roots


def find_node(rid, namespace=None):
    """The graph node of tape entry ``rid`` (via its live outputs, or any
    graph reachable from the namespace), or None."""
    rec = _tape.find(rid)
    if rec is not None:
        n = rec.node
        if n is not None:
            return n
    return _node_of(rid, _roots(None, namespace))


def _bump_record(op, where):
    for row in reversed(_tape.rows):
        rec = Record(row)
        if rec.inplace and rec.op == op and rec.where == where:
            return rec.id
    return None


def _fix(name, bumps):
    if not bumps:
        return f"clone {name} before modifying it"
    b = bumps[0]
    op = b.op
    plain = op[:-1] if op.endswith("_") else op
    m = re.match(r"^\s*([\w.\[\]]+)\.%s\((.*)\)\s*$" % re.escape(op),
                 b.source or "")
    if m:
        tgt, args = m.group(1), m.group(2)
        return (f"{tgt} = {tgt}.{plain}({args})   (out of place), or clone "
                f"{tgt} before {op}")
    return (f"use the out-of-place {plain} at {b.where}, or clone "
            f"{name} before {op}")


def _stale_entries(node):
    """``(tensor or None, saved_version, version counter, output_nr)`` of
    each stale saved value of ``node``."""
    out = []
    for s in node._saved or ():
        if s is None:
            continue
        if s[0] == 0:
            t, v = s[1], s[2]
            vc = t._vc
            if vc is not None and vc.value != v:
                out.append((t, v, vc, None))
        elif s[0] == 1:
            vc = s[3]
            if vc.value != 0:
                out.append((None, 0, vc, s[2]))
    return out


def inplace_report(t=None, namespace=None):
    """Saved tensors changed in place since they were saved.

    Args:
        t (Tensor): check the graph of this tensor (default: every graph
            reachable from the namespace's tensors and the tape).
        namespace (dict): for names.

    Returns:
        InplaceReport

    Example:
        >>> import pytensor
        >>> x = pytensor.ones(3, requires_grad=True)
        >>> with pytensor.debug.record(clear=True):
        ...     q = x.exp()
        ...     _ = q.mul_(2)
        >>> from pytensor.debug import inplace_report
        >>> r = inplace_report(q, {"q": q})
        >>> r.stale[0].saved_by, [b.op for b in r.stale[0].bumps]
        ('exp', ['mul_'])
    """
    namer = Namer(namespace or {})
    stale = []
    count = 0
    seen_vc = set()
    for node in _walk(_roots(t, namespace)):
        count += 1
        for tensor, v, vc, nr in _stale_entries(node):
            if (id(vc), id(node)) in seen_vc:
                continue
            seen_vc.add((id(vc), id(node)))
            rec = Record(node._record) if node._record is not None else None
            if tensor is not None:
                name = namer.name(tensor)
            else:
                out = rec.outputs[nr]() if rec is not None and nr < len(
                    rec.outputs) else None
                name = namer.name(out) if out is not None else None
            if name is None:
                meta = node._out_meta[nr] if nr is not None else None
                if tensor is not None:
                    meta = (tensor._data.shape, tensor._data.dtype)
                name = (f"{fmt_dtype(meta[1])}{fmt_shape(meta[0])}"
                        if meta else "a tensor")
            bumps = []
            for value, op, where in (vc.history or ()):
                if value > v:
                    bumps.append(Bump(value - 1, value, op,
                                      format_where(where),
                                      source_line(where),
                                      _bump_record(op, where)))
            stale.append(StaleSaved(
                name, rec.op if rec else node.name,
                rec.id if rec else None,
                format_where(rec.where) if rec and rec.where else "",
                v, vc.value, bumps, _fix(name, bumps)))
    return InplaceReport(stale, count)


@dataclasses.dataclass
class SavedItem:
    """One value an op saved for backward."""
    index: int
    kind: str           # input / output / intermediate / number
    name: str
    shape: tuple
    dtype: str
    nbytes: int
    saved_version: int
    version: int
    status: str         # ok / stale / -


@dataclasses.dataclass
class SavedReport(Result):
    """What one op saved (``:saved``)."""
    op: str
    record: int
    where: str
    items: list
    freed: bool

    def render(self, width=None, color=False):
        head = f"#{self.record} {self.op}" if self.record else self.op
        if self.where:
            head += f"  ({self.where})"
        if self.freed:
            return head + ": saved tensors were freed by backward (pass " \
                          "retain_graph=True to keep them)"
        if not self.items:
            return head + ": saved nothing for backward"
        t = Table([("#", {"align": ">"}), "kind", "tensor", "shape", "dtype",
                   ("bytes", {"align": ">"}), "saved at", "now", "status"])
        for it in self.items:
            t.add([str(it.index), it.kind, it.name, fmt_shape(it.shape)
                   if it.shape is not None else "-", it.dtype,
                   fmt_bytes(it.nbytes) if it.nbytes is not None else "-",
                   f"v{it.saved_version}" if it.saved_version is not None
                   else "-",
                   f"v{it.version}" if it.version is not None else "-",
                   (it.status, "bad" if it.status == "stale" else None)])
        total = sum(i.nbytes or 0 for i in self.items)
        return head + f"  saved {len(self.items)} values, " \
                      f"{fmt_bytes(total)}\n" + t.render(width, color)


def saved(x, namespace=None):
    """What an op saved for backward: by tape id (``7``, ``"#7"``), by a
    tensor (its ``grad_fn``), or by a graph node.

    Returns:
        SavedReport
    """
    from pytensor.autograd.function import Function
    from pytensor.tensor import Tensor
    namer = Namer(namespace or {})
    node = None
    if isinstance(x, str):
        x = int(x.lstrip("#"))
    if isinstance(x, int):
        node = find_node(x, namespace)
        if node is None:
            rec = _tape.find(x)
            if rec is None:
                raise ValueError(f"saved: #{x} is not on the tape")
            if not rec.node_made:
                raise ValueError(
                    f"saved: #{x} {rec.op} did not join the autograd graph "
                    "(no input required grad, or grad mode was off), so it "
                    "saved nothing")
            raise ValueError(f"saved: the graph node of #{x} {rec.op} is "
                             "gone (nothing refers to its outputs any more)")
    elif isinstance(x, Tensor):
        node = x.grad_fn
        if node is None:
            raise ValueError("saved: the tensor is a leaf; it has no op "
                             "(give the output of an op, or #N)")
    elif isinstance(x, Function):
        node = x
    elif isinstance(x, Record):
        return saved(x.id, namespace)
    else:
        raise TypeError(f"saved: expected #N, a tensor or a node, got "
                        f"{type(x).__name__}")
    rec = Record(node._record) if node._record is not None else None
    items = []
    for i, s in enumerate(node._saved or ()):
        if s is None:
            continue
        k = s[0]
        if k == 0:
            t, v = s[1], s[2]
            now = t._version_value()
            items.append(SavedItem(i, "input", namer.name(t) or "-",
                                   tuple(t._data.shape),
                                   fmt_dtype(t._data.dtype),
                                   int(t._data.nbytes), v, now,
                                   "ok" if now == v else "stale"))
        elif k == 1:
            arr, nr, vc = s[1], s[2], s[3]
            out = rec.outputs[nr]() if rec and nr < len(rec.outputs) else None
            items.append(SavedItem(i, "output", (namer.name(out) if out
                                                 is not None else None)
                                   or f"output {nr}", tuple(arr.shape),
                                   fmt_dtype(arr.dtype), int(arr.nbytes), 0,
                                   vc.value,
                                   "ok" if vc.value == 0 else "stale"))
        elif k == 2:
            arr = s[1]
            items.append(SavedItem(i, "intermediate", "-", tuple(arr.shape),
                                   fmt_dtype(arr.dtype), int(arr.nbytes),
                                   None, None, "-"))
        else:
            items.append(SavedItem(i, "number", repr(s[1]), None, "-", None,
                                   None, None, "-"))
    return SavedReport(rec.op if rec else node.name, rec.id if rec else None,
                       format_where(rec.where) if rec and rec.where else "",
                       items, bool(node._freed))
