"""Devices on a real GPU: transfers, DLPack with CuPy (and torch), memory
statistics, synchronisation, random streams, errors and the tape.

Skipped without a GPU (marker ``gpu``).  Tests needing two GPUs, or torch
with CUDA, skip themselves when those are missing.
"""
import gc

import numpy as np
import pytest

import pytensor
import pytensor_ext

pytestmark = pytest.mark.gpu


@pytest.fixture
def cp():
    import cupy
    return cupy


@pytest.fixture
def real_cp(cp):
    """CuPy itself (not the fake of PYTENSOR_FAKE_GPU=1 runs)."""
    if cp.__version__ == "fake":
        pytest.skip("needs the real CuPy")
    return cp


def two_gpus():
    if pytensor.cuda.device_count() < 2:
        pytest.skip("needs two GPUs")


# ---------------------------------------------------------------------------
# Placement and transfers
def test_device_basics(cp):
    assert pytensor.cuda.is_available()
    assert pytensor.cuda.device_count() >= 1
    name = pytensor.cuda.get_device_name()
    assert isinstance(name, str) and name
    major, minor = pytensor.cuda.get_device_capability()
    assert major >= 5
    props = pytensor.cuda.get_device_properties(0)
    assert props.total_memory > 2 ** 30 and props.name == name
    free, total = pytensor.cuda.mem_get_info()
    assert 0 < free <= total
    x = pytensor.ones(2, 3, device="cuda")
    assert x.device == pytensor.device("cuda", 0) and x.is_cuda
    assert isinstance(x._data, cp.ndarray)
    assert x.device == "cuda:0"
    assert repr(x) == ("tensor([[1., 1., 1.],\n        [1., 1., 1.]], "
                       "device='cuda:0')")


FACTORIES = [
    lambda: pytensor.tensor([[1.0, 2.0]], device="cuda"),
    lambda: pytensor.zeros(2, 3, device="cuda"),
    lambda: pytensor.ones(4, device=0),
    lambda: pytensor.full((2,), 3.5, device=pytensor.device("cuda:0")),
    lambda: pytensor.empty(5, device="cuda"),
    lambda: pytensor.arange(0, 1, 0.25, device="cuda"),
    lambda: pytensor.linspace(0, 1, 7, device="cuda"),
    lambda: pytensor.logspace(0, 3, 4, device="cuda"),
    lambda: pytensor.eye(3, device="cuda"),
    lambda: pytensor.rand(3, device="cuda"),
    lambda: pytensor.randn(3, device="cuda"),
    lambda: pytensor.randint(0, 10, (3,), device="cuda"),
    lambda: pytensor.randperm(5, device="cuda"),
    lambda: pytensor.normal(0.0, 1.0, (3,), device="cuda"),
    lambda: pytensor.zeros_like(pytensor.ones(2, device="cuda")),
    lambda: pytensor.scalar_tensor(2.0, device="cuda"),
]


@pytest.mark.parametrize("i", range(len(FACTORIES)))
def test_factories(cp, i):
    t = FACTORIES[i]()
    assert t.device == "cuda:0" and isinstance(t._data, cp.ndarray)


def test_factory_values():
    assert pytensor.arange(0, 1, 0.25, device="cuda").tolist() == \
        [0.0, 0.25, 0.5, 0.75]
    assert pytensor.eye(2, 3, device="cuda").tolist() == [[1, 0, 0],
                                                          [0, 1, 0]]
    assert pytensor.full((2,), 7, device="cuda").dtype == pytensor.int64
    assert pytensor.linspace(-1, 1, 3, device="cuda").tolist() == [-1, 0, 1]


@pytest.mark.parametrize("dtype", [pytensor.float32, pytensor.float64,
                                   pytensor.float16, pytensor.int64,
                                   pytensor.int32, pytensor.uint8,
                                   pytensor.bool])
def test_roundtrip_dtypes(dtype):
    x = pytensor.tensor([0, 1, 2], dtype=dtype)
    g = x.cuda()
    assert g.dtype == dtype and g.device == "cuda:0"
    back = g.cpu()
    assert back.device == "cpu" and back.tolist() == x.tolist()


