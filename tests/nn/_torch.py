"""Helpers for module parity with PyTorch: copy a torch module's weights
into a pytensor module, run both on the same input, compare outputs and
every gradient."""
import numpy as np

import pytensor
from tests.parity import assert_close

TOL = {"float32": dict(atol=1e-5, rtol=1e-4, gatol=1e-4, grtol=1e-3),
       "float64": dict(atol=1e-10, rtol=1e-7, gatol=1e-9, grtol=1e-6)}


def copy_state(torch_module, pt_module):
    """Load the torch module's state dict into the pytensor module (the
    keys must match exactly: strict loading)."""
    sd = {k: pytensor.from_numpy(v.detach().cpu().numpy().copy())
          for k, v in torch_module.state_dict().items()}
    pt_module.load_state_dict(sd)


def to_dtype(torch, torch_module, pt_module, dtype):
    if dtype == "float64":
        torch_module.double()
        pt_module.double()
    return torch_module, pt_module


def np_of(x):
    if hasattr(x, "detach") and x.__class__.__module__.startswith("torch"):
        return x.detach().numpy()
    return np.asarray(x._data)


def check_module(torch, th_mod, pt_mod, inputs, dtype, grad_inputs=None,
                 seed=0, tol=None):
    """Copy weights, run forward on ``inputs`` (NumPy arrays) and backward
    with a random upstream gradient; compare output, input gradients and
    every parameter gradient."""
    tol = tol or TOL[dtype]
    to_dtype(torch, th_mod, pt_mod, dtype)
    copy_state(th_mod, pt_mod)
    if grad_inputs is None:
        grad_inputs = [i for i, a in enumerate(inputs)
                       if a.dtype.kind == "f"]
    th_in, pt_in = [], []
    for i, a in enumerate(inputs):
        t = torch.from_numpy(a.copy())
        p = pytensor.from_numpy(a.copy())
        if i in grad_inputs:
            t.requires_grad_(True)
            p.requires_grad_(True)
        th_in.append(t)
        pt_in.append(p)
    th_out = th_mod(*th_in)
    pt_out = pt_mod(*pt_in)
    assert_close(np_of(pt_out), np_of(th_out), tol["atol"], tol["rtol"],
                 f"{type(pt_mod).__name__} output ({dtype})")
    assert str(pt_out.dtype).split(".")[-1] == str(th_out.dtype).split(".")[-1]
    g = np.random.default_rng(seed).standard_normal(th_out.shape).astype(
        np_of(th_out).dtype)
    th_out.backward(torch.from_numpy(g.copy()))
    pt_out.backward(pytensor.from_numpy(g.copy()))
    for i in grad_inputs:
        assert pt_in[i].grad is not None, f"no gradient for input {i}"
        assert_close(np_of(pt_in[i].grad), np_of(th_in[i].grad), tol["gatol"],
                     tol["grtol"], f"grad of input {i} ({dtype})")
    th_params = dict(th_mod.named_parameters())
    for name, p in pt_mod.named_parameters():
        tp = th_params[name]
        if tp.grad is None:
            assert p.grad is None or not np.any(np_of(p.grad)), name
            continue
        assert p.grad is not None, f"no gradient for parameter {name}"
        assert_close(np_of(p.grad), np_of(tp.grad), tol["gatol"],
                     tol["grtol"], f"grad of {name} ({dtype})")
    return pt_out, th_out


def needs_ops(*names):
    """Skip marker for tests that use ops another part of pytensor
    provides (``pytensor.<name>`` or ``Tensor.<name>``), so this suite runs
    on a checkout where they have not landed yet."""
    import pytest
    missing = [n for n in names if not hasattr(pytensor, n)
               and not hasattr(pytensor.Tensor, n)]
    return pytest.mark.skipif(bool(missing),
                              reason=f"needs ops not in this build: "
                                     f"{', '.join(missing)}")
