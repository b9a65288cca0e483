"""``export_graph()``: a tensor's autograd graph as DOT, SVG or JSON
(``:export``).

Every op is a node (no collapsing), grouped in one Graphviz cluster per
module; leaves that require grad are blue (parameters named by their
module path), inputs without grad white, the exported tensor green.  SVG
goes through Graphviz's ``dot`` program when it is installed; otherwise
the DOT source is written instead and the result says so.
"""
import dataclasses
import json
import os
import shutil
import subprocess
import weakref

from pytensor.autograd.tape import Record, format_where, source_line
from pytensor.debug._render import fmt_dtype, fmt_shape
from pytensor.debug._result import Result
from pytensor.debug.graph import walk_nodes
from pytensor.debug.names import Namer

__all__ = ["graph_data", "to_dot", "export_graph", "ExportResult"]


def _meta(shape, dtype):
    return f"{fmt_dtype(dtype)}{fmt_shape(shape)}"


def graph_data(t, namespace=None):
    """Nodes and edges of ``t``'s autograd graph, op by op.

    Returns:
        dict with ``nodes`` (``id``, ``kind`` in op/param/leaf/input/output,
        ``label``, ``shape``, ``record``, ``where``, ``module``) and
        ``edges`` (``src`` -> ``dst``, the consumer's argument index).

    Example:
        >>> import pytensor
        >>> from pytensor.debug import graph_data
        >>> x = pytensor.ones(2, requires_grad=True)
        >>> d = graph_data((x * 2).sum(), {"x": x})
        >>> sorted(n["kind"] for n in d["nodes"])
        ['leaf', 'op', 'op', 'output']
    """
    namer = Namer(namespace or {})
    nodes = []
    edges = []
    ids = {}

    def nid(obj):
        k = id(obj)
        if k not in ids:
            ids[k] = f"n{len(ids)}"
        return ids[k]

    out_id = "out"
    name = namer.name(t) or "output"
    nodes.append({"id": out_id, "kind": "output", "label": name,
                  "shape": _meta(t._data.shape, t._data.dtype),
                  "record": None, "where": "", "module": ""})
    fn = t.grad_fn
    if fn is None:
        return {"nodes": nodes, "edges": edges}
    edges.append({"src": nid(fn), "dst": out_id, "index": 0})
    for n in walk_nodes(t):
        row = n._record
        rec = Record(row) if row is not None else None
        nodes.append({
            "id": nid(n), "kind": "op",
            "label": rec.op if rec is not None else n.name,
            "shape": ", ".join(_meta(*m) for m in n._out_meta),
            "record": rec.id if rec is not None else None,
            "where": format_where(rec.where) if rec and rec.where else "",
            "source": source_line(rec.where) if rec and rec.where else "",
            "module": namer.module_path(rec.root, rec.module) if rec else ""})
        ins = rec.inputs if rec is not None else ()
        for i, (nxt, nr) in enumerate(n.next_functions):
            if nxt is None:
                r = ins[i] if i < len(ins) else None
                if r is not None and r.__class__ is weakref.ref:
                    x = r()
                    key = ("in", id(r))
                    if key not in ids:
                        ids[key] = f"n{len(ids)}"
                        meta = rec.in_meta[i] if i < len(rec.in_meta) \
                            else None
                        nodes.append({
                            "id": ids[key], "kind": "input",
                            "label": (namer.name(x) if x is not None
                                      else None) or "input",
                            "shape": _meta(*meta) if meta else "",
                            "record": None, "where": "", "module": ""})
                    edges.append({"src": ids[key], "dst": nid(n),
                                  "index": i})
                continue
            if nr < 0:
                if id(nxt) not in ids:
                    nm = namer.name(nxt)
                    nodes.append({
                        "id": nid(nxt),
                        "kind": "param" if nm in namer.params else "leaf",
                        "label": nm or "leaf",
                        "shape": _meta(nxt._data.shape, nxt._data.dtype),
                        "record": None, "where": "", "module": ""})
                edges.append({"src": nid(nxt), "dst": nid(n), "index": i})
            else:
                edges.append({"src": nid(nxt), "dst": nid(n), "index": i})
    return {"nodes": nodes, "edges": edges}


