"""Table-driven op tests: PyTorch parity (forward and backward) and float64
gradcheck, generated from :class:`OpCase` rows.

A row names one call, written once for both libraries::

    OpCase("add", lambda T, a, b: T.add(a, b, alpha=2),
           shapes=[((3, 4), (4,)), ((), ()), ((0, 3), (3,))])

``T`` is ``pytensor`` or ``torch``; the inputs are tensors of that library
built from the same NumPy values.  Where the APIs differ, pass ``torch_fn``.
For every row, dtype (float32/float64) and layout (contiguous, and a
non-contiguous strided view of the same values), :func:`check_parity`
compares outputs (values, shape, dtype) and the input gradients for a random
upstream gradient; :func:`check_gradcheck` runs ``pytensor.autograd.
gradcheck`` in float64.  ``parametrize(CASES)`` turns a table into pytest
parameters.
"""
import dataclasses
import zlib
from typing import Callable, Optional, Sequence

import numpy as np
import pytest

import pytensor
from tests.conftest import require_torch

DTYPES = ("float32", "float64")
LAYOUTS = ("contiguous", "strided")


@dataclasses.dataclass
class OpCase:
    """One row of an op table.

    Attributes:
        name: the test id.
        fn: ``fn(T, *inputs)``; ``T`` is the library module.
        shapes: list of input-shape tuples, one tuple per call.
        torch_fn: a different callable for torch, if the API differs.
        domain: (low, high) for uniform inputs, or a list of them per input,
            or a callable ``(rng, shape, dtype) -> ndarray`` (or list of).
        grad: check gradients (False for non-differentiable ops).
        grad_inputs: indices of the inputs that require grad (default all
            float inputs).
        int_inputs: indices of inputs that are int64 (indices, counts).
        int_domain: (low, high) for integer inputs.
        bool_inputs: indices of inputs that are bool masks.
        dtypes: which float dtypes to test.
        atol, rtol: forward tolerances for float32 (float64 uses 1e-10).
        grad_atol, grad_rtol: backward tolerances for float32.
        gradcheck: run float64 gradcheck (skipped above ``max_gc_numel``).
        gradcheck_kwargs: passed to gradcheck (eps, atol, rtol).
        check_dtype: compare output dtypes by name.
        layouts: which layouts to test.
        outputs: which outputs to compare/backprop (default all float ones).
    """

    name: str
    fn: Callable
    shapes: Sequence
    torch_fn: Optional[Callable] = None
    domain: object = (-2.0, 2.0)
    grad: bool = True
    grad_inputs: Optional[Sequence[int]] = None
    int_inputs: Sequence[int] = ()
    int_domain: tuple = (0, 3)
    bool_inputs: Sequence[int] = ()
    dtypes: Sequence[str] = DTYPES
    atol: float = 1e-5
    rtol: float = 1e-4
    grad_atol: float = 1e-4
    grad_rtol: float = 1e-3
    gradcheck: bool = True
    gradcheck_kwargs: dict = dataclasses.field(default_factory=dict)
    check_dtype: bool = True
    layouts: Sequence[str] = LAYOUTS
    max_gc_numel: int = 60
    outputs: Optional[Sequence[int]] = None
    marks: Sequence = ()

    def torch_call(self):
        return self.torch_fn or self.fn


def _seed_of(*parts):
    return zlib.crc32("|".join(map(str, parts)).encode())


def make_inputs(case, shapes, dtype, seed):
    """NumPy inputs for one call (identical for both libraries)."""
    rng = np.random.default_rng(seed)
    out = []
    for i, shape in enumerate(shapes):
        if shape is None:           # a placeholder: no tensor at this slot
            out.append(None)
            continue
        if i in case.int_inputs:
            lo, hi = case.int_domain if not callable(case.int_domain) else \
                (0, 1)
            out.append(np.asarray(rng.integers(lo, hi, size=shape), np.int64))
            continue
        if i in case.bool_inputs:
            out.append(np.asarray(rng.random(shape) < 0.5))
            continue
        dom = case.domain
        if isinstance(dom, list):
            dom = dom[i]
        if callable(dom):
            arr = np.asarray(dom(rng, shape, dtype))
        else:
            lo, hi = dom
            arr = rng.uniform(lo, hi, size=shape)
        out.append(np.asarray(arr, dtype=dtype))
    return out


