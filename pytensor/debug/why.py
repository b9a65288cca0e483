"""``why(t)``: why a tensor's ``.grad`` is None (``:why``), and
``path(a, b)``: how gradient flows from ``b`` back to ``a`` (``:path``).

The diagnosis combines the autograd graph (what a backward can reach) with
the tape (what actually happened, in order, with source lines): the tape
remembers ``detach()``, ``.numpy()``, ``.item()``, ``.data``, ops run under
``no_grad``, every backward pass and every ``.grad = None``, so the report
names the op and the line where the chain broke.

Causes (``WhyReport.cause``):

=================  ====================================================
``has_grad``       it has a gradient (nothing to explain)
``non_leaf``       an intermediate: its grad is not kept
``frozen``         a parameter with ``requires_grad=False``
``no_requires_grad``  a leaf created with ``requires_grad=False``
``detached``       made by ``detach()`` / ``.data`` (no history)
``no_grad``        made (or cut off) by an op run under ``no_grad``
``inputs_no_grad`` made by an op whose inputs did not require grad
``left_graph``     its values left the graph (``.numpy()``, ``.item()``,
                   ``detach()``, ``.data``) on the way to the loss
``unused``         not used in computing the loss
``backward_not_run``  no backward pass since it was used
``zeroed``         the backward reached it, then ``.grad`` was cleared
``excluded``       ``backward(inputs=...)`` left it out
=================  ====================================================
"""
import collections
import dataclasses
import weakref

from pytensor.autograd.tape import Record, format_where, source_line
from pytensor.debug._render import paint, truncate
from pytensor.debug._result import Result
from pytensor.debug._tapeindex import TapeIndex, ref_of
from pytensor.debug.names import Namer
from pytensor.debug.summarize import summary

__all__ = ["WhyReport", "why", "PathStep", "PathReport", "path",
           "short_reason"]

_LEAVE_WORDS = {"detach": "detach()", ".numpy()": ".numpy()",
                ".item()": ".item()", ".data": ".data"}


@dataclasses.dataclass
class WhyReport(Result):
    """The answer of :func:`why`.

    Attributes:
        name (str): the tensor's name.
        cause (str): one of the causes in the module docstring.
        headline (str): one sentence.
        checks (list): ``(ok: bool, text)`` steps of the diagnosis.
        fix (str): what to do.
        record (int or None): the tape id of the op or event that broke
            the chain (or produced the tensor).
        where (str or None): its source location; source (str): the text.
        backward (int or None): the tape id of the backward considered.
    """
    name: str
    cause: str
    headline: str
    checks: list
    fix: str = ""
    record: int = None
    where: str = None
    source: str = None
    backward: int = None

    def render(self, width=None, color=False):
        width = width or 100
        lines = [self.headline]
        for ok, text in self.checks:
            mark = paint("✓", "ok", color) if ok else paint("✗", "bad", color)
            lines.extend(_wrap(f"  {mark} ", text, width))
        if self.fix:
            lines.extend(_wrap("  fix: ", self.fix, width))
        return "\n".join(lines)


def _wrap(first, text, width):
    """Word-wrap ``text`` after the prefix ``first`` (continuation lines
    indented to match)."""
    import textwrap
    from pytensor.debug._render import visible_len
    ind = " " * visible_len(first)
    body = textwrap.wrap(text, max(20, width - len(ind)),
                         break_long_words=False, break_on_hyphens=False)
    if not body:
        return [first.rstrip()]
    return [first + body[0]] + [ind + b for b in body[1:]]


def short_reason(report):
    """A few words for tables (``:grad``'s status column)."""
    c = report.cause
    at = f" #{report.record}" if report.record else ""
    return {
        "has_grad": "ok",
        "non_leaf": "intermediate (not a leaf)",
        "frozen": "frozen (requires_grad=False)",
        "no_requires_grad": "requires_grad=False",
        "detached": f"detached{at}",
        "no_grad": f"no_grad{at}",
        "inputs_no_grad": "inputs need no grad",
        "left_graph": f"left the graph{at}",
        "unused": "not reachable from the loss",
        "backward_not_run": "backward not run",
        "zeroed": f"zeroed after backward{at}",
        "excluded": "left out by backward(inputs=)",
    }.get(c, c)


def _loc(rec):
    if rec is None or rec.where is None:
        return "", ""
    return format_where(rec.where), source_line(rec.where)


