"""Every transcript replays: one (at least) per command, in a fresh session
(seed 0, tape ids from 1, width 100, no colour), run in a temporary
directory because some write files."""
import pathlib

import pytest

from repl.commands import load_all
from repl.transcript import check, matches

HERE = pathlib.Path(__file__).parent / "transcripts"
FILES = sorted(HERE.glob("*.txt"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_transcript(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = check(path.read_text(encoding="utf-8"))
    assert res.ok, f"{path.name} differs:\n{res.diff}"


def test_every_command_has_a_transcript():
    """Each command appears as an input in some transcript."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in FILES)
    used = set()
    import re
    for m in re.finditer(r"^(?:>>>|\[[^\]]+\]>(?:>>)?) :(\w+)", text, re.M):
        used.add(m.group(1))
    missing = sorted(set(load_all()) - used)
    assert not missing, f"commands without a transcript: {missing}"


def test_a_changed_output_fails(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = ">>> 6 * 7\n43\n"
    res = check(text)
    assert not res.ok
    assert "-43" in res.diff and "+42" in res.diff


def test_ellipsis_matches_text_and_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert check(">>> print('alpha beta gamma')\nalpha ... gamma\n").ok
    assert check(">>> print('a\\nb\\nc')\na\n...\n").ok
    assert not check(">>> print('a')\nb ...\n").ok


def test_folded_frame_count_matches_any_count():
    # The count depends on which library modules are compiled (a compiled
    # function leaves no Python frame); the rest of the line still counts.
    exp = ">>> f()\n  [7 frames in pytensor]\nRuntimeError: x\n"
    assert matches(exp, ">>> f()\n  [6 frames in pytensor]\nRuntimeError: x")
    assert matches(exp, ">>> f()\n  [12 frames in pytensor]\nRuntimeError: x")
    assert not matches(exp, ">>> f()\n  [6 frames in numpy]\nRuntimeError: x")
    assert not matches(exp, ">>> f()\n  [6 frames in pytensor]\nValueError: x")
