"""The allocator benchmark in smoke mode: both workers start, the tuning is
on in one and off in the other, and the table renders (no timing is
asserted)."""
import sys

import pytest

from tests.benchmarks import bench_malloc


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="glibc tuning is Linux-only")
def test_bench_malloc_smoke():
    r = bench_malloc.run("W2", smoke=True)
    assert r["tuned_active"] and not r["untuned_active"]
    assert r["tuned_ms"] > 0 and r["untuned_ms"] > 0
    assert "| W2 step |" in bench_malloc.markdown(r)
