"""``graph(t)``: a tensor's autograd history as a text tree (``:graph``).

The tree starts at ``t`` and follows the graph towards the leaves.  Ops run
inside a module are collapsed into one line per module call (``model
Sequential f32[16,4] → f32[16,1] #2-#4``) with the parameters it used
summarized; ``expand=["model"]`` opens one level, ``expand=["all"]`` shows
every op.  Long runs of a repeated pattern (``y = y * a + b`` in a loop)
fold into one line (``(add(·, 0.001) ← mul(·, 1.0001)) ×198``).  Shared
subgraphs are drawn once and referred to afterwards (``↑ #5``).

The walk is iterative and linear in the graph size, so a 10,000-op graph
renders in milliseconds (see ``tests/benchmarks/bench_graph.py``).
"""
import dataclasses
import weakref

from pytensor.autograd.tape import Record, format_where
from pytensor.debug._render import (fmt_bytes, fmt_dtype, fmt_num, fmt_shape,
                                    paint, truncate)
from pytensor.debug._result import Result
from pytensor.debug.names import Namer
from pytensor.debug.summarize import summary

__all__ = ["GraphLine", "Graph", "graph", "walk_nodes"]


@dataclasses.dataclass
class GraphLine:
    """One line of the tree.

    Attributes:
        prefix (str): the tree drawing (``│  └─ ``).
        kind (str): ``root``, ``op``, ``block`` (a collapsed module call),
            ``fold`` (a repeated run), ``param``, ``leaf``, ``input``
            (a tensor without grad), ``params`` (a block's parameters),
            ``ref`` (a node drawn above), ``more`` (cut by depth/lines).
        label (str): the name and/or op (``h = exp``, ``pow(·, 2)``).
        meta (str): dtype and shape (``f32[16,8]``), or a block's
            ``in → out``.
        note (str): extra words (``input, no grad``, an expand hint).
        ids (str): tape ids (``#7``, ``#2-#4``).
        where (str): the user's line (``<repl-3>:1``).
        stats (str): values (and grad) summary, with ``stats=True``.
    """
    prefix: str
    kind: str
    label: str
    meta: str = ""
    note: str = ""
    ids: str = ""
    where: str = ""
    stats: str = ""


@dataclasses.dataclass
class Graph(Result):
    """The rendered tree plus totals."""
    root: str
    lines: list
    ops: int
    params: int
    saved_tensors: int
    saved_bytes: int
    backward: str
    truncated: bool = False
    hint: str = ""

    def render(self, width=None, color=False):
        width = width or 100
        lefts = []
        rights = []
        for ln in self.lines:
            label = ln.label
            role = {"param": "param", "block": "name", "root": "name",
                    "ref": "dim", "more": "dim", "fold": "warn"}.get(ln.kind)
            left_plain = ln.prefix + label
            left = ln.prefix + paint(label, role, color)
            for extra in (ln.meta, ln.note, ln.stats):
                if extra:
                    left_plain += "  " + extra
                    left += "  " + (paint(extra, "dim", color)
                                    if extra is ln.note else extra)
            right = "  ".join(x for x in (ln.ids, ln.where) if x)
            lefts.append((left_plain, left))
            rights.append(right)
        rw = max((len(r) for r in rights), default=0)
        # Align the ids/lines column after the longest line that has one.
        lw = max((len(lp) for (lp, _), r in zip(lefts, rights) if r),
                 default=0)
        col = min(lw + 2, max(20, width - rw - 1)) if rw else lw
        out = []
        for (lp, lc), r in zip(lefts, rights):
            if not r:
                out.append(lc if len(lp) <= width else truncate(lp, width))
                continue
            if len(lp) > col - 1:
                lp = truncate(lp, col - 1)
                lc = lp
            pad = col - len(lp)
            out.append((lc + " " * pad + paint(r, "where", color)).rstrip())
        foot = (f"{self.ops} ops · {self.params} params · saved for backward:"
                f" {self.saved_tensors} tensors, "
                f"{fmt_bytes(self.saved_bytes)} · backward: {self.backward}")
        out.append(truncate(foot, width))
        if self.hint:
            out.append(truncate(self.hint, width))
        return "\n".join(out)


