"""Checkpoints: safetensors round trips, interop with the safetensors
package and PyTorch, atomic writes, and clear errors for damaged files."""
import collections
import io
import math
import os
import stat

import numpy as np
import pytest

import pytensor
from pytensor import optim, serialization
from pytensor.optim import lr_scheduler as S

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32",
          "int64", "uint8", "bool"]


def _arr(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype.startswith(("int", "uint")):
        return rng.integers(0, 100, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _roundtrip(obj, tmp_path, **kw):
    path = tmp_path / "ckpt.safetensors"
    pytensor.save(obj, path)
    return pytensor.load(path, **kw)


# --- round trips -------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 3), (4, 5)])
def test_dtypes_and_shapes_round_trip(dtype, shape, tmp_path):
    a = _arr(dtype, shape)
    out = _roundtrip({"x": pytensor.tensor(a)}, tmp_path)
    t = out["x"]
    assert t.dtype.name == dtype and t.shape == shape
    np.testing.assert_array_equal(t.numpy(), a)
    assert t.numpy().flags.writeable


def test_non_contiguous_tensor_is_saved_by_value(tmp_path):
    a = np.arange(12.0).reshape(3, 4)
    t = pytensor.tensor(a).transpose(0, 1)
    out = _roundtrip({"t": t}, tmp_path)["t"]
    np.testing.assert_array_equal(out.numpy(), a.T)


def test_flat_state_dict_is_a_plain_safetensors_file(tmp_path):
    from safetensors.numpy import load_file
    sd = {"layer.weight": pytensor.tensor(_arr("float32", (3, 2))),
          "layer.bias": pytensor.tensor(_arr("float32", (3,), 1)),
          "steps": pytensor.tensor(np.array(7, dtype=np.int64))}
    path = tmp_path / "model.safetensors"
    pytensor.save(sd, path)
    theirs = load_file(str(path))
    assert sorted(theirs) == sorted(sd)
    for k, v in sd.items():
        np.testing.assert_array_equal(theirs[k], v.numpy())
    ours = pytensor.load(path)
    assert list(ours) == list(sd)          # insertion order preserved


def test_nested_structures_round_trip(tmp_path):
    w = pytensor.ones(2, requires_grad=True)
    obj = {
        "model": {"w": w, "w_tied": w},
        "state": {0: {"step": pytensor.tensor(3.0)}, 1: {}},
        "floats": [0.1, math.inf, -math.inf, 1e-300, -0.0],
        "tuple": (1, "a", None, True),
        "np": np.arange(4, dtype=np.int32),
        "npscalar": np.float32(1.5),
        "counter": collections.Counter([3, 3, 7]),
        "ordered": collections.OrderedDict([("b", 1), ("a", 2)]),
        "bytes": b"\x00\xff",
        "dtype": pytensor.float16,
        "device": pytensor.device("cpu"),
        (1, 2): "tuple key",
        "big": 2 ** 70,
    }
    out = _roundtrip(obj, tmp_path)
    assert out["model"]["w"] is out["model"]["w_tied"]
    assert out["model"]["w"].requires_grad
    assert list(out["state"]) == [0, 1] and out["state"][1] == {}
    assert float(out["state"][0]["step"]) == 3.0
    assert out["floats"][:4] == [0.1, math.inf, -math.inf, 1e-300]
    assert math.copysign(1, out["floats"][4]) == -1
    assert out["tuple"] == (1, "a", None, True)
    assert isinstance(out["np"], np.ndarray) and out["np"].dtype == np.int32
    assert type(out["npscalar"]) is np.float32
    assert type(out["counter"]) is collections.Counter
    assert out["counter"] == collections.Counter([3, 3, 7])
    assert type(out["ordered"]) is collections.OrderedDict
    assert list(out["ordered"]) == ["b", "a"]
    assert out["bytes"] == b"\x00\xff"
    assert out["dtype"] is pytensor.float16
    assert out["device"] == pytensor.device("cpu")
    assert out[(1, 2)] == "tuple key" and out["big"] == 2 ** 70


def test_nan_round_trips(tmp_path):
    out = _roundtrip([math.nan], tmp_path)
    assert math.isnan(out[0])


def test_single_tensor_and_file_objects():
    buf = io.BytesIO()
    pytensor.save(pytensor.arange(5), buf)
    buf.seek(0)
    t = pytensor.load(buf)
    assert t.tolist() == [0, 1, 2, 3, 4]
    t._data[0] = 9                          # writable, private copy
    assert t.tolist()[0] == 9


@pytest.mark.parametrize("name,kw", [("Adam", dict(lr=0.01, amsgrad=True)),
                                     ("SGD", dict(lr=0.1, momentum=0.9))])
def test_optimizer_checkpoint_resumes_identically(name, kw, tmp_path):
    cls = getattr(optim, name)
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s).astype(np.float32) for s in [(4, 3), (3,)]]
    grads = [[rng.standard_normal(s).astype(np.float32)
              for s in [(4, 3), (3,)]] for _ in range(12)]

    def run(params, opt, gs):
        for step in gs:
            for p, g in zip(params, step):
                p.grad = pytensor.tensor(g)
            opt.step()

    ref = [pytensor.tensor(a, requires_grad=True) for a in init]
    run(ref, cls(ref, **kw), grads)

    params = [pytensor.tensor(a, requires_grad=True) for a in init]
    opt = cls(params, **kw)
    run(params, opt, grads[:5])
    path = tmp_path / "train.safetensors"
    pytensor.save({"model": {f"p{i}": p for i, p in enumerate(params)},
                   "optim": opt.state_dict(), "epoch": 5}, path)

    ck = pytensor.load(path)
    params2 = [ck["model"][f"p{i}"] for i in range(2)]
    for p in params2:
        p.requires_grad_(True)
    opt2 = cls(params2, **kw)
    opt2.load_state_dict(ck["optim"])
    assert ck["epoch"] == 5
    run(params2, opt2, grads[5:])
    for a, b in zip(params2, ref):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_scheduler_state_dicts_round_trip(tmp_path):
    w = pytensor.zeros(1, requires_grad=True)
    opt = optim.SGD([w], lr=1.0, momentum=0.9)
    scheds = {
        "multistep": S.MultiStepLR(opt, milestones=[2, 2, 5]),
        "plateau": S.ReduceLROnPlateau(opt, mode="max"),
        "onecycle": S.OneCycleLR(opt, max_lr=1.0, total_steps=20),
    }
    out = _roundtrip({k: s.state_dict() for k, s in scheds.items()},
                     tmp_path)
    for k, s in scheds.items():
        assert out[k] == s.state_dict(), k
    assert out["plateau"]["best"] == -math.inf
    assert isinstance(out["multistep"]["milestones"], collections.Counter)


