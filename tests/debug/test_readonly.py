"""The read-only guarantee: ``:graph :grad :tape :why :summary :info
:profile`` (and the other inspection commands) leave parameters, buffers,
gradients, optimizer state and every RNG bit-identical."""
import io

import pytest

import pytensor
from pytensor.debug import state_checksum


@pytest.fixture
def world(nn):
    pytensor.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.25),
                          nn.Linear(8, 1))
    ns = {"model": model, "x": pytensor.randn(16, 4),
          "y": pytensor.randn(16, 1)}
    try:
        from pytensor import optim
        ns["opt"] = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    except ImportError:
        pass
    return ns


CMDS = [":graph loss", ":graph loss --stats --expand all", ":grad",
        ":grad model --sort norm", ":tape", ":why model.0.weight",
        ":why loss", ":summary model (16, 4)", ":summary model x",
        ":info loss", ":info model.0.weight --values",
        ":profile loss.backward()", ":profile model(x).sum().backward() "
        "--by module", ":vars", ":inplace", ":saved loss", ":path "
        "model.0.weight loss", ":mem", ":time -n 2 -r 2 model(x)",
        ":export loss --dot g.dot", ":ckpt save s", ":ckpt diff s",
        ":gradcheck model.0 (x,)", ":nan find loss.backward()"]


@pytest.mark.parametrize("cmd", CMDS)
def test_inspection_leaves_state_identical(world, cmd, tmp_path,
                                           monkeypatch):
    from repl.console import LineConsole
    from repl.session import Session, startup_namespace
    monkeypatch.chdir(tmp_path)
    ns = startup_namespace()
    ns.update(world)
    out = io.StringIO()
    s = Session(LineConsole([]), out, ns, width=100, color=False)
    s.handle("loss = ((model(x) - y) ** 2).mean()")
    s.handle("loss.backward(retain_graph=True)")
    if "opt" in ns:
        s.handle("opt.step()")          # optimizer state exists
        s.handle("loss = ((model(x) - y) ** 2).mean()")
        s.handle("loss.backward(retain_graph=True)")
    before = state_checksum(ns)
    grads = {n: p.grad._data.copy() for n, p in
             ns["model"].named_parameters()}
    s.handle(cmd)
    assert "Traceback" not in out.getvalue(), out.getvalue()
    assert state_checksum(ns) == before, f"{cmd} changed the state"
    for n, p in ns["model"].named_parameters():
        assert (p.grad._data == grads[n]).all()
    # The user's own backward still works afterwards.
    s.handle("loss.backward()")
    s.close()
    assert "Traceback" not in out.getvalue(), out.getvalue()
