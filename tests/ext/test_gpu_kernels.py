"""The GPU kernel namespace.

Without a GPU: every CPU kernel name exists in ``pytensor_ext.gpu`` with the
reference's signature, importing it does not import CuPy, and kernel names
follow the convention.  With one (``gpu`` marker): every GPU kernel against
the NumPy reference, including strided inputs, NaN/Inf and the scatter
kernels' errors.
"""
import inspect
import re
import subprocess
import sys

import numpy as np
import pytest

import pytensor_ext
from pytensor_ext import cpu, gpu, reference as ref
from pytensor_ext.gpu import _registry
from tests.ext._util import assert_matches, random, with_specials


def _public(module):
    return {n for n in ref.KERNEL_NAMES if callable(getattr(module, n, None))}


def test_every_cpu_kernel_exists_in_gpu():
    assert _public(cpu) == set(ref.KERNEL_NAMES)
    missing = _public(cpu) - _public(gpu)
    assert not missing, f"GPU twins missing: {sorted(missing)}"
    assert callable(gpu.available)


@pytest.mark.parametrize("name", ref.KERNEL_NAMES)
def test_signatures_match_the_reference(name):
    want = list(inspect.signature(getattr(ref, name)).parameters)
    for module in (cpu, gpu):
        got = list(inspect.signature(getattr(module, name)).parameters)
        assert got == want, (module.__name__, name, got, want)


