"""Module parity with PyTorch for modules with several inputs and outputs
(recurrent layers, attention): same weights, same inputs, a random upstream
gradient on every float output; compares outputs, input gradients and
every parameter gradient."""
import numpy as np

import pytensor
from tests.nn._torch import copy_state
from tests.parity import assert_close

TOL = {"float32": dict(atol=2e-5, rtol=2e-4, gatol=2e-4, grtol=2e-3),
       "float64": dict(atol=1e-10, rtol=1e-7, gatol=1e-9, grtol=1e-6)}


def _flat(x):
    if isinstance(x, (tuple, list)):
        out = []
        for v in x:
            out.extend(_flat(v))
        return out
    return [x]


def np_of(x):
    if x.__class__.__module__.startswith("torch"):
        return x.detach().numpy()
    return np.asarray(x._data)


def check_multi(torch, th_mod, pt_mod, args, dtype, kwargs=None,
                grad_args=None, seed=0, tol=None, train=True):
    """``args``: NumPy arrays (or None / non-arrays passed as they are) or
    tuples of arrays; ``grad_args``: indices of the args (or tuple
    members, as ``(i, j)``) whose gradients are compared (default every
    float array).  ``kwargs``: NumPy arrays or plain values."""
    tol = tol or TOL[dtype]
    if dtype == "float64":
        th_mod.double()
        pt_mod.double()
    copy_state(th_mod, pt_mod)
    th_mod.train(train)
    pt_mod.train(train)
    kwargs = kwargs or {}

    def conv(a, lib, req):
        if isinstance(a, np.ndarray):
            t = (torch.from_numpy(a.copy()) if lib == "th"
                 else pytensor.from_numpy(a.copy()))
            if req and a.dtype.kind == "f":
                t.requires_grad_(True)
            return t
        return a

    def build(lib):
        ins, leaves = [], {}
        for i, a in enumerate(args):
            if isinstance(a, tuple):
                parts = []
                for j, b in enumerate(a):
                    req = grad_args is None or (i, j) in grad_args
                    t = conv(b, lib, req)
                    if isinstance(b, np.ndarray) and req:
                        leaves[(i, j)] = t
                    parts.append(t)
                ins.append(tuple(parts))
            else:
                req = grad_args is None or i in grad_args
                t = conv(a, lib, req)
                if isinstance(a, np.ndarray) and req and a.dtype.kind == "f":
                    leaves[i] = t
                ins.append(t)
        kw = {k: conv(v, lib, False) for k, v in kwargs.items()}
        return ins, kw, leaves

    th_in, th_kw, th_leaves = build("th")
    pt_in, pt_kw, pt_leaves = build("pt")
    th_out = [o for o in _flat(th_mod(*th_in, **th_kw)) if o is not None]
    pt_out = [o for o in _flat(pt_mod(*pt_in, **pt_kw)) if o is not None]
    assert len(th_out) == len(pt_out)
    name = type(pt_mod).__name__
    for k, (p, t) in enumerate(zip(pt_out, th_out)):
        assert tuple(p.shape) == tuple(t.shape), (k, p.shape, t.shape)
        assert_close(np_of(p), np_of(t), tol["atol"], tol["rtol"],
                     f"{name} output {k} ({dtype})")
    rng = np.random.default_rng(seed)
    th_roots, pt_roots, th_g, pt_g = [], [], [], []
    for p, t in zip(pt_out, th_out):
        if not t.requires_grad:
            continue
        g = rng.standard_normal(tuple(t.shape)).astype(np_of(t).dtype)
        th_roots.append(t)
        pt_roots.append(p)
        th_g.append(torch.from_numpy(g.copy()))
        pt_g.append(pytensor.from_numpy(g.copy()))
    if not th_roots:
        return pt_out, th_out
    torch.autograd.backward(th_roots, th_g)
    pytensor.autograd.backward(pt_roots, pt_g)
    for key, t in th_leaves.items():
        p = pt_leaves[key]
        if t.grad is None:
            assert p.grad is None or not np.any(np_of(p.grad)), key
            continue
        assert p.grad is not None, f"{name}: no gradient for input {key}"
        assert_close(np_of(p.grad), np_of(t.grad), tol["gatol"],
                     tol["grtol"], f"{name} grad of input {key} ({dtype})")
    th_params = dict(th_mod.named_parameters())
    pt_params = dict(pt_mod.named_parameters())
    assert list(th_params) == list(pt_params)
    for pname, tp in th_params.items():
        p = pt_params[pname]
        if tp.grad is None:
            assert p.grad is None or not np.any(np_of(p.grad)), pname
            continue
        assert p.grad is not None, f"{name}: no gradient for {pname}"
        assert_close(np_of(p.grad), np_of(tp.grad), tol["gatol"],
                     tol["grtol"], f"{name} grad of {pname} ({dtype})")
    return pt_out, th_out
