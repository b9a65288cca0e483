"""The bad-input sweep over the public API and the kernels.

Each group of :mod:`tests.robustness._fuzz` runs in its own subprocess
(two at a time) with an address-space limit, a per-call hang alarm and a
wall-clock timeout, so a segfault in a Cython kernel, a runaway allocation
or an endless loop fails one test with a report (the last call started, the
faulthandler traceback) instead of taking pytest down.  A group passes when
its subprocess exits normally with no findings.

Reproduce a group by hand (findings are printed as JSON lines)::

    python -m tests.robustness._fuzz api_a [regex on the callable's name]
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time

import pytest

from tests.robustness import _fuzz

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
GROUPS = ("api_a", "api_b", "methods", "nn", "kernels", "functional",
          "operators", "devices")
TIMEOUT = 300           # seconds per group, on a loaded 2-core machine


def run_fuzz_group(group, timeout=TIMEOUT):
    """Run one group in a subprocess: ``(returncode or "timeout", findings,
    stderr tail, last call started, seconds)``."""
    # (run in a scratch directory: calls like save(x, "cuda") write files)
    with tempfile.NamedTemporaryFile("r", suffix=".progress") as prog, \
            tempfile.TemporaryDirectory() as scratch:
        path = os.environ.get("PYTHONPATH")
        env = dict(os.environ, PYTENSOR_FUZZ_PROGRESS=prog.name,
                   PYTHONFAULTHANDLER="1", OMP_NUM_THREADS="2",
                   PYTHONPATH=ROOT + (os.pathsep + path if path else ""))
        t0 = time.perf_counter()
        try:
            p = subprocess.run(
                [sys.executable, "-W", "ignore", "-m",
                 "tests.robustness._fuzz", group],
                cwd=scratch, env=env, capture_output=True, text=True,
                timeout=timeout)
            rc, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            rc = "timeout"
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (
                e.stdout or "")
            err = e.stderr.decode() if isinstance(e.stderr, bytes) else (
                e.stderr or "")
        seconds = time.perf_counter() - t0
        prog.seek(0)
        last = prog.read()
    findings = [json.loads(line) for line in out.splitlines()
                if line.startswith("{")]
    return rc, findings, err[-4000:], last, seconds


@pytest.fixture(scope="module")
def fuzz_results():
    """All groups, started together and run two at a time."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {g: pool.submit(run_fuzz_group, g) for g in GROUPS}
        return {g: f.result() for g, f in futures.items()}


def _report(group, rc, findings, err, last):
    lines = [f"fuzz group {group!r}: exit status {rc}, "
             f"{len(findings)} finding(s)"]
    if rc != 0:
        lines.append(f"last call started: {last or '?'}")
        lines.append("stderr (tail):\n" + textwrap.indent(err, "    "))
    seen = set()
    for f in findings:
        key = (f["fn"], f["error"][:80])
        if key in seen:
            continue
        seen.add(key)
        lines.append(f"  {f['fn']}{f['args']} [{f['phase']}] {f['error']}"
                     f"  @ {f.get('where', '')}")
        if len(seen) >= 40:
            lines.append(f"  ... ({len(findings)} in all)")
            break
    return "\n".join(lines)


@pytest.mark.parametrize("group", GROUPS)
def test_fuzz_group(group, fuzz_results):
    rc, findings, err, last, _ = fuzz_results[group]
    assert rc == 0 and not findings, _report(group, rc, findings, err, last)


# ----------------------------------------------------------------------
# The harness itself: it must be able to fail.
def test_judge_flags_internal_messages_and_types():
    j = _fuzz.judge
    assert j("pytensor.x", "x", AttributeError("'int' object has no "
                                               "attribute '_data'"))
    assert j("pytensor.x", "x", KeyError("float32"))
    assert j("pytensor.x", "x", OverflowError("too big"))
    assert j("pytensor.x", "x", ValueError(
        "operands could not be broadcast together with shapes (2,) (3,)"))
    assert j("pytensor.x", "x", TypeError("Buffer dtype mismatch, "
                                          "expected 'double' but got 'float'"))
    assert j("pytensor.x", "x", RuntimeError("something went wrong"))
    assert j("pytensor.x", "x", RuntimeError("x(): internal error (...)"))
    # good ones
    assert j("pytensor.mul", "mul", RuntimeError(
        "mul: the size of tensor a (3) must match the size of tensor b (4) "
        "at non-singleton dimension 1")) is None
    assert j("pytensor.relu", "relu", TypeError(
        "relu() takes from 1 to 2 positional arguments but 3 were given")) \
        is None
    assert j("Tensor.__getitem__", "__getitem__", IndexError(
        "index 5 is out of bounds for dimension 0 with size 3"),
        need_name=False) is None


def test_hang_alarm_interrupts_a_long_call(monkeypatch):
    monkeypatch.setattr(_fuzz, "CALL_SECONDS", 0.05)
    with pytest.raises(_fuzz.Hang):
        _fuzz._call(lambda: [None for _ in iter(int, 1)], (), {})


def test_a_crashing_subprocess_is_reported(tmp_path, monkeypatch):
    """What a segfault in a kernel would look like: a non-zero status and
    the faulthandler traceback in the report."""
    script = tmp_path / "crash.py"
    script.write_text("import ctypes, faulthandler\nfaulthandler.enable()\n"
                      "ctypes.string_at(0)\n")
    p = subprocess.run([sys.executable, str(script)], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode != 0
    report = _report("demo", p.returncode, [], p.stderr, "k(x=bad)")
    assert "exit status" in report and "last call started: k(x=bad)" in \
        report and "Fatal Python error" in report