_STYLE = {
    "op": 'shape=box style="rounded,filled" fillcolor="#e8e8e8"',
    "param": 'shape=box style=filled fillcolor="#a9d4f5"',
    "leaf": 'shape=box style=filled fillcolor="#cfe8ff"',
    "input": "shape=box",
    "output": 'shape=box style=filled fillcolor="#b7e4a8"',
}


def _q(s):
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(data, title="pytensor graph"):
    """DOT source for :func:`graph_data`'s result (modules as clusters)."""
    lines = [f"digraph {_q(title)} {{", "  rankdir=BT;",
             '  node [fontname="monospace" fontsize=10];']
    clusters = {}
    for n in data["nodes"]:
        label = n["label"]
        if n.get("record"):
            label = f"#{n['record']} {label}"
        if n["shape"]:
            label += f"\\n{n['shape']}"
        if n.get("where"):
            label += f"\\n{n['where']}"
        decl = f"{n['id']} [label={_q(label)} {_STYLE[n['kind']]}];"
        clusters.setdefault(n.get("module") or "", []).append(decl)
    for i, (mod, decls) in enumerate(sorted(clusters.items())):
        if mod:
            lines.append(f"  subgraph cluster_{i} {{")
            lines.append(f"    label={_q(mod)}; style=dashed;")
            lines.extend("    " + d for d in decls)
            lines.append("  }")
        else:
            lines.extend("  " + d for d in decls)
    for e in data["edges"]:
        lines.append(f"  {e['src']} -> {e['dst']};")
    lines.append("}")
    return "\n".join(lines) + "\n"


@dataclasses.dataclass
class ExportResult(Result):
    """What :func:`export_graph` wrote."""
    path: str
    format: str
    nodes: int
    edges: int
    message: str = ""

    def render(self, width=None, color=False):
        s = f"wrote {self.path} ({self.format}, {self.nodes} nodes, " \
            f"{self.edges} edges)"
        return s + (f"\n{self.message}" if self.message else "")


def export_graph(t, path, fmt=None, namespace=None, dot_program=None):
    """Write ``t``'s graph to ``path`` as ``dot``, ``svg`` or ``json``
    (by default from the file's extension).

    SVG needs Graphviz's ``dot``; without it the DOT source is written to
    ``path`` with a ``.dot`` extension and the result's message says so.

    Returns:
        ExportResult
    """
    if fmt is None:
        fmt = os.path.splitext(path)[1].lstrip(".").lower() or "dot"
    fmt = fmt.lower()
    if fmt not in ("dot", "svg", "json"):
        raise ValueError(f"export: format must be dot, svg or json, not "
                         f"{fmt!r}")
    data = graph_data(t, namespace)
    n, e = len(data["nodes"]), len(data["edges"])
    if fmt == "json":
        with open(path, "w") as f:
            json.dump(data, f, indent=1)
        return ExportResult(path, "json", n, e)
    dot = to_dot(data, (Namer(namespace or {}).name(t) or "graph"))
    if fmt == "dot":
        with open(path, "w") as f:
            f.write(dot)
        return ExportResult(path, "dot", n, e)
    prog = dot_program or shutil.which("dot")
    if prog is None:
        alt = os.path.splitext(path)[0] + ".dot"
        with open(alt, "w") as f:
            f.write(dot)
        return ExportResult(alt, "dot", n, e,
                            "Graphviz's `dot` is not installed, so the DOT "
                            f"source was written instead; render it with "
                            f"`dot -Tsvg {alt} -o {path}` (apt install "
                            "graphviz)")
    r = subprocess.run([prog, "-Tsvg", "-o", path], input=dot, text=True,
                       capture_output=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"export: dot failed: {r.stderr.strip()}")
    return ExportResult(path, "svg", n, e)
