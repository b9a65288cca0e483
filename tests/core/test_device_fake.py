"""The CUDA code paths of pytensor, run on the CPU against a fake CuPy with
two fake GPUs (``tests/gpu/fakecupy.py``): factories, transfers, printing,
cross-device errors, CPU scalars, memory statistics, random streams, the
tape, and the op harness's power to catch host round trips.

The same behaviour is checked on a real GPU by ``tests/gpu``.
"""
import contextlib
import copy
import gc

import numpy as np
import pytest

import pytensor
import pytensor_ext
from pytensor import backend
from pytensor.autograd.function import Function
from tests.gpu import fakecupy
from tests.parity import OpCase, check_device_parity


@pytest.fixture
def gpu():
    with fakecupy.installed(n_devices=2) as fc:
        yield fc


def dev(s):
    return pytensor.device(s)


# ---------------------------------------------------------------------------
# Factories and placement
FACTORIES = [
    ("tensor", lambda d: pytensor.tensor([[1.0, 2.0]], device=d),
     [[1.0, 2.0]]),
    ("as_tensor", lambda d: pytensor.as_tensor(np.arange(3), device=d),
     [0, 1, 2]),
    ("zeros", lambda d: pytensor.zeros(2, device=d), [0.0, 0.0]),
    ("ones", lambda d: pytensor.ones((1, 2), device=d), [[1.0, 1.0]]),
    ("full", lambda d: pytensor.full((2,), 7, device=d), [7, 7]),
    ("empty", lambda d: pytensor.empty(2, device=d), [0.0, 0.0]),
    ("arange", lambda d: pytensor.arange(0, 1, 0.25, device=d),
     [0, 0.25, 0.5, 0.75]),
    ("arange_int", lambda d: pytensor.arange(3, device=d), [0, 1, 2]),
    ("linspace", lambda d: pytensor.linspace(0, 1, 3, device=d),
     [0, 0.5, 1]),
    ("logspace", lambda d: pytensor.logspace(0, 2, 3, device=d),
     [1, 10, 100]),
    ("eye", lambda d: pytensor.eye(2, device=d), [[1, 0], [0, 1]]),
    ("scalar_tensor", lambda d: pytensor.scalar_tensor(3, device=d), 3.0),
]


@pytest.mark.parametrize("name,make,values", FACTORIES,
                         ids=[f[0] for f in FACTORIES])
@pytest.mark.parametrize("where,expect", [
    ("cuda", "cuda:0"), ("cuda:1", "cuda:1"), (1, "cuda:1"),
    (pytensor.device("cuda", 1), "cuda:1")])
def test_factories_on_the_gpu(gpu, name, make, values, where, expect):
    with fakecupy.watch() as events:
        t = make(where)
    assert t.device == expect and t.is_cuda
    assert isinstance(t._data, fakecupy.ndarray)
    assert t._data.device.id == dev(expect).index
    assert t.tolist() == values
    if name not in ("tensor", "as_tensor"):
        # Built on the device: no host array was uploaded.
        assert [e for e in events if e[0] == "upload"] == [], events


def test_like_factories_and_random_keep_the_device(gpu):
    x = pytensor.ones(2, 3, device="cuda:1")
    for t in (pytensor.zeros_like(x), pytensor.ones_like(x),
              pytensor.full_like(x, 2.0), pytensor.empty_like(x),
              pytensor.rand_like(x), pytensor.randn_like(x),
              pytensor.randint_like(x, 5)):
        assert t.device == "cuda:1" and t.shape == (2, 3)
    assert pytensor.zeros_like(x, device="cpu").device == "cpu"


def test_tensor_keeps_the_device_of_device_data(gpu):
    x = pytensor.arange(3.0, device="cuda:1")
    assert pytensor.tensor(x).device == "cuda:1"
    assert pytensor.tensor(x).data_ptr() != x.data_ptr()      # a copy
    assert pytensor.tensor(x, device="cpu").device == "cpu"
    assert pytensor.tensor(x, dtype=pytensor.float64).device == "cuda:1"
    assert pytensor.as_tensor(x) is x
    raw = x._data
    shared = pytensor.as_tensor(raw)            # a CuPy array: no copy
    assert shared.device == "cuda:1" and shared.data_ptr() == x.data_ptr()
    assert pytensor.as_tensor(raw, device="cpu").device == "cpu"


def test_default_device(gpu):
    backend.set_default_device("cuda:1")
    try:
        assert pytensor.zeros(2).device == "cuda:1"
        assert pytensor.randn(2).device == "cuda:1"
        assert pytensor.tensor([1.0]).device == "cuda:1"
        # An explicit default also applies to data from another device.
        assert pytensor.tensor(pytensor.ones(1, device="cpu")).device == \
            "cuda:1"
    finally:
        backend.set_default_device(None)
    assert pytensor.zeros(2).device == "cpu"
    with pytensor.device("cuda"):
        assert pytensor.zeros(2).device == "cuda:0"
        with pytensor.device("cuda:1"):
            assert pytensor.ones(1).device == "cuda:1"
        assert pytensor.ones(1).device == "cuda:0"
    assert pytensor.zeros(2).device == "cpu"


