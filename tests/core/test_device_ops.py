"""GPU safety of every op, on the CPU: each row of the op tables
(``tests/ops``) runs forward and backward on a fake GPU (``tests/gpu/
fakecupy.py``) whose arrays refuse implicit conversion to NumPy exactly as
CuPy's do, reject NumPy operands in kernels, run only on the current device,
and log every device-to-host read and host-to-device copy.

A row fails when the op

- converts a device array to NumPy (``np.asarray(x)``, ``np.array(x)``) or
  mixes in a host array made with ``np.zeros``/``np.arange``/... (CuPy
  raises TypeError for both);
- calls a NumPy function CuPy does not have, or a generalized ufunc;
- computes on the wrong device (inputs live on ``cuda:1`` while ``cuda:0``
  is current: ops must make their inputs' device current);
- returns outputs or gradients on another device, or values different from
  the CPU result;
- reads device data back to the host (``.item()``, ``bool(x)``, ``.get()``,
  Python iteration, boolean-mask indexing) or uploads host data, unless the
  row or the op's code site is listed in ``tests/gpu/cases.py``
  ``HOST_TRAFFIC`` with the reason it is inherent.

The real GPU runs the same rows (``tests/gpu/test_gpu_ops.py``) against
PyTorch too; this test keeps the CPU-only CI honest between GPU runs.
"""
import contextlib

import pytest

from tests.gpu import fakecupy
from tests.gpu.cases import all_op_cases, inherent
from tests.parity import check_device_parity, parity_params

CASES = [c for _, c in all_op_cases()]


@pytest.fixture(scope="module")
def fake_gpu():
    with fakecupy.installed(n_devices=2) as fc:
        yield fc


def _params():
    # float32 only: dtype-specific paths are covered by the CPU tables; the
    # device paths do not depend on the float width.
    return [p for p in parity_params(CASES) if p.values[2] == "float32"]


@pytest.mark.parametrize("case,shapes,dtype,layout", _params())
def test_op_runs_on_the_device(fake_gpu, case, shapes, dtype, layout):
    log = []

    @contextlib.contextmanager
    def watch(label):
        with fakecupy.watch() as events:
            yield
        log.extend((label,) + e for e in events)

    # cuda:1 while cuda:0 is current: catches ops that run on the wrong GPU.
    check_device_parity(case, shapes, dtype, layout, device="cuda:1",
                        torch_check=False, watch=watch)
    bad = [e for e in log if not inherent(case.name, e[3])]
    if bad:
        lines = "\n".join(f"  {label}: {kind} {what} at {where}"
                          for label, kind, what, where in bad)
        pytest.fail(f"{case.name}: host round trips on the GPU path "
                    f"(each is a synchronisation or a copy on a real "
                    f"device):\n{lines}")