# ----------------------------------------------------------------------
def walk_nodes(t, ordered=True):
    """Every graph node reachable from ``t`` (iterative), newest first
    (``ordered=False``: in no particular order, faster)."""
    fn = getattr(t, "grad_fn", None)
    if fn is None:
        return []
    seen = {id(fn): fn}
    stack = [fn]
    pop, push = stack.pop, stack.append
    while stack:
        for nxt, nr in pop().next_functions:
            if nr >= 0 and nxt is not None:
                k = id(nxt)
                if k not in seen:
                    seen[k] = nxt
                    push(nxt)
    nodes = list(seen.values())
    if ordered:
        nodes.sort(key=_neg_seq)
    return nodes


def _neg_seq(n):
    return -n._seq


class _Ctx:
    """Per-call caches shared by the walk."""

    def __init__(self, namer, expand, root_name):
        self.namer = namer
        self.expand = expand        # set of expanded dotted paths, or "all"
        self.root_name = root_name
        self.path_cache = {}
        self.modules_by_name = {n: m for n, m in namer.modules()}
        self.visited = {}           # id(node) -> shown id label
        self._root_keys = {}        # id(root ref) -> (name parts)
        self.param_ids = {id(p) for p in namer.params.values()}

    def record(self, node):
        row = node._record
        return Record(row) if row is not None else None

    def path(self, node):
        """The module path of a node's op, as a tuple of names."""
        row = node._record
        if row is None:
            return ()
        root, mod = row[5], row[6]
        key = (id(root) if root is not None else None, mod)
        p = self.path_cache.get(key)
        if p is None:
            s = self.namer.module_path(root, mod)
            p = tuple(s.split(".")) if s else ()
            self.path_cache[key] = p
        return p

    def key(self, node):
        """The collapse key: the shortest module prefix not expanded."""
        row = node._record
        if row is None or (row[5] is None and not row[6]) or \
                self.expand == "all":
            return None             # not run inside a module
        root = row[5]
        rk = self._root_keys.get(id(root))
        if rk is None:
            p = self.namer.module_path(root, ())
            rk = self._root_keys[id(root)] = tuple(p.split(".")) \
                if p else ()
        if not self.expand and rk:
            return rk               # nothing expanded: the outermost call
        p = rk + row[6]
        if not p:
            return None
        for i in range(1, len(p) + 1):
            pre = ".".join(p[:i])
            if pre not in self.expand:
                return p[:i]
        return None


def _op_label(node, rec):
    """``pow(·, 2)``: constants inline, tensors as ``·``."""
    name = rec.op if rec is not None else node.name
    if rec is None:
        return name
    consts = []
    has_const = False
    for r in rec.inputs:
        if r is None:
            continue
        if r.__class__ is weakref.ref:
            consts.append("·")
        else:
            has_const = True
            consts.append(_const(r))
    if has_const:
        return f"{name}({', '.join(consts)})"
    return name


def _const(v):
    """A constant argument as written: ``1.0001``, ``2``, ``True``."""
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _meta(shape, dtype):
    return f"{fmt_dtype(dtype)}{fmt_shape(shape)}"


def _node_meta(node, nr=0):
    om = node._out_meta
    if om and nr < len(om):
        return _meta(*om[nr])
    return ""


def _signature(node):
    """What must match for two chain nodes to fold together: the op, its
    constants, its line, its module and its output shapes."""
    row = node._record
    if row is None:
        return (type(node),)
    n = row[9]
    if n == 2:
        a, b = row[10], row[11]
        consts = (None if a.__class__ is _ref else a,
                  None if b.__class__ is _ref else b)
    else:
        # (weak references compare their tensors, so they stay out)
        consts = tuple([None if r.__class__ is _ref else r
                        for r in row[10:10 + n]])
    return (row[1], consts, row[4], row[6], row[3])


_ref = weakref.ref


def _only_child(node):
    """The single child node of ``node`` if it shows nothing else (no
    leaf, no input without grad), else None: a link of a chain."""
    child = None
    row = node._record
    ins = row[10:10 + row[9]] if row is not None else ()
    i = 0
    for nxt, nr in node.next_functions:
        if nxt is None:
            if i < len(ins) and ins[i].__class__ is _ref:
                return None         # an input without grad is shown
        elif nr < 0 or child is not None:
            return None             # a leaf, or a second child
        else:
            child = (nxt, nr)
        i += 1
    return child


