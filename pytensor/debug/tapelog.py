"""``tape_log()``: the recorded ops in execution order (``:tape``)."""
import dataclasses
import fnmatch
import re
import weakref

from pytensor.autograd.tape import format_where, source_line, tape as _tape
from pytensor.debug._render import fmt_dtype, fmt_shape, Table
from pytensor.debug._result import Result
from pytensor.debug._tapeindex import TapeIndex
from pytensor.debug.names import Namer

__all__ = ["TapeEntry", "TapeLog", "tape_log", "parse_range", "input_labels"]


@dataclasses.dataclass
class TapeEntry:
    """One tape record, described.

    Attributes:
        id (int), op (str), kind (str): ``op`` or a note's kind.
        out (str): output dtype and shape(s), e.g. ``f32[16,8]``.
        inputs (list of str): each input by name, ``#N`` of the op that
            made it, a number, or its dtype/shape when unknown.
        module (str): module path (``model.0``), or ``""``.
        where (str): ``file:line``; source (str): that line's text.
        kernel (str), time (float or None, seconds), inplace (bool).
        grad (bool): the op joined the autograd graph.
    """
    id: int
    op: str
    kind: str
    out: str
    inputs: list
    module: str
    where: str
    source: str
    kernel: str
    time: float
    inplace: bool
    grad: bool


@dataclasses.dataclass
class TapeLog(Result):
    """Entries of :func:`tape_log` and what was left out."""
    entries: list
    total: int
    first: int
    last: int
    skipped_before: int = 0
    filters: str = ""
    times: bool = True

    def render(self, width=None, color=False):
        if not self.entries:
            if self.total == 0:
                return ("the tape is empty (recording is "
                        f"{'on' if _tape.recording else 'off'})")
            return f"no tape entries match{self.filters} ({self.total} on " \
                   f"the tape)"
        cols = [("#", {"align": ">"}), "op", ("out", {"drop": 2}),
                ("inputs", {"flex": 3, "min": 8}),
                ("module", {"flex": 2, "min": 6, "drop": 3}),
                ("where", {"flex": 4, "min": 10}),
                ("kernel", {"drop": 5})]
        if self.times:
            cols.append(("ms", {"align": ">", "drop": 4}))
        t = Table(cols)
        for e in self.entries:
            where = e.where
            if e.source:
                where += f"  {e.source}"
            row = [str(e.id), (e.op, "op" if e.kind == "op" else "warn"),
                   e.out, ", ".join(e.inputs), e.module or "-", where,
                   e.kernel]
            if self.times:
                row.append(f"{e.time * 1e3:.2f}" if e.time is not None
                           else "-")
            t.add(row)
        out = t.render(width, color)
        foot = []
        if self.skipped_before:
            foot.append(f"{self.skipped_before} earlier not shown "
                        f"(:tape all, or a range like :tape "
                        f"{max(1, self.first - 20)}..{self.first - 1})")
        foot.append(f"{len(self.entries)} of {self.total} entries shown"
                    f"{self.filters}")
        return out + "\n" + " · ".join(foot)


def parse_range(spec, first, last):
    """``(lo, hi)`` ids for a range spec: ``5``, ``3..9``, ``3..``,
    ``..9``, ``last 20`` / ``-20``, ``all``; None means the default."""
    spec = (spec or "").strip()
    if not spec:
        return None
    if spec == "all":
        return first, last
    m = re.fullmatch(r"(?:last\s+|-)(\d+)", spec)
    if m:
        return max(first, last - int(m.group(1)) + 1), last
    m = re.fullmatch(r"#?(\d*)\s*\.\.\s*#?(\d*)", spec)
    if m:
        lo = int(m.group(1)) if m.group(1) else first
        hi = int(m.group(2)) if m.group(2) else last
        return lo, hi
    m = re.fullmatch(r"#?(\d+)", spec)
    if m:
        return int(m.group(1)), int(m.group(1))
    raise ValueError(f"tape: bad range {spec!r} (use N, A..B, A.., ..B, "
                     "last N or all)")


