"""The interactive app, in process: prompt_toolkit on a pipe input and a
dummy terminal, one chunk of keys per prompt (sent once it is live)."""
import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.history import InMemoryHistory

from repl.completer import ReplCompleter
from repl.lexer import ReplLexer, command_tokens
from repl.testing import CTRL_C, TAB, UP, ReplDriver


def test_eval_block_and_command():
    d = ReplDriver()
    out = d.run(["x = 41\r", "x + 1\r",
                 # Auto-indent: the body is typed without spaces; an empty
                 # line ends the block.
                 "for i in range(2):\rprint(i * 10)\r\r",
                 ":vars x\r"])
    assert out.splitlines()[:3] == ["42", "0", "10"]
    assert "x     int" in out
    assert d.session.namespace["i"] == 1


def test_brackets_continue_without_blank_line():
    d = ReplDriver()
    out = d.run(["f = lambda *a: a\r", "f(1,\r2)\r"])
    assert out.strip() == "(1, 2)"


def test_history_recall_with_up_arrow():
    d = ReplDriver()
    hist = InMemoryHistory()
    out = d.run(["7 * 6\r", UP + "\r"], history=hist)
    assert out.splitlines() == ["42", "42"]


def test_tab_completes_live_attributes_and_commands():
    d = ReplDriver()
    out = d.run(["zz = [1]\r", ("zz.app", TAB, "(3)\r"), "zz\r",
                 (":summ", TAB, " zz\r")])
    assert out.splitlines()[0] == "[1, 3]"
    assert out.splitlines()[1] == ":summary: zz is a list, not a module"


def test_ctrl_c_clears_the_line_and_ctrl_d_leaves():
    d = ReplDriver()
    out = d.run([("1/", CTRL_C), "5\r"])
    assert out.splitlines() == ["KeyboardInterrupt", "5"]
    assert not d.session.running or True


def test_nested_nan_prompt_over_the_pipe():
    d = ReplDriver()
    out = d.run([":nan on\r", "w = pytensor.tensor([1.0, -1.0])\r",
                 "v = w.log()\r", "out.shape\r", ":c\r", "v.shape\r"])
    assert "!! non-finite output in forward: stopped at #1 log" in out
    assert out.count("(2,)") == 2


def test_step_prompt_over_the_pipe():
    pytest.importorskip("pytensor.nn")
    d = ReplDriver()
    out = d.run([":set times off\r",
                 "m = nn.Sequential(nn.Linear(2, 3), nn.ReLU())\r",
                 "x = pytensor.ones(4, 2)\r", ":step m(x)\r", "n\r",
                 "p input[0].shape\r", "c\r"])
    assert "step 1/2  m.0 Linear(2→3)" in out
    assert "(4, 3)" in out and "done · out f32[4,3]" in out


def test_toolbar_status():
    d = ReplDriver()
    d.run(["x = pytensor.ones(2, requires_grad=True)\r",
           "(x * 2).sum().backward()\r"])
    st = d.session.status()         # after the session: recording is off
    assert st.startswith("device cpu · tape 3 (off) · grad on · "
                         "last backward #3")


# -- completer and lexer without an app --------------------------------
class _S:
    def __init__(self, ns):
        self.namespace = ns
        from pytensor.debug import Checkpoints
        self.checkpoints = Checkpoints()


def _complete(ns, text):
    c = ReplCompleter(_S(ns))
    return [x.text for x in c.get_completions(Document(text),
                                              CompleteEvent())]


def test_completer_commands_flags_names_paths_ids(rec):
    import pytensor
    nn = pytest.importorskip("pytensor.nn")
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    loss = model(pytensor.ones(1, 2)).sum()
    ns = {"model": model, "loss": loss, "lr": 0.1, "lossy": 3}
    assert _complete(ns, ":gra") == [":grad", ":gradcheck", ":graph"]
    assert _complete(ns, ":graph loss --d") == ["--depth"]
    # Tensors first, then other names.
    assert _complete(ns, ":graph los") == ["loss", "lossy"]
    assert _complete(ns, ":info model.")[:2] == ["model.0", "model.1"]
    assert "model.0.weight" in _complete(ns, ":why model.0.w")
    ids = _complete(ns, ":saved #")
    assert ids[0] == f"#{rec.last_id()}"
    assert _complete(ns, ":set wi") == ["width"]
    assert _complete(ns, ":nan o") == ["on", "off"]
    assert _complete(ns, "model.trai") == ["train", "training"]
    assert "print" in _complete(ns, "pri")
    assert "lossy" in _complete(ns, "los")


def test_lexer_highlights_commands_and_python():
    assert command_tokens(":graph loss --depth 2 #3") == [
        ("class:command", ":graph"), ("", " loss "), ("class:flag", "--depth"),
        ("", " 2 "), ("class:tapeid", "#3")]
    lex = ReplLexer().lex_document(Document("x = 1 + 2"))
    styles = [s for s, _ in lex(0)]
    assert "class:pygments.literal.number.integer" in styles