def _ids(rec):
    return f"#{rec.id}" if rec is not None else ""


def _where(rec, no_source):
    if no_source or rec is None or rec.where is None:
        return ""
    return format_where(rec.where)


def _output_tensor(rec, nr):
    if rec is None:
        return None
    outs = rec.outputs
    if nr < len(outs):
        return outs[nr]()
    return None


class _Builder:
    def __init__(self, t, ctx, depth, stats, no_source, max_lines):
        self.t = t
        self.ctx = ctx
        self.depth = depth
        self.stats = stats
        self.no_source = no_source
        self.max_lines = max_lines
        self.lines = []
        self.params = {}            # id -> tensor
        self.truncated = False

    # -- helpers -------------------------------------------------------
    def emit(self, line):
        if len(self.lines) >= self.max_lines:
            self.truncated = True
            return False
        self.lines.append(line)
        return True

    def children(self, node):
        """The child items of an op node (constants are in its label)."""
        rec = self.ctx.record(node)
        items = []
        ins = rec.inputs if rec is not None else ()
        for i, (nxt, nr) in enumerate(node.next_functions):
            if nxt is None:
                r = ins[i] if i < len(ins) else None
                if r is not None and r.__class__ is weakref.ref:
                    meta = rec.in_meta[i] if i < len(rec.in_meta) else None
                    items.append(("input", r, meta))
                continue
            if nr < 0:
                items.append(("leaf", nxt))
            else:
                items.append(("node", nxt, nr))
        return items

    def leaf_line(self, t, prefix):
        name = self.ctx.namer.name(t)
        is_param = name is not None and name in self.ctx.namer.params
        if is_param:
            self.params[id(t)] = t
        label = ("◆ " + name) if name else "◆ (leaf)"
        note = "param" if is_param else "leaf"
        if not t._requires_grad:
            note = "leaf, no grad"
        st = ""
        if self.stats:
            st = summary(t, device=False).split(" ", 1)[-1]
            if t._grad is not None:
                from pytensor.debug.summarize import tensor_stats
                st += f" · grad ‖g‖ {fmt_num(tensor_stats(t._grad).norm)}"
        return GraphLine(prefix, "param" if is_param else "leaf", label,
                         _meta(t._data.shape, t._data.dtype), note, "", "", st)

    def input_line(self, ref, meta, prefix):
        t = ref()
        namer = self.ctx.namer
        if t is not None:
            name = namer.name(t)
            why = "input, no grad"
            if t.grad_fn is None and t._requires_grad:
                why = "leaf"
            st = summary(t, device=False).split(" ", 1)[-1] \
                if self.stats else ""
            return GraphLine(prefix, "input", name or "(tensor)",
                             _meta(t._data.shape, t._data.dtype), why, "", "",
                             st)
        m = _meta(*meta) if meta else ""
        return GraphLine(prefix, "input", "(freed tensor)", m,
                         "input, no grad")

    # -- the walk --------------------------------------------------------
    def build(self):
        t = self.t
        ctx = self.ctx
        fn = t.grad_fn
        name = ctx.root_name or ctx.namer.name(t) or "tensor"
        if fn is None:
            line = self.leaf_line(t, "") if t._requires_grad else \
                GraphLine("", "root", name, _meta(t._data.shape,
                                                  t._data.dtype),
                          "no autograd history (not computed from tensors "
                          "that require grad)")
            line.kind = "root"
            line.label = name
            self.emit(line)
            return
        rec = ctx.record(fn)
        ctx.visited[id(fn)] = _ids(rec) or fn.name
        st = summary(t, device=False).split(" ", 1)[-1] if self.stats else ""
        self.emit(GraphLine("", "root", name, _node_meta(fn, t._output_nr),
                            f"= {_op_label(fn, rec)}", _ids(rec),
                            _where(rec, self.no_source), st))
        key = ctx.key(fn)
        if key is not None:
            # The root itself is inside a module call: show that block
            # as its only child.
            ctx.visited.pop(id(fn), None)
            self.walk([("node", fn, t._output_nr)], "", 1)
        else:
            self.walk(self.children(fn), "", 1)

    def walk(self, items, prefix, level):
        # Explicit stack of (items, index, prefix, level) frames.
        stack = [(items, 0, prefix, level)]
        while stack:
            items, i, prefix, level = stack.pop()
            if i >= len(items):
                continue
            stack.append((items, i + 1, prefix, level))
            last = i == len(items) - 1
            branch = prefix + ("└─ " if last else "├─ ")
            child_prefix = prefix + ("   " if last else "│  ")
            item = items[i]
            kind = item[0]
            if kind == "leaf":
                if not self.emit(self.leaf_line(item[1], branch)):
                    return
                continue
            if kind == "input":
                if not self.emit(self.input_line(item[1], item[2], branch)):
                    return
                continue
            if kind == "params":
                if not self.emit(GraphLine(branch, "params", item[1])):
                    return
                continue
            if kind == "more":
                if not self.emit(GraphLine(branch, "more", item[1])):
                    return
                continue
            node, nr = item[1], item[2]
            if level > self.depth:
                if not self.emit(GraphLine(branch, "more",
                                           "… (deeper history; raise "
                                           "--depth)")):
                    return
                continue
            seen = self.ctx.visited.get(id(node))
            if seen is not None:
                if not self.emit(GraphLine(branch, "ref",
                                           f"↑ {seen} (shown above)")):
                    return
                continue
            key = self.ctx.key(node)
            if key is not None:
                line, kids = self.block(node, nr, key)
                line.prefix = branch
                if not self.emit(line):
                    return
                if kids:
                    stack.append((kids, 0, child_prefix, level + 1))
                continue
            # An op line, or a folded run of a single-child chain.
            lines, tail = self.chain(node, nr, self.depth - level + 1)
            pfx = branch
            cpfx = child_prefix
            for k, ln in enumerate(lines):
                ln.prefix = pfx
                if not self.emit(ln):
                    return
                if k < len(lines) - 1:
                    pfx = cpfx + "└─ "
                    cpfx = cpfx + "   "
            kids = self.children(tail)
            if kids:
                stack.append((kids, 0, cpfx, level + len(lines)))

    def op_line(self, node, nr):
        ctx = self.ctx
        rec = ctx.record(node)
        ctx.visited[id(node)] = _ids(rec) or node.name
        label = _op_label(node, rec)
        out = _output_tensor(rec, nr)
        st = ""
        if out is not None:
            nm = ctx.namer.name(out)
            if nm:
                label = f"{nm} = {label}"
            if self.stats:
                st = summary(out, device=False).split(" ", 1)[-1]
        elif self.stats:
            st = "(output freed)"
        return GraphLine("", "op", label, _node_meta(node, nr), "",
                         _ids(rec), _where(rec, self.no_source), st)

    def chain(self, node, nr, room):
        """Lines for ``node`` and, while each has exactly one child that is
        an unvisited op outside modules, its descendants; repeated runs
        fold.  Returns (lines, last node)."""
        ctx = self.ctx
        visited = ctx.visited
        seq = [(node, nr)]
        ids = {id(node)}
        cur = node
        while len(seq) < room:
            nxt = _only_child(cur)
            if nxt is None:
                break
            n = nxt[0]
            if id(n) in visited or id(n) in ids or ctx.key(n) is not None:
                break
            seq.append(nxt)
            ids.add(id(n))
            cur = n
        if len(seq) < 6:
            return [self.op_line(n, k) for n, k in seq], seq[-1][0]
        sigs = [_signature(n) for n, _ in seq]
        m = len(seq)
        lines = []
        i = 0
        while i < m:
            folded = False
            for p in (1, 2, 3, 4):
                if i + 3 * p > m:
                    break
                # Extend while each signature equals the one p before.
                j = i + p
                while j < m and sigs[j] == sigs[j - p]:
                    j += 1
                k = (j - i) // p
                if k >= 3:
                    lines.append(self.fold_line(seq[i:i + k * p], p, k))
                    i += k * p
                    folded = True
                    break
            if not folded:
                lines.append(self.op_line(*seq[i]))
                i += 1
        return lines, seq[-1][0]

    def fold_line(self, run, period, count):
        ctx = self.ctx
        visited = ctx.visited
        lo = hi = None
        for n, _ in run:
            row = n._record
            rid = row[0] if row is not None else None
            visited[id(n)] = f"#{rid}" if rid is not None else "…"
            if rid is not None:
                lo = rid if lo is None or rid < lo else lo
                hi = rid if hi is None or rid > hi else hi
        labels = [_op_label(n, ctx.record(n)) for n, _ in run[:period]]
        label = labels[0] if period == 1 else \
            "(" + " ← ".join(labels) + ")"
        rng = f"#{lo}-#{hi}" if lo is not None else ""
        return GraphLine("", "fold", f"{label} ×{count}",
                         _node_meta(run[0][0], run[0][1]),
                         f"{len(run)} ops", rng,
                         _where(ctx.record(run[0][0]), self.no_source))

    def block(self, entry, nr, key):
        """A collapsed module call: its line and its external inputs."""
        ctx = self.ctx
        visited = ctx.visited
        key_of = ctx.key
        namer = ctx.namer
        members = [entry]
        visited[id(entry)] = "?"
        ext = []
        ext_ids = set()
        params = []
        lo = hi = None
        i = 0
        while i < len(members):
            n = members[i]
            i += 1
            row = n._record
            if row is not None:
                rid = row[0]
                lo = rid if lo is None or rid < lo else lo
                hi = rid if hi is None or rid > hi else hi
                nin = row[9]
                ins = row[10:10 + nin]
                in_meta = row[2]
            else:
                ins = in_meta = ()
            j = -1
            for nxt, nnr in n.next_functions:
                j += 1
                if nxt is None:
                    r = ins[j] if j < len(ins) else None
                    if r.__class__ is _ref and id(r) not in ext_ids:
                        ext_ids.add(id(r))
                        meta = in_meta[j] if j < len(in_meta) else None
                        ext.append(("input", r, meta))
                    continue
                if nnr < 0:
                    if id(nxt) in ext_ids:
                        continue
                    ext_ids.add(id(nxt))
                    if id(nxt) in ctx.param_ids:
                        params.append((namer.name(nxt), nxt))
                        self.params[id(nxt)] = nxt
                    else:
                        ext.append(("leaf", nxt))
                    continue
                k = key_of(nxt)
                if id(nxt) in visited:
                    if k != key and id(nxt) not in ext_ids:
                        ext_ids.add(id(nxt))
                        ext.append(("node", nxt, nnr))
                    continue
                if k == key:
                    visited[id(nxt)] = "?"
                    members.append(nxt)
                elif id(nxt) not in ext_ids:
                    ext_ids.add(id(nxt))
                    ext.append(("node", nxt, nnr))
        rng = (f"#{lo}-#{hi}" if hi != lo else f"#{lo}") if lo is not None \
            else ""
        for n in members:
            ctx.visited[id(n)] = rng or "module"
        dotted = ".".join(key)
        mod = ctx.modules_by_name.get(dotted)
        typ = type(mod).__name__ if mod is not None else "module"
        ins = []
        for it in ext:
            if it[0] == "input":
                t = it[1]()
                if t is not None:
                    ins.append(_meta(t._data.shape, t._data.dtype))
                elif it[2]:
                    ins.append(_meta(*it[2]))
            elif it[0] == "node":
                ins.append(_node_meta(it[1], it[2]))
            elif it[0] == "leaf":
                ins.append(_meta(it[1]._data.shape, it[1]._data.dtype))
        meta = f"{', '.join(ins[:2]) or '·'} → {_node_meta(entry, nr)}"
        hint = f"(--expand {dotted})"
        label = f"{dotted}  {typ}"
        out = _output_tensor(ctx.record(entry), nr)
        if out is not None:
            nm = ctx.namer.name(out)
            if nm:
                label = f"{nm} = {label}"
        first = ctx.record(entry)
        line = GraphLine("", "block", label, meta, hint, rng,
                         _where(first, self.no_source))
        kids = list(ext)
        if params:
            order = {n: i for i, n in enumerate(ctx.namer.params)}
            params.sort(key=lambda np_: order.get(np_[0], 1 << 30))
            # The line is cut at the width anyway: name the first few.
            shown = ", ".join(f"{n} {fmt_shape(p._data.shape)}"
                              for n, p in params[:8])
            if len(params) > 8:
                shown += f", … {len(params) - 8} more"
            kids.append(("params", f"◆ {len(params)} param"
                         f"{'s' if len(params) != 1 else ''}: {shown}"))
        return line, kids


