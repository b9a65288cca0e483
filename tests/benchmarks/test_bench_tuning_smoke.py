"""The tuning benchmark in smoke mode: both workers start, the tuning is on
in one and off in the other, and the table renders (no timing is
asserted)."""
import sys

import pytest

from tests.benchmarks import bench_tuning


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="glibc tuning is Linux-only")
@pytest.mark.parametrize("setting", ["malloc", "threads"])
def test_bench_tuning_smoke(setting):
    r = bench_tuning.run("W2", smoke=True, setting=setting)
    assert r["tuned_active"] and not r["untuned_active"]
    assert r["tuned_ms"] > 0 and r["untuned_ms"] > 0
    md = bench_tuning.markdown(r)
    assert "| W2 step |" in md
    assert bench_tuning.SETTINGS[setting][0] + "=0" in md