def test_cuda_means_the_current_device(gpu):
    pytensor.cuda.set_device(1)
    try:
        assert pytensor.cuda.current_device() == 1
        assert pytensor.zeros(1, device="cuda").device == "cuda:1"
        assert pytensor.ones(1).cuda().device == "cuda:1"
    finally:
        pytensor.cuda.set_device(0)
    with pytensor.cuda.device(1):
        assert pytensor.zeros(1, device="cuda").device == "cuda:1"
    assert pytensor.cuda.current_device() == 0


def test_nonexistent_gpu(gpu):
    with pytest.raises(RuntimeError, match="'cuda:2' does not exist: 2 CUDA "
                                           "device"):
        pytensor.zeros(1, device="cuda:2")
    with pytest.raises(RuntimeError, match=r"to\(\): device 'cuda:5'"):
        pytensor.zeros(1).to("cuda:5")


# ---------------------------------------------------------------------------
# Transfers
def test_cuda_cpu_and_to(gpu):
    x = pytensor.tensor([1.0, 2.0])
    g = x.cuda()
    assert g.device == "cuda:0" and g.is_cuda and g.tolist() == [1.0, 2.0]
    assert g.cuda() is g and g.to("cuda:0") is g
    assert x.cuda(1).device == "cuda:1"
    assert x.cuda("cuda:1").device == "cuda:1"
    assert x.to(1).device == "cuda:1"
    assert g.cpu().device == "cpu" and g.cpu().tolist() == [1.0, 2.0]
    assert x.cpu() is x
    h = g.to("cuda:1")
    assert h.device == "cuda:1" and h.tolist() == [1.0, 2.0]
    y = x.to("cuda:1", pytensor.float64)
    assert y.device == "cuda:1" and y.dtype == pytensor.float64
    z = g.to(pytensor.ones(1, dtype=pytensor.float16, device="cuda:1"))
    assert z.device == "cuda:1" and z.dtype == pytensor.float16
    c = g.to("cuda:0", copy=True)
    assert c is not g and c.data_ptr() != g.data_ptr()
    with pytest.raises(ValueError, match="expected a CUDA device"):
        x.cuda("cpu")


@pytest.mark.parametrize("src,dst", [("cpu", "cuda:1"), ("cuda:1", "cpu"),
                                     ("cuda:0", "cuda:1")])
def test_transfers_are_differentiable(gpu, src, dst):
    x = pytensor.tensor([1.0, -2.0, 3.0], device=src, requires_grad=True)
    y = (x.to(dst) * pytensor.tensor([2.0, 3.0, 4.0], device=dst)).sum()
    assert y.device == dst
    y.backward()
    assert x.grad.device == src
    assert x.grad.tolist() == [2.0, 3.0, 4.0]
    # Double backward through a transfer.
    x = pytensor.tensor([1.5], device=src, requires_grad=True)
    (g,) = pytensor.autograd.grad((x.to(dst) ** 3).sum(), x,
                                  create_graph=True)
    assert g.device == src and g.tolist() == [6.75]
    (gg,) = pytensor.autograd.grad(g.sum(), x)
    assert gg.device == src and gg.tolist() == [9.0]


def test_transfer_on_the_tape(gpu):
    x = pytensor.ones(2, requires_grad=True)
    with pytensor.debug.record(clear=True) as tape:
        y = x.to("cuda:1") * 2
    to_rec, mul_rec = tape.records[-2], tape.records[-1]
    assert to_rec.op == "to_device" and to_rec.device == "cuda:1"
    assert to_rec.kernel == "cupy.asarray"
    assert to_rec.inputs[0]().device == "cpu"
    assert mul_rec.device == "cuda:1" and mul_rec.kernel == "cupy.mul"
    with pytensor.debug.record(clear=True) as tape:
        y.cpu()
    assert tape.records[-1].kernel == "cupy.asnumpy"


def test_kernel_names_on_the_gpu(gpu):
    from pytensor.ops.reduce.sum_to_size import SumToSize
    x = pytensor.ones(2, 3, device="cuda:1", requires_grad=True)
    with pytensor.debug.record(clear=True) as tape:
        x.sum_to_size(1, 3)
    rec = tape.records[-1]
    assert rec.device == "cuda:1"
    assert rec.kernel == "cupy:pytensor_sum_to_shape"
    assert SumToSize.kernel_name(dev("cpu")).endswith("sum_to_shape")
    # Dispatch: CuPy arrays get the GPU namespace (here the reference).
    assert pytensor_ext.kernels_for(x._data) is pytensor_ext._gpu
    assert pytensor_ext.kernels_for(np.zeros(1)) is pytensor_ext.cpu


