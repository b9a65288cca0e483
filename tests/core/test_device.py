"""Devices on a machine without a GPU: parsing, factories, ``to()``, the
errors when CUDA is unavailable, kernel dispatch and DLPack.

The GPU code paths themselves are tested on the fake GPU
(``test_device_fake.py``, ``test_device_ops.py``) and on a real one
(``tests/gpu``).
"""
import copy
import pickle

import numpy as np
import pytest

import pytensor
import pytensor_ext
from pytensor import backend
from pytensor.autograd.function import Function


# ---------------------------------------------------------------------------
# Parsing
@pytest.mark.parametrize("spec,typ,index", [
    ("cpu", "cpu", None), ("cuda", "cuda", None), ("cuda:1", "cuda", 1),
    ("  CUDA:0 ", "cuda", 0), ("cpu:0", "cpu", None), (3, "cuda", 3),
    (np.int64(2), "cuda", 2)])
def test_device_parsing(spec, typ, index):
    d = pytensor.device(spec)
    assert (d.type, d.index) == (typ, index)


def test_device_forms_and_repr():
    assert pytensor.device("cuda", 1) == pytensor.device("cuda:1")
    assert pytensor.device(pytensor.device("cuda:2")).index == 2
    assert pytensor.device(pytensor.device("cuda"), 1).index == 1
    assert repr(pytensor.device("cuda:1")) == "device(type='cuda', index=1)"
    assert repr(pytensor.device("cpu")) == "device(type='cpu')"
    assert str(pytensor.device("cuda:1")) == "cuda:1"
    assert str(pytensor.device("cuda")) == "cuda"
    assert pytensor.Device is pytensor.device


@pytest.mark.parametrize("spec,err,match", [
    ("gpu", ValueError, "unsupported device type 'gpu'"),
    ("mps", ValueError, "unsupported device type 'mps'"),
    ("cuda:", ValueError, "invalid device string 'cuda:'"),
    ("cuda:x", ValueError, "invalid device string 'cuda:x'"),
    ("cuda:-1", ValueError, "invalid device string 'cuda:-1'"),
    ("cuda:1:2", ValueError, "invalid device string"),
    ("", ValueError, "empty device string"),
    ("cpu:1", ValueError, "one CPU device"),
    (-1, ValueError, "non-negative"),
    (1.5, TypeError, "expected a string, int or Device"),
    (None, TypeError, "expected a string, int or Device"),
])
def test_invalid_devices(spec, err, match):
    with pytest.raises(err, match=match):
        pytensor.device(spec)


def test_invalid_index_arguments():
    with pytest.raises(ValueError, match="conflicts with index=2"):
        pytensor.device("cuda:1", 2)
    with pytest.raises(TypeError, match="index must be an int"):
        pytensor.device("cuda", "1")
    with pytest.raises(ValueError, match="int device takes no index"):
        pytensor.device(1, 2)


def test_equality_and_hash():
    d = pytensor.device
    assert d("cuda") != d("cuda:0")           # literal, as in PyTorch
    assert d("cuda:0") == d("cuda:0") and d("cpu") == d("cpu")
    assert d("cpu") != d("cuda:0")
    assert d("cuda:1") == "cuda:1" and d("cpu") == "cpu"
    assert d("cpu") != "not a device" and d("cpu") != 3
    assert len({d("cuda:0"), d("cuda", 0), d("cuda:1"), d("cpu")}) == 3
    table = {d("cuda:1"): "x"}
    assert table[d("cuda", 1)] == "x"
    assert pickle.loads(pickle.dumps(d("cuda:1"))) == d("cuda:1")
    assert copy.deepcopy(d("cpu")) == d("cpu")


# ---------------------------------------------------------------------------
# Factories on the CPU
FACTORIES = [
    lambda dev: pytensor.tensor([1.0, 2.0], device=dev),
    lambda dev: pytensor.as_tensor([1, 2], device=dev),
    lambda dev: pytensor.zeros(2, 3, device=dev),
    lambda dev: pytensor.ones((2,), device=dev),
    lambda dev: pytensor.full((2, 2), 7.0, device=dev),
    lambda dev: pytensor.empty(3, device=dev),
    lambda dev: pytensor.arange(5, device=dev),
    lambda dev: pytensor.linspace(0, 1, 5, device=dev),
    lambda dev: pytensor.logspace(0, 2, 3, device=dev),
    lambda dev: pytensor.eye(3, device=dev),
    lambda dev: pytensor.scalar_tensor(2.0, device=dev),
    lambda dev: pytensor.zeros_like(pytensor.ones(2), device=dev),
    lambda dev: pytensor.ones_like(pytensor.ones(2), device=dev),
    lambda dev: pytensor.full_like(pytensor.ones(2), 3, device=dev),
    lambda dev: pytensor.empty_like(pytensor.ones(2), device=dev),
    lambda dev: pytensor.rand(2, device=dev),
    lambda dev: pytensor.randn(2, device=dev),
    lambda dev: pytensor.randint(0, 5, (3,), device=dev),
    lambda dev: pytensor.randperm(4, device=dev),
    lambda dev: pytensor.normal(0.0, 1.0, (3,), device=dev),
    lambda dev: pytensor.rand_like(pytensor.ones(2), device=dev),
    lambda dev: pytensor.randn_like(pytensor.ones(2), device=dev),
    lambda dev: pytensor.randint_like(pytensor.ones(2), 5, device=dev),
]


