"""``graph``: golden text at width 100, collapsing by module, folding,
shared nodes, depth, stats; ``export_graph``: DOT, JSON, SVG fallback."""
import json
import shutil

import pytest

import pytensor
from pytensor.debug import export_graph, graph, graph_data


def test_golden_plain_ops(rec):
    x = pytensor.tensor([1.0, 2.0], requires_grad=True)
    w = pytensor.tensor([3.0, 4.0], requires_grad=True)
    h = (x * w).exp()
    y = (h - 1) ** 2
    loss = y.sum()
    text = graph(loss, {"x": x, "w": w, "h": h, "loss": loss},
                 no_source=True).render(100)
    assert text == """\
loss  f32[]  = sum        #5
└─ pow(·, 2)  f32[2]      #4
   └─ sub(·, 1)  f32[2]   #3
      └─ h = exp  f32[2]  #2
         └─ mul  f32[2]   #1
            ├─ ◆ x  f32[2]  leaf
            └─ ◆ w  f32[2]  leaf
5 ops · 0 params · saved for backward: 4 tensors, 32 B · backward: not run"""


def test_golden_model_collapsed_and_expanded(rec, mlp):
    x = pytensor.randn(16, 4)
    y = pytensor.randn(16, 1)
    loss = ((mlp(x) - y) ** 2).mean()
    ns = {"model": mlp, "x": x, "y": y, "loss": loss}
    text = graph(loss, ns, no_source=True).render(100)
    assert text == """\
loss  f32[]  = mean                                                  #6
└─ pow(·, 2)  f32[16,1]                                              #5
   └─ sub  f32[16,1]                                                 #4
      ├─ model  Sequential  f32[16,4] → f32[16,1]  (--expand model)  #1-#3
      │  ├─ x  f32[16,4]  input, no grad
      │  └─ ◆ 4 params: model.0.weight [8,4], model.0.bias [8], model.2.weight [1,8], model.2.bias …
      └─ y  f32[16,1]  input, no grad
6 ops · 4 params · saved for backward: 5 tensors, 992 B · backward: not run
collapsed by module: :graph loss --expand PATH (or --expand all)"""  # noqa: E501
    exp = graph(loss, ns, expand=["model"], no_source=True)
    blocks = [ln.label for ln in exp.lines if ln.kind == "block"]
    assert blocks == ["model.2  Linear", "model.1  ReLU", "model.0  Linear"]
    allops = graph(loss, ns, expand="all", no_source=True)
    assert [ln.label for ln in allops.lines if ln.kind == "op"] == \
        ["pow(·, 2)", "sub", "linear", "relu", "linear"]
    assert {ln.label for ln in allops.lines if ln.kind == "param"} == {
        "◆ model.0.weight", "◆ model.0.bias", "◆ model.2.weight",
        "◆ model.2.bias"}


def test_source_locations_and_ids(rec):
    x = pytensor.ones(2, requires_grad=True)
    y = (x * 3).sum()
    g = graph(y, {"x": x, "y": y})
    assert g.lines[0].ids == "#2" and g.lines[0].where.endswith(
        f":{rec.records[1].where[1]}")


def test_long_chain_folds(rec):
    v = pytensor.ones(4, requires_grad=True)
    z = v
    for _ in range(500):
        z = z * 1.0001 + 0.001
    g = graph(z, {"v": v, "z": z}, no_source=True)
    folds = [ln for ln in g.lines if ln.kind == "fold"]
    assert len(folds) == 1
    assert folds[0].label == "(mul(·, 1.0001) ← add(·, 0.001)) ×499"
    assert folds[0].ids == "#2-#999"
    assert len(g.lines) == 4 and g.ops == 1000


def test_shared_subgraph_shown_once(rec):
    x = pytensor.ones(2, requires_grad=True)
    h = x.exp()
    y = (h * h + h).sum()
    g = graph(y, {"x": x, "h": h, "y": y}, no_source=True)
    assert sum(1 for ln in g.lines if ln.label.startswith("h = exp")) == 1
    assert any(ln.kind == "ref" and "#1" in ln.label for ln in g.lines)


def test_depth_and_line_limit(rec):
    x = pytensor.ones(2, requires_grad=True)
    y = ((x.exp() * 2).log() + x).sum()
    g = graph(y, {"x": x, "y": y}, depth=2, no_source=True)
    assert any(ln.kind == "more" for ln in g.lines)
    many = [pytensor.ones(1, requires_grad=True) for _ in range(50)]
    s = many[0]
    for t in many[1:]:
        s = s + t * 1.0
    g2 = graph(s, {}, max_lines=20)
    assert g2.truncated and len(g2.lines) == 20


def test_stats_and_leaf_grads(rec):
    x = pytensor.tensor([1.0, 3.0], requires_grad=True)
    y = (x * 2).sum()
    y.backward()
    g = graph(y, {"x": x, "y": y}, stats=True, no_source=True)
    leaf = [ln for ln in g.lines if ln.kind == "leaf"][0]
    assert leaf.stats == "μ=2 σ=1.41 · grad ‖g‖ 2.83"
    assert g.lines[0].stats == "=8"
    assert "ran" in g.backward


def test_leaf_and_non_grad_roots():
    a = pytensor.ones(2)
    g = graph(a, {"a": a})
    assert "no autograd history" in g.render()


def test_render_fits_width(rec, mlp):
    loss = mlp(pytensor.randn(3, 4)).sum()
    for w in (60, 80, 100):
        text = graph(loss, {"model": mlp, "loss": loss}).render(w)
        assert all(len(ln) <= w for ln in text.splitlines()), w


def test_export_dot_json(rec, mlp, tmp_path):
    x = pytensor.randn(2, 4)
    loss = mlp(x).sum()
    ns = {"model": mlp, "x": x, "loss": loss}
    d = graph_data(loss, ns)
    kinds = sorted(n["kind"] for n in d["nodes"])
    assert kinds.count("param") == 4 and kinds.count("op") == 4
    assert kinds.count("input") == 1 and kinds.count("output") == 1
    r = export_graph(loss, str(tmp_path / "g.dot"), namespace=ns)
    dot = (tmp_path / "g.dot").read_text()
    assert r.format == "dot" and dot.startswith('digraph "loss" {')
    assert 'label="model.0"' in dot and "model.0.weight" in dot
    export_graph(loss, str(tmp_path / "g.json"), namespace=ns)
    assert json.loads((tmp_path / "g.json").read_text())["edges"]


def test_export_svg_without_dot_writes_dot(rec, tmp_path, monkeypatch):
    x = pytensor.ones(2, requires_grad=True)
    y = (x * 2).sum()
    monkeypatch.setattr(shutil, "which", lambda name: None)
    r = export_graph(y, str(tmp_path / "g.svg"))
    assert r.format == "dot" and r.path.endswith("g.dot")
    assert "not installed" in r.message and (tmp_path / "g.dot").exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz")
def test_export_svg_with_dot(rec, tmp_path):
    x = pytensor.ones(2, requires_grad=True)
    y = (x * 2).sum()
    r = export_graph(y, str(tmp_path / "g.svg"))
    assert r.format == "svg" and "<svg" in (tmp_path / "g.svg").read_text()


def test_bad_arguments():
    with pytest.raises(TypeError, match="graph: expected a Tensor"):
        graph([1, 2])
    with pytest.raises(ValueError, match="format must be"):
        export_graph(pytensor.ones(1), "x.png")