def _meta_label(meta):
    if meta is None:
        return "?"
    shape, dtype = meta
    return f"{fmt_dtype(dtype)}{fmt_shape(shape)}"


def input_labels(rec, index, namer):
    """How each input of ``rec`` is shown: name, ``#N``, number, meta."""
    labels = []
    for i, r in enumerate(rec.inputs):
        if r is None:
            labels.append("·")
            continue
        if r.__class__ is not weakref.ref:
            labels.append(f"{r:.6g}" if isinstance(r, float) else str(r))
            continue
        t = r()
        name = namer.name(t) if t is not None else None
        if name:
            labels.append(name)
            continue
        made = index.made_by.get(id(r))
        made = [m for m in made if m[0].id < rec.id] if made else None
        if made:
            src, j = made[-1]
            labels.append(f"#{src.id}" + (f"[{j}]" if len(src.outputs) > 1
                                          else ""))
            continue
        labels.append(_meta_label(rec.in_meta[i] if i < len(rec.in_meta)
                                  else None))
    return labels


def describe(rec, index, namer):
    """A :class:`TapeEntry` for one record."""
    outs = ", ".join(_meta_label(m) for m in rec.out_meta) or "-"
    where = format_where(rec.where) if rec.where else "-"
    src = source_line(rec.where) if rec.where else ""
    return TapeEntry(
        id=rec.id, op=rec.op, kind=rec.kind, out=outs,
        inputs=input_labels(rec, index, namer),
        module=namer.module_path(rec.root, rec.module),
        where=where, source=src, kernel=rec.kernel, time=rec.time,
        inplace=rec.inplace, grad=rec.node_made)


def tape_log(range=None, op=None, module=None, grep=None, namespace=None,
             limit=30, times=True):
    """The tape as a table: id, op, output, inputs, module, user line,
    kernel and time.

    Args:
        range (str): ``N``, ``A..B``, ``A..``, ``..B``, ``last N`` or
            ``all`` (default: the last ``limit`` entries).
        op (str): keep ops whose name matches this glob (``lin*``).
        module (str): keep ops run inside this module path (and below).
        grep (str): keep entries whose source line contains this text.
        namespace (dict): to name inputs and modules.
        limit (int): entries shown without a range.
        times (bool): show the time column.

    Returns:
        TapeLog

    Example:
        >>> import pytensor
        >>> x = pytensor.ones(2, requires_grad=True)
        >>> with pytensor.debug.record(clear=True):
        ...     y = (x * 3).sum()
        >>> from pytensor.debug import tape_log
        >>> [e.op for e in tape_log(namespace={"x": x}).entries]
        ['mul', 'sum']
    """
    index = TapeIndex()
    recs = index.records
    namer = Namer(namespace or {})
    total = len(recs)
    if not recs:
        return TapeLog([], 0, 0, 0, times=times)
    first, last = recs[0].id, recs[-1].id
    rng = parse_range(range, first, last)
    filters = []
    sel = recs
    if rng is not None:
        lo, hi = rng
        sel = [r for r in sel if lo <= r.id <= hi]
    if op:
        sel = [r for r in sel if fnmatch.fnmatchcase(r.op, op)]
        filters.append(f"op={op}")
    if module:
        mod = module.rstrip(".")

        def inside(r):
            p = namer.module_path(r.root, r.module)
            return p == mod or p.startswith(mod + ".")
        sel = [r for r in sel if inside(r)]
        filters.append(f"module={module}")
    if grep:
        sel = [r for r in sel if grep in (source_line(r.where) or "")]
        filters.append(f"grep={grep!r}")
    skipped = 0
    if rng is None and len(sel) > limit:
        skipped = len(sel) - limit
        sel = sel[-limit:]
    entries = [describe(r, index, namer) for r in sel]
    fs = (" (" + ", ".join(filters) + ")") if filters else ""
    return TapeLog(entries, total, entries[0].id if entries else first,
                   entries[-1].id if entries else last, skipped, fs, times)
