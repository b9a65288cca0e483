"""``variables(namespace)``: a tensor-aware table of a namespace
(``:vars``)."""
import dataclasses
import fnmatch
import types

from pytensor.autograd.tape import format_where
from pytensor.debug._render import (fmt_bytes, fmt_dtype, fmt_num, fmt_shape,
                                    truncate, Table)
from pytensor.debug._result import Result
from pytensor.debug._tapeindex import producer
from pytensor.debug.names import is_module, is_optimizer

__all__ = ["VarRow", "VarTable", "variables"]


@dataclasses.dataclass
class VarRow:
    """One variable.  ``grad`` says how it takes part in autograd: ``-``,
    ``req`` (a leaf that requires grad), ``req, grad`` (and has one),
    ``fn=<op>`` (an intermediate), ``N params`` (a module)."""
    name: str
    type: str
    shape: str = "-"
    dtype: str = "-"
    device: str = "-"
    grad: str = "-"
    bytes: int = None
    note: str = ""


@dataclasses.dataclass
class VarTable(Result):
    """Rows of :func:`variables`."""
    rows: list
    hidden: int = 0

    def render(self, width=None, color=False):
        if not self.rows:
            return "no variables" + (f" ({self.hidden} hidden)"
                                     if self.hidden else "")
        t = Table(["name", "type", "shape", "dtype", "dev", "grad",
                   ("bytes", {"align": ">"}),
                   ("note", {"flex": 1, "min": 8})])
        for r in self.rows:
            t.add([(r.name, "name"), r.type, r.shape, r.dtype, r.device,
                   r.grad, fmt_bytes(r.bytes) if r.bytes is not None else "-",
                   r.note])
        return t.render(width, color)


def _tensor_row(name, t):
    arr = t._data
    if t.grad_fn is not None:
        grad = f"fn={t.grad_fn.name}"
    elif t._requires_grad:
        grad = "req, grad" if t._grad is not None else "req"
    else:
        grad = "-"
    note = ""
    if arr.size == 1 and arr.dtype.kind in "fiub":
        v = arr.reshape(()).item() if arr.__class__.__module__ == "numpy" \
            else arr.reshape(()).get().item()
        note = f"= {fmt_num(v, 4) if isinstance(v, float) else v}"
    rec = producer(t)
    if rec is not None:
        where = f", {format_where(rec.where)}" if rec.where else ""
        note = (note + "  " if note else "") + f"(#{rec.id} {rec.op}{where})"
    return VarRow(name, type(t).__name__, fmt_shape(arr.shape),
                  fmt_dtype(arr.dtype), str(t.device), grad, int(arr.nbytes),
                  note)


def _module_row(name, m):
    n = 0
    nbytes = 0
    dev = "-"
    try:
        for p in m.parameters():
            n += p._data.size
            nbytes += p._data.nbytes
            dev = str(p.device)
    except Exception:
        pass
    mode = "train mode" if getattr(m, "training", True) else "eval mode"
    return VarRow(name, type(m).__name__, "-", "-", dev, f"{n:,} params",
                  nbytes, mode)


def _other_row(name, v):
    import numpy as np
    if isinstance(v, np.ndarray):
        return VarRow(name, "ndarray", fmt_shape(v.shape), fmt_dtype(v.dtype),
                      "cpu", "-", int(v.nbytes), "")
    if is_optimizer(v):
        lr = None
        try:
            lr = v.param_groups[0].get("lr")
        except Exception:
            pass
        npar = sum(len(g.get("params", ())) for g in v.param_groups)
        note = f"{npar} params" + (f", lr={fmt_num(lr)}" if lr is not None
                                   else "")
        return VarRow(name, type(v).__name__, note=note)
    if isinstance(v, (types.FunctionType, types.BuiltinFunctionType,
                      types.MethodType)):
        return VarRow(name, "function", note=f"{getattr(v, '__name__', '')}")
    r = repr(v)
    return VarRow(name, type(v).__name__, note=truncate(" ".join(r.split()),
                                                        60))


def variables(namespace, pattern=None, exclude=(), all=False):
    """A row per variable of ``namespace``: tensors with shape, dtype,
    device, autograd state and size; modules with their parameter count and
    mode; other values by type.

    Args:
        namespace (dict): the variables.
        pattern (str): a glob (``w*``) to filter names.
        exclude: names to leave out (the REPL's pre-imported names).
        all (bool): include names starting with ``_``, Python modules and
            classes.

    Returns:
        VarTable

    Example:
        >>> import pytensor
        >>> from pytensor.debug import variables
        >>> ns = {"x": pytensor.ones(4, 2), "n": 3}
        >>> [(r.name, r.shape) for r in variables(ns).rows]
        [('n', '-'), ('x', '[4,2]')]
    """
    from pytensor.tensor import Tensor
    rows = []
    hidden = 0
    for name in sorted(namespace):
        v = namespace[name]
        if pattern and not fnmatch.fnmatchcase(name, pattern):
            continue
        if not all and (name.startswith("_") or name in exclude or
                        isinstance(v, (types.ModuleType, type))):
            hidden += 1
            continue
        if isinstance(v, Tensor):
            rows.append(_tensor_row(name, v))
        elif is_module(v):
            rows.append(_module_row(name, v))
        else:
            rows.append(_other_row(name, v))
    return VarTable(rows, hidden)