def test_importing_the_gpu_namespace_does_not_import_cupy():
    code = ("import sys, pytensor_ext, pytensor_ext.gpu as g; "
            "names = [n for n in pytensor_ext.KERNEL_NAMES if hasattr(g, n)]; "
            "print(len(names), 'cupy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == [str(len(ref.KERNEL_NAMES)), "False"]


def test_kernels_for_picks_the_namespace():
    assert pytensor_ext.kernels_for(np.ones(2)) is cpu
    assert isinstance(gpu.available(), bool)


def test_kernel_names_follow_the_convention():
    names = list(_registry.ELEMENTWISE) + list(_registry.REDUCTION) + [
        e.split("<")[0] for d in _registry.RAW.values()
        for e in d.name_expressions]
    assert names and all(n.startswith("pytensor_") for n in names)
    # pytensor_<op>_<fwd|bwd>, pytensor_<optimizer>[_<variant>]_step, or
    # pytensor_<kernel> for the kernels that are neither.
    pattern = re.compile(r"^pytensor_[a-z0-9_]+_(fwd|bwd|step)$")
    plain = {"pytensor_" + k for k in ref.KERNEL_NAMES}
    for name in names:
        assert pattern.match(name) or name in plain, name
    with pytest.raises(ValueError, match="must start with 'pytensor_'"):
        _registry.elementwise("relu2_fwd", "T x", "T y", "y = x")


# --- on a GPU --------------------------------------------------------------
UNARY = [("relu_fwd", ()), ("sigmoid_fwd", ()), ("tanh_fwd", ()),
         ("gelu_fwd", ("none",)), ("gelu_fwd", ("tanh",)), ("silu_fwd", ()),
         ("erf_fwd", ()), ("erfc_fwd", ())]
BINARY = [("relu_bwd", ()), ("sigmoid_bwd", ()), ("tanh_bwd", ()),
          ("gelu_bwd", ("none",)), ("gelu_bwd", ("tanh",)), ("silu_bwd", ())]
DTYPES = (np.float32, np.float64)


@pytest.fixture
def cp():
    import cupy
    return cupy


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name,extra", UNARY)
def test_gpu_forward(cp, name, extra, dtype):
    x = with_specials(np.random.default_rng(0), (300, 7), dtype)
    with np.errstate(all="ignore"):
        want = getattr(ref, name)(x, *extra)
    got = getattr(gpu, name)(cp.asarray(x)[:, ::2], *extra)
    assert_matches(cp.asnumpy(got), want[:, ::2], atol=1e-5 if dtype ==
                   np.float32 else 1e-12)


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name,extra", BINARY)
def test_gpu_backward(cp, name, extra, dtype):
    rng = np.random.default_rng(1)
    a = random(rng, (257, 3), dtype)
    g = random(rng, (257, 3), dtype)
    got = getattr(gpu, name)(cp.asarray(a), cp.asarray(g), *extra)
    assert_matches(cp.asnumpy(got), getattr(ref, name)(a, g, *extra),
                   atol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.gpu
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("shape", [(64, 10), (3, 1000), (2, 700, 3)],
                         ids=str)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_gpu_softmax(cp, name, shape, dim):
    for dtype in DTYPES:
        x = random(np.random.default_rng(2), shape, dtype)
        gy = random(np.random.default_rng(3), shape, dtype)
        y = getattr(gpu, name + "_fwd")(cp.asarray(x), dim)
        tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else {}
        assert_matches(cp.asnumpy(y), getattr(ref, name + "_fwd")(x, dim),
                       **tol)
        yh = cp.asnumpy(y)
        gx = getattr(gpu, name + "_bwd")(y, cp.asarray(gy), dim)
        assert_matches(cp.asnumpy(gx),
                       getattr(ref, name + "_bwd")(yh, gy, dim), **tol)


@pytest.mark.gpu
def test_gpu_softmax_nan_rows(cp):
    x = np.array([[1.0, np.nan, 2.0], [np.inf, 1.0, 0.0], [0.0, 1.0, 2.0]])
    y = cp.asnumpy(gpu.softmax_fwd(cp.asarray(x), 1))
    assert np.isnan(y[:2]).all()
    assert np.allclose(y[2], ref.softmax_fwd(x, 1)[2])


@pytest.mark.gpu
@pytest.mark.parametrize("shape,target", [((128, 512), (512,)),
                                          ((8, 16, 5, 7), (1, 16, 1, 1)),
                                          ((4, 5, 6), (4, 1, 6))], ids=str)
def test_gpu_sum_to_shape(cp, shape, target):
    x = random(np.random.default_rng(4), shape, np.float64)
    got = gpu.sum_to_shape(cp.asarray(x), target)
    np.testing.assert_allclose(cp.asnumpy(got), ref.sum_to_shape(x, target),
                               rtol=1e-12)
    same = cp.asarray(x)
    assert gpu.sum_to_shape(same, shape) is same


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_gpu_index_add_and_scatter_add(cp, dtype):
    rng = np.random.default_rng(5)
    t = random(rng, (50, 8), dtype)
    idx = rng.integers(-50, 50, 300)
    src = random(rng, (300, 8), dtype)
    got = gpu.index_add(cp.asarray(t), 0, cp.asarray(idx), cp.asarray(src))
    want = ref.index_add(t.copy(), 0, idx, src)
    np.testing.assert_allclose(cp.asnumpy(got), want, rtol=1e-5, atol=1e-5)
    t2 = random(rng, (6, 40), dtype)
    sidx = rng.integers(0, 40, (5, 70))
    ssrc = random(rng, (6, 80), dtype)
    got = gpu.scatter_add(cp.asarray(t2), 1, cp.asarray(sidx),
                          cp.asarray(ssrc))
    want = ref.scatter_add(t2.copy(), 1, sidx, ssrc)
    np.testing.assert_allclose(cp.asnumpy(got), want, rtol=1e-5, atol=1e-5)


@pytest.mark.gpu
def test_gpu_scatter_errors(cp):
    t = cp.zeros((5, 3))
    with pytest.raises(IndexError, match=r"^index_add: index 5 is out of "):
        gpu.index_add(t, 0, cp.asarray([0, 5]), cp.ones((2, 3)))
    assert not bool(t.any())
    with pytest.raises(ValueError, match=r"^scatter_add: expected index"):
        gpu.scatter_add(t, 0, cp.zeros((2, 4), cp.int64), cp.ones((2, 3)))
