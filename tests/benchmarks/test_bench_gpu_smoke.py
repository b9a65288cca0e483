"""Smoke test of ``bench_gpu.py`` on the fake GPU (tiny sizes, one short
round), so the script cannot rot between runs on a real GPU."""
import pytest

from tests.benchmarks import bench_gpu
from tests.gpu import fakecupy


def test_bench_gpu_runs_on_the_fake_gpu(capsys):
    try:        # import torch before the fake CuPy is in sys.modules
        import torch  # noqa: F401
    except ImportError:
        pass
    with fakecupy.installed(n_devices=1) as cp:
        rows = []
        rows += bench_gpu.bench_gemm(cp, (32,), 1, 0.001)
        rows += bench_gpu.bench_elementwise(cp, 1000, 1, 0.001)
        rows += bench_gpu.bench_small_ops(cp, 1, 0.001)
        rows += bench_gpu.bench_workloads(["W1", "W2"], 1, 0.001)
        rows += bench_gpu.bench_memory_hook(1, 0.001)
        head = bench_gpu.header(cp)
    assert "Fake CUDA Device" in head[0]
    assert [r["check"] for r in rows[:3]] == [True, True, True]
    assert all(r["pytensor"] > 0 for r in rows[:3])
    text = bench_gpu.table(rows)
    assert "GEMM 32^3 float16" in text and "W1 step" in text
    assert text.count("\n| ") == len(rows)


def test_bench_gpu_without_a_gpu(capsys):
    import pytensor
    if pytensor.cuda.is_available():
        pytest.skip("a GPU is present")
    assert bench_gpu.main(["--quick"]) == 2
    assert "no CUDA device" in capsys.readouterr().out
