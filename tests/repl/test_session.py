"""The session in plain line mode: Python semantics, tracebacks of the
user's code, commands, nested prompts, --json, semicolons."""
import io
import json

import pytest

from repl.console import LineConsole
from repl.session import Session, startup_namespace, strip_ansi
from repl.testing import run_lines


def test_expressions_echo_and_underscore():
    out = run_lines("a = 20\na + 22\n_ * 2\nNone\nprint('hi')")
    assert out.splitlines() == [">>> a = 20", ">>> a + 22", "42",
                                ">>> _ * 2", "84", ">>> None",
                                ">>> print('hi')", "hi"]


def test_multi_statement_line_echoes_last_expression():
    assert run_lines("a = 1; a + 1").splitlines()[-1] == "2"


def test_blocks_without_blank_lines():
    out = run_lines("t = 0\nfor i in range(3):\n    t += i\nt")
    assert out.splitlines()[-1] == "3"
    assert "...     t += i" in out


def test_traceback_shows_user_code_only():
    out = run_lines("def f(x):\n    return x.nosuch\nf(pytensor.ones(1))\n"
                    "pytensor.ones(2) @ pytensor.ones(3)")
    lines = out.splitlines()
    assert 'File "<repl-2>", line 1, in <module>' in out
    assert 'File "<repl-1>", line 2, in f' in out
    assert "repl/" not in out and "session.py" not in out
    assert "frames in pytensor]" in out            # folded library frames
    assert lines[-1].startswith("RuntimeError") or \
        lines[-1].startswith("ValueError")


def test_full_traceback_option():
    out = run_lines(":set traceback full\npytensor.ones(2) @ pytensor.ones(3)")
    assert "frames in pytensor]" not in out and "pytensor/" in out


def test_syntax_error_and_session_continues():
    out = run_lines("1 +\nx = 5\nx")
    assert "SyntaxError" in out and out.splitlines()[-1] == "5"


def test_system_exit_does_not_end_the_session():
    out = run_lines("import sys; sys.exit(3)\n7")
    assert "SystemExit: 3" in out and out.splitlines()[-1] == "7"


def test_keyboard_interrupt_returns_to_the_prompt():
    out = run_lines("raise KeyboardInterrupt\n8")
    assert "KeyboardInterrupt" in out and out.splitlines()[-1] == "8"


def test_quit_stops():
    out = run_lines("1\n:quit\n2")
    assert out.splitlines() == [">>> 1", "1", ">>> :quit"]


def test_commands_errors_and_json():
    out = run_lines(":nosuch\n:graph\n:graph 3\n:vars --json")
    lines = out.splitlines()
    assert "unknown command :nosuch" in lines[1]
    assert lines[3] == ":graph: give a tensor"
    assert lines[5] == ":graph: 3 is a int, not a tensor"
    data = json.loads("\n".join(lines[7:]))
    assert data["type"] == "VarTable"


def test_semicolons_mix_python_and_commands():
    out = run_lines("x = pytensor.ones(2); :info x; y = 1")
    assert "x  f32[2] cpu =1" not in out
    assert "x  f32[2] cpu μ=1 σ=0" in out
    assert "y" in startup_namespace() or True


def test_colour_only_when_asked_and_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = io.StringIO()
    s = Session(LineConsole([":help help"]), out, color=True, width=80)
    s.run()
    assert "\x1b[" not in out.getvalue()       # plain text help
    out = io.StringIO()
    s = Session(LineConsole(["x = pytensor.ones(2)", ":vars"]), out,
                color=True, width=80)
    s.run()
    assert "\x1b[" in out.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    out = io.StringIO()
    Session(LineConsole(["x = pytensor.ones(2)", ":vars"]), out,
            color=True, width=80).run()
    assert "\x1b[" not in out.getvalue()


def test_width_option_applies():
    out = run_lines(":set width 40\nx = pytensor.ones(3, requires_grad=True)\n"
                    "y = (x * 3).sum()\n:graph y")
    body = out.split(">>> :graph y\n")[1]
    assert all(len(ln) <= 40 for ln in body.splitlines())


def test_watch_prints_changes_only():
    out = run_lines("n = 1\n:watch n\nn = 2\nm = 0\nn = 2")
    assert out.count("watch 1: n = 2") == 1


def test_nan_prompt_binds_tensors_and_continues():
    out = run_lines(":nan on\nw = pytensor.tensor([1.0, -1.0])\n"
                    "v = w.log()\nout\ninp is w\n:c\nv.shape")
    assert "[nan #1 log]>>> out" in out
    assert "[nan #1 log]>>> inp is w\nTrue" in out
    assert out.splitlines()[-1] == "(2,)"


def test_nan_abort_unwinds_the_statement():
    out = run_lines(":nan on\nw = pytensor.tensor([-1.0])\n"
                    "v = w.log(); done = 1\n:q\n'done' in dir()")
    assert "aborted at #1 log" in out and out.splitlines()[-1] == "False"


def test_nested_prompt_eof_aborts():
    out = run_lines(":nan on\nw = pytensor.tensor([-1.0])\nv = w.log()")
    assert out.splitlines()[-1] == "aborted at #1 log"


def test_step_prompt(tmp_path):
    pytest.importorskip("pytensor.nn")
    out = run_lines(":set times off\n"
                    "model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())\n"
                    "x = pytensor.ones(1, 2)\n:step model(x)\nx.shape\n"
                    ":vars x\nn\nc\n_.shape")
    assert "[step model.0]> x.shape\n(1, 2)" in out
    assert "[step model.0]> :vars x" in out
    assert out.splitlines()[-1] == "(1, 3)"


def test_reset_keeps_startup_names():
    out = run_lines("q = 1\n:reset\n'q' in dir(), 'pytensor' in dir()")
    assert out.splitlines()[-1] == "(False, True)"


def test_user_print_inside_commands_goes_to_the_output():
    out = run_lines("def f(t):\n    print('in f')\n    return t.sum()\n"
                    ":gradcheck f (pytensor.ones(2),)")
    assert "in f" in out


def test_strip_ansi():
    assert strip_ansi("\x1b[31mred\x1b[0m\x1b]777;ready\x07") == "red"


def test_device_shows_how_idle_cpu_threads_behave(monkeypatch):
    from pytensor import _threads
    monkeypatch.setattr(_threads, "_STATE", {
        "OMP_WAIT_POLICY": "set", "OPENBLAS_THREAD_TIMEOUT": "too late"})
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    monkeypatch.delenv("OPENBLAS_THREAD_TIMEOUT", raising=False)
    out = run_lines(":device")
    line = [ln for ln in out.splitlines() if ln.startswith("CPU: ")]
    assert line and line[0].endswith(
        "idle threads: OMP_WAIT_POLICY=PASSIVE (set by pytensor), "
        "OPENBLAS_THREAD_TIMEOUT unset (loaded before pytensor)")