# --- interop with PyTorch ----------------------------------------------------
@pytest.mark.torch
def test_torch_safetensors_state_dict_loads(tmp_path, torch):
    from safetensors.torch import save_file
    torch.manual_seed(0)
    sd = {"fc1.weight": torch.randn(5, 3), "fc1.bias": torch.randn(5),
          "half": torch.randn(2, 2).half(), "d": torch.randn(3).double(),
          "i": torch.arange(4, dtype=torch.int32), "b": torch.ones(2) > 0,
          "u8": torch.arange(3, dtype=torch.uint8), "scalar": torch.tensor(2.)}
    path = tmp_path / "torch.safetensors"
    save_file(sd, str(path))
    ours = pytensor.load(path)
    assert sorted(ours) == sorted(sd)
    for k, v in sd.items():
        assert ours[k].dtype.name == str(v.dtype)[6:].replace("half",
                                                              "float16")
        np.testing.assert_array_equal(ours[k].numpy(), v.numpy())


@pytest.mark.torch
def test_pytensor_file_loads_in_torch(tmp_path, torch):
    from safetensors.torch import load_file
    sd = {"w": pytensor.tensor(_arr("float32", (2, 3))),
          "h": pytensor.tensor(_arr("float16", (4,)))}
    path = tmp_path / "ours.safetensors"
    pytensor.save(sd, path)
    theirs = load_file(str(path))
    for k in sd:
        np.testing.assert_array_equal(theirs[k].numpy(), sd[k].numpy())


@pytest.mark.torch
def test_unsupported_dtype_in_torch_file_is_a_clear_error(tmp_path, torch):
    from safetensors.torch import save_file
    path = tmp_path / "bf16.safetensors"
    save_file({"w": torch.ones(2, dtype=torch.bfloat16)}, str(path))
    with pytest.raises(ValueError, match=r"bf16.safetensors: tensor 'w' has "
                       "dtype BF16, a dtype pytensor does not support"):
        pytensor.load(path)


# --- devices -----------------------------------------------------------------
def test_map_location(tmp_path):
    path = tmp_path / "x.safetensors"
    pytensor.save({"x": pytensor.ones(2)}, path)
    assert pytensor.load(path, map_location="cpu")["x"].device.type == "cpu"
    assert pytensor.load(path, map_location={"cpu": "cpu"})["x"].device == \
        pytensor.device("cpu")
    with pytest.raises(TypeError, match="map_location must be"):
        pytensor.load(path, map_location=3)
    if not pytensor.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA"):
            pytensor.load(path, map_location="cuda")


