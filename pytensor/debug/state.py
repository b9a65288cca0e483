"""State of a session: snapshot, restore, checksum, checkpoints.

"State" is what training changes: every module's parameters (with their
gradients) and buffers, every optimizer's state, the random generators
(pytensor's, NumPy's global one, Python's ``random``, and CuPy's when a GPU
is in use), and, for checkpoints, the top-level tensors of the namespace.

- :func:`state_checksum` digests it (the read-only guarantee of the
  inspection commands is tested with it);
- :func:`snapshot` / :func:`restore` copy it out and back in place (the
  objects keep their identity);
- :class:`Checkpoints` keeps named snapshots and diffs them (``:ckpt``).
"""
import copy
import dataclasses
import hashlib
import json
import math
import random

import numpy as np

from pytensor.debug._render import fmt_sci, Table
from pytensor.debug._result import Result
from pytensor.debug.names import Namer

__all__ = ["state_checksum", "snapshot", "restore", "Snapshot",
           "Checkpoints", "CheckpointDiff", "run_readonly"]


def _host(arr):
    return arr if isinstance(arr, np.ndarray) else arr.get()


def _rng_states():
    """A JSON-able description of every random generator."""
    from pytensor import random as prandom
    st = {"pytensor": prandom.default_generator.numpy_generator()
          .bit_generator.state,
          "numpy": [np.random.get_state()[0],
                    np.random.get_state()[1].tolist()] +
          list(np.random.get_state()[2:]),
          "python": random.getstate()}
    try:
        from pytensor import cuda
        if cuda.is_available():
            gens = {}
            for i in range(cuda.device_count()):
                g = cuda.default_generator(i)
                cg = getattr(g, "_cp", None)
                if cg is not None:
                    gens[i] = repr(cg.bit_generator.state)
            st["cupy"] = gens
    except Exception:
        pass
    return st


def _set_rng_states(st):
    from pytensor import random as prandom
    prandom.default_generator.numpy_generator().bit_generator.state = \
        st["pytensor"]
    n = st["numpy"]
    np.random.set_state((n[0], np.asarray(n[1], dtype=np.uint32), *n[2:]))
    random.setstate(st["python"])


def _tensors_of(obj, prefix, out):
    """Walk an optimizer state_dict-like structure for tensors/arrays."""
    from pytensor.tensor import Tensor
    if isinstance(obj, Tensor):
        out.append((prefix, obj._data))
    elif isinstance(obj, np.ndarray):
        out.append((prefix, obj))
    elif isinstance(obj, dict):
        for k in sorted(obj, key=str):
            _tensors_of(obj[k], f"{prefix}.{k}", out)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            _tensors_of(v, f"{prefix}[{i}]", out)
    return out


def _opt_state(opt):
    """An optimizer's state as a plain structure (tensors included)."""
    sd = getattr(opt, "state_dict", None)
    if sd is not None:
        try:
            return sd()
        except Exception:
            pass
    return {"state": getattr(opt, "state", {}),
            "param_groups": getattr(opt, "param_groups", [])}


def state_checksum(namespace, include_tensors=False):
    """A SHA-256 hex digest of the parameters, buffers, gradients,
    optimizer states and RNG states reachable from ``namespace`` (and of
    its top-level tensors when ``include_tensors``).

    Example:
        >>> import pytensor
        >>> from pytensor.debug import state_checksum
        >>> ns = {"w": pytensor.ones(3, requires_grad=True)}
        >>> a = state_checksum(ns, include_tensors=True)
        >>> a == state_checksum(ns, include_tensors=True)
        True
    """
    h = hashlib.sha256()
    namer = Namer(namespace)

    def add(label, arr):
        arr = _host(arr)
        h.update(label.encode())
        h.update(str(arr.dtype).encode())
        h.update(str(arr.shape).encode())
        h.update(np.ascontiguousarray(arr).tobytes())

    for name in sorted(namer.params):
        p = namer.params[name]
        add(name, p._data)
        h.update(str(p._requires_grad).encode())
        if p._grad is not None:
            add(name + ".grad", p._grad._data)
    for name in sorted(namer.buffers):
        add(name, namer.buffers[name]._data)
    for mname, m in namer.modules():
        h.update(f"{mname}:{getattr(m, 'training', None)}".encode())
    for oname in sorted(namer.optimizers):
        st = _opt_state(namer.optimizers[oname])
        for label, arr in _tensors_of(st, oname, []):
            add(label, arr)
        h.update(json.dumps(_scalars(st), sort_keys=True,
                            default=str).encode())
    if include_tensors:
        for name, t in namer.tensors():
            if name in namer.params or name in namer.buffers:
                continue
            add(name, t._data)
    h.update(json.dumps(_rng_states(), sort_keys=True,
                        default=str).encode())
    return h.hexdigest()


