"""The conv/pool benchmark in smoke mode: it runs and renders its tables
(no timing is asserted)."""
import pytest

from pytensor_ext import cpu
from tests.benchmarks import bench_conv


@pytest.mark.skipif("im2col" not in cpu.COMPILED,
                    reason="compiled conv kernels not built")
def test_bench_conv_smoke():
    kernels, layers, w3 = bench_conv.run(smoke=True, with_torch=False)
    assert len(kernels) == 12 and not layers and not w3
    md = bench_conv.markdown(kernels)
    assert "| im2col conv1 [4, 1, 28, 28] |" in md


@pytest.mark.torch
@pytest.mark.skipif("im2col" not in cpu.COMPILED,
                    reason="compiled conv kernels not built")
def test_bench_conv_smoke_with_torch(torch):
    kernels, layers, w3 = bench_conv.run(smoke=True)
    assert [r["layer"].split()[0] for r in layers] == [
        "conv2d", "conv2d", "max_pool2d", "max_pool2d"]
    assert w3 == [dict(workload="W3", smoke=True)]
