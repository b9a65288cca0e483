"""The CuPy optimizer kernels (``pytensor_ext/gpu/optim.py``): every body
compiles with NVRTC (no GPU needed), and on a GPU every kernel equals the
NumPy reference bit for bit."""
import numpy as np
import pytest

from pytensor_ext import reference as ref
from tests.ext.test_optim_kernels import CASES, CONFIGS, _copy, _run, _setup

_registry = pytest.importorskip(
    "pytensor_ext.gpu._registry",
    reason="the pytensor_ext.gpu kernel registry is not merged yet")
optim_gpu = pytest.importorskip("pytensor_ext.gpu.optim")

NAMES = {"pytensor_sgd_step", "pytensor_sgd_momentum_step",
         "pytensor_adam_step", "pytensor_adam_amsgrad_step",
         "pytensor_rmsprop_step", "pytensor_rmsprop_centered_step",
         "pytensor_rmsprop_momentum_step",
         "pytensor_rmsprop_centered_momentum_step", "pytensor_adagrad_step"}


def test_kernels_are_declared_with_pytensor_names():
    assert NAMES <= set(_registry.ELEMENTWISE)


def test_kernel_bodies_compile_with_nvrtc():
    compile_check = pytest.importorskip("pytensor_ext.gpu.compile_check")
    mine = {k: v for k, v in _registry.ELEMENTWISE.items() if k in NAMES}
    log = []
    try:
        passed, failed = compile_check.run(
            archs=("sm_80",), elementwise=mine, reductions={}, raw={},
            cuda_dir="/nonexistent", out=log.append)
    except compile_check.NVRTCUnavailable as e:
        pytest.skip(str(e))
    assert failed == 0, "\n".join(log)
    assert passed == 1


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,i", CASES)
def test_gpu_kernel_matches_reference_bitwise(name, i, dtype):
    import cupy
    opts = CONFIGS[name][1][i]
    p, gs, st = _setup(name, (37, 5), dtype)
    p2, gs2, st2 = _copy(p, gs, st)
    gp = cupy.asarray(p)
    gst = {k: cupy.asarray(v) for k, v in st.items()}
    _run(optim_gpu, name, opts, gp, [cupy.asarray(g) for g in gs], gst)
    _run(ref, name, opts, p2, gs2, st2)
    np.testing.assert_array_equal(cupy.asnumpy(gp), p2)
    for k in st:
        np.testing.assert_array_equal(cupy.asnumpy(gst[k]), st2[k])
