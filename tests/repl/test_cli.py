"""The program from outside: ``python -m repl`` with --script, --check,
piped stdin, a file argument, --help (subprocesses, no terminal)."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def run(args, stdin="", cwd=None, env=None):
    e = dict(os.environ, PYTHONPATH=ROOT, NO_COLOR="1")
    e.pop("COLUMNS", None)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "repl"] + args,
                          input=stdin, capture_output=True, text=True,
                          cwd=cwd or ROOT, env=e, timeout=60)


def test_piped_stdin_is_plain_line_mode(tmp_path):
    r = run([], "x = pytensor.ones(3, requires_grad=True)\n"
                "y = (x * 2).sum()\n:graph y --no-source\n")
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout
    assert r.stdout.splitlines()[2] == ">>> :graph y --no-source"
    assert "└─ mul(·, 2)  f32[3]" in r.stdout


def test_script_and_check_roundtrip(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("a = 2\nfor i in range(2):\n    a *= 3\na\n:vars a\n")
    r = run(["--script", str(script)], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[:6] == [
        ">>> a = 2", ">>> for i in range(2):", "...     a *= 3", ">>> a",
        "18", ">>> :vars a"]
    # The output of a script run is a transcript --check accepts...
    t = tmp_path / "t.txt"
    t.write_text(r.stdout)
    ok = run(["--check", str(t)], cwd=tmp_path)
    assert ok.returncode == 0 and "1/1 transcripts match" in ok.stdout
    # ...and a changed one is reported with a diff.
    t.write_text(r.stdout.replace("\n18\n", "\n19\n"))
    bad = run(["--check", str(t)], cwd=tmp_path)
    assert bad.returncode == 1
    assert "-19" in bad.stdout and "+18" in bad.stdout


def test_file_argument_runs_first(tmp_path):
    f = tmp_path / "train.py"
    f.write_text("w = pytensor.ones(2, requires_grad=True)\n"
                 "loss = (w * 3).sum()\n")
    r = run([str(f)], "loss.backward()\nw.grad\n")
    assert r.returncode == 0, r.stderr
    assert "tensor([3., 3.])" in r.stdout


def test_missing_script_is_an_error(tmp_path):
    r = run(["--script", str(tmp_path / "nope.py")])
    assert r.returncode == 2 and "No such file" in r.stderr


def test_help():
    r = run(["--help"])
    assert r.returncode == 0 and "--check" in r.stdout and "--demo" in \
        r.stdout


def test_demo_in_line_mode():
    pytest.importorskip("pytensor.nn")
    pytest.importorskip("pytensor.data")
    pytest.importorskip("sklearn")
    r = run(["--demo"], ":vars model\nloss.backward()\n:grad model\n")
    assert r.returncode == 0, r.stderr
    assert "demo: model = " in r.stdout
    assert "model.0.weight" in r.stdout and "ok" in r.stdout