def test_saved_cuda_device_needs_a_gpu_or_map_location(tmp_path):
    # A file that records a CUDA device (as one saved on a GPU does).
    enc_path = tmp_path / "gpu.safetensors"
    pytensor.save({"x": pytensor.ones(2)}, enc_path)
    raw = enc_path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = raw[8:8 + n].replace(b'\\"T\\":\\"x\\"}',
                                  b'\\"T\\":\\"x\\",\\"dev\\":\\"cuda:0\\"}')
    header += b" " * (-len(header) % 8)
    enc_path.write_bytes(len(header).to_bytes(8, "little") + header
                         + raw[8 + n:])
    if pytensor.cuda.is_available():
        assert pytensor.load(enc_path)["x"].device.type == "cuda"
    else:
        with pytest.raises(RuntimeError, match="map_location='cpu'"):
            pytensor.load(enc_path)
    assert pytensor.load(enc_path, map_location="cpu")["x"].tolist() == \
        [1.0, 1.0]
    assert pytensor.load(enc_path, map_location={"cuda:0": "cpu"})[
        "x"].device.type == "cpu"


@pytest.mark.gpu
def test_cuda_round_trip(tmp_path):
    x = pytensor.ones(3, device="cuda")
    out = _roundtrip({"x": x}, tmp_path)
    assert out["x"].device.type == "cuda"
    assert _roundtrip({"x": x}, tmp_path, map_location="cpu")[
        "x"].device.type == "cpu"


# --- what cannot be saved ----------------------------------------------------
def test_unsupported_objects_raise_and_write_nothing(tmp_path):
    path = tmp_path / "x.safetensors"
    with pytest.raises(TypeError, match=r"cannot save obj\['f'\] of type "
                       "builtins.function; .*nothing is pickled"):
        pytensor.save({"w": pytensor.ones(1), "f": lambda: 0}, path)
    assert not path.exists() and os.listdir(tmp_path) == []
    with pytest.raises(TypeError, match="dtype object"):
        pytensor.save({"a": np.array([None])}, path)


def test_scheduler_with_lambdas_saves_without_the_functions(tmp_path):
    opt = optim.SGD([pytensor.zeros(1, requires_grad=True)], lr=1.0)
    sched = S.LambdaLR(opt, lambda e: 0.5 ** e)
    out = _roundtrip(sched.state_dict(), tmp_path)
    assert out["lr_lambdas"] == [None]


# --- atomic writes -----------------------------------------------------------
def _fail_midway(exc):
    real = serialization._write_payload

    def broken(fh, header, arrays):
        fh.write(len(header).to_bytes(8, "little"))
        fh.write(header[:len(header) // 2])
        raise exc
    return real, broken


@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"),
                                 KeyboardInterrupt()])