def strided(arr, xp=np):
    """The same values as a non-contiguous array (a strided view); ``xp``
    is the array module (``cupy`` builds the view on the GPU)."""
    if arr is None or arr.ndim == 0:
        return arr
    big = xp.zeros(arr.shape[:-1] + (arr.shape[-1] * 2,), arr.dtype)
    view = big[..., ::2]
    view[...] = arr
    if arr.ndim >= 2:
        # Also transpose the storage so the view is not merely strided.
        bigt = xp.zeros(arr.shape[::-1], arr.dtype).T
        bigt[...] = arr
        return bigt if arr.shape[-1] > 1 and arr.shape[-2] > 1 else view
    return view


def _to_pt(arr, requires):
    if arr is None:
        return None
    t = pytensor.from_numpy(arr)
    if requires:
        t.requires_grad_(True)
    return t


def _to_torch(torch, arr, requires):
    if arr is None:
        return None
    t = torch.from_numpy(arr)
    if requires:
        t.requires_grad_(True)
    return t


def _outs(r):
    return tuple(r) if isinstance(r, (tuple, list)) else (r,)


def _np(x):
    if hasattr(x, "detach") and hasattr(x, "numpy") and \
            x.__class__.__module__.startswith("torch"):
        return x.detach().numpy()
    return np.asarray(x._data) if hasattr(x, "_data") else np.asarray(x)


def _grad_idx(case, arrays):
    if case.grad_inputs is not None:
        return [i for i in case.grad_inputs if arrays[i] is not None]
    return [i for i, a in enumerate(arrays)
            if a is not None and i not in case.int_inputs
            and i not in case.bool_inputs and a.dtype.kind == "f"]


def assert_close(actual, expected, atol, rtol, what):
    a = np.asarray(actual)
    e = np.asarray(expected)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != torch {e.shape}"
    if e.dtype.kind == "f" or a.dtype.kind == "f":
        ok = np.isclose(a.astype(np.float64), e.astype(np.float64),
                        atol=atol, rtol=rtol, equal_nan=True)
        if not ok.all():
            idx = np.argwhere(~ok)[0]
            idx_t = tuple(int(i) for i in idx)
            raise AssertionError(
                f"{what}: {int((~ok).sum())}/{ok.size} elements differ; "
                f"first at {list(idx_t)}: pytensor {a[idx_t]!r} vs torch "
                f"{e[idx_t]!r}")
    else:
        assert np.array_equal(a, e), f"{what}: {a!r} != torch {e!r}"


def check_parity(case, shapes, dtype, layout):
    """Forward and backward parity of one call against PyTorch."""
    torch = require_torch()
    seed = _seed_of(case.name, shapes, dtype)
    arrays = make_inputs(case, shapes, dtype, seed)
    if layout == "strided":
        arrays = [strided(a) for a in arrays]
    gidx = _grad_idx(case, arrays) if case.grad else []
    pt_in = [_to_pt(a, i in gidx) for i, a in enumerate(arrays)]
    th_in = [_to_torch(torch, a, i in gidx) for i, a in enumerate(arrays)]
    pt_out = _outs(case.fn(pytensor, *pt_in))
    th_out = _outs(case.torch_call()(torch, *th_in))
    assert len(pt_out) == len(th_out), \
        f"{case.name}: {len(pt_out)} outputs vs torch {len(th_out)}"
    f32 = dtype == "float32"
    atol, rtol = (case.atol, case.rtol) if f32 else (1e-10, 1e-7)
    sel = case.outputs if case.outputs is not None else range(len(pt_out))
    for k in sel:
        p, t = pt_out[k], th_out[k]
        if case.check_dtype and hasattr(t, "dtype"):
            tname = str(t.dtype).replace("torch.", "")
            pname = p.dtype.name if hasattr(p, "dtype") and hasattr(
                p.dtype, "name") else str(np.asarray(p).dtype)
            assert pname == tname, \
                f"{case.name} output {k}: dtype {pname} != torch {tname}"
        assert_close(_np(p), _np(t), atol, rtol,
                     f"{case.name} output {k} ({dtype}, {layout})")
    if not gidx:
        return
    # Backward: a random upstream gradient for every float output.
    rng = np.random.default_rng(seed + 1)
    pt_roots, th_roots, pt_g, th_g = [], [], [], []
    for k in sel:
        p, t = pt_out[k], th_out[k]
        if not getattr(t, "requires_grad", False):
            continue
        g = rng.standard_normal(t.shape).astype(_np(t).dtype)
        pt_roots.append(p)
        th_roots.append(t)
        pt_g.append(pytensor.from_numpy(g.copy()))
        th_g.append(torch.from_numpy(g.copy()))
    if not th_roots:
        return
    pt_inputs = [pt_in[i] for i in gidx]
    th_inputs = [th_in[i] for i in gidx]
    pg = pytensor.autograd.grad(pt_roots, pt_inputs, pt_g, allow_unused=True)
    tg = torch.autograd.grad(th_roots, th_inputs, th_g, allow_unused=True)
    gatol, grtol = (case.grad_atol, case.grad_rtol) if f32 else (1e-9, 1e-6)
    for i, a, b in zip(gidx, pg, tg):
        if b is None:
            assert a is None or not np.any(_np(a)), \
                f"{case.name}: torch has no grad for input {i}"
            continue
        assert a is not None, f"{case.name}: no gradient for input {i}"
        assert a.shape == tuple(b.shape), \
            f"{case.name} grad {i}: shape {a.shape} != torch {tuple(b.shape)}"
        assert_close(_np(a), _np(b), gatol, grtol,
                     f"{case.name} grad of input {i} ({dtype}, {layout})")


