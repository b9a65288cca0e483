"""Checkpoints: :func:`save` and :func:`load` in the safetensors format.

A checkpoint is one `safetensors <https://github.com/huggingface/
safetensors>`_ file: an 8-byte little-endian header length, a JSON header
naming each tensor's dtype, shape and byte range, then the raw
little-endian tensor bytes.  Nothing is pickled, so loading a file from an
untrusted source runs no code: the worst a malicious file can do is fail to
load.

- A model state dict (``{name: Tensor}``) is stored as exactly those named
  tensors: the file is an ordinary safetensors state dict that other tools
  (``safetensors.torch.load_file``) read, and a state dict saved by PyTorch
  with ``safetensors.torch.save_file`` loads here.
- Any other object built from dicts, lists, tuples, strings, numbers, None,
  Tensors and NumPy arrays (an optimizer or scheduler state dict, a
  training checkpoint bundling several) is stored as its tensors plus a JSON
  description of the structure in the header's ``__metadata__``, which
  references each tensor by name.  Dict key types (``int`` parameter ids),
  tuples, ``inf``/``nan`` floats and shared tensors survive the round trip.
- Writes are atomic: the bytes go to a temporary file in the destination's
  directory, which is flushed, fsync'ed and then renamed over the
  destination, so a crash mid-save leaves the previous checkpoint intact.
- A CRC-32 of the tensor bytes is stored in the metadata and verified on
  load, so a truncated or corrupted file raises a ``ValueError`` naming the
  file and what is wrong, never returns garbage.
"""
import base64
import collections
import json
import os
import zlib

import numpy as np

from pytensor import backend as _backend
from pytensor import dtypes as _dt
from pytensor.tensor import Tensor

__all__ = ["save", "load"]

# safetensors dtype codes <-> NumPy dtypes (the ones pytensor supports).
_CODES = {"BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": np.int16,
          "I32": np.int32, "I64": np.int64, "F16": np.float16,
          "F32": np.float32, "F64": np.float64}
_CODE_OF = {np.dtype(v): k for k, v in _CODES.items()}
_KNOWN_UNSUPPORTED = {"BF16", "U16", "U32", "U64", "F8_E4M3", "F8_E5M2",
                      "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"}

STRUCTURE_KEY = "pytensor.structure"
CHECKSUM_KEY = "pytensor.crc32"
FORMAT_KEY = "format"
_FORMAT = "pytensor"
_MAX_HEADER = 100 * 1024 * 1024     # safetensors' own limit


