"""The transcripts of docs/repl.md replay (each ```repl block is a fresh
session)."""
import pathlib
import re

import pytest

from repl.transcript import check

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "repl.md"
BLOCKS = re.findall(r"```repl\n(.*?)```", DOC.read_text(encoding="utf-8"),
                    re.S)

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def test_the_page_has_the_walkthroughs():
    text = DOC.read_text(encoding="utf-8")
    for title in ("A NaN hunt", "A missing gradient", "An in-place error",
                  "Stepping through a model"):
        assert f"## {title}" in text
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("i", range(len(BLOCKS)))
def test_block(i, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = check(BLOCKS[i])
    assert res.ok, f"docs/repl.md block {i} differs:\n{res.diff}"
