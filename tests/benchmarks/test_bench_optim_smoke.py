"""The optimizer benchmark in smoke mode: it runs and renders its tables
(no timing is asserted)."""
import pytest

from pytensor_ext import cpu
from tests.benchmarks import bench_optim


@pytest.mark.skipif("adam_step" not in cpu.COMPILED,
                    reason="compiled optimizer kernels not built")
def test_bench_optim_smoke():
    kernels, steps = bench_optim.run(smoke=True, with_torch=False)
    assert {r["kernel"] for r in kernels} == set(bench_optim.KERNELS)
    md = bench_optim.markdown(kernels, steps)
    assert "| adam_step | float32 |" in md
