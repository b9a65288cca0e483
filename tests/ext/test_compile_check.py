"""The NVRTC compile check (``python -m pytensor_ext.gpu.compile_check``):
the real kernel sources compile, and a broken ``.cu`` file, elementwise
body or reduction body makes it fail with NVRTC's message.  No GPU is
needed; without NVRTC these tests skip (CI installs it: the ``cudacheck``
extra)."""
import glob
import os

import pytest

from pytensor_ext.gpu import _registry
from pytensor_ext.gpu import compile_check


@pytest.fixture(scope="module", autouse=True)
def nvrtc():
    try:
        compile_check._nvrtc()
    except compile_check.NVRTCUnavailable as e:
        pytest.skip(f"NVRTC not installed (pip install cupy-cuda13x "
                    f"'nvidia-cuda-nvrtc==13.*'): {e}")


@pytest.mark.slow
def test_the_real_sources_compile(capsys):
    assert compile_check.main(["--arch", "sm_75"]) == 0
    out = capsys.readouterr().out
    assert "FAILED" not in out
    summary = out.strip().splitlines()[-1]
    # One unit per cuda/*.cu file plus one for the declared kernel bodies.
    units = len(glob.glob(os.path.join(_registry.CUDA_DIR, "*.cu"))) + 1
    assert summary.startswith(
        f"compile_check: {units} units x 1 archs (sm_75)")
    assert summary.endswith("s") and " 0 failed" in summary


def test_a_broken_cu_file_fails(tmp_path, capsys):
    (tmp_path / "good.cu").write_text(
        'extern "C" __global__ void pytensor_ok(float* y) { y[0] = 1.0f; }\n')
    (tmp_path / "broken.cu").write_text(
        'extern "C" __global__ void pytensor_bad(float* y) {\n'
        '    y[0] = 1.0f\n}\n')
    passed, failed = compile_check.run(("sm_75",), cuda_dir=str(tmp_path),
                                       elementwise={}, reductions={})
    assert (passed, failed) == (1, 1)
    out = capsys.readouterr().out
    assert "FAILED broken.cu" in out
    assert 'error: expected a ";"' in out


def test_a_missing_template_instance_fails(tmp_path, capsys):
    (tmp_path / "t.cu").write_text(
        "template <typename T> __global__ void pytensor_t(T* y) "
        "{ y[0] = T(1); }\n")
    raw = {"t.cu": _registry.RawModule(
        "t.cu", ("pytensor_t<float>", "pytensor_nope<float>"))}
    passed, failed = compile_check.run(("sm_75",), cuda_dir=str(tmp_path),
                                       elementwise={}, reductions={}, raw=raw)
    assert failed == 1
    assert "pytensor_nope" in capsys.readouterr().out


def test_a_broken_elementwise_body_is_named(tmp_path, capsys):
    good = _registry.ELEMENTWISE["pytensor_relu_fwd"]
    bad = _registry.Elementwise("pytensor_broken_fwd", "T x", "T y",
                                "y = x +* undefined_thing")
    passed, failed = compile_check.run(
        ("sm_75",), cuda_dir=str(tmp_path),
        elementwise={"good": good, "bad": bad}, reductions={})
    assert failed == 1
    out = capsys.readouterr().out
    assert "broken kernel: pytensor_broken_fwd<float>" in out
    assert "broken kernel: pytensor_broken_fwd<double>" in out
    assert "pytensor_relu_fwd" not in out.split("FAILED", 1)[1].split(
        "broken kernel", 1)[1]


def test_a_broken_reduction_body_fails(tmp_path, capsys):
    bad = _registry.Reduction("pytensor_broken_sum", "T x", "T y", "x",
                              "a + b", "y = a", "0 0")
    passed, failed = compile_check.run(("sm_75",), cuda_dir=str(tmp_path),
                                       elementwise={},
                                       reductions={"bad": bad})
    assert failed == 1
    assert "broken kernel: pytensor_broken_sum<float>" in \
        capsys.readouterr().out


def test_a_declared_module_without_its_file_fails(capsys, monkeypatch):
    raw = dict(_registry.RAW)
    raw["gone.cu"] = _registry.RawModule("gone.cu", ("pytensor_gone<float>",))
    units = compile_check.raw_units(raw=raw)
    missing = [u for u in units if u.label.startswith("gone.cu")]
    assert missing and not compile_check.compile_unit(missing[0], "sm_75")[0]
