"""``grad_table()``: every parameter's gradient at a glance (``:grad``)."""
import dataclasses
import fnmatch
import math

from pytensor.autograd.tape import format_where
from pytensor.debug._render import fmt_num, fmt_sci, fmt_shape, truncate, \
    Table
from pytensor.debug._result import Result
from pytensor.debug._tapeindex import TapeIndex
from pytensor.debug.names import Namer, is_module
from pytensor.debug.summarize import tensor_stats
from pytensor.debug.why import short_reason, why

__all__ = ["GradRow", "GradTable", "grad_table"]


@dataclasses.dataclass
class GradRow:
    """One parameter.

    Attributes:
        name (str), shape (tuple).
        norm (float or None): ‖grad‖₂ over finite values.
        ratio (float or None): ‖grad‖ / ‖weight‖.
        max (float or None): max |grad|.
        zero_pct (float or None): % of exact zeros.
        nan, inf (int or None): counts.
        status (str): ``ok``, ``nan``, ``inf``, ``zero`` (all zeros), or
            ``NO GRAD: <reason>`` (the reason from :func:`why`).
        cause (str or None): the :func:`why` cause when there is no grad.
    """
    name: str
    shape: tuple
    norm: float = None
    ratio: float = None
    max: float = None
    zero_pct: float = None
    nan: int = None
    inf: int = None
    status: str = "ok"
    cause: str = None


@dataclasses.dataclass
class GradTable(Result):
    """Rows of :func:`grad_table` and totals."""
    rows: list
    total_norm: float
    with_grad: int
    last_backward: str

    def render(self, width=None, color=False):
        if not self.rows:
            return "no parameters or leaf tensors requiring grad found"
        t = Table(["parameter", "shape", ("‖g‖₂", {"align": ">"}),
                   ("‖g‖/‖w‖", {"align": ">", "drop": 3}),
                   ("max|g|", {"align": ">", "drop": 2}),
                   ("zero%", {"align": ">", "drop": 4}),
                   ("nan", {"align": ">"}), ("inf", {"align": ">"}),
                   ("status", {"flex": 1, "min": 10})])
        for r in self.rows:
            st = r.status
            role = "ok" if st == "ok" else ("warn" if st == "zero"
                                            else "bad")
            if r.norm is None and r.nan is None:
                cells = ["—"] * 6
            else:
                cells = [fmt_sci(r.norm), fmt_sci(r.ratio), fmt_sci(r.max),
                         f"{r.zero_pct:.1f}", str(r.nan), str(r.inf)]
            t.add([(r.name, "param"), fmt_shape(r.shape)] + cells +
                  [(st, role)])
        n = len(self.rows)
        foot = (f"total ‖g‖₂ {fmt_num(self.total_norm)} · {self.with_grad}/"
                f"{n} have grads · last backward: {self.last_backward}")
        if self.with_grad < n:
            foot += " · :why NAME explains a missing grad"
        return t.render(width, color) + "\n" + truncate(foot, width or 100)


def _targets(target, namespace, namer):
    """[(name, tensor)] to report."""
    from pytensor.tensor import Tensor
    if target is None or isinstance(target, str):
        out = list(namer.params.items())
        if not out:
            out = [(n, t) for n, t in namer.tensors()
                   if t.grad_fn is None and t._requires_grad]
        if isinstance(target, str):
            out = [(n, t) for n, t in out if fnmatch.fnmatchcase(n, target)
                   or n.startswith(target + ".")]
        return out
    if is_module(target):
        base = namer.module_name(target) or type(target).__name__
        return [(f"{base}.{n}", p) for n, p in target.named_parameters()]
    if isinstance(target, Tensor):
        return [(namer.name(target) or "tensor", target)]
    if isinstance(target, (list, tuple)):
        return [(namer.name(t) or f"[{i}]", t) for i, t in enumerate(target)
                if isinstance(t, Tensor)]
    raise TypeError(f"grad_table: cannot report on a "
                    f"{type(target).__name__}")


def grad_table(target=None, namespace=None, sort=None):
    """A row per parameter: gradient norm, norm ratio to the weight, max,
    zero fraction, NaN/inf counts and a status that gives the reason when
    the gradient is missing.

    Args:
        target: a module, a tensor, a list of tensors, a glob over names
            (``"model.0.*"``), or None for every parameter in the namespace
            (or every leaf that requires grad when there are no modules).
        namespace (dict): where to find modules and names.
        sort (str): ``name``, ``norm``, ``ratio``, ``max`` (largest first)
            or None (model order).

    Returns:
        GradTable

    Example:
        >>> import pytensor
        >>> w = pytensor.ones(3, requires_grad=True)
        >>> (w * 2).sum().backward()
        >>> from pytensor.debug import grad_table
        >>> r = grad_table(namespace={"w": w}).rows[0]
        >>> r.name, round(r.norm, 3), r.status
        ('w', 3.464, 'ok')
    """
    namespace = namespace or {}
    namer = Namer(namespace)
    rows = []
    index = None
    total = 0.0
    with_grad = 0
    for name, p in _targets(target, namespace, namer):
        g = p._grad
        row = GradRow(name, tuple(int(s) for s in p._data.shape))
        if g is None:
            index = index or TapeIndex()
            rep = why(p, namespace, namer=namer, index=index)
            row.cause = rep.cause
            row.status = "NO GRAD: " + short_reason(rep)
            rows.append(row)
            continue
        with_grad += 1
        gs = tensor_stats(g)
        ws = tensor_stats(p)
        row.norm = gs.norm
        row.nan, row.inf = gs.nan, gs.inf
        if gs.numel:
            row.max = max(abs(gs.min), abs(gs.max)) if gs.min is not None \
                else None
            row.zero_pct = 100.0 * gs.zeros / gs.numel
        else:
            row.zero_pct = 0.0
        if ws.norm and gs.norm is not None:
            row.ratio = gs.norm / ws.norm
        if gs.nan:
            row.status = "nan"
        elif gs.inf:
            row.status = "inf"
        elif gs.numel and gs.zeros == gs.numel:
            row.status = "zero"
        if gs.norm is not None:
            total += gs.norm ** 2
        rows.append(row)
    if sort:
        key = {"name": lambda r: r.name,
               "norm": lambda r: -(r.norm if r.norm is not None else -1),
               "ratio": lambda r: -(r.ratio if r.ratio is not None else -1),
               "max": lambda r: -(r.max if r.max is not None else -1)}.get(
            sort)
        if key is None:
            raise ValueError(f"grad_table: sort must be name, norm, ratio "
                             f"or max, not {sort!r}")
        rows.sort(key=key)
    index = index or TapeIndex()
    b = index.last("backward")
    if b is None:
        last = "none on the tape"
    else:
        t = b.inputs[0]() if b.inputs and b.inputs[0] is not None else None
        nm = (namer.name(t) if t is not None else None) or f"#{b.id}"
        last = f"{nm} (#{b.id}" + (f", {format_where(b.where)})"
                                   if b.where else ")")
    return GradTable(rows, math.sqrt(total), with_grad, last)