def _natural(name):
    """Sort key: ``model.2`` before ``model.10``."""
    import re
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def _saved_totals(nodes):
    count = 0
    nbytes = 0
    seen = set()
    for n in nodes:
        saved = n._saved
        if not saved:
            continue
        for s in saved:
            if s is None or s[0] == 3:
                continue
            arr = s[1]._data if s[0] == 0 else s[1]
            if id(arr) in seen:
                continue
            seen.add(id(arr))
            count += 1
            nbytes += arr.nbytes
    return count, nbytes


def _backward_status(t, nodes):
    if not nodes:
        return "n/a"
    if any(n._freed for n in nodes):
        status = "ran (saved tensors freed)"
    else:
        status = "not run"
    from pytensor.autograd.tape import tape
    ref = None
    try:
        ref = weakref.ref(t)
    except TypeError:
        pass
    for row in reversed(tape.rows):
        rare = row[8]           # notes keep their kind in the rare fields
        if rare is None or rare.get("kind") != "backward":
            continue
        rec = Record(row)
        if rec.inputs and rec.inputs[0] is ref:
            where = format_where(rec.where) if rec.where else ""
            return f"ran at #{rec.id}" + (f" ({where})" if where else "")
    return status


def graph(t, namespace=None, depth=None, expand=(), stats=False,
          no_source=False, max_lines=400, name=None):
    """The autograd history of ``t`` as a tree.

    Args:
        t (Tensor): where to start.
        namespace (dict): names for tensors, parameters and modules.
        depth (int): tree levels shown (None: all).
        expand: module paths to open (``"model"``, ``"model.0"``), or
            ``"all"`` / ``["all"]`` for every op.
        stats (bool): show value statistics on each line (and grad norms
            of leaves).
        no_source (bool): leave out the source locations.
        max_lines (int): stop after this many lines.
        name (str): how to call ``t`` (default: its name in
            ``namespace``).

    Returns:
        Graph

    Example:
        >>> import pytensor
        >>> x = pytensor.ones(2, requires_grad=True)
        >>> with pytensor.debug.record(clear=True):
        ...     y = (x * 3).sum()
        >>> from pytensor.debug import graph
        >>> print(graph(y, {"x": x, "y": y}, no_source=True))
        y  f32[]  = sum          #2
        └─ mul(·, 3)  f32[2]     #1
           └─ ◆ x  f32[2]  leaf
        2 ops · 0 params · saved for backward: 1 tensors, 8 B ·
        backward: not run
    """
    from pytensor.tensor import Tensor
    if not isinstance(t, Tensor):
        raise TypeError(f"graph: expected a Tensor, got {type(t).__name__}")
    namer = Namer(namespace or {})
    if isinstance(expand, str):
        expand = [expand]
    exp = set()
    for e in expand or ():
        for part in str(e).split(","):
            part = part.strip()
            if not part:
                continue
            if part == "all":
                exp = "all"
                break
            bits = part.split(".")
            for i in range(1, len(bits) + 1):
                exp.add(".".join(bits[:i]))
        if exp == "all":
            break
    ctx = _Ctx(namer, exp, name)
    b = _Builder(t, ctx, depth if depth is not None else 10 ** 9, stats,
                 no_source, max_lines)
    b.build()
    nodes = walk_nodes(t, ordered=False)
    cnt, nbytes = _saved_totals(nodes)
    root_name = name or namer.name(t) or "tensor"
    hint = ""
    if any(ln.kind == "block" for ln in b.lines):
        hint = f"collapsed by module: :graph {root_name} --expand PATH " \
               f"(or --expand all)"
    if b.truncated:
        hint = (hint + " · " if hint else "") + \
            f"cut at {max_lines} lines (--depth N to see less)"
    param_ids = {id(p) for p in namer.params.values()}
    params = set()
    for n in nodes:
        for nxt, nr in n.next_functions:
            if nr < 0 and id(nxt) in param_ids:
                params.add(id(nxt))
    return Graph(root_name, b.lines, len(nodes), len(params), cnt, nbytes,
                 _backward_status(t, nodes), b.truncated, hint)