# ---------------------------------------------------------------------------
# Host conversions
def test_numpy_on_a_gpu_tensor_raises(gpu):
    x = pytensor.ones(2, device="cuda:1")
    msg = ("can't convert cuda:1 device type tensor to numpy. Use "
           "Tensor.cpu() to copy the tensor to host memory first.")
    with pytest.raises(TypeError) as e:
        x.numpy()
    assert str(e.value) == msg
    with pytest.raises(TypeError) as e:
        np.asarray(x)
    assert str(e.value) == msg
    assert x.numpy(force=True).tolist() == [1.0, 1.0]
    assert x.cpu().numpy().tolist() == [1.0, 1.0]
    assert x.tolist() == [1.0, 1.0]
    assert x.sum().item() == 2.0 and float(x.sum()) == 2.0
    assert bool(x.sum() > 1)


def test_printing_shows_the_device(gpu):
    x = pytensor.tensor([1.0, 2.5], device="cuda:1")
    assert repr(x) == "tensor([1.0000, 2.5000], device='cuda:1')"
    y = pytensor.ones(2, device="cuda", requires_grad=True)
    assert repr(y) == "tensor([1., 1.], device='cuda:0', requires_grad=True)"
    assert repr(y * 2) == ("tensor([2., 2.], device='cuda:0', "
                           "grad_fn=<MulBackward>)")
    assert repr(pytensor.arange(2, device="cuda")) == \
        "tensor([0, 1], device='cuda:0')"
    assert "device='cuda:0'" in repr(pytensor.zeros(0, 2, device="cuda"))
    assert x.type() == "pytensor.cuda.FloatTensor"


def test_storage_attributes(gpu):
    x = pytensor.arange(12.0, device="cuda:1").reshape(3, 4)
    assert x.is_contiguous() and x.stride() == (4, 1)
    t = x.t()
    assert not t.is_contiguous() and t.stride() == (1, 4)
    assert t.data_ptr() == x.data_ptr() and t.storage_offset() == 0
    y = copy.deepcopy(x)
    assert y.device == "cuda:1" and y.data_ptr() != x.data_ptr()
    assert y.tolist() == x.tolist()


# ---------------------------------------------------------------------------
# Devices mixed in one op
MIXED = [
    ("add", lambda a, b: a + b),
    ("mul", lambda a, b: a * b),
    ("matmul", lambda a, b: a @ b.reshape(3, 1)),
    ("eq", lambda a, b: a == b),
    ("lt", lambda a, b: a < b),
    ("bitwise_and", lambda a, b: (a > 0) & (b > 0)),
    ("logical_or", lambda a, b: pytensor.logical_or(a, b)),
    ("where", lambda a, b: pytensor.where(a > 0, a, b)),
    ("add_", lambda a, b: a.add_(b)),
]


@pytest.mark.parametrize("op,fn", MIXED, ids=[m[0] for m in MIXED])
@pytest.mark.parametrize("da,db", [("cuda:0", "cuda:1"), ("cuda:0", "cpu"),
                                   ("cpu", "cuda:1")])
def test_ops_on_two_devices_raise(gpu, op, fn, da, db):
    a = pytensor.ones(3, device=da)
    b = pytensor.ones(3, device=db)
    if op == "bitwise_and":
        a2, b2 = a > 0, b > 0      # the comparisons are on one device each
        with pytest.raises(RuntimeError) as e:
            a2 & b2
    else:
        with pytest.raises(RuntimeError) as e:
            fn(a, b)
    msg = str(e.value)
    assert msg.startswith(f"{op}:") or msg.startswith(
        op.rstrip("_")), msg
    assert "expected all tensors to be on the same device" in msg
    assert da in msg and db in msg


def test_where_condition_on_another_device(gpu):
    x = pytensor.ones(3, device="cuda:1")
    with pytest.raises(RuntimeError, match="where: .*(cpu and cuda:1|"
                                           "cuda:1 and cpu)"):
        pytensor.where(pytensor.ones(3) > 0, x, 0.0)
    # A Python list condition is placed on the tensors' device.
    assert pytensor.where([True, False, True], x, 0.0).tolist() == [1, 0, 1]


def test_cpu_scalar_tensors_join_the_gpu(gpu):
    x = pytensor.tensor([1.0, 2.0], device="cuda:1", requires_grad=True)
    s = pytensor.tensor(3.0, requires_grad=True)          # 0-d, on the CPU
    y = x * s + pytensor.tensor(1.0)
    assert y.device == "cuda:1" and y.tolist() == [4.0, 7.0]
    y.sum().backward()
    assert x.grad.device == "cuda:1" and x.grad.tolist() == [3.0, 3.0]
    assert s.grad.device == "cpu" and s.grad.item() == 3.0
    assert (x > pytensor.tensor(1.5)).tolist() == [False, True]
    assert (s * x).device == "cuda:1"               # scalar first, too
    # A 0-d tensor on a GPU is not a CPU scalar for a CPU tensor.
    with pytest.raises(RuntimeError, match="cpu and cuda:1"):
        pytensor.ones(2) + pytensor.tensor(1.0, device="cuda:1")