@pytest.mark.parametrize("i", range(len(FACTORIES)))
@pytest.mark.parametrize("dev", ["cpu", pytensor.device("cpu"), None])
def test_factories_on_the_cpu(i, dev):
    t = FACTORIES[i](dev)
    assert t.device == pytensor.device("cpu")
    assert not t.is_cuda
    assert t._data.__class__ is np.ndarray


def test_factory_values_unchanged_by_device_plumbing():
    assert pytensor.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert pytensor.arange(0, 1, 0.1).shape == (10,)
    assert pytensor.arange(1, 10, 3).tolist() == [1, 4, 7]
    assert pytensor.eye(2, 3).tolist() == [[1, 0, 0], [0, 1, 0]]
    assert pytensor.linspace(-1, 1, 3).tolist() == [-1, 0, 1]
    assert pytensor.logspace(0, 2, 3, base=2).tolist() == [1, 2, 4]
    p = pytensor.randperm(50)
    assert sorted(p.tolist()) == list(range(50)) and p.dtype == pytensor.int64


def test_default_device_context_and_setting():
    assert backend.default_device() == "cpu"
    with pytensor.device("cpu"):
        assert pytensor.zeros(1).device == "cpu"
    backend.set_default_device("cpu")
    try:
        assert backend.default_device_was_set()
    finally:
        backend.set_default_device(None)
    assert not backend.default_device_was_set()


# ---------------------------------------------------------------------------
# to(): argument parsing
def test_to_parsing():
    x = pytensor.tensor([1.5, 2.5])
    assert x.to(pytensor.float64).dtype == pytensor.float64
    assert x.to("cpu") is x
    assert x.to(pytensor.device("cpu")) is x
    assert x.to(device="cpu", dtype=pytensor.float32) is x
    y = x.to("cpu", pytensor.int64)
    assert y.dtype == pytensor.int64 and y.tolist() == [1, 2]
    assert x.to(np.float64).dtype == pytensor.float64
    assert x.to(np.dtype("float16")).dtype == pytensor.float16
    assert x.to("float64").dtype == pytensor.float64
    assert x.to(None, pytensor.float64).dtype == pytensor.float64
    other = pytensor.tensor([1], dtype=pytensor.int32)
    assert x.to(other).dtype == pytensor.int32


def test_to_copy_flags():
    x = pytensor.tensor([1.0, 2.0])
    c = x.to(pytensor.float32, copy=True)
    assert c is not x and c.data_ptr() != x.data_ptr()
    c = x.to(pytensor.float32, False, True)     # (dtype, non_blocking, copy)
    assert c is not x and c.data_ptr() != x.data_ptr()
    assert x.to(pytensor.float32, True) is x    # non_blocking only
    assert x.to("cpu", non_blocking=True) is x
    # Through a copy the graph is kept.
    w = pytensor.ones(2, requires_grad=True)
    w.to(pytensor.float32, copy=True).sum().backward()
    assert w.grad.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("args,kwargs,err,match", [
    ((3.5,), {}, TypeError, "expected a dtype, a device or a Tensor"),
    (([1],), {}, TypeError, "expected a dtype, a device or a Tensor"),
    ((pytensor.float32, False, True, True), {}, TypeError,
     "unsupported arguments"),
    ((pytensor.float32, "x"), {}, TypeError, "unsupported arguments"),
    (("cpu", "cpu"), {}, TypeError, "unsupported arguments"),
    ((), {"bogus": 1}, TypeError, "unexpected keyword"),
    (("float64x",), {}, ValueError, "invalid device string|unsupported"),
])
def test_to_bad_arguments(args, kwargs, err, match):
    with pytest.raises(err, match=match):
        pytensor.ones(2).to(*args, **kwargs)


def test_to_is_differentiable_for_casts():
    x = pytensor.tensor([1.0, 2.0], requires_grad=True)
    y = x.to(pytensor.float64) * 3
    y.sum().backward()
    assert x.grad.dtype == pytensor.float32 and x.grad.tolist() == [3, 3]