def _at(rec):
    """``#12 mul (model.py:57) `h = x * w```."""
    w, s = _loc(rec)
    head = f"#{rec.id} {rec.op}"
    if not w:
        return head
    return f"{head} ({w})" + (f" `{s}`" if s else "")


def _label(index, namer, ref):
    """A tensor seen through a weak reference: its name, else ``#N`` of
    the op that made it."""
    if ref is None or ref.__class__ is not weakref.ref:
        return "a value"
    t = ref()
    n = namer.name(t) if t is not None else None
    if n:
        return n
    made = index.made_by.get(id(ref))
    if made:
        return f"the output of #{made[-1][0].id} {made[-1][0].op}"
    return "a tensor"


def _reached_leaves(brec):
    """Ids of the leaves a backward reached, from its root nodes (if they
    are still alive), else None."""
    extra = brec.extra or {}
    nodes = [r() for r in extra.get("root_nodes", ())]
    if not nodes or any(n is None for n in nodes):
        return None
    seen = set()
    stack = list(nodes)
    leaves = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        for nxt, nr in n.next_functions:
            if nxt is None:
                continue
            if nr < 0:
                leaves.add(id(nxt))
            else:
                stack.append(nxt)
    for r in extra.get("roots", ()):
        t = r()
        if t is not None and t.grad_fn is None:
            leaves.add(id(t))
    return leaves


def _root_name(brec, namer):
    t = brec.inputs[0]() if brec.inputs and brec.inputs[0] is not None \
        else None
    return (namer.name(t) if t is not None else None) or f"#{brec.id}'s root"


def why(t, namespace=None, namer=None, index=None):
    """Explain why ``t.grad`` is None (or confirm it is not).

    Args:
        t (Tensor): the tensor (a parameter, a leaf, an intermediate).
        namespace (dict): names for tensors and modules.

    Returns:
        WhyReport

    Example:
        >>> import pytensor
        >>> x = pytensor.ones(3, requires_grad=True)
        >>> with pytensor.debug.record(clear=True):
        ...     h = x * 2
        ...     loss = h.sum()
        ...     loss.backward()
        >>> from pytensor.debug import why
        >>> why(h, {"x": x, "h": h, "loss": loss}).cause
        'non_leaf'
    """
    from pytensor.tensor import Tensor
    if not isinstance(t, Tensor):
        raise TypeError(f"why: expected a Tensor, got {type(t).__name__}")
    namer = namer or Namer(namespace or {})
    index = index or TapeIndex()
    name = namer.name(t) or "the tensor"
    is_param = name in namer.params
    what = "parameter" if is_param else "tensor"
    made = index.producer(t)

    if t._grad is not None:
        return WhyReport(name, "has_grad",
                         f"{name} has a gradient: {summary(t._grad)}", [])

    if t.grad_fn is not None:
        rec = made
        src = f" (output of {_at(rec)})" if rec is not None else \
            f" (grad_fn={t.grad_fn!r})"
        checks = [(False, f"{name} is an intermediate tensor{src}; "
                          "backward accumulates gradients only into leaves")]
        if t.retains_grad:
            checks = [(True, f"{name} retains its grad")]
            return _leaf_reasoning(t, name, what, namer, index, checks,
                                   made)
        return WhyReport(
            name, "non_leaf", f"{name} has no .grad: it is not a leaf",
            checks,
            f"call {name}.retain_grad() before backward, or get it with "
            f"pytensor.autograd.grad(loss, {name})",
            rec.id if rec else None, *(_loc(rec) if rec else (None, None)))

    if not t._requires_grad:
        if made is not None and made.kind == "leave":
            word = _LEAVE_WORDS.get(made.op, made.op)
            sname = _label(index, namer, made.inputs[0] if made.inputs
                           else None)
            return WhyReport(
                name, "detached",
                f"{name} has no .grad: it was made by {word} of {sname}",
                [(False, f"{name} came from {_at(made)}: a new leaf with "
                         "no history and requires_grad=False")],
                f"use {sname} (not its {word}) where gradients must flow; "
                "detach only values you log or plot",
                made.id, *_loc(made))
        if made is not None and made.kind == "op" and not made.grad_enabled \
                and made.any_requires_grad:
            return WhyReport(
                name, "no_grad",
                f"{name} has no .grad: it was computed under no_grad",
                [(False, f"made by {_at(made)} while grad mode "
                         "was off (no_grad / inference_mode), so it has no "
                         "history")],
                "compute it outside `with pytensor.no_grad():`",
                made.id, *_loc(made))
        if made is not None and made.kind == "op":
            return WhyReport(
                name, "inputs_no_grad",
                f"{name} has no .grad: none of its inputs required grad",
                [(False, f"made by {_at(made)} from tensors "
                         "with requires_grad=False")],
                "set requires_grad=True on the leaf you want gradients for",
                made.id, *_loc(made))
        if is_param:
            return WhyReport(
                name, "frozen",
                f"{name} has no .grad: the parameter is frozen",
                [(False, f"{name}.requires_grad is False")],
                f"{name}.requires_grad_(True) to train it (and give it to "
                "the optimizer)")
        return WhyReport(
            name, "no_requires_grad",
            f"{name} has no .grad: it does not require grad",
            [(False, f"{name} is a leaf created with requires_grad=False")],
            f"create it with requires_grad=True, or call "
            f"{name}.requires_grad_() before using it")

    checks = [(True, f"leaf {what}, requires_grad=True")]
    return _leaf_reasoning(t, name, what, namer, index, checks, made)