def test_transfers_are_differentiable():
    x = pytensor.tensor([1.0, -2.0, 3.0], requires_grad=True)
    w = pytensor.tensor([2.0, 3.0, 4.0], device="cuda")
    y = (x.to("cuda") * w).exp().sum()
    assert y.device == "cuda:0"
    y.backward()
    assert x.grad.device == "cpu"
    expected = (np.array([2.0, 3.0, 4.0]) *
                np.exp(np.array([2.0, -6.0, 12.0])))
    assert np.allclose(x.grad.numpy(), expected, rtol=1e-5)
    # And back: a CUDA leaf, the loss on the CPU.
    z = pytensor.tensor([0.5, 1.5], device="cuda", requires_grad=True)
    (z.cpu() ** 2).sum().backward()
    assert z.grad.device == "cuda:0" and z.grad.tolist() == [1.0, 3.0]
    # Double backward through transfers.
    v = pytensor.tensor([1.5], requires_grad=True)
    (g,) = pytensor.autograd.grad((v.cuda() ** 3).sum(), v,
                                  create_graph=True)
    (gg,) = pytensor.autograd.grad(g.sum(), v)
    assert g.device == "cpu" and abs(gg.item() - 9.0) < 1e-6


def test_to_variants():
    x = pytensor.tensor([1.5, 2.5])
    assert x.to("cuda", pytensor.float64).dtype == pytensor.float64
    assert x.to("cuda", non_blocking=True).device == "cuda:0"
    g = x.cuda()
    assert g.cuda() is g and g.to("cuda:0") is g and g.to(0) is g
    assert g.to(pytensor.ones(1, dtype=pytensor.int32)).device == "cpu"
    c = g.to("cuda", copy=True)
    assert c is not g and c.data_ptr() != g.data_ptr()
    assert g.double().device == "cuda:0"


def test_two_gpus():
    two_gpus()
    x = pytensor.arange(4.0, device="cuda:1", requires_grad=True)
    assert x.device == "cuda:1"
    y = (x.to("cuda:0") * 2).sum()
    y.backward()
    assert x.grad.device == "cuda:1" and x.grad.tolist() == [2.0] * 4
    w = pytensor.randn(4, 4, device="cuda:1", requires_grad=True)
    ((w @ w).exp().sum()).backward()
    assert w.grad.device == "cuda:1"
    with pytest.raises(RuntimeError, match="cuda:1 and cuda:0|cuda:0 and "
                                           "cuda:1"):
        x + pytensor.ones(4, device="cuda:0")


# ---------------------------------------------------------------------------
# Host conversions and errors
def test_numpy_on_gpu_tensor_raises():
    x = pytensor.ones(2, device="cuda")
    msg = ("can't convert cuda:0 device type tensor to numpy. Use "
           "Tensor.cpu() to copy the tensor to host memory first.")
    with pytest.raises(TypeError) as e:
        x.numpy()
    assert str(e.value) == msg
    with pytest.raises(TypeError):
        np.asarray(x)
    assert x.cpu().numpy().tolist() == [1.0, 1.0]
    assert x.numpy(force=True).tolist() == [1.0, 1.0]
    assert x.sum().item() == 2.0 and x.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("op", [
    lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a == b,
    lambda a, b: a < b, lambda a, b: a @ b, lambda a, b: a.add_(b),
    lambda a, b: pytensor.where(a > 0, a, b)])
def test_cross_device_error(op):
    a = pytensor.ones(3, device="cuda")
    b = pytensor.ones(3)
    with pytest.raises(RuntimeError) as e:
        op(a, b)
    msg = str(e.value)
    assert "expected all tensors to be on the same device" in msg
    assert "cuda:0" in msg and "cpu" in msg


