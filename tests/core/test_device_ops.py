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


def _mixed_params():
    """Rows with two or more tensor inputs, one of them (not 0-d) to be put
    on the CPU while the others are on the GPU."""
    out = []
    for c in CASES:
        for si, shapes in enumerate(c.shapes[:2]):
            idx = [i for i, s in enumerate(shapes) if s is not None]
            if len(idx) < 2:
                continue
            cpu = next((i for i in idx[1:] if len(shapes[i]) >= 1), None)
            if cpu is None:
                continue
            out.append(pytest.param(c, shapes, cpu, id=f"{c.name}-{si}",
                                    marks=list(c.marks)))
    return out


# Rows where PyTorch accepts a CPU tensor with a CUDA one: indexing a CUDA
# tensor with CPU index tensors or masks (copied to the device), and ops on
# independent tensors (atleast_*).
MIXED_OK = {"index_tensor", "index_tensor_dim1", "index_tensors_bcast",
            "mask_full", "mask_rows", "mask_cols", "set_mask",
            "set_mask_tensor_value", "atleast_1d", "atleast_2d",
            "atleast_3d"}


@pytest.mark.parametrize("case,shapes,cpu_input", _mixed_params())
def test_mixed_devices_raise(fake_gpu, case, shapes, cpu_input):
    """An op given a GPU tensor and a CPU tensor raises a RuntimeError that
    names both devices (never a CuPy TypeError, never a silent copy),
    except where PyTorch accepts the mix (``MIXED_OK``)."""
    import pytensor
    from tests.parity import make_inputs
    arrays = make_inputs(case, shapes, "float32", 0)
    ins = [None if a is None else pytensor.tensor(
        a, device="cpu" if i == cpu_input else "cuda:1")
        for i, a in enumerate(arrays)]
    if case.name in MIXED_OK:
        out = case.fn(pytensor, *ins)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        if case.name.startswith("atleast"):
            assert [o.device for o in outs] == [t.device for t in ins]
        else:
            assert all(o.device == "cuda:1" for o in outs)
        return
    with pytest.raises(RuntimeError) as e:
        case.fn(pytensor, *ins)
    msg = str(e.value)
    assert "cuda:1" in msg and "cpu" in msg, msg


# Where PyTorch refuses a 0-d CPU tensor too: an index tensor (not a
# scalar operand), and ops that first make it 1-d (hstack) or require one
# device (meshgrid).
SCALAR_MIX_RAISES = {"index_select_dim1", "hstack", "meshgrid_ij"}


def _scalar_params():
    """Rows with a 0-d tensor input next to a larger one: the 0-d input
    stays on the CPU, the others go to the GPU."""
    out = []
    for c in CASES:
        for si, shapes in enumerate(c.shapes):
            idx = [i for i, s in enumerate(shapes) if s is not None]
            zero = [i for i in idx if len(shapes[i]) == 0]
            big = [i for i in idx if len(shapes[i]) >= 1]
            if zero and big:
                out.append(pytest.param(c, shapes, zero[0],
                                        id=f"{c.name}-{si}",
                                        marks=list(c.marks)))
    return out


@pytest.mark.parametrize("case,shapes,cpu_input", _scalar_params())
def test_cpu_scalar_tensors_join_the_gpu(fake_gpu, case, shapes, cpu_input):
    """A 0-d CPU tensor mixes with GPU tensors (PyTorch's CPU scalars): the
    result is on the GPU and equals the all-CPU result."""
    import numpy as np
    import pytensor
    from pytensor.backend import as_host
    from tests.parity import make_inputs
    arrays = make_inputs(case, shapes, "float32", 0)
    cpu = case.fn(pytensor, *[None if a is None else pytensor.tensor(a)
                              for a in arrays])
    ins = [None if a is None else pytensor.tensor(
        a, device="cpu" if i == cpu_input else "cuda:1")
        for i, a in enumerate(arrays)]
    with pytensor.device("cuda:1"):     # tensors the row builds itself
        if case.name in SCALAR_MIX_RAISES:
            with pytest.raises(RuntimeError, match="cuda:1 and cpu|cpu and "
                               "cuda:1"):
                case.fn(pytensor, *ins)
            return
        mixed = case.fn(pytensor, *ins)
    cpu = cpu if isinstance(cpu, (tuple, list)) else (cpu,)
    mixed = mixed if isinstance(mixed, (tuple, list)) else (mixed,)
    for c, m in zip(cpu, mixed):
        if isinstance(m, pytensor.Tensor):
            assert m.device == "cuda:1", f"{case.name}: {m.device}"
            np.testing.assert_allclose(as_host(m._data), c.numpy(force=True),
                                       rtol=1e-5, atol=1e-6)