# ---------------------------------------------------------------------------
# Without CUDA
@pytest.fixture(params=["no-cupy", "no-device"])
def no_cuda(request, monkeypatch):
    """CUDA unusable: CuPy missing, or present with no device."""
    if request.param == "no-cupy":
        monkeypatch.setattr(backend, "_cupy", False)
        why = "CuPy is not installed"
    else:
        class Runtime:
            @staticmethod
            def getDeviceCount():
                raise RuntimeError("cudaErrorNoDevice: no CUDA-capable "
                                   "device is detected")

        class FakeCupy:
            cuda = type("cuda", (), {"runtime": Runtime})
            ndarray = type("ndarray", (), {})
        monkeypatch.setattr(backend, "_cupy", FakeCupy)
        why = "no usable CUDA device.*cudaErrorNoDevice"
    monkeypatch.setattr(backend, "_cuda_ok", None)
    yield why
    backend._cuda_ok = None


def test_cuda_unavailable_queries(no_cuda):
    c = pytensor.cuda
    assert c.is_available() is False and c.device_count() == 0
    assert c.memory_allocated() == 0 and c.max_memory_allocated() == 0
    assert c.memory_reserved() == 0 and c.max_memory_reserved() == 0
    assert c.memory_stats() == {}
    c.synchronize()
    c.manual_seed(0)
    c.manual_seed_all(0)
    c.empty_cache()
    c.reset_peak_memory_stats()
    pytensor.manual_seed(1)           # seeds the CPU; CUDA silently skipped


@pytest.mark.parametrize("call,who", [
    (lambda: pytensor.ones(2).cuda(), r"Tensor\.cuda\(\)"),
    (lambda: pytensor.ones(2).to("cuda:0"), r"to\(\)"),
    (lambda: pytensor.zeros(2, device="cuda"), "device 'cuda'"),
    (lambda: pytensor.randn(2, device=0), "device 'cuda:0'"),
    (lambda: pytensor.tensor([1], device="cuda:1"), "device 'cuda:1'"),
    (lambda: pytensor.cuda.current_device(), "current_device"),
    (lambda: pytensor.cuda.get_device_name(), "get_device_name"),
    (lambda: pytensor.cuda.set_device(0), "set_device"),
    (lambda: pytensor.cuda.mem_get_info(), "mem_get_info"),
    (lambda: backend.set_default_device("cuda"), "set_default_device"),
])
def test_cuda_unavailable_errors(no_cuda, call, who):
    with pytest.raises(RuntimeError) as e:
        call()
    msg = str(e.value)
    assert __import__("re").search(who, msg), msg
    assert __import__("re").search(no_cuda, msg), msg
    assert "is_available() is False" in msg


def test_cuda_stays_unavailable_here():
    # This machine has no GPU: the real CuPy (if installed) must say so.
    if backend.cupy_or_none() is not None and pytensor.cuda.is_available():
        pytest.skip("a GPU is present")
    assert not pytensor.cuda.is_available()
    assert pytensor.cuda.device_count() == 0


# ---------------------------------------------------------------------------
# Kernel dispatch and the names the tape shows
def test_kernels_for_picks_the_cpu_for_numpy():
    assert pytensor_ext.kernels_for(np.zeros(2)) is pytensor_ext.cpu
    assert pytensor_ext.kernels_for(np.zeros((), np.float32)) is \
        pytensor_ext.cpu


def test_kernel_names_by_device():
    class Softmaxish(Function):
        kernel = "softmax_fwd"

    class Plain(Function):
        pass

    cpu, gpu = pytensor.device("cpu"), pytensor.device("cuda:0")
    assert Softmaxish.kernel_name(gpu) == "cupy:pytensor_softmax_fwd"
    prefix = "cy." if pytensor_ext.HAVE_CPU_EXT else "ref."
    assert Softmaxish.kernel_name(cpu) == prefix + "softmax_fwd"
    assert Plain.kernel_name(gpu) == "cupy.plain"
    assert Plain.kernel_name(cpu) == "numpy.plain"
    from pytensor.ops.convert.to import ToDevice
    assert ToDevice.kernel_name(gpu) == "cupy.asarray"
    assert ToDevice.kernel_name(cpu) == "cupy.asnumpy"


def test_tape_records_the_cpu_device():
    x = pytensor.ones(3, requires_grad=True)
    with pytensor.debug.record(clear=True) as tape:
        y = x * 2
        s = y.sum()
    rec = tape.records[-1]
    assert rec.device == "cpu" and s.device == "cpu"
    assert rec.inputs[0]() is y


# ---------------------------------------------------------------------------
# Tensor conversions on the CPU
def test_numpy_array_protocol_on_cpu():
    t = pytensor.tensor([1.0, 2.0])
    assert np.asarray(t).tolist() == [1.0, 2.0]
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert t.numpy() is t._data
    assert t.storage_offset() == 0
    v = pytensor.arange(6.0).reshape(2, 3)[:, 1]
    assert v.storage_offset() == 1 and v.stride() == (3,)