class _Encoder:
    """Turns an object into JSON-able structure plus named arrays."""

    def __init__(self, flat):
        self.flat = flat
        self.arrays = {}            # name -> contiguous NumPy array
        self.by_id = {}             # id(tensor or array) -> name
        self.keep = []              # keeps encoded objects alive (ids)

    def _name(self, path):
        base = ".".join(path) if path else "tensor"
        name, i = base, 1
        while name in self.arrays or name == "__metadata__":
            name = f"{base}#{i}"
            i += 1
        return name

    def _store(self, arr, path, name=None):
        if arr.dtype not in _CODE_OF:
            raise TypeError(
                f"pytensor.save: {_where(path)} has dtype {arr.dtype}, which "
                "the safetensors format cannot hold")
        if not arr.flags.c_contiguous:      # (ascontiguousarray makes 0-d 1-d)
            arr = arr.copy(order="C")
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        name = name if name is not None else self._name(path)
        self.arrays[name] = arr
        return name

    def encode(self, obj, path=()):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, np.generic):     # before float: np.float64 is one
            if obj.dtype not in _CODE_OF:
                raise TypeError(f"pytensor.save: {_where(path)} is a NumPy "
                                f"scalar of unsupported dtype {obj.dtype}")
            return {"S": obj.dtype.name, "v": self.encode(obj.item(), path)}
        if isinstance(obj, int):
            return obj
        if isinstance(obj, float):
            if obj != obj or obj in (float("inf"), float("-inf")):
                return {"F": repr(obj)}
            return obj
        if isinstance(obj, Tensor):
            return self._tensor(obj, path)
        if isinstance(obj, np.ndarray):
            name = self.by_id.get(id(obj))
            if name is None:
                name = self._store(obj, path)
                self.by_id[id(obj)] = name
                self.keep.append(obj)
            return {"A": name}
        if isinstance(obj, _dt.dtype):
            return {"dtype": obj.name}
        if isinstance(obj, _backend.Device):
            return {"device": str(obj)}
        if isinstance(obj, (bytes, bytearray)):
            return {"B": base64.b64encode(bytes(obj)).decode("ascii")}
        if isinstance(obj, dict):
            kind = ("Counter" if isinstance(obj, collections.Counter) else
                    "OrderedDict" if isinstance(obj, collections.OrderedDict)
                    else None)
            items = []
            for k, v in obj.items():
                items.append([self.encode(k, path + ("<key>",)),
                              self.encode(v, path + (str(k),))])
            out = {"D": items}
            if kind:
                out["type"] = kind
            return out
        if isinstance(obj, list):
            return {"L": [self.encode(v, path + (str(i),))
                          for i, v in enumerate(obj)]}
        if isinstance(obj, tuple):
            return {"U": [self.encode(v, path + (str(i),))
                          for i, v in enumerate(obj)]}
        raise TypeError(
            f"pytensor.save: cannot save {_where(path)} of type "
            f"{type(obj).__module__}.{type(obj).__qualname__}; checkpoints "
            "hold tensors, NumPy arrays, numbers, strings, None and "
            "lists/tuples/dicts of them (nothing is pickled)")

    def _tensor(self, t, path):
        name = self.by_id.get(id(t))
        if self.flat and name is not None:
            # A tensor under two keys of a state dict (tied weights): store
            # it under both, so other readers see every key, and point the
            # structure at the first, so loading here keeps them tied.
            arr = t._data
            if arr.__class__ is not np.ndarray:
                arr = _backend.to_device(arr, _backend.CPU)
            self._store(arr, path, name=path[-1])
        if name is None:
            arr = t._data
            if arr.__class__ is not np.ndarray:
                arr = _backend.to_device(arr, _backend.CPU)
            name = self._store(arr, path, name=path[-1] if self.flat else None)
            self.by_id[id(t)] = name
            self.keep.append(t)
        ref = {"T": name}
        if t.requires_grad:
            ref["rg"] = True
        dev = t.device
        if dev.type != "cpu":
            ref["dev"] = str(dev)
        if type(t) is not Tensor:
            ref["cls"] = type(t).__name__
        return ref


def _where(path):
    if not path:
        return "the object"
    return "obj" + "".join(f"[{p!r}]" for p in path)


def _is_flat_state_dict(obj):
    return (isinstance(obj, dict) and type(obj) in (dict,
                                                    collections.OrderedDict)
            and all(isinstance(k, str) and k != "__metadata__" for k in obj)
            and all(isinstance(v, Tensor) for v in obj.values()))