def test_python_scalars_with_gpu_tensors(gpu):
    x = pytensor.tensor([1.0, 2.0], device="cuda:1")
    with fakecupy.watch() as events:
        r = [x + 1, 1 + x, x - 0.5, 2 - x, x * 2, 3 * x, x / 2, 2 / x,
             x ** 2, 2 ** x, -x, x > 1, 1 < x, x == 2.0,
             pytensor.where(x > 1, x, 0.0), pytensor.where(x > 1, 5, x)]
    assert all(t.device == "cuda:1" for t in r)
    assert [t.tolist() for t in r[:4]] == [[2, 3], [2, 3], [0.5, 1.5],
                                           [1, 0]]
    assert r[-2].tolist() == [0.0, 2.0] and r[-1].tolist() == [1.0, 5.0]
    assert events == [], events        # scalars never travel as arrays
    i = pytensor.tensor([1, 2], device="cuda:1")
    assert (i * 1.5).dtype == pytensor.float32 and (i * 1.5).is_cuda


def test_ops_run_on_the_inputs_device(gpu):
    """cuda:1 tensors while cuda:0 is current: every result on cuda:1 and
    the fake refuses any kernel launched on the wrong device."""
    assert pytensor.cuda.current_device() == 0
    x = pytensor.randn(3, 4, device="cuda:1", requires_grad=True)
    w = pytensor.randn(4, 2, device="cuda:1", requires_grad=True)
    y = ((x @ w).exp() * 2 - 1).sum(0).mean()
    assert y.device == "cuda:1"
    y.backward()
    assert x.grad.device == "cuda:1" and w.grad.device == "cuda:1"
    # Accumulation into existing .grad, and create_graph.
    y = (x * x).sum()
    y.backward()
    (g,) = pytensor.autograd.grad((w ** 3).sum(), w, create_graph=True)
    g.sum().backward()
    assert w.grad.device == "cuda:1"
    # Comparisons and logical ops, not Functions, also switch devices.
    assert ((x > 0) | (x < -1)).device == "cuda:1"
    assert pytensor.logical_not(x > 0).device == "cuda:1"
    assert pytensor.cuda.current_device() == 0


def test_inplace_on_expanded_gpu_tensor_raises(gpu):
    x = pytensor.ones(1, 3, device="cuda:1").expand(4, 3)
    with pytest.raises(RuntimeError, match="more than one element of the "
                                           "written-to tensor"):
        x.add_(1)
    y = pytensor.zeros(2, 3, device="cuda:1")
    y.add_(pytensor.ones(3, device="cuda:1"))
    y.mul_(2)
    assert y.tolist() == [[2.0] * 3] * 2


# ---------------------------------------------------------------------------
# pytensor.cuda
def test_device_queries(gpu):
    c = pytensor.cuda
    assert c.is_available() and c.device_count() == 2
    assert c.get_device_name() == "Fake CUDA Device"
    assert c.get_device_name("cuda:1") == "Fake CUDA Device"
    assert c.get_device_capability(1) == (9, 0)
    p = c.get_device_properties(0)
    assert p.total_memory == 80 * 2 ** 30 and p.multi_processor_count == 132
    assert "Fake CUDA Device" in repr(p)
    free, total = c.mem_get_info()
    assert 0 < free <= total
    c.synchronize()
    c.synchronize(1)
    c.synchronize("cuda:1")
    with pytest.raises(ValueError, match="expected a CUDA device"):
        c.memory_allocated("cpu")


def test_memory_statistics(gpu):
    c = pytensor.cuda
    gc.collect()
    base = c.memory_allocated(1)
    x = pytensor.zeros(1000, device="cuda:1")            # 4000 -> 4096 B
    assert c.memory_allocated(1) - base == 4096
    assert c.memory_allocated("cuda:1") == c.memory_allocated(dev("cuda:1"))
    assert c.memory_reserved(1) >= c.memory_allocated(1)
    c.reset_peak_memory_stats(1)
    peak0 = c.max_memory_allocated(1)
    assert peak0 == c.memory_allocated(1)
    # A temporary that lives only between two queries still counts.
    y = (x + 1) * 2                         # two 4096 B temporaries
    del y
    gc.collect()
    assert c.memory_allocated(1) == peak0
    assert c.max_memory_allocated(1) >= peak0 + 2 * 4096
    stats = c.memory_stats(1)
    assert stats["allocated_bytes.all.current"] == c.memory_allocated(1)
    assert stats["allocated_bytes.all.peak"] == c.max_memory_allocated(1)
    assert stats["reserved_bytes.all.peak"] >= \
        stats["reserved_bytes.all.current"]
    # Freed blocks stay reserved until empty_cache().
    del x
    gc.collect()
    assert c.memory_allocated(1) == base
    reserved = c.memory_reserved(1)
    c.empty_cache()
    assert c.memory_reserved(1) < reserved
    assert c.max_memory_reserved(1) >= reserved
    c.reset_peak_memory_stats(1)
    assert c.max_memory_allocated(1) == c.memory_allocated(1)
    # Devices are counted separately.
    z = pytensor.ones(256, device="cuda:0")
    assert c.memory_allocated(0) >= 1024
    assert c.memory_allocated(1) == base
    del z