def _leaf_reasoning(t, name, what, namer, index, checks, made):
    key = index.key(t)
    uses = [u for u in index.uses(t) if u[0].kind == "op"]
    brec = index.last("backward")
    if brec is None:
        if uses:
            u = uses[-1][0]
            checks.append((False, f"no backward pass since recording "
                                  f"started; {name} was last used by "
                                  f"{_at(u)}"))
        else:
            checks.append((False, "no backward pass on the tape"))
        return WhyReport(name, "backward_not_run",
                         f"{name} has no .grad: backward has not run",
                         checks, "call loss.backward()",
                         uses[-1][0].id if uses else None,
                         *(_loc(uses[-1][0]) if uses else (None, None)))
    root = _root_name(brec, namer)
    bwhere = format_where(brec.where) if brec.where else "?"
    head_after = f"{name} has no .grad after {root}.backward() at {bwhere}"
    if uses and all(u[0].id > brec.id for u in uses):
        u = uses[0][0]
        checks.append((False, f"the last backward (#{brec.id}) ran before "
                              f"{name} was used ({_at(u)})"))
        return WhyReport(name, "backward_not_run",
                         f"{name} has no .grad: backward has not run since "
                         "it was used", checks,
                         f"call backward on a loss computed from {name}",
                         u.id, *_loc(u), backward=brec.id)
    extra = brec.extra or {}
    wanted = extra.get("inputs")
    leaves = _reached_leaves(brec)
    reached = None
    if leaves is not None:
        reached = id(t) in leaves
    else:
        # The loss is gone: follow the tape from t, through ops that
        # joined the graph, up to the backward's root.
        _, keys = index.downstream([key] if key else [], 0,
                                   lambda r: r.kind == "op" and r.node_made)
        root_ref = brec.inputs[0] if brec.inputs else None
        reached = root_ref is not None and id(root_ref) in keys
    if reached and wanted is not None and not any(r() is t for r in wanted):
        checks.append((False, f"{root}.backward(inputs=...) at {bwhere} "
                              f"did not include {name}"))
        return WhyReport(name, "excluded", head_after, checks,
                         f"add {name} to inputs=, or leave inputs= out",
                         brec.id, *_loc(brec), backward=brec.id)
    if reached:
        checks.append((True, f"reachable from {root} (backward #{brec.id} "
                             f"at {bwhere})"))
        cleared = [r for r in index.records if r.id > brec.id and
                   r.kind == "grad" and r.inputs and r.inputs[0] is not None
                   and r.inputs[0]() is t]
        if cleared:
            c = cleared[-1]
            checks.append((False, f".grad was set to None at {_at(c)} "
                                  "after that backward"))
            return WhyReport(name, "zeroed",
                             f"{name}.grad was cleared after backward",
                             checks, "call backward again after zero_grad() "
                             "(zero_grad belongs before the forward pass)",
                             c.id, *_loc(c), backward=brec.id)
        checks.append((False, ".grad was set to None after that backward"))
        return WhyReport(name, "zeroed",
                         f"{name}.grad was cleared after backward", checks,
                         "call backward again after zero_grad()",
                         backward=brec.id)
    # Not reachable: where did the values go?
    return _broken_chain(t, name, key, brec, root, head_after, checks,
                         namer, index)