def test_cpu_scalars_and_python_scalars():
    x = pytensor.tensor([1.0, 2.0], device="cuda", requires_grad=True)
    s = pytensor.tensor(3.0, requires_grad=True)
    y = x * s + 1 - 0.5 * x / 2 + 2 ** x
    assert y.device == "cuda:0"
    y.sum().backward()
    assert s.grad.device == "cpu" and x.grad.device == "cuda:0"
    assert abs(s.grad.item() - 3.0) < 1e-6
    assert (x > 1.5).tolist() == [False, True]
    assert pytensor.where(x > 1.5, x, 0.0).tolist() == [0.0, 2.0]


def test_cuda_kernel_dispatch_and_tape(cp):
    x = pytensor.ones(2, 3, device="cuda", requires_grad=True)
    assert pytensor_ext.kernels_for(x._data) is pytensor_ext.gpu
    with pytensor.debug.record(clear=True) as tape:
        y = (x * 2).sum_to_size(1, 3)
        z = y.cpu()
    recs = list(tape.records)
    assert [r.device for r in recs[-3:]] == ["cuda:0", "cuda:0", "cpu"]
    assert recs[-3].kernel == "cupy.mul"
    assert recs[-2].kernel == "cupy:pytensor_sum_to_shape"
    assert recs[-1].kernel == "cupy.asnumpy"
    assert z.device == "cpu"


def test_empty_and_zero_dim():
    e = pytensor.zeros(0, 3, device="cuda", requires_grad=True)
    (e * 2).sum().backward()
    assert e.grad.shape == (0, 3) and e.grad.device == "cuda:0"
    s = pytensor.tensor(2.0, device="cuda", requires_grad=True)
    (s * s).backward()
    assert s.grad.item() == 4.0 and s.grad.device == "cuda:0"


# ---------------------------------------------------------------------------
# DLPack
def test_dlpack_with_cupy(real_cp):
    cp = real_cp
    a = cp.arange(6, dtype=cp.float32).reshape(2, 3)
    t = pytensor.from_dlpack(a)
    assert t.device == "cuda:0" and t.dtype == pytensor.float32
    a[0, 0] = 42.0
    assert t.tolist()[0][0] == 42.0             # CuPy's write seen
    t.mul_(2)
    assert float(a[0, 0]) == 84.0               # pytensor's write seen
    b = cp.from_dlpack(t)
    assert b.data.ptr == a.data.ptr
    assert t.__dlpack_device__() == (2, 0)
    # A strided view keeps its strides.
    v = pytensor.from_dlpack(a.T)
    assert v.stride() == (1, 3) and v.tolist() == a.T.get().tolist()
    assert cp.from_dlpack(t.t().detach()).strides == a.T.strides


def test_cuda_array_interface(real_cp):
    cp = real_cp
    t = pytensor.arange(6.0, device="cuda").reshape(2, 3)
    a = cp.asarray(t)                       # zero copy
    assert a.data.ptr == t.data_ptr() and a.shape == (2, 3)
    a[0, 0] = 5.0
    assert t.tolist()[0][0] == 5.0
    with pytest.raises(RuntimeError, match="requires grad"):
        pytensor.ones(2, device="cuda",
                      requires_grad=True).__cuda_array_interface__


def test_dlpack_with_torch(real_cp):
    torch = pytest.importorskip("torch")
    c = torch.arange(4.0)
    t = pytensor.from_dlpack(c)                 # CPU, zero copy
    t.add_(1)
    assert c.tolist() == [1.0, 2.0, 3.0, 4.0]
    g = t.cuda()
    assert torch.from_dlpack(g.cpu()).tolist() == [1.0, 2.0, 3.0, 4.0]
    if not torch.cuda.is_available():
        pytest.skip("torch has no CUDA here: CPU DLPack only")
    tc = torch.arange(3.0, device="cuda")
    p = pytensor.from_dlpack(tc)
    assert p.device == "cuda:0"
    tc.mul_(10)
    torch.cuda.synchronize()
    assert p.tolist() == [0.0, 10.0, 20.0]
    back = torch.from_dlpack(p)
    assert back.device.type == "cuda" and back.data_ptr() == tc.data_ptr()