def test_peak_is_exact_without_queries(gpu):
    """The hook counts every malloc: a peak reached and released inside a
    function is seen even though nobody queried in between."""
    c = pytensor.cuda
    c.reset_peak_memory_stats()
    before = c.max_memory_allocated()

    def burst():
        t = [pytensor.zeros(512, device="cuda") for _ in range(8)]
        return len(t)
    burst()
    gc.collect()
    assert c.memory_allocated() == before
    assert c.max_memory_allocated() >= before + 8 * 2048


# ---------------------------------------------------------------------------
# Random streams on the GPU
DRAWS = [
    lambda d, g=None: pytensor.rand(4, device=d, generator=g),
    lambda d, g=None: pytensor.randn(4, device=d, generator=g),
    lambda d, g=None: pytensor.randint(0, 100, (4,), device=d, generator=g),
    lambda d, g=None: pytensor.randperm(6, device=d, generator=g),
    lambda d, g=None: pytensor.normal(2.0, 0.5, (4,), device=d, generator=g),
    lambda d, g=None: pytensor.bernoulli(_probs(d, [0.5] * 6), generator=g),
    lambda d, g=None: pytensor.multinomial(
        _probs(d, [0.1, 0.0, 0.9]), 5, replacement=True, generator=g),
    lambda d, g=None: pytensor.multinomial(
        _probs(d, [[1.0, 2.0, 0.0, 3.0]]), 3, generator=g),
]
_PROBS = {}


def _probs(d, values):
    """Input weights, uploaded once (before the draws are watched)."""
    key = (str(d), repr(values))
    if key not in _PROBS:
        _PROBS[key] = pytensor.tensor(values, device=d)
    return _PROBS[key]


@pytest.mark.parametrize("i", range(len(DRAWS)))
def test_random_on_the_gpu_is_reproducible(gpu, i):
    draw = DRAWS[i]
    _PROBS.clear()
    draw("cuda:1")                      # uploads the weights, if any
    pytensor.manual_seed(123)
    with fakecupy.watch() as events:
        a = draw("cuda:1")
    assert a.device == "cuda:1"
    assert not [e for e in events if e[0] == "upload"], events
    pytensor.manual_seed(123)
    b = draw("cuda:1")
    assert a.tolist() == b.tolist()
    pytensor.cuda.manual_seed_all(7)
    c1 = draw("cuda:1")
    pytensor.cuda.manual_seed_all(7)
    assert draw("cuda:1").tolist() == c1.tolist()
    g = pytensor.Generator("cuda:1").manual_seed(5)
    d1 = draw("cuda:1", g)
    g.manual_seed(5)
    assert draw("cuda:1", g).tolist() == d1.tolist()


def test_random_values_make_sense(gpu):
    pytensor.manual_seed(0)
    p = pytensor.randperm(20, device="cuda")
    assert sorted(p.tolist()) == list(range(20)) and p.dtype == pytensor.int64
    r = pytensor.randint(3, 5, (50,), device="cuda")
    assert set(r.tolist()) <= {3, 4}
    u = pytensor.rand(1000, device="cuda", dtype=pytensor.float64)
    assert u.dtype == pytensor.float64
    host = u.cpu().numpy()
    assert host.min() >= 0 and host.max() < 1 and 0.4 < host.mean() < 0.6
    m = pytensor.multinomial(pytensor.tensor([[0.0, 1.0, 0.0]] * 3,
                                             device="cuda"), 4, True)
    assert m.tolist() == [[1] * 4] * 3
    w = pytensor.multinomial(pytensor.tensor([0.0, 5.0, 1.0, 0.0],
                                             device="cuda"), 2)
    assert sorted(w.tolist()) == [1, 2]
    n = pytensor.normal(pytensor.zeros(3, device="cuda:1"),
                        pytensor.ones(3, device="cuda:1"))
    assert n.device == "cuda:1"


def test_random_errors_on_the_gpu(gpu):
    cpu_gen = pytensor.Generator()
    with pytest.raises(RuntimeError, match="Expected a 'cuda' device type "
                                           "for generator but found 'cpu'"):
        pytensor.rand(2, device="cuda", generator=cpu_gen)
    with pytest.raises(RuntimeError, match="Expected a 'cpu' device type"):
        pytensor.rand(2, generator=pytensor.Generator("cuda"))
    with pytest.raises(NotImplementedError, match="CUDA generator"):
        pytensor.Generator("cuda").get_state()
    with pytest.raises(RuntimeError, match="probabilities must be finite"):
        pytensor.multinomial(pytensor.tensor([1.0, -1.0], device="cuda"), 1)
    with pytest.raises(RuntimeError, match="cannot sample n_sample"):
        pytensor.multinomial(pytensor.tensor([1.0, 0.0], device="cuda"), 2)
    with pytest.raises(RuntimeError, match="sum of probabilities <= 0"):
        pytensor.multinomial(pytensor.zeros(3, device="cuda"), 1, True)


def test_cpu_and_gpu_streams_are_independent(gpu):
    pytensor.manual_seed(3)
    a = pytensor.rand(3)
    pytensor.manual_seed(3)
    pytensor.rand(5, device="cuda")
    assert pytensor.rand(3).tolist() == a.tolist()
    assert pytensor.cuda.initial_seed() == 3
    assert pytensor.cuda.default_generator(1) is \
        pytensor.cuda.default_generator("cuda:1")