def _serialize(obj):
    """``(header_bytes, [arrays in file order])``; raises before any file
    is touched if ``obj`` cannot be saved."""
    flat = _is_flat_state_dict(obj)
    enc = _Encoder(flat)
    if flat:
        structure = {"D": [[k, enc.encode(v, (k,))] for k, v in obj.items()]}
    else:
        structure = enc.encode(obj)
    # Largest items first keeps every tensor aligned to its item size (the
    # data starts at a multiple of 8), as the safetensors writer does.
    names = sorted(enc.arrays, key=lambda n: -enc.arrays[n].dtype.itemsize)
    header = {}
    offset = 0
    crc = 0
    for name in names:
        arr = enc.arrays[name]
        header[name] = {"dtype": _CODE_OF[arr.dtype],
                        "shape": list(arr.shape),
                        "data_offsets": [offset, offset + arr.nbytes]}
        offset += arr.nbytes
        if arr.nbytes:
            crc = zlib.crc32(memoryview(arr).cast("B"), crc)
    metadata = {FORMAT_KEY: _FORMAT,
                STRUCTURE_KEY: json.dumps(structure, separators=(",", ":")),
                CHECKSUM_KEY: f"{crc:08x}"}
    full = {"__metadata__": metadata}
    full.update(header)
    raw = json.dumps(full, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    return raw, [enc.arrays[n] for n in names]


def _write_payload(fh, header, arrays):
    fh.write(len(header).to_bytes(8, "little"))
    fh.write(header)
    for arr in arrays:
        if arr.nbytes:
            fh.write(memoryview(arr).cast("B"))


def _fsync_dir(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return                      # not possible on this platform
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _atomic_write(path, header, arrays):
    try:
        path = os.fspath(path)
    except TypeError:
        raise TypeError(f"save: f must be a path (str or os.PathLike) or a "
                        f"writable binary file, got {type(path).__name__}"
                        ) from None
    directory = os.path.dirname(os.path.abspath(path))
    # Checked up front: the failure would otherwise name the temporary file.
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"save: parent directory {directory} does "
                                "not exist")
    if os.path.isdir(path):
        raise IsADirectoryError(f"save: {path} is a directory")
    base = os.path.basename(path)
    for i in range(1000):
        tmp = os.path.join(directory, f".{base}.{os.getpid()}.{i}.tmp")
        try:
            # 0o666 & ~umask: the permissions a plain open() would give.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(f"pytensor.save: could not create a temporary "
                              f"file next to {path}")
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_payload(fh, header, arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(directory)


def save(obj, f):
    """Save tensors (or a structure holding them) to a safetensors file.

    The write is atomic when ``f`` is a path: a crash or an error while
    saving leaves any existing file at ``f`` untouched.

    Args:
        obj: a Tensor, a model state dict (``{name: Tensor}``), or any
            nesting of dicts, lists and tuples of Tensors, NumPy arrays,
            numbers, strings and None (optimizer and scheduler state dicts).
        f: a path (``str`` or ``os.PathLike``) or a writable binary file.

    Raises:
        TypeError: ``obj`` holds something else (nothing is pickled);
            nothing is written then.

    Example:
        >>> import os, tempfile, pytensor
        >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors")
        >>> pytensor.save({"w": pytensor.ones(2), "step": 3}, path)
        >>> pytensor.load(path)
        {'w': tensor([1., 1.]), 'step': 3}
    """
    header, arrays = _serialize(obj)
    if hasattr(f, "write"):
        _write_payload(f, header, arrays)
        return
    _atomic_write(f, header, arrays)


class _Bad(ValueError):
    pass


def _read(f):
    if hasattr(f, "read"):
        name = getattr(f, "name", "<file object>")
        data = f.read()
        # A private, writable copy: loaded tensors are views of it.
        return bytearray(data), str(name)
    path = os.fspath(f)
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        buf = bytearray(size)
        n = fh.readinto(buf)
        if n != size:
            del buf[n:]
    return buf, path


def _no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def _parse(buf):
    """Validate the layout; returns ``(metadata, {name: array})``."""
    size = len(buf)
    if size < 8:
        raise _Bad(f"the file is {size} bytes long, too short to be a "
                   "safetensors file (truncated?)")
    n = int.from_bytes(bytes(buf[:8]), "little")
    if n > _MAX_HEADER:
        raise _Bad(f"the header length field says {n} bytes, more than the "
                   "100 MB safetensors allows: not a safetensors file, or "
                   "corrupted")
    if 8 + n > size:
        raise _Bad(f"the header needs {n} bytes but the file holds only "
                   f"{size - 8} after the length field: the file is "
                   "truncated")
    try:
        header = json.loads(bytes(buf[8:8 + n]).decode("utf-8"),
                            object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError) as e:
        raise _Bad(f"the header is not valid JSON ({e}): not a safetensors "
                   "file, or corrupted") from None
    if not isinstance(header, dict):
        raise _Bad("the header is not a JSON object: corrupted")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str)
            for k, v in metadata.items()):
        raise _Bad("__metadata__ is not a mapping of strings: corrupted")
    data_start = 8 + n
    data_len = size - data_start
    spans = []
    arrays = {}
    for name, info in header.items():
        try:
            code = info["dtype"]
            shape = info["shape"]
            begin, end = info["data_offsets"]
            if not (isinstance(shape, list) and all(
                    isinstance(s, int) and s >= 0 for s in shape)
                    and isinstance(begin, int) and isinstance(end, int)):
                raise TypeError
        except (TypeError, KeyError, ValueError):
            raise _Bad(f"the header entry of tensor {name!r} is malformed: "
                       "corrupted") from None
        if code not in _CODES:
            what = ("a dtype pytensor does not support" if code in
                    _KNOWN_UNSUPPORTED else "an unknown dtype")
            raise _Bad(f"tensor {name!r} has dtype {code}, {what} (supported:"
                       f" {', '.join(_CODES)})")
        dtype = np.dtype(_CODES[code]).newbyteorder("<")
        count = int(np.prod(shape, dtype=np.int64))
        if not 0 <= begin <= end or end - begin != count * dtype.itemsize:
            raise _Bad(f"tensor {name!r} of shape {shape} and dtype {code} "
                       f"has byte range [{begin}, {end}), which does not "
                       "match its size: corrupted")
        if end > data_len:
            raise _Bad(f"tensor {name!r} needs bytes [{begin}, {end}) of the "
                       f"data but the file holds only {data_len}: the file "
                       "is truncated")
        spans.append((begin, end, name))
        offset = data_start + begin
        if count == 0:
            arr = np.empty(0, dtype=dtype)
        elif offset % dtype.itemsize:       # foreign file, unaligned
            arr = np.frombuffer(bytes(buf[offset:offset + end - begin]),
                                dtype=dtype).copy()
        else:
            arr = np.frombuffer(buf, dtype=dtype, count=count, offset=offset)
        arr = arr.reshape(shape)
        if not dtype.isnative:
            arr = arr.astype(dtype.newbyteorder("="))
        arrays[name] = arr
    spans.sort()
    pos = 0
    for begin, end, name in spans:
        if begin != pos:
            raise _Bad(f"tensor {name!r} starts at byte {begin} of the data, "
                       f"expected {pos} (overlapping or missing data): "
                       "corrupted")
        pos = end
    if pos != data_len:
        raise _Bad(f"the file has {data_len - pos} bytes after the last "
                   "tensor's data: corrupted")
    crc = metadata.get(CHECKSUM_KEY)
    if crc is not None:
        actual = zlib.crc32(memoryview(buf)[data_start:]) if data_len else 0
        if f"{actual:08x}" != crc:
            raise _Bad(f"the tensor data fails its CRC-32 check (stored "
                       f"{crc}, computed {actual:08x}): the file is "
                       "corrupted")
    return metadata, arrays


