"""The digits training examples reach their accuracy: each script runs in a
subprocess from the repository root and must print ``test accuracy: X``
with X above its threshold (and its reloaded checkpoint must score the
same, which the script asserts)."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"

pytest.importorskip("sklearn", reason="the digits ship with scikit-learn")


@pytest.mark.slow
@pytest.mark.parametrize("script, threshold", [
    ("train_digits_cnn.py", 0.97),
    ("train_digits_mlp.py", 0.94),
])
def test_example_reaches_accuracy(script, threshold):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    # The models are tiny: BLAS threads only add wake-up latency (which,
    # measured on a shared 2-core machine, made these runs 10x slower).
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    proc = subprocess.run([sys.executable, str(EXAMPLES / script)],
                          cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, (
        f"{script} exited with {proc.returncode}\n{proc.stdout[-2000:]}\n"
        f"{proc.stderr[-3000:]}")
    found = re.findall(r"^test accuracy: ([0-9.]+)$", proc.stdout, re.M)
    assert found, f"{script} printed no 'test accuracy:' line:\n" \
        f"{proc.stdout[-2000:]}"
    assert float(found[-1]) >= threshold, proc.stdout[-2000:]
    assert "reloaded checkpoint accuracy" in proc.stdout