def check_gradcheck(case, shapes):
    """float64 gradcheck of one call (small shapes only)."""
    arrays = make_inputs(case, shapes, "float64",
                         _seed_of(case.name, shapes, "gc"))
    gidx = _grad_idx(case, arrays)
    if not gidx:
        pytest.skip("no differentiable inputs")
    if any(arrays[i].size > case.max_gc_numel for i in gidx):
        pytest.skip("too large for gradcheck")
    inputs = [_to_pt(a, i in gidx) for i, a in enumerate(arrays)]
    kw = dict(eps=1e-6, atol=1e-5, rtol=1e-3)
    kw.update(case.gradcheck_kwargs)
    assert pytensor.autograd.gradcheck(
        lambda *xs: case.fn(pytensor, *xs), tuple(inputs), **kw)


def parity_params(cases):
    """pytest params (case, shapes, dtype, layout) for check_parity."""
    out = []
    for c in cases:
        for si, shapes in enumerate(c.shapes):
            for dt in c.dtypes:
                for lay in c.layouts:
                    out.append(pytest.param(
                        c, shapes, dt, lay, id=f"{c.name}-{si}-{dt}-{lay}",
                        marks=list(c.marks)))
    return out


def gradcheck_params(cases):
    out = []
    for c in cases:
        if not (c.grad and c.gradcheck):
            continue
        for si, shapes in enumerate(c.shapes):
            out.append(pytest.param(c, shapes, id=f"{c.name}-{si}",
                                    marks=list(c.marks)))
    return out


def define_tests(cases, namespace):
    """Add ``test_parity`` and ``test_gradcheck`` for a table to a test
    module's namespace: ``define_tests(CASES, globals())``."""

    @pytest.mark.torch
    @pytest.mark.parametrize("case,shapes,dtype,layout", parity_params(cases))
    def test_parity(case, shapes, dtype, layout):
        check_parity(case, shapes, dtype, layout)

    namespace["test_parity"] = test_parity
    gc_params = gradcheck_params(cases)
    if not gc_params:           # a table of non-differentiable ops
        return

    @pytest.mark.parametrize("case,shapes", gc_params)
    def test_gradcheck(case, shapes):
        check_gradcheck(case, shapes)

    namespace["test_gradcheck"] = test_gradcheck


# Shapes most elementwise rows use: plain, broadcasting, 0-d, empty.
UNARY_SHAPES = [((3, 4),), ((),), ((0, 3),), ((2, 1, 3),)]
BINARY_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (4, 1)),
                 ((), (3,)), ((), ()), ((0, 3), (3,))]


# ---------------------------------------------------------------------------
# The same tables on another device (tests/gpu, and the fake GPU of
# tests/core/test_device_ops.py).
def _on_device(arr, requires, device, layout):
    """``arr`` uploaded to ``device``; for the strided layout the device
    tensor is itself a strided view (built on the device)."""
    if arr is None:
        return None
    t = pytensor.tensor(arr, device=device)
    if layout == "strided" and arr.ndim:
        from pytensor.backend import get_xp
        with pytensor.cuda.device(t.device):
            t = pytensor.as_tensor(strided(t._data, get_xp(t._data)))
    if requires:
        t.requires_grad_(True)
    return t


def _host(t):
    from pytensor.backend import as_host
    return as_host(t._data) if hasattr(t, "_data") else np.asarray(t)