class _Decoder:
    def __init__(self, arrays, placer):
        self.arrays = arrays
        self.placer = placer
        self.tensors = {}

    def _array(self, name):
        try:
            return self.arrays[name]
        except (KeyError, TypeError):
            raise _Bad(f"the structure refers to tensor {name!r}, which is "
                       "not in the file: corrupted") from None

    def decode(self, s):
        if s is None or isinstance(s, (bool, int, float, str)):
            return s
        if isinstance(s, list):
            raise _Bad("the structure metadata is malformed: corrupted")
        if not isinstance(s, dict) or len(s) == 0:
            raise _Bad("the structure metadata is malformed: corrupted")
        if "T" in s:
            name = s["T"]
            t = self.tensors.get(name)
            if t is None:
                t = self.placer(self._array(name), s.get("dev"))
                if s.get("cls") == "Parameter":
                    from pytensor.nn import Parameter
                    t = Parameter(t, requires_grad=bool(s.get("rg")))
                elif s.get("rg"):
                    t.requires_grad_(True)
                self.tensors[name] = t
            return t
        if "D" in s:
            items = s["D"]
            if not isinstance(items, list) or not all(
                    isinstance(kv, list) and len(kv) == 2 for kv in items):
                raise _Bad("the structure metadata is malformed: corrupted")
            kind = {"Counter": collections.Counter,
                    "OrderedDict": collections.OrderedDict}.get(s.get("type"),
                                                                dict)
            out = kind()
            for k, v in items:
                key = self.decode(k)
                try:
                    out[key] = self.decode(v)
                except TypeError:
                    raise _Bad("the structure metadata has an unhashable "
                               "dict key: corrupted") from None
            return out
        if "L" in s:
            return [self.decode(v) for v in self._seq(s["L"])]
        if "U" in s:
            return tuple(self.decode(v) for v in self._seq(s["U"]))
        if "A" in s:
            return self._array(s["A"])
        if "F" in s:
            return float(s["F"])
        if "S" in s:
            return np.dtype(s["S"]).type(self.decode(s["v"]))
        if "dtype" in s:
            return _dt.to_dtype(s["dtype"])
        if "device" in s:
            return _backend.Device(s["device"])
        if "B" in s:
            return base64.b64decode(s["B"])
        raise _Bad("the structure metadata is malformed: corrupted")

    @staticmethod
    def _seq(v):
        if not isinstance(v, list):
            raise _Bad("the structure metadata is malformed: corrupted")
        return v


