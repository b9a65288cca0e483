"""``cat`` (``concat``, ``concatenate``), ``stack``, ``hstack``, ``vstack``,
``dstack``, ``column_stack`` and ``atleast_1d/2d/3d``."""
from pytensor import dtypes as _dt
from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops._util import canonical_dim
from pytensor.ops.shape._views import Slice
from pytensor.tensor import Tensor

__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack",
           "row_stack", "dstack", "column_stack", "atleast_1d", "atleast_2d",
           "atleast_3d"]

_FULL = slice(None)


class Cat(Function):
    """Concatenation along ``dim``; each input's gradient is its slice of
    the output gradient (a view).  Inputs listed in ``skip`` (1-d empty
    tensors) take no part but still get an (empty) gradient."""

    def __init__(self, dim, skip=()):
        self.dim = dim
        self.skip = skip

    def forward(self, *xs):
        skip = self.skip
        parts = [x for i, x in enumerate(xs) if i not in skip] if skip \
            else xs
        self.sizes = [None if i in skip else x.shape[self.dim]
                      for i, x in enumerate(xs)]
        return get_xp(xs[0]).concatenate(parts, axis=self.dim)

    def backward(self, gy):
        out = []
        start = 0
        pre = (_FULL,) * self.dim
        for need, n in zip(self.needs_input_grad, self.sizes):
            if not need:
                g = None
            elif n is None:
                g = Tensor._make(get_xp(gy._data).zeros(0, gy._data.dtype))
            else:
                g = Slice(pre + (slice(start, start + n), Ellipsis)).apply(gy)
            out.append(g)
            start += n or 0
        return tuple(out)


class Stack(Function):
    """Stacking along a new dim ``dim``; each input's gradient is its
    index of the output gradient (a view)."""

    def __init__(self, dim):
        self.dim = dim

    def forward(self, *xs):
        return get_xp(xs[0]).stack(xs, axis=self.dim)

    def backward(self, gy):
        pre = (_FULL,) * self.dim
        return tuple(Slice(pre + (i, Ellipsis)).apply(gy) if need else None
                     for i, need in enumerate(self.needs_input_grad))


def _tensor_list(op, tensors):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op}: expected a sequence of Tensors, got a Tensor "
                        "(did you mean to pass a list?)")
    try:
        ts = list(tensors)
    except TypeError:
        raise TypeError(f"{op}: expected a sequence of Tensors, got "
                        f"{type(tensors).__name__}") from None
    for i, t in enumerate(ts):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected Tensor as element {i} in "
                            f"argument 0, but got {type(t).__name__}")
    return ts


def _promote_all(ts):
    """Cast (differentiably) to the common dtype of all inputs."""
    d = ts[0]._data.dtype
    if all(t._data.dtype == d for t in ts):
        return ts
    res = ts[0].dtype
    for t in ts[1:]:
        res = _dt.promote_types(res, t.dtype)
    return [t if t.dtype is res else t.to(res) for t in ts]