def test_failure_during_write_keeps_the_old_file(tmp_path, monkeypatch, exc):
    path = tmp_path / "ckpt.safetensors"
    pytensor.save({"w": pytensor.zeros(3)}, path)
    before = path.read_bytes()
    _, broken = _fail_midway(exc)
    monkeypatch.setattr(serialization, "_write_payload", broken)
    with pytest.raises(type(exc)):
        pytensor.save({"w": pytensor.ones(1000)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]   # no temp left
    monkeypatch.undo()
    assert pytensor.load(path)["w"].tolist() == [0.0, 0.0, 0.0]


def test_failure_at_fsync_or_rename_keeps_the_old_file(tmp_path,
                                                       monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    pytensor.save({"w": pytensor.zeros(3)}, path)
    before = path.read_bytes()

    def fail(*a):
        raise OSError(5, "I/O error")
    for target in ("fsync", "replace"):
        with monkeypatch.context() as m:
            m.setattr(serialization.os, target, fail)
            with pytest.raises(OSError, match="I/O error"):
                pytensor.save({"w": pytensor.ones(3)}, path)
        assert path.read_bytes() == before
        assert os.listdir(tmp_path) == ["ckpt.safetensors"]


def test_overwrite_and_permissions(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    pytensor.save({"w": pytensor.zeros(3)}, path)
    pytensor.save({"w": pytensor.ones(2)}, str(path))
    assert pytensor.load(str(path))["w"].tolist() == [1.0, 1.0]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask


# --- damaged files -----------------------------------------------------------
@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.safetensors"
    pytensor.save({"w": pytensor.tensor(_arr("float32", (4, 3))),
                   "meta": {"step": 3, "lrs": [0.1, 0.2]}}, path)
    return path


def _expect_bad(path, match):
    with pytest.raises(ValueError, match=match) as err:
        pytensor.load(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("keep,match", [
    (0, "too short to be a safetensors file"),
    (5, "too short"),
    (20, "the header needs .* bytes .*truncated"),
    (-1, "truncated|CRC-32"),
    (-30, "needs bytes .* the file is truncated"),
])
def test_truncated_files(good_file, keep, match):
    raw = good_file.read_bytes()
    good_file.write_bytes(raw[:keep] if keep >= 0 else raw[:len(raw) + keep])
    _expect_bad(good_file, match)


def test_flipped_data_byte_fails_the_checksum(good_file):
    raw = bytearray(good_file.read_bytes())
    raw[-5] ^= 0x40
    good_file.write_bytes(bytes(raw))
    _expect_bad(good_file, "fails its CRC-32 check")


def test_header_damage(good_file):
    raw = good_file.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header, data = raw[8:8 + n], raw[8 + n:]

    def write(h, d=data, length=None):
        good_file.write_bytes((len(h) if length is None else length)
                              .to_bytes(8, "little") + h + d)

    write(b"\xff" * n)
    _expect_bad(good_file, "not valid JSON")
    write(b"[1, 2]" + b" " * (n - 6))
    _expect_bad(good_file, "not a JSON object")
    write(header, length=2 ** 40)
    _expect_bad(good_file, "more than the 100 MB")
    write(header.replace(b'"F32"', b'"X99"'))
    _expect_bad(good_file, "dtype X99, an unknown dtype")
    write(header.replace(b'"shape":[4,3]', b'"shape":[4,4]'))
    _expect_bad(good_file, "does not match its size")
    write(header, data + b"junk")
    _expect_bad(good_file, "bytes after the last tensor")
    write(header.replace(b'"w"', b'"v"'))
    _expect_bad(good_file, "refers to tensor 'w', which is not in the file")
    write(header.replace(b'{\\"D\\":[[\\"step\\"',
                         b'{\\"Q\\":[[\\"step\\"'))    # unknown tag
    _expect_bad(good_file, "malformed")


def test_duplicate_header_keys_are_rejected(tmp_path):
    h = (b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
         b'"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}')
    path = tmp_path / "dup.safetensors"
    path.write_bytes(len(h).to_bytes(8, "little") + h + b"\0" * 4)
    _expect_bad(path, "duplicate key 'a'")


def test_random_damage_never_crashes(good_file):
    """Every truncation and many random byte flips give a ValueError (or,
    for harmless changes such as header padding, a clean load)."""
    raw = good_file.read_bytes()
    rng = np.random.default_rng(0)
    cases = [raw[:k] for k in range(0, len(raw), 7)]
    for _ in range(200):
        b = bytearray(raw)
        for pos in rng.integers(0, len(raw), rng.integers(1, 4)):
            b[pos] = rng.integers(0, 256)
        cases.append(bytes(b))
    for data in cases:
        good_file.write_bytes(data)
        try:
            pytensor.load(good_file)
        except ValueError as e:
            assert str(good_file) in str(e)


def test_not_a_safetensors_file(tmp_path):
    path = tmp_path / "model.pt"
    path.write_bytes(b"PK\x03\x04" + os.urandom(100))     # a torch.save zip
    _expect_bad(path, "safetensors")


def test_top_level_api():
    assert pytensor.save is serialization.save
    assert pytensor.load is serialization.load


# --- models (pytensor.nn) --------------------------------------------------
def _mlps(torch, nn):
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.ReLU(),
                             torch.nn.Linear(16, 3))
    pm = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3))
    return tm, pm


@pytest.mark.torch
def test_torch_mlp_state_dict_loads_into_pytensor_model(tmp_path, torch):
    nn = pytest.importorskip("pytensor.nn")
    from safetensors.torch import save_file
    tm, pm = _mlps(torch, nn)
    path = tmp_path / "mlp.safetensors"
    save_file(tm.state_dict(), str(path))
    pm.load_state_dict(pytensor.load(path))
    x = np.random.default_rng(0).standard_normal((7, 5)).astype(np.float32)
    ours = pm(pytensor.tensor(x)).detach().numpy()
    theirs = tm(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert isinstance(pm[0].weight, nn.Parameter)


@pytest.mark.torch
def test_pytensor_model_state_dict_loads_into_torch(tmp_path, torch):
    nn = pytest.importorskip("pytensor.nn")
    from safetensors.torch import load_file
    tm, pm = _mlps(torch, nn)
    path = tmp_path / "ours.safetensors"
    pytensor.save(pm.state_dict(), path)
    tm.load_state_dict(load_file(str(path)))
    x = np.random.default_rng(1).standard_normal((4, 5)).astype(np.float32)
    np.testing.assert_allclose(pm(pytensor.tensor(x)).detach().numpy(),
                               tm(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_parameters_round_trip_as_parameters(tmp_path):
    nn = pytest.importorskip("pytensor.nn")
    model = nn.Linear(3, 2)
    out = _roundtrip(dict(model.named_parameters()), tmp_path)
    assert isinstance(out["weight"], nn.Parameter)
    assert out["weight"].requires_grad
    np.testing.assert_array_equal(out["bias"].detach().numpy(),
                                  model.bias.detach().numpy())