def _placer(map_location):
    """``(array, saved_device_or_None) -> Tensor`` for ``map_location``."""
    if map_location is None:
        def target(saved):
            if saved is None:
                return _backend.CPU
            if not _backend.cuda_available():
                raise RuntimeError(
                    "Attempting to deserialize object on a CUDA device but "
                    "pytensor.cuda.is_available() is False. If you are "
                    "running on a CPU-only machine, please use "
                    "pytensor.load with map_location='cpu' to map your "
                    "tensors to the CPU.")
            return _backend.resolve_device(saved)
    elif isinstance(map_location, dict):
        def target(saved):
            key = saved or "cpu"
            dest = map_location.get(key, key)
            return _backend.resolve_device(dest)
    elif isinstance(map_location, (str, _backend.Device)):
        dev = _backend.resolve_device(map_location)

        def target(saved):
            return dev
    else:
        raise TypeError(
            "pytensor.load: map_location must be None, a device string, a "
            f"Device or a dict, got {type(map_location).__name__}")

    def place(arr, saved):
        dev = target(saved)
        if dev.type == "cpu":
            return Tensor._make(arr)
        return Tensor._make(_backend.to_device(arr, dev))
    return place


def load(f, map_location=None, weights_only=None):
    """Load a checkpoint written by :func:`save` (or any safetensors file).

    Args:
        f: a path or a readable binary file.
        map_location: where tensors go: None (the device they were saved
            from; the CPU for files written by other tools), ``"cpu"``,
            ``"cuda"``/``"cuda:N"``, a Device, or a dict mapping saved device
            strings to target ones.
        weights_only: accepted for compatibility with ``torch.load``; loading
            never runs code, whatever its value.

    Returns:
        The saved object; a safetensors file without pytensor's structure
        metadata loads as ``{name: Tensor}`` in the file's order.

    Raises:
        ValueError: the file is truncated, corrupted or not a safetensors
            file (the message names the file and the problem).
        RuntimeError: a tensor saved from a GPU is loaded with
            ``map_location=None`` on a machine without one.

    Example:
        >>> import io, pytensor
        >>> buf = io.BytesIO()
        >>> pytensor.save({"state": {0: {"step": pytensor.tensor(3.0)}},
        ...                "lrs": (0.1, float("inf"))}, buf)
        >>> _ = buf.seek(0)
        >>> pytensor.load(buf)
        {'state': {0: {'step': tensor(3.)}}, 'lrs': (0.1, inf)}
    """
    del weights_only
    place = _placer(map_location)
    buf, name = _read(f)
    try:
        metadata, arrays = _parse(buf)
        structure = metadata.get(STRUCTURE_KEY)
        if structure is None:
            return {k: place(a, None) for k, a in arrays.items()}
        try:
            structure = json.loads(structure)
        except ValueError as e:
            raise _Bad(f"the structure metadata is not valid JSON ({e}): "
                       "corrupted") from None
        try:
            return _Decoder(arrays, place).decode(structure)
        except (KeyError, TypeError, ValueError, AttributeError,
                IndexError) as e:
            if isinstance(e, _Bad):
                raise
            raise _Bad(f"the structure metadata is malformed ({e!r}): "
                       "corrupted") from None
    except _Bad as e:
        raise ValueError(f"pytensor.load: {name}: {e}") from None
