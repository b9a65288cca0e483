"""The benchmark suite in smoke mode: every workload builds and runs a few
iterations in both frameworks, and their first losses agree.  No timing is
asserted here (the full suite reports times; see docs/performance.md)."""
import pytest

from tests.benchmarks import suite
from tests.conftest import require_torch


NAMES = ["W1", "W1t", "W2", "W3", "W4", "W5", "W6", "W7", "tape"]


def test_every_workload_smoke():
    # One pair of worker processes for all of them (each import of torch
    # costs about a second).
    require_torch()
    res = suite.run(only=NAMES, smoke=True, verbose=False)
    assert [r["workload"] for r in res] == NAMES
    assert all(r["smoke"] for r in res)


def test_worker_reports_an_error_in_the_workload():
    require_torch()
    w = suite.Worker("pytensor")
    try:
        with pytest.raises(RuntimeError, match="KeyError"):
            w.ask("build", name="W99")
        assert w.ask("build", name="W1")["loss"] is not None
    finally:
        w.close()
    assert w.proc.wait(timeout=30) == 0


def test_markdown_report_renders():
    rows = [dict(workload="W1", pytensor_ms=1.0, torch_ms=2.0, ratio=0.5,
                 ratio_min=0.4, ratio_max=0.6, target=0.6),
            dict(workload="W6", n=2048, pytensor_gflops=100.0,
                 numpy_gflops=101.0, fraction_of_numpy=0.99, target=0.95)]
    md = suite.markdown(rows)
    assert ("| W1 | 1.000 ms | 2.000 ms | 0.50 (0.40-0.60) | <= 0.6 | yes |"
            in md)
    assert "99% of NumPy" in md