def _scalars(obj):
    """The non-tensor part of a state structure."""
    from pytensor.tensor import Tensor
    if isinstance(obj, (Tensor, np.ndarray)):
        return "<tensor>"
    if isinstance(obj, dict):
        return {str(k): _scalars(v) for k, v in obj.items()
                if k != "params"}
    if isinstance(obj, (list, tuple)):
        return [_scalars(v) for v in obj]
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return str(obj)
    return obj


@dataclasses.dataclass
class Snapshot:
    """Copies of a namespace's state (see :func:`snapshot`)."""
    params: dict            # name -> (tensor, data copy, grad copy or None)
    buffers: dict           # name -> (tensor, data copy)
    modes: dict             # module name -> (module, training)
    optimizers: dict        # name -> (optimizer, deep copy of state_dict)
    rng: dict
    tensors: dict           # name -> (tensor, data copy)


def snapshot(namespace, tensors=False):
    """Copy the state reachable from ``namespace`` (see the module
    docstring); ``tensors=True`` includes the top-level tensors."""
    namer = Namer(namespace)
    params = {}
    for name, p in namer.params.items():
        g = p._grad
        params[name] = (p, p._data.copy(),
                        None if g is None else g._data.copy())
    buffers = {n: (b, b._data.copy()) for n, b in namer.buffers.items()}
    modes = {n: (m, getattr(m, "training", None)) for n, m in namer.modules()}
    opts = {}
    for n, o in namer.optimizers.items():
        try:
            opts[n] = (o, copy.deepcopy(_opt_state(o)))
        except Exception:
            opts[n] = (o, None)
    tens = {}
    if tensors:
        for n, t in namer.tensors():
            if n in params or n in buffers:
                continue
            tens[n] = (t, t._data.copy())
    return Snapshot(params, buffers, modes, opts, _rng_states(), tens)


def _write(t, arr):
    if t._data.shape == arr.shape and t._data.dtype == arr.dtype:
        t._data[...] = arr
    else:
        t._data = arr.copy()


def restore(snap):
    """Put a :func:`snapshot` back (in place: tensors keep identity)."""
    from pytensor.tensor import Tensor
    for name, (p, data, grad) in snap.params.items():
        _write(p, data)
        if grad is None:
            p._grad = None
        elif p._grad is not None and p._grad._data.shape == grad.shape:
            p._grad._data[...] = grad
        else:
            p._grad = Tensor._make(grad.copy())
    for name, (b, data) in snap.buffers.items():
        _write(b, data)
    for name, (m, training) in snap.modes.items():
        if training is not None and getattr(m, "training", None) != training:
            try:
                m.train(training)
            except Exception:
                object.__setattr__(m, "training", training)
    for name, (o, st) in snap.optimizers.items():
        if st is not None and hasattr(o, "load_state_dict"):
            o.load_state_dict(copy.deepcopy(st))
    for name, (t, data) in snap.tensors.items():
        _write(t, data)
    _set_rng_states(snap.rng)


def run_readonly(fn, namespace, retain_graphs=True):
    """Run ``fn()`` and put the namespace's state back afterwards, so that
    parameters, buffers, gradients, optimizer state and RNGs are as before
    (checked by checksum).  With ``retain_graphs`` a backward inside does
    not free saved tensors, so the user's own backward still works.

    Returns:
        ``(result, restored_ok)``.
    """
    from pytensor.autograd import engine
    before = state_checksum(namespace)
    snap = snapshot(namespace)
    keep = engine.keep_saved[0]
    if retain_graphs:
        engine.keep_saved[0] = True
    try:
        result = fn()
    finally:
        engine.keep_saved[0] = keep
        restore(snap)
    return result, state_checksum(namespace) == before


# ----------------------------------------------------------------------
@dataclasses.dataclass
class DiffRow:
    """How one parameter (or tensor) changed since a checkpoint."""
    name: str
    delta_norm: float
    rel: float
    max_abs: float
    status: str = ""


