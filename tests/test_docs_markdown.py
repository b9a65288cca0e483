"""Every ```python block in docs/*.md and README.md runs (blocks of one file
share a namespace, in order), so the documentation cannot rot.

A block whose first line is ``# no-run`` is skipped (for shell-like
snippets or code that needs a GPU).  ``# expect: <text>`` lines after a
statement are not checked; use asserts in the block for real checks.
"""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _blocks(path):
    return [b for b in BLOCK.findall(path.read_text())
            if not b.lstrip().startswith("# no-run")]


@pytest.mark.parametrize("path", [p for p in FILES if _blocks(p)],
                         ids=lambda p: p.name)
def test_markdown_python_blocks_run(path, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)         # examples may write files
    ns = {"__name__": "__docs__"}
    from pytensor.autograd.tape import register_source
    for i, block in enumerate(_blocks(path)):
        name = f"{path.name}[block {i}]"
        register_source(name, block)        # so errors can quote the line
        code = compile(block, name, "exec")
        exec(code, ns)