def _broken_chain(t, name, key, brec, root, head_after, checks, namer,
                  index):
    root_ref = brec.inputs[0] if brec.inputs else None
    # Everything t's values flowed into (leaving the graph included).
    hits, keys = index.downstream([key] if key else [], 0, None)
    flows_to_loss = root_ref is not None and id(root_ref) in keys
    # The graph part: through ops that joined the graph only.
    ghits, gkeys = index.downstream([key] if key else [], 0,
                                    lambda r: r.kind == "op" and r.node_made)
    breaks = []
    for r in hits:
        row = r.row
        n = row[9]
        ins = row[10:10 + n]
        if not any(x.__class__ is weakref.ref and id(x) in gkeys
                   for x in ins):
            continue
        if r.kind == "leave":
            breaks.append(r)
        elif r.kind == "op" and not r.node_made and not r.grad_enabled:
            breaks.append(r)
    uses = [u for u in index.uses(t) if u[0].kind == "op"]
    if breaks and (flows_to_loss or not _uses_reach(ghits, root_ref)):
        b = breaks[0]
        if flows_to_loss:
            later = [x for x in breaks if _feeds(index, x, root_ref)]
            b = later[0] if later else b
        sname = _label(index, namer, b.inputs[0] if b.inputs else None)
        if b.kind == "leave":
            word = _LEAVE_WORDS.get(b.op, b.op)
            cause = "left_graph"
            text = (f"not reachable from {root}: {name} flows into "
                    f"{sname}, which left the graph through {word}: "
                    f"{_at(b)}")
            fix = ("keep the computation in pytensor ops (no .numpy(), "
                   ".item(), detach() or .data on the way to the loss)")
        else:
            cause = "no_grad"
            text = (f"not reachable from {root}: {_at(b)} ran under "
                    f"no_grad, so its result has no history")
            fix = "run that computation outside `with pytensor.no_grad():`"
        if flows_to_loss:
            text += f", and {root} was computed from there"
        checks.append((False, text))
        return WhyReport(name, cause, head_after, checks,
                         fix + f"; see :path {name} {root}", b.id,
                         *_loc(b), backward=brec.id)
    if uses:
        u = uses[-1][0]
        n_uses = len(uses)
        checks.append((False, f"not reachable from {root}: {name} was "
                              f"used {n_uses} time{'s' if n_uses > 1 else ''}"
                              f" (last: {_at(u)}), but {root} was not"
                              " computed from it"))
        return WhyReport(name, "unused", head_after, checks,
                         f"check that {name}'s module/op is part of the "
                         f"forward that produced {root}", u.id, *_loc(u),
                         backward=brec.id)
    checks.append((False, f"not reachable from {root}: {name} was never "
                          "used by a recorded op"))
    return WhyReport(name, "unused", head_after, checks,
                     f"use {name} in the computation of {root} (is its "
                     "module called in forward?)", backward=brec.id)


def _uses_reach(ghits, root_ref):
    if root_ref is None:
        return False
    for r in ghits:
        row = r.row
        n = row[9]
        if any(o is root_ref for o in row[10 + n:]):
            return True
    return False


def _feeds(index, rec, root_ref):
    keys = [id(o) for o in rec.outputs]
    if rec.kind == "leave" and not keys:
        return False
    _, reached = index.downstream(keys, rec.id, None)
    return root_ref is not None and id(root_ref) in reached


# ----------------------------------------------------------------------
@dataclasses.dataclass
class PathStep:
    """One hop: the op (tape id, module, line) and the tensor it made."""
    op: str
    record: int
    where: str
    source: str
    tensor: str
    grad: bool


@dataclasses.dataclass
class PathReport(Result):
    """The answer of :func:`path`.

    Attributes:
        src, dst (str): the names.
        connected (bool): gradient flows from ``dst`` back to ``src``.
        steps (list of PathStep): the hops from ``src`` to ``dst``.
        broken_at (int or None): the tape id where the flow left autograd.
        message (str): a summary.
    """
    src: str
    dst: str
    connected: bool
    steps: list
    broken_at: int = None
    message: str = ""

    def render(self, width=None, color=False):
        width = width or 100
        lines = [self.message]
        for i, s in enumerate(self.steps):
            mark = "→" if s.grad else paint("✗", "bad", color)
            src = f"  `{s.source}`" if s.source else ""
            made = "" if s.tensor.startswith("#") else f" → {s.tensor}"
            lines.append(truncate(
                f"  {mark} #{s.record} {s.op}{made}  {s.where}{src}", width))
        return "\n".join(lines)


