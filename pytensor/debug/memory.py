"""``memory()``: what holds memory (``:mem``).

Live tensors are found through the garbage collector and grouped by role:
parameters, their gradients, values saved for backward by live graph
nodes, other named tensors, and unnamed ones.  Storage shared by views is
counted once.  On a GPU the CuPy memory pool's used and held bytes are
added.
"""
import dataclasses
import gc

from pytensor.debug._render import fmt_bytes, fmt_shape, fmt_dtype, Table
from pytensor.debug._result import Result
from pytensor.debug.names import Namer

__all__ = ["MemoryReport", "memory"]


@dataclasses.dataclass
class MemoryReport(Result):
    """Totals per role (``params``, ``grads``, ``saved``, ``named``,
    ``other``: (count, bytes)), the largest named holders and the GPU pool
    (used, held) when there is one."""
    groups: dict
    top: list
    total: int
    devices: dict
    pool: tuple = None

    def render(self, width=None, color=False):
        t = Table(["group", ("tensors", {"align": ">"}),
                   ("bytes", {"align": ">"})])
        for g in ("params", "grads", "saved", "named", "other"):
            n, b = self.groups.get(g, (0, 0))
            t.add([g, str(n), fmt_bytes(b)])
        out = [t.render(width, color)]
        dev = ", ".join(f"{d} {fmt_bytes(b)}" for d, b in
                        sorted(self.devices.items()))
        out.append(f"total {fmt_bytes(self.total)} ({dev or 'no tensors'})")
        if self.pool is not None:
            out.append(f"cupy pool: used {fmt_bytes(self.pool[0])}, held "
                       f"{fmt_bytes(self.pool[1])}")
        if self.top:
            tt = Table(["largest", "shape", ("bytes", {"align": ">"})])
            for name, shape, dtype, b in self.top:
                tt.add([name, f"{dtype}{shape}", fmt_bytes(b)])
            out.append(tt.render(width, color))
        return "\n".join(out)


def _storage_key(t):
    arr = t._data
    base = arr
    while getattr(base, "base", None) is not None and hasattr(base.base,
                                                              "shape"):
        base = base.base
    return id(base), base


def memory(namespace=None, top=5):
    """Tensor memory by role; see the module docstring.

    Returns:
        MemoryReport

    Example:
        >>> import pytensor
        >>> from pytensor.debug import memory
        >>> w = pytensor.ones(256, requires_grad=True)
        >>> memory({"w": w}).groups["named"][1] >= 1024
        True
    """
    from pytensor.tensor import Tensor
    from pytensor.autograd.function import Function
    namer = Namer(namespace or {})
    params = {id(p) for p in namer.params.values()}
    grads = set()
    live = []
    nodes = []
    gc.collect()                # unreachable cycles do not hold memory
    for o in gc.get_objects():
        if isinstance(o, Tensor):
            live.append(o)
        elif isinstance(o, Function):
            nodes.append(o)
    for t in live:
        if t._grad is not None:
            grads.add(id(t._grad))
    saved_arrays = {}
    for n in nodes:
        for s in n._saved or ():
            if s is None or s[0] == 3:
                continue
            arr = s[1]._data if s[0] == 0 else s[1]
            saved_arrays[id(arr)] = arr
    seen = set()
    groups = {}
    devices = {}
    total = 0
    named = []
    for t in live:
        key, base = _storage_key(t)
        if key in seen:
            continue
        seen.add(key)
        b = int(getattr(base, "nbytes", 0))
        if id(t) in params:
            g = "params"
        elif id(t) in grads:
            g = "grads"
        elif id(t._data) in saved_arrays or key in saved_arrays:
            g = "saved"
        elif namer.name(t):
            g = "named"
        else:
            g = "other"
        n, tot = groups.get(g, (0, 0))
        groups[g] = (n + 1, tot + b)
        total += b
        d = str(t.device)
        devices[d] = devices.get(d, 0) + b
        nm = namer.name(t)
        if nm:
            named.append((nm, fmt_shape(t.shape), fmt_dtype(t._data.dtype),
                          b))
    # Saved arrays that no Tensor wraps (intermediates, outputs).
    for k, arr in saved_arrays.items():
        if k in seen:
            continue
        seen.add(k)
        b = int(getattr(arr, "nbytes", 0))
        n, tot = groups.get("saved", (0, 0))
        groups["saved"] = (n + 1, tot + b)
        total += b
    named.sort(key=lambda e: -e[3])
    pool = None
    try:
        from pytensor import cuda
        if cuda.is_available():
            pool = (cuda.memory_allocated(), cuda.memory_reserved())
    except Exception:
        pool = None
    return MemoryReport(groups, named[:top], total, devices, pool)
