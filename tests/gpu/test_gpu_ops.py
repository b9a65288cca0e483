"""Every op-table row of ``tests/ops`` on a real GPU.

For each row, dtype (float32/float64) and layout (contiguous, and a strided
view built on the device): forward and backward on ``cuda``, with outputs
and gradients required to be CUDA tensors matching the CPU result and, when
PyTorch is installed, PyTorch's.  A second test runs each row (float32,
contiguous) under CuPy's synchronisation detector: an op that reads device
data back to the host fails unless listed in ``tests/gpu/cases.py``
``HOST_TRAFFIC``.

Skipped without a GPU (marker ``gpu``).  On the GPU machine::

    python -m pytest tests/gpu -q                 # everything (~minutes)
    python -m pytest tests/gpu -q -k float32      # a quicker slice
"""
import contextlib
import warnings

import pytest

import pytensor
from tests.gpu.cases import HOST_TRAFFIC, all_op_cases, inherent
from tests.parity import check_device_parity, parity_params

pytestmark = pytest.mark.gpu

CASES = [c for _, c in all_op_cases()]


def _have_torch():
    try:
        import torch  # noqa: F401
        return True
    except ImportError:
        return False


_TORCH = _have_torch()
_ORACLE = _TORCH and __import__("torch").__version__.split("+")[0] == "2.13.0"

# Rows where an older torch (the GPU machine's 2.11) is itself wrong or
# refuses; the CPU suite checks these rows against torch 2.13.0.  With
# another torch the GPU result is compared with the CPU result only.
OLD_TORCH_DIFFERS = {
    "aminmax": "torch 2.11: derivative for aten::aminmax is not implemented",
    "aminmax_all": "as aminmax",
    "trace": "torch 2.11: trace backward of a non-square matrix fills "
             "every (cols + 1)-th element, off the diagonal",
    "isclose_equal_nan": "torch 2.11 on CUDA: equal_nan with broadcast "
                         "operands raises 'output with shape ... doesn't "
                         "match the broadcast shape'",
}


@pytest.mark.parametrize("case,shapes,dtype,layout", parity_params(CASES))
def test_op_on_gpu(case, shapes, dtype, layout):
    # Without torch on the GPU machine the CPU result is the reference (the
    # CPU suite compares that one with torch).
    use_torch = _TORCH and (_ORACLE or case.name not in OLD_TORCH_DIFFERS)
    check_device_parity(case, shapes, dtype, layout, device="cuda",
                        torch_check=use_torch)


# Infrastructure whose reads are done on an op's behalf (Tensor.item(),
# transfers): the site reported is the op that called them.
_NOT_SITES = ("tensor.py", "backend.py", "creation.py")


def _pytensor_site(exc):
    """``"file.py:line (function)"`` of the innermost pytensor op frame of
    an exception's traceback (compiled frames name functions with dots)."""
    site = "?"
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        parts = code.co_filename.replace("\\", "/").split("/")
        if ("pytensor" in parts or "pytensor_ext" in parts) and \
                "tests" not in parts and parts[-1] not in _NOT_SITES:
            site = (f"{parts[-1]}:{tb.tb_lineno} "
                    f"({code.co_name.rsplit('.', 1)[-1]})")
        tb = tb.tb_next
    return site


def _sync_detector():
    cupyx = pytest.importorskip("cupyx")
    allow = getattr(cupyx, "allow_synchronize", None)
    if allow is None:
        pytest.skip("this CuPy has no synchronisation detector")

    @contextlib.contextmanager
    def watch(label):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # the API is deprecated
            with allow(False):
                yield
    return watch


@pytest.mark.parametrize(
    "case,shapes,dtype,layout",
    [p for p in parity_params(CASES)
     if p.values[2] == "float32" and p.values[3] == "contiguous"
     and p.values[0].name not in HOST_TRAFFIC])
def test_op_does_not_synchronize(case, shapes, dtype, layout):
    watch = _sync_detector()
    # Compile the kernels first: the detector must see the op, not CuPy's
    # first-call work.
    check_device_parity(case, shapes, dtype, layout, device="cuda",
                        torch_check=False)
    try:
        check_device_parity(case, shapes, dtype, layout, device="cuda",
                            torch_check=False, watch=watch)
    except Exception as e:
        if type(e).__name__ != "DeviceSynchronized":
            raise
        where = _pytensor_site(e)
        if inherent(case.name, where):
            return                  # an allowed read (the first one seen)
        pytest.fail(f"{case.name}: the op reads device data back to the host "
                    f"(a GPU synchronisation) at {where}; keep it on the "
                    "device or list it in HOST_TRAFFIC with the reason")
    assert pytensor.cuda.is_available()