def path(src, dst, namespace=None):
    """How ``dst`` depends on ``src``: the chain of ops from ``src`` to
    ``dst`` through the autograd graph, or, when gradient cannot flow,
    the data-flow path on the tape with the op where it left autograd.

    Args:
        src (Tensor): the input side (a parameter, a leaf, an
            intermediate).
        dst (Tensor): the output side (a loss).
        namespace (dict): for names.

    Returns:
        PathReport

    Example:
        >>> import pytensor
        >>> x = pytensor.ones(2, requires_grad=True)
        >>> with pytensor.debug.record(clear=True):
        ...     y = (x * 2).sum()
        >>> from pytensor.debug import path
        >>> path(x, y, {"x": x, "y": y}).connected
        True
    """
    namer = Namer(namespace or {})
    index = TapeIndex()
    sname = namer.name(src) or "src"
    dname = namer.name(dst) or "dst"
    # 1) The autograd graph, from dst back to src (BFS: shortest).
    start = dst.grad_fn
    target_node = src.grad_fn
    if start is not None:
        prev = {id(start): None}
        nodes = {id(start): start}
        q = collections.deque([start])
        found = None
        while q and found is None:
            n = q.popleft()
            for nxt, nr in n.next_functions:
                if nxt is None:
                    continue
                if nr < 0:
                    if nxt is src:
                        found = n
                        break
                    continue
                if id(nxt) in prev:
                    continue
                prev[id(nxt)] = n
                nodes[id(nxt)] = nxt
                if target_node is not None and nxt is target_node:
                    found = ("node", nxt)
                    break
                q.append(nxt)
        if found is not None:
            chain = []
            n = prev[id(found[1])] if isinstance(found, tuple) else found
            while n is not None:
                chain.append(n)
                n = prev.get(id(n))
            steps = []
            for n in chain:
                row = n._record
                rec = Record(row) if row is not None else None
                w, s = _loc(rec)
                out = rec.outputs[0]() if rec is not None and rec.outputs \
                    else None
                label = (namer.name(out) if out is not None else None) or (
                    f"#{rec.id}" if rec else "?")
                steps.append(PathStep(rec.op if rec else n.name,
                                      rec.id if rec else 0, w, s, label,
                                      True))
            return PathReport(sname, dname, True, steps, None,
                              f"{dname} depends on {sname} through "
                              f"{len(steps)} "
                              f"op{'s' if len(steps) != 1 else ''}"
                              f" (gradient flows):")
    # 2) Data flow on the tape.
    k = index.key(src)
    dref = ref_of(dst)
    if k is None:
        return PathReport(sname, dname, False, [], None,
                          f"{sname} was not used by any recorded op")
    parent = {k: None}
    via = {}
    for rec in index.records:
        row = rec.row
        n = row[9]
        ins = [x for x in row[10:10 + n] if x.__class__ is weakref.ref and
               id(x) in parent]
        if not ins:
            continue
        for o in row[10 + n:]:
            if id(o) not in parent:
                parent[id(o)] = id(ins[0])
                via[id(o)] = rec
    if dref is None or id(dref) not in parent:
        return PathReport(sname, dname, False, [], None,
                          f"{dname} does not depend on {sname} (no data "
                          "flow between them on the tape)")
    chain = []
    cur = id(dref)
    while cur is not None and cur in via:
        chain.append(via[cur])
        cur = parent[cur]
    chain.reverse()
    steps = []
    broken = None
    for rec in chain:
        ok = rec.kind == "op" and rec.node_made
        if not ok and broken is None:
            broken = rec.id
        w, s = _loc(rec)
        out = rec.outputs[0]() if rec.outputs else None
        steps.append(PathStep(rec.op, rec.id, w, s,
                              (namer.name(out) if out is not None else None)
                              or f"#{rec.id}", ok))
    msg = (f"{dname} depends on {sname}, but gradient cannot flow: the chain"
           f" leaves autograd at #{broken}") if broken else \
        f"{dname} depends on {sname} on the tape"
    return PathReport(sname, dname, False, steps, broken, msg + ":")
