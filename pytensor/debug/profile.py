"""``profile()``: time and memory per op type or per module (``:profile``).

Op hooks time each op's forward (``forward_pre`` -> ``forward_post``) and
each node's backward, count calls, add up the bytes of the outputs they
allocated, and name the kernel that ran.  On a GPU the device is
synchronised around each op so the times are the kernels' (and the run is
slower than without the profiler, which the result says).
"""
import dataclasses
import time

from pytensor.autograd import hooks as _hooks
from pytensor.autograd.tape import Record, tape as _tape
from pytensor.debug._render import fmt_bytes, Table
from pytensor.debug._result import Result
from pytensor.debug.names import Namer

__all__ = ["ProfileRow", "Profile", "profile"]


@dataclasses.dataclass
class ProfileRow:
    """One op type (or module): forward calls, forward and backward
    seconds, kernel(s), bytes allocated by forward outputs, backward
    calls."""
    key: str
    calls: int = 0
    fwd: float = 0.0
    bwd: float = 0.0
    kernel: str = ""
    alloc: int = 0
    bwd_calls: int = 0


@dataclasses.dataclass
class Profile(Result):
    """Rows of :func:`profile`, slowest first, and totals."""
    by: str
    rows: list
    wall: float
    synced: bool = False

    def render(self, width=None, color=False):
        if not self.rows:
            return "no ops ran"
        head = "op" if self.by == "op" else "module"
        t = Table([(head, {"flex": 2, "min": 8}), ("calls", {"align": ">"}),
                   ("fwd ms", {"align": ">"}), ("bwd ms", {"align": ">"}),
                   ("kernel", {"flex": 1, "min": 8, "drop": 2}),
                   ("alloc", {"align": ">", "drop": 1})])
        for r in self.rows:
            t.add([r.key, str(max(r.calls, r.bwd_calls)),
                   f"{r.fwd * 1e3:.2f}" if r.calls else "-",
                   f"{r.bwd * 1e3:.2f}" if r.bwd_calls else "-", r.kernel,
                   fmt_bytes(r.alloc)])
        fwd = sum(r.fwd for r in self.rows)
        bwd = sum(r.bwd for r in self.rows)
        foot = (f"total fwd {fwd * 1e3:.2f} ms · bwd {bwd * 1e3:.2f} ms · "
                f"wall {self.wall * 1e3:.2f} ms")
        if self.synced:
            foot += " · device synced per op"
        return t.render(width, color) + "\n" + foot


class _Profiler:
    def __init__(self, by, namer, sync):
        self.by = by
        self.namer = namer
        self.sync = sync
        self.rows = {}
        self.fstack = []
        self.bstack = []

    def key_fwd(self, node):
        if self.by == "module":
            return self.namer.module_path(_tape.module_root,
                                          _tape.module_path) or "-"
        return node.name

    def key_bwd(self, node):
        if self.by == "module":
            row = node._record
            if row is None:
                return "-"
            rec = Record(row)
            return self.namer.module_path(rec.root, rec.module) or "-"
        row = node._record
        return Record(row).op if row is not None else node.name

    def row(self, key):
        r = self.rows.get(key)
        if r is None:
            r = self.rows[key] = ProfileRow(key)
        return r

    def forward_pre(self, node, inputs):
        if self.sync:
            self.sync()
        self.fstack.append(time.perf_counter())

    def forward_post(self, node, inputs, outputs):
        if self.sync:
            self.sync()
        t0 = self.fstack.pop() if self.fstack else time.perf_counter()
        r = self.row(self.key_fwd(node))
        r.calls += 1
        r.fwd += time.perf_counter() - t0
        r.alloc += sum(int(o._data.nbytes) for o in outputs)
        dev = outputs[0].device if outputs else None
        k = type(node).kernel_name(dev)
        if not r.kernel:
            r.kernel = k
        elif k not in r.kernel.split(", "):
            r.kernel += ", " + k

    def backward_pre(self, node, grad_outputs):
        if self.sync:
            self.sync()
        self.bstack.append(time.perf_counter())

    def backward_post(self, node, grad_inputs, grad_outputs):
        if self.sync:
            self.sync()
        t0 = self.bstack.pop() if self.bstack else time.perf_counter()
        r = self.row(self.key_bwd(node))
        r.bwd += time.perf_counter() - t0
        r.bwd_calls += 1
        if not r.kernel and self.by == "op":
            r.kernel = type(node).kernel_name(None)


def profile(fn, by="op", namespace=None):
    """Run ``fn()`` once under op hooks; per op type (``by="op"``) or per
    module path (``by="module"``): calls, forward and backward time,
    kernel, bytes allocated.

    Ops that a backward runs internally are counted in that backward's
    time, not as forward ops.

    Returns:
        Profile

    Example:
        >>> import pytensor
        >>> from pytensor.debug import profile
        >>> x = pytensor.ones(4, requires_grad=True)
        >>> p = profile(lambda: (x * 2).sum().backward())
        >>> sorted(r.key for r in p.rows)
        ['mul', 'sum']
    """
    if by not in ("op", "module"):
        raise ValueError(f"profile: by must be 'op' or 'module', not {by!r}")
    sync = None
    try:
        from pytensor import cuda
        if cuda.is_available():
            sync = cuda.synchronize
    except Exception:
        pass
    prof = _Profiler(by, Namer(namespace or {}), sync)

    class _Hook:
        # Forward ops run inside a backward belong to that backward.
        depth = 0

        def forward_pre(self, node, inputs):
            if not self.depth:
                prof.forward_pre(node, inputs)

        def forward_post(self, node, inputs, outputs):
            if not self.depth:
                prof.forward_post(node, inputs, outputs)

        def backward_pre(self, node, grad_outputs):
            self.depth += 1
            prof.backward_pre(node, grad_outputs)

        def backward_post(self, node, grad_inputs, grad_outputs):
            self.depth = max(0, self.depth - 1)
            prof.backward_post(node, grad_inputs, grad_outputs)

    h = _hooks.register_op_hook(_Hook())
    t0 = time.perf_counter()
    try:
        fn()
    finally:
        wall = time.perf_counter() - t0
        h.remove()
    rows = sorted(prof.rows.values(), key=lambda r: -(r.fwd + r.bwd))
    return Profile(by, rows, wall, sync is not None)