# ---------------------------------------------------------------------------
# The harness catches the GPU bug classes (each bad op must fail)
def _bad_case(name, forward, backward=None, shapes=(((3, 4),),)):
    class Bad(Function):
        def forward(self, x):
            return forward(x)

        def backward(self, gy):
            return backward(gy) if backward else gy

    Bad.name = name
    return OpCase(name, lambda T, a: Bad.apply(a) * 1.0, list(shapes),
                  torch_fn=lambda T, a: a * 1.0, gradcheck=False)


def _run(case):
    log = []

    @contextlib.contextmanager
    def watch(label):
        with fakecupy.watch() as ev:
            yield
        log.extend(ev)
    check_device_parity(case, case.shapes[0], "float32", "contiguous",
                        "cuda:1", torch_check=False, watch=watch)
    return log


def test_harness_accepts_a_good_op(gpu):
    good = OpCase("good", lambda T, a: T.exp(a), [((3, 4),)],
                  gradcheck=False)
    assert _run(good) == []


@pytest.mark.parametrize("name,fwd,err", [
    ("asarray", lambda x: np.asarray(x) * 1.0, TypeError),
    ("array", lambda x: np.array(x), TypeError),
    ("host_zeros", lambda x: x + np.zeros(x.shape, x.dtype), TypeError),
    ("host_arange", lambda x: x * np.arange(x.shape[-1]), TypeError),
    ("gufunc", lambda x: np.matmul(x, x.T).sum(1, keepdims=True) * x,
     TypeError),
    ("no_cupy_fn", lambda x: np.nanpercentile(x, 50) + x, TypeError),
    ("wrong_device", lambda x: _on_device0(x), ValueError),
])
def test_harness_catches_host_conversions(gpu, name, fwd, err):
    with pytest.raises(err):
        _run(_bad_case(name, fwd))


def _xp(x):
    return backend.get_xp(x)


def _on_device0(x):
    if _xp(x) is np:
        return x
    with _xp(x).cuda.Device(0):          # forgot the input's device
        z = _xp(x).zeros(x.shape, x.dtype)
    return x + z


def _host_copy(x):
    return x.get() if _xp(x) is not np else x.copy()


@pytest.mark.parametrize("name,fwd,what", [
    ("item", lambda x: x * float(x.sum().item() > 0), "item()"),
    ("bool", lambda x: x * 2 if bool((x > 100).any()) else x, "bool()"),
    ("iterate", lambda x: _xp(x).stack([r for r in x]), "Python iteration"),
    ("get", lambda x: x * _xp(x).asarray(_host_copy(x)), "get()"),
    ("mask", lambda x: x[x > 0].sum() * x, "boolean-mask indexing"),
    ("nonzero", lambda x: x * _xp(x).nonzero(x > 0)[0].size, "nonzero"),
    ("np_nonzero", lambda x: x * np.nonzero(x > 0)[0].size, "nonzero"),
    ("unique", lambda x: x * _xp(x).unique(x).size, "unique"),
    ("upload", lambda x: x + _xp(x).asarray(np.ones(x.shape, x.dtype)),
     "asarray"),
])
def test_harness_logs_host_round_trips(gpu, name, fwd, what):
    log = _run(_bad_case(name, fwd))
    assert any(what in e[1] for e in log), log


def test_fake_array_refuses_what_cupy_refuses(gpu):
    import cupy
    a = cupy.zeros(3)
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy"):
        np.asarray(a)
    with pytest.raises(TypeError):
        a + np.ones(3)
    with pytest.raises(TypeError):
        np.ones(3) * a
    with pytest.raises(AttributeError, match="no attribute 'tofile_x'"):
        a.tofile_x
    with pytest.raises(AttributeError):
        a.flags.writeable
    with cupy.cuda.Device(1):
        b = cupy.ones(3)
    with pytest.raises(ValueError, match="different from the current"):
        a + b
    assert (a + 1).device.id == 0


# ---------------------------------------------------------------------------
def test_gradcheck_on_the_gpu(gpu):
    x = pytensor.randn(3, dtype=pytensor.float64, device="cuda:1",
                       requires_grad=True)
    w = pytensor.randn(3, 2, dtype=pytensor.float64, device="cuda:1",
                       requires_grad=True)
    f = (lambda a, b: (a @ b).exp())
    assert pytensor.autograd.gradcheck(f, (x, w))
    assert pytensor.autograd.gradgradcheck(f, (x, w))


def test_memory_hook_can_be_turned_off(gpu):
    c = pytensor.cuda
    c.reset_peak_memory_stats()
    assert c._set_memory_hook(False) is True
    try:
        base = c.max_memory_allocated()
        t = [pytensor.zeros(512, device="cuda") for _ in range(4)]
        del t
        gc.collect()
        # Without the hook the peak is only sampled at queries.
        assert c.max_memory_allocated() == base
    finally:
        assert c._set_memory_hook(True) is False
    t = [pytensor.zeros(512, device="cuda") for _ in range(4)]
    del t
    gc.collect()
    assert c.max_memory_allocated() >= base + 4 * 2048


