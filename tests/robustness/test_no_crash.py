"""Nothing a user types may crash the interpreter.

The hostile script (:mod:`tests.robustness._hostile`: compiled kernels
given buffers that do not fit, out-of-range and negative indices into the
scatter kernels, allocations of terabytes, a 100,000-op chain, modules
nested past the recursion limit, KeyboardInterrupt in the middle of
backward and of a loop of ops) runs in a subprocess with a capped address
space.  The subprocess must exit normally; each check is reported as its
own test.
"""
import os
import subprocess
import sys

import pytest

from tests.robustness import _hostile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))


@pytest.fixture(scope="module")
def hostile_run():
    env = dict(os.environ, PYTHONFAULTHANDLER="1", OMP_NUM_THREADS="2")
    try:
        p = subprocess.run([sys.executable, "-m", "tests.robustness._hostile"],
                           cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=300)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (
            e.stdout or "")
        return "timeout", out, ""


def test_the_subprocess_exits_normally(hostile_run):
    rc, out, err = hostile_run
    started = [ln[6:] for ln in out.splitlines() if ln.startswith("start ")]
    assert rc in (0, 1), (
        f"the hostile script died (status {rc}) during "
        f"{started[-1] if started else '?'}:\n{err[-4000:]}")


@pytest.mark.parametrize("name", [fn.__name__ for fn in _hostile.CHECKS])
def test_hostile_input(name, hostile_run):
    rc, out, err = hostile_run
    lines = out.splitlines()
    if f"ok {name}" in lines:
        return
    fail = [ln for ln in lines if ln.startswith(f"FAIL {name}:")]
    if fail:
        i = lines.index(fail[0])
        pytest.fail("\n".join(lines[i:i + 12]))
    pytest.fail(f"{name} did not finish (status {rc}); stderr:\n"
                f"{err[-3000:]}")