# ---------------------------------------------------------------------------
# Memory statistics and synchronisation
def test_memory_stats_move():
    c = pytensor.cuda
    gc.collect()
    c.synchronize()
    base = c.memory_allocated()
    x = pytensor.zeros(16 * 2 ** 20, device="cuda")          # 64 MiB
    assert c.memory_allocated() - base >= 64 * 2 ** 20
    assert c.memory_reserved() >= c.memory_allocated()
    c.reset_peak_memory_stats()
    peak0 = c.max_memory_allocated()
    assert peak0 == c.memory_allocated()
    y = (x + 1) * 2                     # two 64 MiB temporaries ...
    del y                               # ... gone before the next query
    gc.collect()
    assert c.memory_allocated() == peak0
    assert c.max_memory_allocated() >= peak0 + 2 * 64 * 2 ** 20
    stats = c.memory_stats()
    assert stats["allocated_bytes.all.peak"] == c.max_memory_allocated()
    del x
    gc.collect()
    assert c.memory_allocated() == base
    reserved = c.memory_reserved()
    c.empty_cache()
    assert c.memory_reserved() < reserved
    assert c.max_memory_reserved() >= reserved


def test_synchronize():
    a = pytensor.randn(1024, 1024, device="cuda")
    for _ in range(4):
        a = a @ a / 32
    pytensor.cuda.synchronize()
    pytensor.cuda.synchronize(0)
    pytensor.cuda.synchronize("cuda:0")
    assert a.shape == (1024, 1024)


# ---------------------------------------------------------------------------
# Random streams
DRAWS = [
    lambda g=None: pytensor.rand(5, device="cuda", generator=g),
    lambda g=None: pytensor.randn(5, device="cuda", generator=g),
    lambda g=None: pytensor.randint(0, 1000, (5,), device="cuda",
                                    generator=g),
    lambda g=None: pytensor.randperm(8, device="cuda", generator=g),
    lambda g=None: pytensor.normal(1.0, 2.0, (5,), device="cuda",
                                   generator=g),
    lambda g=None: pytensor.rand(5, device="cuda", dtype=pytensor.float64,
                                 generator=g),
]


@pytest.mark.parametrize("i", range(len(DRAWS)))
def test_manual_seed_reproducible(i):
    draw = DRAWS[i]
    pytensor.manual_seed(1234)
    a = draw()
    pytensor.manual_seed(1234)
    b = draw()
    assert a.device == "cuda:0" and a.tolist() == b.tolist()
    pytensor.cuda.manual_seed(99)
    c = draw()
    pytensor.cuda.manual_seed(99)
    assert draw().tolist() == c.tolist()
    g = pytensor.Generator("cuda").manual_seed(7)
    d = draw(g)
    g.manual_seed(7)
    assert draw(g).tolist() == d.tolist()


def test_random_statistics():
    pytensor.manual_seed(0)
    u = pytensor.rand(200_000, device="cuda").cpu().numpy()
    assert 0 <= u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    n = pytensor.randn(200_000, device="cuda").cpu().numpy()
    assert abs(n.mean()) < 0.01 and abs(n.std() - 1) < 0.01
    p = pytensor.randperm(1000, device="cuda").cpu().numpy()
    assert sorted(p.tolist()) == list(range(1000))
    b = pytensor.bernoulli(pytensor.full((100_000,), 0.3, device="cuda"))
    assert abs(b.cpu().numpy().mean() - 0.3) < 0.01
    probs = pytensor.tensor([0.2, 0.0, 0.8], device="cuda")
    m = pytensor.multinomial(probs, 20_000, replacement=True).cpu().numpy()
    assert 1 not in m and abs((m == 2).mean() - 0.8) < 0.02
    w = pytensor.multinomial(pytensor.tensor([[1.0, 0.0, 2.0, 3.0]] * 4,
                                             device="cuda"), 3)
    assert w.shape == (4, 3)
    for row in w.tolist():
        assert sorted(row) == [0, 2, 3]
