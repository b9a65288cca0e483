"""``info(t)``: everything about one tensor (``:info`` in the REPL)."""
import dataclasses

from pytensor.autograd.tape import format_where, source_line
from pytensor.debug._render import fmt_bytes, fmt_num, fmt_shape, paint
from pytensor.debug._result import Result, live
from pytensor.debug._tapeindex import producer
from pytensor.debug.names import Namer
from pytensor.debug.summarize import TensorStats, summary, tensor_stats

__all__ = ["TensorInfo", "info"]


@dataclasses.dataclass
class TensorInfo(Result):
    """A tensor card.

    Attributes:
        name (str or None): the user's name for it.
        stats (TensorStats): values (shape, dtype, device, μ, σ, min, max,
            nan/inf counts).
        requires_grad, is_leaf, retains_grad (bool).
        grad (str or None): summary of ``.grad`` (None when absent).
        grad_stats (TensorStats or None).
        grad_fn (str or None): the node, e.g. ``MulBackward``.
        version (int): the in-place version counter.
        last_inplace (str or None): the op and line of the last bump.
        is_view (bool), base (str or None): the view's base, named.
        contiguous (bool), strides (tuple), nbytes (int).
        op (str or None), record (int or None), where (str or None),
        source (str or None): the op that produced it, its tape id, the
            user's line and its text.
        module (str or None): the module the op ran in.
        values (str or None): the full ``repr`` (with ``values=True``).
    """
    name: str
    stats: TensorStats
    requires_grad: bool
    is_leaf: bool
    retains_grad: bool
    grad: str
    grad_stats: TensorStats
    grad_fn: str
    version: int
    last_inplace: str
    is_view: bool
    base: str
    contiguous: bool
    strides: tuple
    nbytes: int
    op: str = None
    record: int = None
    where: str = None
    source: str = None
    module: str = None
    values: str = None
    tensor: object = live()

    def render(self, width=None, color=False):
        s = self.stats
        title = self.name or (f"#{self.record}" if self.record else "tensor")
        lines = [f"{paint(title, 'name', color)}  {summary_of(self)}"]
        if s.numel and s.mean is not None:
            lines.append(
                f"  values   min {fmt_num(s.min)}  max {fmt_num(s.max)}  "
                f"μ {fmt_num(s.mean)}  σ {fmt_num(s.std)}  "
                f"‖·‖₂ {fmt_num(s.norm)}")
        bad = []
        if s.nan:
            bad.append(paint(f"{s.nan} NaN", "bad", color))
        if s.inf:
            bad.append(paint(f"{s.inf} inf", "bad", color))
        fin = ", ".join(bad) if bad else "all finite"
        zero = f" · zeros {s.zeros}/{s.numel}" if s.numel else ""
        lines.append(f"  finite   {fin}{zero}")
        if self.is_leaf:
            kind = "leaf" + (", requires_grad" if self.requires_grad
                             else ", no grad")
        else:
            kind = f"non-leaf (grad_fn={self.grad_fn})"
            if self.retains_grad:
                kind += ", retains grad"
        lines.append(f"  autograd {kind}")
        if self.grad is not None:
            lines.append(f"  grad     {self.grad}")
        elif self.requires_grad:
            lines.append("  grad     None  (:why for the reason)")
        ver = f"  version  {self.version}"
        if self.last_inplace:
            ver += f"  (last in-place: {self.last_inplace})"
        lines.append(ver)
        mem = (f"  memory   {fmt_bytes(self.nbytes)} · "
               f"{'contiguous' if self.contiguous else 'strided'} "
               f"strides {fmt_shape(self.strides)}")
        if self.is_view:
            mem += f" · view of {self.base}"
        lines.append(mem)
        if self.op:
            made = f"  made by  #{self.record} {paint(self.op, 'op', color)}"
            if self.module:
                made += f" in {self.module}"
            if self.where:
                made += f"  {paint(self.where, 'where', color)}"
            if self.source:
                made += f"  `{self.source}`"
            lines.append(made)
        out = "\n".join(_fit(line, width) for line in lines)
        if self.values is not None:
            out += "\n" + self.values
        return out


def _fit(line, width):
    from pytensor.debug._render import truncate, visible_len
    if width is None or visible_len(line) <= width or "\x1b" in line:
        return line
    return truncate(line, width)


def summary_of(ti):
    from pytensor.debug.summarize import summary_of_stats
    return summary_of_stats(ti.stats)


def info(t, namespace=None, values=False, namer=None):
    """Describe tensor ``t``: values, autograd state, memory, origin.

    Args:
        t (Tensor): the tensor.
        namespace (dict): names to call tensors by (optional).
        values (bool): include the full ``repr`` of the values.
        namer (Namer): reuse a namer built for ``namespace``.

    Returns:
        TensorInfo

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([1.0, 2.0], requires_grad=True)
        >>> from pytensor.debug import info
        >>> i = info(x, {"x": x})
        >>> i.name, i.is_leaf, i.stats.mean
        ('x', True, 1.5)
    """
    from pytensor.tensor import Tensor
    if not isinstance(t, Tensor):
        raise TypeError(f"info: expected a Tensor, got {type(t).__name__}")
    namer = namer or Namer(namespace or {})
    g = t._grad
    vc = t._vc
    last = None
    if vc is not None and vc.last_op:
        last = f"{vc.last_op} at {format_where(vc.last_where)}"
    base = t._base
    rec = producer(t)
    arr = t._data
    strides = tuple(s // arr.itemsize for s in arr.strides) \
        if arr.itemsize else ()
    ti = TensorInfo(
        name=namer.name(t),
        stats=tensor_stats(t),
        requires_grad=t._requires_grad,
        is_leaf=t.grad_fn is None,
        retains_grad=t.retains_grad,
        grad=summary(g) if g is not None else None,
        grad_stats=tensor_stats(g) if g is not None else None,
        grad_fn=repr(t.grad_fn).strip("<>") if t.grad_fn is not None
        else None,
        version=t._version_value(),
        last_inplace=last,
        is_view=base is not None,
        base=(namer.name(base) or summary(base)) if base is not None
        else None,
        contiguous=t.is_contiguous(),
        strides=strides,
        nbytes=int(arr.nbytes),
        tensor=t)
    if rec is not None:
        ti.op = rec.op
        ti.record = rec.id
        ti.where = format_where(rec.where) if rec.where else None
        ti.source = source_line(rec.where) or None
        ti.module = namer.module_path(rec.root, rec.module) or None
    if values:
        ti.values = repr(t)
    return ti