def test_deepcopy_keeps_device_and_grad():
    x = pytensor.ones(2, requires_grad=True)
    (x * 2).sum().backward()
    y = copy.deepcopy(x)
    assert y.device == x.device and y.requires_grad
    assert y.grad.tolist() == [2.0, 2.0]
    assert y.data_ptr() != x.data_ptr()


# ---------------------------------------------------------------------------
# DLPack with NumPy and torch (zero-copy both ways)
def test_dlpack_numpy_both_ways():
    a = np.arange(6.0).reshape(2, 3)
    t = pytensor.from_dlpack(a)
    assert t.dtype == pytensor.float64 and t.shape == (2, 3)
    a[0, 0] = 42.0
    assert t[0, 0].item() == 42.0
    t.mul_(2)
    assert a[0, 0] == 84.0                       # writes through pytensor
    b = np.from_dlpack(t)
    assert np.shares_memory(b, a)
    assert t.__dlpack_device__() == (1, 0)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32",
                                   "uint8", "bool", "float16"])
def test_dlpack_dtypes_roundtrip(dtype):
    a = (np.arange(4) % 2).astype(dtype)
    t = pytensor.from_dlpack(a)
    assert t.dtype.name == dtype
    assert np.from_dlpack(t).tolist() == a.tolist()


def test_dlpack_torch_both_ways(torch):
    th = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    t = pytensor.from_dlpack(th)
    assert t.device == "cpu" and t.dtype == pytensor.float32
    th[1, 2] = -1.0
    assert t.tolist()[1][2] == -1.0              # torch's write seen
    t.add_(1)
    assert th[0, 0].item() == 1.0                # pytensor's write seen
    back = torch.from_dlpack(t)
    assert back.data_ptr() == th.data_ptr()
    # A non-contiguous view keeps its strides both ways.
    tv = torch.from_dlpack(t.t().detach())
    assert tv.stride() == (1, 3) and tv.data_ptr() == th.data_ptr()
    assert tv.tolist() == th.t().tolist()
    # 0-d and empty tensors.
    assert pytensor.from_dlpack(torch.tensor(3.5)).item() == 3.5
    assert pytensor.from_dlpack(torch.empty(0, 3)).shape == (0, 3)
    assert torch.from_dlpack(pytensor.tensor(2.0)).item() == 2.0


def test_dlpack_capsules(torch):
    cap = torch.utils.dlpack.to_dlpack(torch.ones(3))
    t = pytensor.from_dlpack(cap)
    assert t.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(RuntimeError, match="already consumed"):
        pytensor.from_dlpack(cap)
    from pytensor.interop import to_dlpack
    src = pytensor.arange(3.0)
    back = torch.utils.dlpack.from_dlpack(to_dlpack(src))
    assert back.tolist() == [0.0, 1.0, 2.0]
    assert back.data_ptr() == src.data_ptr()


def test_no_cuda_array_interface_on_cpu():
    t = pytensor.ones(2)
    assert not hasattr(t, "__cuda_array_interface__")
    with pytest.raises(AttributeError, match="non-CUDA tensor"):
        t.__cuda_array_interface__


def test_dlpack_errors(torch):
    x = pytensor.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't export tensors that "
                                           "require gradient"):
        x.__dlpack__()
    with pytest.raises(RuntimeError, match="require gradient"):
        torch.from_dlpack(x)
    assert torch.from_dlpack(x.detach()).tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="expected an object with "
                                        "__dlpack__"):
        pytensor.from_dlpack([1, 2])
    with pytest.raises(TypeError, match="does not support dtype complex"):
        pytensor.from_dlpack(np.zeros(2, np.complex64))
    t = pytensor.ones(2)
    s = pytensor.from_dlpack(t)          # a Tensor: shares its storage
    assert s is not t and s.data_ptr() == t.data_ptr()


def test_new_factories_follow_the_tensor(torch):
    t = pytensor.tensor([1.5], dtype=pytensor.float64)
    th = torch.tensor([1.5], dtype=torch.float64)
    for name, args in (("new_zeros", (2, 3)), ("new_ones", ((2,),)),
                       ("new_empty", (4,)), ("new_full", ((2,), 3)),
                       ("new_tensor", ([1, 2],))):
        a, b = getattr(t, name)(*args), getattr(th, name)(*args)
        assert a.shape == tuple(b.shape) and a.dtype.name == \
            str(b.dtype).replace("torch.", ""), name
        if name != "new_empty":
            assert a.tolist() == b.tolist(), name
    assert t.new_zeros(2, dtype=pytensor.int32).dtype == pytensor.int32
    assert t.new_ones(2, requires_grad=True).requires_grad
    assert t.get_device() == th.get_device() == -1
    assert t.is_cpu and not t.is_cuda
