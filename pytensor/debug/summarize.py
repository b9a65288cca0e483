"""Tensor statistics and one-line summaries (``f32[16,8] cpu μ=0.11 σ=0.57``).

Every statistic is computed on the storage array, outside autograd and off
the tape, so inspecting a tensor never changes what is recorded.  On a GPU
the reductions run there and only scalars come back (that transfer is the
synchronisation).
"""
import dataclasses

import numpy as np

from pytensor.debug._render import fmt_dtype, fmt_num, fmt_shape
from pytensor.debug._result import Result

__all__ = ["TensorStats", "tensor_stats", "summary", "first_bad_index",
           "array_of"]


def array_of(t):
    """The storage array of a Tensor (or an array as is)."""
    return getattr(t, "_data", t)


def _host(x):
    """A NumPy scalar/array from a NumPy or CuPy one."""
    get = getattr(x, "get", None)
    return get() if get is not None and not isinstance(x, np.ndarray) else x


@dataclasses.dataclass
class TensorStats(Result):
    """Statistics of a tensor's values.

    Attributes:
        shape (tuple), dtype (str, short form like ``f32``), device (str).
        numel (int).
        mean, std, min, max, norm (float or None): over the finite values
            (None when there are none, or for non-numeric dtypes).
        nan, inf (int): counts of NaN and ±inf elements.
        zeros (int): exact zeros.
        value (float, int, bool or None): the value of a one-element tensor.
    """
    shape: tuple
    dtype: str
    device: str
    numel: int
    mean: float = None
    std: float = None
    min: float = None
    max: float = None
    norm: float = None
    nan: int = 0
    inf: int = 0
    zeros: int = 0
    value: object = None

    @property
    def finite(self):
        return self.nan == 0 and self.inf == 0

    def render(self, width=None, color=False, prec=3):
        return summary_of_stats(self, prec=prec)


def tensor_stats(t):
    """:class:`TensorStats` of a Tensor or array.

    Example:
        >>> import pytensor
        >>> from pytensor.debug import tensor_stats
        >>> s = tensor_stats(pytensor.tensor([1.0, 2.0, float("nan")]))
        >>> s.mean, s.nan, s.numel
        (1.5, 1, 3)
    """
    arr = array_of(t)
    dev = str(getattr(t, "device", "cpu"))
    shape = tuple(int(s) for s in arr.shape)
    st = TensorStats(shape, fmt_dtype(arr.dtype), dev, int(arr.size))
    if arr.size == 0:
        return st
    kind = arr.dtype.kind
    if arr.size == 1:
        v = _host(arr.reshape(())).item()
        st.value = v
    if kind == "b":
        a = arr.astype(np.int64) if isinstance(arr, np.ndarray) else \
            arr.astype("int64")
        st.min, st.max = int(_host(a.min())), int(_host(a.max()))
        st.mean = float(_host(a.mean()))
        st.zeros = int(_host((a == 0).sum()))
        return st
    if kind in "iu":
        st.min, st.max = int(_host(arr.min())), int(_host(arr.max()))
        a = arr.astype(np.float64)
        st.mean = float(_host(a.mean()))
        st.std = float(_host(a.std())) if arr.size > 1 else 0.0
        st.norm = float(_host((a * a).sum())) ** 0.5
        st.zeros = int(_host((arr == 0).sum()))
        return st
    if kind == "c":
        return st
    xp = np if isinstance(arr, np.ndarray) else __import__("cupy")
    isnan = xp.isnan(arr)
    isinf = xp.isinf(arr)
    st.nan = int(_host(isnan.sum()))
    st.inf = int(_host(isinf.sum()))
    st.zeros = int(_host((arr == 0).sum()))
    if st.nan or st.inf:
        fin = arr[~(isnan | isinf)]
    else:
        fin = arr
    if fin.size:
        f64 = fin.astype(np.float64)
        st.mean = float(_host(f64.mean()))
        st.std = float(_host(f64.std(ddof=1))) if fin.size > 1 else 0.0
        st.min = float(_host(f64.min()))
        st.max = float(_host(f64.max()))
        st.norm = float(_host(xp.sqrt((f64 * f64).sum())))
    return st


def summary_of_stats(st, prec=3, device=True):
    """The one-line form of :class:`TensorStats`."""
    head = f"{st.dtype}{fmt_shape(st.shape)}"
    if device:
        head += f" {st.device}"
    if st.numel == 0:
        return head + " empty"
    if st.value is not None and st.numel == 1:
        v = st.value
        if isinstance(v, float):
            body = f"={fmt_num(v, max(prec, 4))}"
        else:
            body = f"={v}"
        return f"{head} {body}"
    if st.dtype == "bool":
        return f"{head} true={st.numel - st.zeros}/{st.numel}"
    if st.dtype.startswith(("i", "u")):
        return f"{head} min={st.min} max={st.max}"
    parts = [head]
    if st.mean is not None:
        parts.append(f"μ={fmt_num(st.mean, prec)} σ={fmt_num(st.std, prec)}")
    if st.nan:
        parts.append(f"nan={st.nan}")
    if st.inf:
        parts.append(f"inf={st.inf}")
    if st.mean is None and not (st.nan or st.inf):
        parts.append("(no statistics)")
    return " ".join(parts)


def summary(t, prec=3, device=True):
    """One line: dtype, shape, device and mean/std (``f32[16,8] cpu μ=0.11
    σ=0.57``); a single element shows its value; NaN/inf counts are
    appended when present.

    Example:
        >>> import pytensor
        >>> from pytensor.debug import summary
        >>> summary(pytensor.tensor([[1.0, 2.0], [3.0, 4.0]]))
        'f32[2,2] cpu μ=2.5 σ=1.29'
        >>> summary(pytensor.tensor(0.25))
        'f32[] cpu =0.25'
    """
    return summary_of_stats(tensor_stats(t), prec=prec, device=device)


def first_bad_index(t):
    """Index (a tuple) of the first NaN/inf element of a tensor, or None."""
    arr = array_of(t)
    if arr.dtype.kind not in "fc" or arr.size == 0:
        return None
    xp = np if isinstance(arr, np.ndarray) else __import__("cupy")
    bad = ~xp.isfinite(arr)
    if not bool(_host(bad.any())):
        return None
    flat = int(_host(xp.argmax(bad.reshape(-1))))
    return tuple(int(i) for i in np.unravel_index(flat, arr.shape))
