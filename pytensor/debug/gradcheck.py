"""``gradcheck_report()``: analytic vs finite-difference gradients, one row
per input, with the worst element (``:gradcheck``).

Inputs are checked in float64 (copies; the originals are untouched), and
the report says so when they were float32.  Instead of a wall of Jacobian
numbers, each input gets its maximum absolute and relative error and the
element where they are worst, with the two values side by side.
"""
import dataclasses

import numpy as np

from pytensor.debug._render import fmt_num, fmt_sci, Table
from pytensor.debug._result import Result

__all__ = ["GradcheckRow", "GradcheckReport", "gradcheck_report"]


@dataclasses.dataclass
class GradcheckRow:
    """One input: shape, max abs/rel error, worst element (``b[2]``), the
    numeric and analytic derivative there, verdict and a note."""
    name: str
    shape: tuple
    max_abs: float
    max_rel: float
    worst: str
    numeric: float
    analytic: float
    ok: bool
    note: str = ""


@dataclasses.dataclass
class GradcheckReport(Result):
    """Rows of :func:`gradcheck_report`."""
    rows: list
    cast_note: str
    eps: float
    atol: float
    rtol: float

    @property
    def ok(self):
        return all(r.ok for r in self.rows)

    def render(self, width=None, color=False):
        out = []
        if self.cast_note:
            out.append(self.cast_note)
        t = Table(["input", "shape", ("max abs", {"align": ">"}),
                   ("max rel", {"align": ">"}), "worst",
                   ("numeric", {"align": ">"}), ("analytic", {"align": ">"}),
                   "ok", ("", {"flex": 1})])
        for r in self.rows:
            bad = not r.ok
            t.add([r.name, "[" + ",".join(map(str, r.shape)) + "]",
                   fmt_sci(r.max_abs), fmt_sci(r.max_rel),
                   r.worst if bad else "-",
                   fmt_num(r.numeric, 4) if bad else "-",
                   fmt_num(r.analytic, 4) if bad else "-",
                   ("✓", "ok") if r.ok else ("✗", "bad"), r.note])
        out.append(t.render(width, color))
        n_bad = sum(not r.ok for r in self.rows)
        if n_bad:
            out.append(f"FAILED {n_bad}/{len(self.rows)} inputs "
                       f"(atol {self.atol:g}, rtol {self.rtol:g}, "
                       f"eps {self.eps:g})")
        else:
            out.append(f"all {len(self.rows)} inputs match "
                       f"(atol {self.atol:g}, rtol {self.rtol:g}, "
                       f"eps {self.eps:g})")
        return "\n".join(out)


def gradcheck_report(fn, inputs, names=None, eps=1e-6, atol=1e-5,
                     rtol=1e-3):
    """Compare ``fn``'s analytic gradients with central differences.

    Args:
        fn: maps the inputs to a Tensor (or tuple of Tensors).
        inputs: a Tensor or a tuple; floating ones are checked (all of them
            when none requires grad, else those that do).
        names: labels for the inputs (default ``a``, ``b``, ...).
        eps, atol, rtol: the step and tolerances
            (``|num - ana| <= atol + rtol * |num|``).

    Returns:
        GradcheckReport

    Example:
        >>> import pytensor
        >>> from pytensor.debug import gradcheck_report
        >>> a = pytensor.randn(3)
        >>> gradcheck_report(lambda t: (t * t).sum(), (a,)).ok
        True
    """
    from pytensor.autograd.gradcheck import jacobians
    from pytensor.tensor import Tensor
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    floats = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and
              x._data.dtype.kind == "f"]
    if not floats:
        raise ValueError("gradcheck: no floating-point tensor among the "
                         "inputs")
    wanted = [i for i in floats if inputs[i]._requires_grad] or floats
    cast = sorted({str(inputs[i].dtype).replace("pytensor.", "")
                   for i in wanted if inputs[i]._data.dtype != np.float64})
    copies = list(inputs)
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x._data.dtype.kind == "f":
            c = Tensor._make(np.array(x._data, dtype=np.float64))
            if i in wanted:
                c.requires_grad_(True)
            copies[i] = c
    numerical, analytical, diff = jacobians(fn, tuple(copies), eps)
    labels = list(names) if names else [chr(ord("a") + i) if i < 26 else
                                        f"x{i}" for i in range(len(inputs))]
    rows = []
    for k, i in enumerate(diff):
        num, ana = numerical[k], analytical[k]
        shape = tuple(inputs[i]._data.shape)
        if num.size == 0:
            rows.append(GradcheckRow(labels[i], shape, 0.0, 0.0, "-", 0.0,
                                     0.0, True))
            continue
        err = np.abs(num - ana)
        rel = err / np.maximum(np.abs(num), 1e-12)
        bad = (err > atol + rtol * np.abs(num)) | (np.isnan(num) !=
                                                   np.isnan(ana))
        ok = not bad.any()
        score = np.where(np.isnan(err), np.inf, err)
        r, c = np.unravel_index(int(np.argmax(score)), score.shape)
        idx = np.unravel_index(c, shape) if shape else ()
        worst = f"{labels[i]}[{','.join(map(str, idx))}]" if shape else \
            labels[i]
        note = ""
        if not ok and ana[r, c] == 0:
            note = "(analytic grad is exactly 0 here)"
        elif not ok and num[r, c] == 0:
            note = "(numeric grad is 0 here)"
        if not ok and num.shape[0] > 1:
            note = (note + " " if note else "") + f"output element {r}"
        rows.append(GradcheckRow(labels[i], shape, float(np.nanmax(err)),
                                 float(np.nanmax(rel)), worst,
                                 float(num[r, c]), float(ana[r, c]), ok,
                                 note))
    note = ""
    if cast:
        note = f"inputs cast to float64 for the check (were " \
               f"{', '.join(cast)})"
    return GradcheckReport(rows, note, eps, atol, rtol)