def check_device_parity(case, shapes, dtype, layout, device="cuda",
                        torch_check=True, watch=None):
    """One table row on ``device``: outputs and input gradients must live on
    ``device`` and match the CPU result (and PyTorch's, when
    ``torch_check``), forward and backward.

    ``watch(label)`` may return a context manager wrapped around the device
    forward (label ``"forward"``) and backward (``"backward"``), e.g. to
    count host round trips.
    """
    import contextlib
    watch = watch or (lambda label: contextlib.nullcontext())
    seed = _seed_of(case.name, shapes, dtype)
    arrays = make_inputs(case, shapes, dtype, seed)
    host = [strided(a) for a in arrays] if layout == "strided" else arrays
    gidx = _grad_idx(case, arrays) if case.grad else []
    cpu_in = [_to_pt(a, i in gidx) for i, a in enumerate(host)]
    cpu_out = _outs(case.fn(pytensor, *cpu_in))
    dev_in = [_on_device(a, i in gidx, device, layout)
              for i, a in enumerate(arrays)]
    want = pytensor.backend.resolve_device(device)
    with watch("forward"), pytensor.device(want):
        # Tensors a row builds itself (``T.tensor([0, 2])`` as an index)
        # go to the device, as under ``with torch.device(...)``.
        dev_out = _outs(case.fn(pytensor, *dev_in))
    what = f"{case.name} on {want} ({dtype}, {layout})"
    assert len(dev_out) == len(cpu_out), \
        f"{what}: {len(dev_out)} outputs vs {len(cpu_out)} on the CPU"
    f32 = dtype == "float32"
    atol, rtol = (case.atol, case.rtol) if f32 else (1e-10, 1e-7)
    sel = list(case.outputs if case.outputs is not None
               else range(len(cpu_out)))
    for k in sel:
        p, c = dev_out[k], cpu_out[k]
        if isinstance(c, pytensor.Tensor):
            assert isinstance(p, pytensor.Tensor), \
                f"{what}: output {k} is a {type(p).__name__}"
            assert p.device == want, \
                f"{what}: output {k} is on {p.device}, expected {want}"
            if case.check_dtype:
                assert p.dtype == c.dtype, \
                    f"{what}: output {k} dtype {p.dtype} != CPU {c.dtype}"
        assert_close(_host(p), _host(c), atol, rtol,
                     f"{what}: output {k} vs the CPU result")
    torch = require_torch() if torch_check else None
    if torch is not None:
        th_in = [_to_torch(torch, a, i in gidx) for i, a in enumerate(host)]
        th_out = _outs(case.torch_call()(torch, *th_in))
        for k in sel:
            assert_close(_host(dev_out[k]), _np(th_out[k]), atol, rtol,
                         f"{what}: output {k} vs torch")
    if not gidx:
        return
    rng = np.random.default_rng(seed + 1)
    ks = [k for k in sel if isinstance(cpu_out[k], pytensor.Tensor)
          and cpu_out[k].requires_grad]
    if not ks:
        return
    ups = [rng.standard_normal(cpu_out[k].shape).astype(
        _host(cpu_out[k]).dtype) for k in ks]
    cpu_g = pytensor.autograd.grad(
        [cpu_out[k] for k in ks], [cpu_in[i] for i in gidx],
        [pytensor.from_numpy(u.copy()) for u in ups], allow_unused=True)
    dev_up = [pytensor.tensor(u, device=device) for u in ups]
    with watch("backward"):
        dev_g = pytensor.autograd.grad(
            [dev_out[k] for k in ks], [dev_in[i] for i in gidx], dev_up,
            allow_unused=True)
    gatol, grtol = (case.grad_atol, case.grad_rtol) if f32 else (1e-9, 1e-6)
    for i, a, b in zip(gidx, dev_g, cpu_g):
        if b is None:
            assert a is None or not np.any(_host(a)), \
                f"{what}: gradient for input {i} where the CPU has none"
            continue
        assert a is not None, f"{what}: no gradient for input {i}"
        assert a.device == want, \
            f"{what}: gradient of input {i} is on {a.device}, expected {want}"
        assert_close(_host(a), _host(b), gatol, grtol,
                     f"{what}: grad of input {i} vs the CPU result")
    if torch is not None:
        th_roots = [th_out[k] for k in ks if th_out[k].requires_grad]
        if len(th_roots) == len(ks):
            tg = torch.autograd.grad(
                th_roots, [th_in[i] for i in gidx],
                [torch.from_numpy(u.copy()) for u in ups], allow_unused=True)
            for i, a, b in zip(gidx, dev_g, tg):
                if b is not None and a is not None:
                    assert_close(_host(a), _np(b), gatol, grtol,
                                 f"{what}: grad of input {i} vs torch")