def test_memory_hook_env_switch(monkeypatch):
    monkeypatch.setenv("PYTENSOR_CUDA_MEMORY_HOOK", "0")
    with fakecupy.installed(n_devices=1):
        assert pytensor.cuda._tracker is False
        x = pytensor.zeros(1000, device="cuda")
        assert pytensor.cuda.memory_allocated() == 4096
        assert pytensor.cuda.max_memory_allocated() == 4096
        del x


def test_gpu_guide_runs_on_the_fake_gpu(gpu, monkeypatch, tmp_path):
    """The runnable blocks of docs/gpu.md take their GPU branches here."""
    import pathlib
    import re
    doc = pathlib.Path(__file__).resolve().parents[2] / "docs" / "gpu.md"
    blocks = [b for b in re.findall(r"```python\n(.*?)```", doc.read_text(),
                                    re.S)
              if not b.lstrip().startswith("# no-run")]
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    ns = {"__name__": "__docs__"}
    for b in blocks:
        exec(compile(b, "gpu.md", "exec"), ns)
    assert ns["device"] == "cuda"


@pytest.mark.slow
def test_gpu_device_tests_pass_on_the_fake_gpu():
    """tests/gpu/test_gpu_device.py, run on the fake GPU in a fresh process
    (PYTENSOR_FAKE_GPU=1), so the GPU tests' own logic is checked here
    before a GPU ever runs them."""
    import os
    import pathlib
    import subprocess
    import sys
    root = pathlib.Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTENSOR_FAKE_GPU="1")
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/gpu/test_gpu_device.py"],
        cwd=root, env=env, capture_output=True, text=True, timeout=600)
    tail = "\n".join(r.stdout.splitlines()[-15:])
    assert r.returncode == 0, tail
    assert " passed" in tail and "failed" not in tail


def _sync_rows(*names):
    from tests.gpu.cases import all_op_cases
    rows = {c.name: c for _, c in all_op_cases()}
    return [rows[n] for n in names]


@pytest.mark.parametrize("name", ["add", "matmul_2d", "max_all", "prod_all",
                                  "median_odd"])
def test_gpu_sync_test_on_the_fake_gpu(name):
    """The real-GPU sync test (CuPy's detector, here the fake's) passes for
    sync-free ops and for inherent reads listed in HOST_TRAFFIC ..."""
    from tests.gpu.test_gpu_ops import test_op_does_not_synchronize
    (case,) = _sync_rows(name)
    with fakecupy.installed(n_devices=1):
        test_op_does_not_synchronize(case, case.shapes[0], "float32",
                                     "contiguous")


def test_gpu_sync_test_catches_a_sync():
    """... and fails for an op that reads device data back."""
    from tests.gpu.test_gpu_ops import test_op_does_not_synchronize
    bad = _bad_case("syncs", lambda x: x * float(x.sum().item() > 0))
    with fakecupy.installed(n_devices=1):
        with pytest.raises(pytest.fail.Exception, match=r"syncs: the op reads "
                           r"device data back .* at test_device_fake\.py|"
                           r"syncs: the op reads device data back"):
            test_op_does_not_synchronize(bad, bad.shapes[0], "float32",
                                         "contiguous")


# ---------------------------------------------------------------------------
# nn on the GPU (on cuda:1 while cuda:0 is current)
def test_modules_move_and_train_on_the_gpu(gpu):
    from pytensor import nn
    import pytensor.nn.functional as F
    m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.2),
                      nn.Linear(8, 3))
    assert m.to("cuda:1") is m
    assert all(p.device == "cuda:1" for p in m.parameters())
    assert isinstance(m[0].weight, nn.Parameter) and m[0].weight.is_cuda
    x = pytensor.randn(5, 4, device="cuda:1")
    y = pytensor.randint(0, 3, (5,), device="cuda:1")
    loss = F.cross_entropy(m(x), y)
    assert loss.device == "cuda:1"
    loss.backward()
    assert all(p.grad.device == "cuda:1" for p in m.parameters())
    total = nn.utils.clip_grad_norm_(m.parameters(), 0.5)
    assert total.device == "cuda:1"
    nn.utils.clip_grad_value_(m.parameters(), 0.01)
    assert float(max(p.grad.abs().max() for p in m.parameters())) <= 0.01
    m.cpu()
    assert m[0].weight.device == "cpu" and m[0].weight.grad.device == "cpu"
    m.cuda(1)
    assert m[3].bias.device == "cuda:1"


