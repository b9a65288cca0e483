"""``repr(tensor)`` in PyTorch's style.

``tensor([0.1000, 1.5000])``, ``tensor([1., 2.])`` for integral floats,
scientific notation when the range calls for it (NumPy and PyTorch share the
rule: max >= 1e8, or min < 1e-4, or max/min > 1000), then the suffixes
``dtype=`` (when not implied), ``device=``, ``grad_fn=`` / ``requires_grad=``.
"""
import numpy as np

from pytensor import dtypes as _dt

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80


def set_printoptions(precision=None, threshold=None, edgeitems=None,
                     linewidth=None):
    """Printing options for tensors (as ``torch.set_printoptions``)."""
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH
    if precision is not None:
        PRECISION = precision
    if threshold is not None:
        THRESHOLD = threshold
    if edgeitems is not None:
        EDGEITEMS = edgeitems
    if linewidth is not None:
        LINEWIDTH = linewidth


def _float_formatter(arr):
    finite = arr[np.isfinite(arr)]
    if finite.size == 0:
        return None
    a = np.abs(finite.astype(np.float64))
    nz = a[a != 0]
    if np.all(finite == np.round(finite)) and (nz.size == 0 or nz.max() < 1e8):
        width = max(len(f"{v:.0f}") for v in finite.astype(np.float64).ravel()
                    [:: max(1, finite.size // 1000)]) + 1
        return lambda v: (f"{v:.0f}." if np.isfinite(v) else str(v)
                          ).rjust(width)
    sci = nz.size and (nz.max() >= 1e8 or nz.min() < 1e-4 or
                       nz.max() / nz.min() > 1000)
    p = PRECISION
    if sci:
        def f(v):
            return f"{v:.{p}e}" if np.isfinite(v) else str(v)
    else:
        def f(v):
            return f"{v:.{p}f}" if np.isfinite(v) else str(v)
    width = max(len(f(v)) for v in finite.astype(np.float64).ravel()
                [:: max(1, finite.size // 1000)])
    return lambda v: f(v).rjust(width)


def format_array(arr, prefix="tensor("):
    if arr.size == 0:
        return "[]"
    kw = dict(separator=", ", prefix=prefix, threshold=THRESHOLD,
              edgeitems=EDGEITEMS, max_line_width=LINEWIDTH)
    if arr.dtype.kind == "f":
        fmt = _float_formatter(arr)
        if fmt is not None:
            kw["formatter"] = {"float_kind": lambda v: fmt(float(v))}
    elif arr.dtype.kind == "b":
        w = 5 if not arr.all() else 4
        kw["formatter"] = {"bool": lambda v: ("True" if v else "False"
                                              ).rjust(w)}
    if arr.ndim == 0:
        if arr.dtype.kind == "f" and "formatter" in kw:
            return kw["formatter"]["float_kind"](arr.item()).strip()
        return str(arr.item())
    return np.array2string(arr, **kw)


def format_tensor(t):
    arr = t._data
    if arr.__class__ is not np.ndarray:
        arr = arr.get()
    body = format_array(arr)
    suffix = []
    if arr.size == 0 and arr.ndim != 1:
        suffix.append(f"size=({', '.join(map(str, arr.shape))}"
                      f"{',' if arr.ndim == 1 else ''})")
    dt = t.dtype
    implied = dt is _dt.get_default_dtype() or dt is _dt.int64 or \
        dt is _dt.bool_
    if arr.size == 0 and dt is not _dt.get_default_dtype():
        implied = False
    if not implied:
        suffix.append(f"dtype={dt!r}")
    dev = t.device
    if dev.type != "cpu":
        suffix.append(f"device='{dev}'")
    if t.grad_fn is not None:
        suffix.append(f"grad_fn={t.grad_fn!r}")
    elif t._requires_grad:
        suffix.append("requires_grad=True")
    if suffix:
        return f"tensor({body}, {', '.join(suffix)})"
    return f"tensor({body})"