def cat(tensors, dim=0, *, out=None):
    """Concatenate tensors along an existing dim ``dim``.

    All tensors must have the same shape except in ``dim``; 1-d empty
    tensors (shape ``(0,)``) are skipped, as in PyTorch.  The result has
    the promoted dtype of the inputs.

    Args:
        tensors (sequence of Tensor): the tensors.
        dim (int): the dim to concatenate along.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> a = pytensor.tensor([[1.0, 2.0]])
        >>> b = pytensor.tensor([[3.5, 4.5], [5.5, 6.5]])
        >>> pytensor.cat([a, b])
        tensor([[1.0000, 2.0000],
                [3.5000, 4.5000],
                [5.5000, 6.5000]])
        >>> pytensor.cat([a, a], dim=1)
        tensor([[1., 2., 1., 2.]])
        >>> i32 = pytensor.tensor([1], dtype=pytensor.int32)
        >>> pytensor.cat([i32, pytensor.tensor([2])]).dtype
        pytensor.int64
    """
    if out is not None:
        raise TypeError("cat: out= is not supported; assign the result")
    ts = _tensor_list("cat", tensors)
    if not ts:
        raise ValueError("cat: expected a non-empty list of Tensors")
    for i, t in enumerate(ts):
        if t._data.ndim == 0:
            raise RuntimeError(f"cat: zero-dimensional tensor (at position "
                               f"{i}) cannot be concatenated")
    ts = _promote_all(ts)
    # Legacy rule kept by PyTorch: 1-d empty tensors are ignored.
    kept = [(i, t) for i, t in enumerate(ts)
            if not (t._data.ndim == 1 and t._data.shape[0] == 0)]
    if not kept:
        return Cat(0).apply(*ts)
    ref_i, ref = kept[0]
    shape = ref._data.shape
    nd = len(shape)
    d = canonical_dim(dim, nd, "cat")
    for i, t in kept[1:]:
        s = t._data.shape
        if len(s) != nd:
            raise RuntimeError(
                f"cat: Tensors must have same number of dimensions: got {nd} "
                f"and {len(s)} (shapes {list(shape)} and {list(s)})")
        for j in range(nd):
            if j != d and s[j] != shape[j]:
                raise RuntimeError(
                    f"cat: Sizes of tensors must match except in dimension "
                    f"{d}. Expected size {shape[j]} but got size {s[j]} for "
                    f"tensor number {i} in the list (shapes {list(shape)} "
                    f"and {list(s)})")
    skip = frozenset(range(len(ts))) - {i for i, _ in kept}
    return Cat(d, skip).apply(*ts)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Join tensors of equal shape along a new dim ``dim``.

    Args:
        tensors (sequence of Tensor): the tensors (same shape).
        dim (int): where the new dim goes (``0 .. ndim``, or negative).

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> pytensor.stack([pytensor.tensor([1, 2]), pytensor.tensor([3, 4])],
        ...                dim=1)
        tensor([[1, 3],
                [2, 4]])
    """
    if out is not None:
        raise TypeError("stack: out= is not supported; assign the result")
    ts = _tensor_list("stack", tensors)
    if not ts:
        raise RuntimeError("stack: stack expects a non-empty TensorList")
    shape = ts[0]._data.shape
    for i, t in enumerate(ts[1:], 1):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack: stack expects each tensor to be equal size, but got "
                f"{list(shape)} at entry 0 and {list(t._data.shape)} at "
                f"entry {i}")
    d = canonical_dim(dim, len(shape) + 1, "stack")
    return Stack(d).apply(*_promote_all(ts))


def atleast_1d(*tensors):
    """Each tensor viewed with at least 1 dim (0-d becomes shape ``(1,)``).
    One tensor in, one out; several (or a sequence) in, a tuple out."""
    return _atleast(tensors, 1)


def atleast_2d(*tensors):
    """Each tensor viewed with at least 2 dims (``(n,)`` becomes
    ``(1, n)``)."""
    return _atleast(tensors, 2)


def atleast_3d(*tensors):
    """Each tensor viewed with at least 3 dims (``(n,)`` becomes
    ``(1, n, 1)``, ``(m, n)`` becomes ``(m, n, 1)``)."""
    return _atleast(tensors, 3)


def _atleast(tensors, n):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and not single:
        tensors = tuple(tensors[0])
    out = []
    for t in tensors:
        s = t._data.shape
        if len(s) >= n:
            out.append(t)
        elif n == 1 or len(s) == 0:
            out.append(t.reshape((1,) * (n - len(s)) + s))
        elif n == 2:
            out.append(t.unsqueeze(0))
        else:           # n == 3, ndim 1 or 2
            out.append(t.reshape((1,) + s + (1,)) if len(s) == 1
                       else t.unsqueeze(-1))
    return out[0] if single else tuple(out)


def hstack(tensors):
    """Concatenate along dim 1 (dim 0 for 1-d tensors).

    Example:
        >>> import pytensor
        >>> pytensor.hstack([pytensor.tensor([1, 2]), pytensor.tensor([3])])
        tensor([1, 2, 3])
    """
    ts = atleast_1d(*_tensor_list("hstack", tensors))
    if not ts:
        raise ValueError("hstack: expected a non-empty list of Tensors")
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1)


def vstack(tensors):
    """Concatenate along dim 0, after making 1-d tensors rows.

    Example:
        >>> import pytensor
        >>> pytensor.vstack([pytensor.tensor([1, 2]), pytensor.tensor([3, 4])])
        tensor([[1, 2],
                [3, 4]])
    """
    ts = atleast_2d(*_tensor_list("vstack", tensors))
    return cat(ts, 0)


row_stack = vstack


def dstack(tensors):
    """Concatenate along dim 2, after making every tensor at least 3-d."""
    ts = atleast_3d(*_tensor_list("dstack", tensors))
    return cat(ts, 2)


def column_stack(tensors):
    """Stack 1-d tensors as columns (and concatenate 2-d ones along dim
    1)."""
    ts = []
    for t in _tensor_list("column_stack", tensors):
        s = t._data.shape
        ts.append(t.reshape(s[0] if s else 1, 1) if len(s) <= 1 else t)
    return cat(ts, 1)