@dataclasses.dataclass
class CheckpointDiff(Result):
    """``:ckpt diff``: changes since checkpoint ``name``."""
    name: str
    rows: list
    unchanged: int
    rng_changed: bool
    opt_changed: int
    opt_total: int
    missing: list = dataclasses.field(default_factory=list)

    def render(self, width=None, color=False):
        out = []
        if self.rows:
            t = Table(["param", ("‖Δ‖₂", {"align": ">"}),
                       ("‖Δ‖/‖w‖", {"align": ">"}),
                       ("max|Δ|", {"align": ">"}),
                       ("", {"flex": 1})])
            for r in self.rows:
                t.add([(r.name, "param"), fmt_sci(r.delta_norm),
                       fmt_sci(r.rel), fmt_sci(r.max_abs), r.status])
            out.append(t.render(width, color))
        else:
            out.append(f"no parameter changed since {self.name!r}")
        bits = []
        if self.unchanged and self.rows:
            bits.append(f"{self.unchanged} unchanged")
        bits.append("rng: " + ("changed" if self.rng_changed else
                               "unchanged"))
        if self.opt_total:
            bits.append(f"opt state: {self.opt_changed}/{self.opt_total} "
                        "tensors changed")
        if self.missing:
            bits.append("gone: " + ", ".join(self.missing))
        out.append(" · ".join(bits))
        return "\n".join(out)


@dataclasses.dataclass
class CheckpointList(Result):
    names: list

    def render(self, width=None, color=False):
        if not self.names:
            return "no checkpoints (:ckpt save NAME)"
        return "\n".join(f"{n}  {d}" for n, d in self.names)


class Checkpoints:
    """Named in-memory snapshots of a namespace's state (``:ckpt``).

    Example:
        >>> import pytensor
        >>> from pytensor.debug import Checkpoints
        >>> w = pytensor.ones(2)
        >>> ns = {"w": w}
        >>> ck = Checkpoints()
        >>> _ = ck.save("a", ns)
        >>> _ = w.mul_(3)
        >>> [r.name for r in ck.diff("a", ns).rows]
        ['w']
        >>> _ = ck.load("a", ns)
        >>> w.tolist()
        [1.0, 1.0]
    """

    def __init__(self):
        self._snaps = {}

    def save(self, name, namespace):
        snap = snapshot(namespace, tensors=True)
        self._snaps[name] = snap
        n = len(snap.params) + len(snap.buffers) + len(snap.tensors)
        return f"saved {name!r}: {n} tensors, {len(snap.optimizers)} " \
               "optimizer(s), RNG states"

    def load(self, name, namespace=None):
        snap = self._get(name)
        restore(snap)
        return f"restored {name!r}"

    def list(self):
        out = []
        for n, s in self._snaps.items():
            out.append((n, f"{len(s.params)} params, {len(s.buffers)} "
                           f"buffers, {len(s.tensors)} tensors, "
                           f"{len(s.optimizers)} optimizer(s)"))
        return CheckpointList(out)

    def names(self):
        return list(self._snaps)

    def _get(self, name):
        if name not in self._snaps:
            known = ", ".join(self._snaps) or "none"
            raise KeyError(f"ckpt: no checkpoint named {name!r} "
                           f"(saved: {known})")
        return self._snaps[name]

    def diff(self, name, namespace):
        snap = self._get(name)
        rows = []
        unchanged = 0
        missing = []
        items = [(n, p, d) for n, (p, d, g) in snap.params.items()] + \
            [(n, t, d) for n, (t, d) in snap.tensors.items()] + \
            [(n, b, d) for n, (b, d) in snap.buffers.items()]
        for n, t, old in items:
            new = t._data
            if new.shape != old.shape:
                rows.append(DiffRow(n, None, None, None,
                                    f"shape {list(old.shape)} → "
                                    f"{list(new.shape)}"))
                continue
            if new.dtype.kind not in "fc":
                if not np.array_equal(_host(new), _host(old)):
                    rows.append(DiffRow(n, None, None, None, "changed"))
                else:
                    unchanged += 1
                continue
            d = _host(new).astype(np.float64) - _host(old).astype(
                np.float64)
            if not d.any():
                unchanged += 1
                continue
            dn = float(np.sqrt((d * d).sum()))
            wn = float(np.sqrt((_host(old).astype(np.float64) ** 2).sum()))
            rows.append(DiffRow(n, dn, dn / wn if wn else None,
                                float(np.abs(d).max())))
        rng_changed = json.dumps(snap.rng, sort_keys=True, default=str) != \
            json.dumps(_rng_states(), sort_keys=True, default=str)
        oc = ot = 0
        for n, (o, st) in snap.optimizers.items():
            if st is None:
                continue
            old = _tensors_of(st, n, [])
            new = dict(_tensors_of(_opt_state(o), n, []))
            for label, arr in old:
                ot += 1
                cur = new.get(label)
                if cur is None or cur.shape != arr.shape or \
                        not np.array_equal(_host(cur), _host(arr)):
                    oc += 1
            ot += max(0, len(new) - len(old))
            oc += max(0, len(new) - len(old))
        return CheckpointDiff(name, rows, unchanged, rng_changed, oc, ot,
                              missing)