def test_module_factories_state_dicts_and_init_on_the_gpu(gpu):
    from pytensor import nn
    from pytensor.nn import init
    lin = nn.Linear(3, 2, device="cuda:1")
    assert lin.weight.device == "cuda:1" and lin.bias.device == "cuda:1"
    cpu_state = nn.Linear(3, 2).state_dict()
    lin.load_state_dict(cpu_state)          # host values into GPU params
    assert lin.weight.device == "cuda:1"
    assert lin.weight.tolist() == cpu_state["weight"].tolist()
    w = pytensor.empty(6, 5, device="cuda:1")
    for fn in (init.uniform_, init.normal_, init.trunc_normal_,
               init.xavier_uniform_, init.xavier_normal_,
               init.kaiming_uniform_, init.kaiming_normal_,
               init.orthogonal_, init.eye_, init.ones_, init.zeros_):
        assert fn(w) is w and w.device == "cuda:1"
    init.sparse_(w, 0.5)
    assert (w.cpu().numpy() == 0).sum(axis=0).tolist() == [3] * 5
    with pytest.warns(UserWarning, match="more than 2 std"):
        init.trunc_normal_(w, mean=10.0, std=1.0, a=-1.0, b=1.0)
    assert w.device == "cuda:1"
    emb = nn.Embedding(10, 4, device="cuda:1")
    out = emb(pytensor.tensor([1, 2, 1], device="cuda:1"))
    out.sum().backward()
    assert emb.weight.grad.device == "cuda:1"
    assert emb.weight.grad.cpu().numpy()[1].tolist() == [2.0] * 4
    with pytest.raises(IndexError, match="index out of range"):
        emb(pytensor.tensor([10], device="cuda:1"))


# ---------------------------------------------------------------------------
# Optimizers and checkpoints on the GPU
def _train(device, make_opt, steps=3):
    from pytensor import nn
    import pytensor.nn.functional as F
    rng = np.random.default_rng(0)
    m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    with pytensor.no_grad():
        for p in m.parameters():
            p.copy_(pytensor.tensor(rng.uniform(-0.5, 0.5, p.shape).astype(
                np.float32)))
    m.to(device)
    x = pytensor.tensor(rng.standard_normal((6, 4)).astype(np.float32),
                        device=device)
    y = pytensor.tensor(rng.integers(0, 3, 6), device=device)
    opt = make_opt(m.parameters())
    sched = pytensor.optim.lr_scheduler.StepLR(opt, 1, 0.5)
    for _ in range(steps):
        opt.zero_grad(set_to_none=False)
        F.cross_entropy(m(x), y).backward()
        opt.step()
        sched.step()
    return m, opt


OPTIMIZERS = {
    "sgd": lambda ps: pytensor.optim.SGD(ps, lr=0.1, momentum=0.9,
                                         nesterov=True, weight_decay=0.01),
    "adam": lambda ps: pytensor.optim.Adam(ps, lr=0.01, amsgrad=True),
    "adamw": lambda ps: pytensor.optim.AdamW(ps, lr=0.01),
    "rmsprop": lambda ps: pytensor.optim.RMSprop(ps, lr=0.01, momentum=0.5,
                                                 centered=True),
    "adagrad": lambda ps: pytensor.optim.Adagrad(ps, lr=0.1),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizers_step_on_the_gpu(gpu, name):
    ref, _ = _train("cpu", OPTIMIZERS[name])
    m, opt = _train("cuda:1", OPTIMIZERS[name])
    for a, b in zip(ref.parameters(), m.parameters()):
        assert b.device == "cuda:1"
        np.testing.assert_allclose(b.detach().cpu().numpy(),
                                   a.detach().numpy(), rtol=1e-5, atol=1e-6)
    for state in opt.state.values():
        for k, v in state.items():
            if isinstance(v, pytensor.Tensor) and k != "step":
                assert v.device == "cuda:1", k


def test_checkpoints_of_gpu_tensors(gpu, tmp_path):
    t = pytensor.randn(3, 2, device="cuda:1")
    f = tmp_path / "t.safetensors"
    pytensor.save({"t": t}, f)
    back = pytensor.load(f)
    assert back["t"].device == "cuda:1"
    assert back["t"].tolist() == t.tolist()
    assert pytensor.load(f, map_location="cpu")["t"].device == "cpu"
    assert pytensor.load(f, map_location="cuda:0")["t"].device == "cuda:0"


def test_new_factories_on_the_gpu(gpu):
    t = pytensor.ones(2, device="cuda:1", dtype=pytensor.float64)
    for u in (t.new_zeros(3), t.new_ones(2, 2), t.new_empty(1),
              t.new_full((2,), 7.0), t.new_tensor([1, 2])):
        assert u.device == "cuda:1" and u.dtype == pytensor.float64
    assert t.new_zeros(2, device="cpu").device == "cpu"
    assert t.get_device() == 1 and not t.is_cpu


# ---------------------------------------------------------------------------
# Whole training steps (the benchmark workloads) on cuda:1 match the CPU
@pytest.mark.parametrize("name", ["W1", "W2", "W3", "W5", "W7"])
def test_workloads_on_the_gpu_match_the_cpu(name):
    from tests.benchmarks import workloads
    try:
        w = workloads.WORKLOADS[name](pytensor, 0, "cpu")
    except AttributeError as e:         # a layer not written yet
        pytest.skip(f"{name}: {e}")
    ref = [w.step() for _ in range(2)]
    with fakecupy.installed(n_devices=2):
        w = workloads.WORKLOADS[name](pytensor, 0, "cuda:1")
        got = [w.step() for _ in range(2)]
    np.testing.assert_allclose(got, ref, rtol=1e-4)
