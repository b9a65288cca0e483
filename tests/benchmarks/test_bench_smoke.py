"""The kernel benchmark runs (one untimed pass over every case, which also
checks every implementation against the kernel).  No timing assertions."""
from tests.benchmarks import bench_kernels


def test_benchmark_smoke(capsys):
    rows = bench_kernels.main(["--smoke"])
    out = capsys.readouterr().out
    kernels = {case.kernel for case, _ in rows}
    assert {"softmax_fwd", "relu_fwd", "sum_to_shape", "index_add",
            "scatter_add"} <= kernels
    assert "| kernel | case |" in out and "Machine:" in out
