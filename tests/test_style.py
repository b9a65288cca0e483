"""The code stays PEP 8 clean: flake8 (configured in setup.cfg) reports
nothing over the project's Python sources.

Without flake8 the test skips locally but fails in CI (``CI`` set), so a
missing dependency can never pass the check silently.
"""
import importlib.util
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PATHS = ["pytensor", "pytensor_ext", "repl", "tests", "docs/examples",
         "setup.py"]


def test_flake8_reports_nothing():
    if importlib.util.find_spec("flake8") is None:
        if os.environ.get("CI"):
            pytest.fail("flake8 is not installed (pip install -e '.[test]')")
        pytest.skip("flake8 is not installed (it is in the test extra)")
    r = subprocess.run([sys.executable, "-m", "flake8", *PATHS], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0 or r.stdout.strip():
        pytest.fail(f"flake8 (exit {r.returncode}):\n{r.stdout}{r.stderr}",
                    pytrace=False)
