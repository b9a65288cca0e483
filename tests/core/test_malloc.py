"""pytensor._malloc: glibc tuning applied at import, and its opt-outs."""
import subprocess
import sys

import pytest

CODE = "import pytensor; print(pytensor._malloc.TUNED)"


def _tuned(env_extra):
    import os
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MALLOC_", "PYTENSOR_MALLOC"))}
    env.update(env_extra)
    r = subprocess.run([sys.executable, "-c", CODE], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="glibc only")
def test_applied_at_import_on_linux():
    assert _tuned({}) == "True"


@pytest.mark.parametrize("env", [{"PYTENSOR_MALLOC_TUNING": "0"},
                                 {"MALLOC_MMAP_THRESHOLD_": "131072"},
                                 {"MALLOC_TRIM_THRESHOLD_": "131072"}])
def test_the_users_choice_wins(env):
    assert _tuned(env) == "False"
