"""``reshape``, ``view``, ``flatten``, ``unflatten``, ``view_as``,
``reshape_as``.

``view`` always shares storage and raises when the strides do not allow
it; ``reshape`` shares when it can and copies otherwise, as in PyTorch.
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import canonical_dim

__all__ = ["reshape", "flatten", "unflatten"]


class View(Function):
    """A reshape that shares storage with its input."""

    _view = True
    name = "view"

    def __init__(self, shape):
        self.shape = shape

    def view(self, x):
        return x.reshape(self.shape)

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, gy):
        return gy.reshape(self.in_shape)

    def backward_arrays(self, gy):
        return gy.reshape(self.in_shape)


class Reshape(View):
    """A reshape that had to copy (non-contiguous input)."""

    _view = False
    name = "reshape"

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(self.shape).copy()


def _infer_shape(op, numel, shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    shape = tuple(int(s) for s in shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError(f"{op}: only one dimension can be inferred")
    if any(s < -1 for s in shape):
        raise RuntimeError(f"{op}: invalid shape dimension in {list(shape)}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(
                f"{op}: shape '{list(shape)}' is invalid for input of size "
                f"{numel}")
        shape = shape[:neg[0]] + (numel // known,) + shape[neg[0] + 1:]
    elif known != numel:
        raise RuntimeError(
            f"{op}: shape '{list(shape)}' is invalid for input of size "
            f"{numel}")
    return shape


def _can_view(x, shape):
    """Whether numpy can reshape ``x`` to ``shape`` without a copy."""
    if x.flags.c_contiguous:
        return True
    try:
        y = x.view()
        y.shape = shape         # raises when a copy would be needed
        return True
    except (AttributeError, ValueError):
        return False


@tensor_method("reshape")
def reshape(input, *shape):
    """The same data with a new shape (a view when possible).

    Args:
        input (Tensor): the tensor.
        *shape (ints or one tuple): the new shape; one dim may be -1.

    Example:
        >>> import pytensor
        >>> pytensor.arange(6).reshape(2, -1)
        tensor([[0, 1, 2],
                [3, 4, 5]])
    """
    shape = _infer_shape("reshape", input._data.size, shape)
    if shape == input._data.shape:
        return View(shape).apply(input)
    if _can_view(input._data, shape):
        return View(shape).apply(input)
    return Reshape(shape).apply(input)


@tensor_method("view")
def view(input, *shape):
    """A view with a new shape; raises if the strides do not allow it
    (use ``reshape`` or ``contiguous()`` first)."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int,
                                                     np.integer)):
        # view(dtype) reinterprets the bytes.
        from pytensor import dtypes as _dt
        from pytensor.tensor import Tensor
        d = _dt.to_dtype(shape[0])
        return Tensor._make(input._data.view(d.np))
    shape = _infer_shape("view", input._data.size, shape)
    if not _can_view(input._data, shape):
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and "
            f"stride (shape {list(input.shape)} -> {list(shape)}; at least "
            "one dimension spans across two contiguous subspaces). Use "
            ".reshape(...) instead.")
    return View(shape).apply(input)


@tensor_method("view_as")
def view_as(input, other):
    return view(input, other.shape)


@tensor_method("reshape_as")
def reshape_as(input, other):
    return reshape(input, other.shape)


@tensor_method("flatten")
def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim..end_dim`` into one.

    Example:
        >>> import pytensor
        >>> pytensor.zeros(2, 3, 4).flatten(1).shape
        (2, 12)
    """
    shape = input._data.shape
    if not shape:
        return reshape(input, 1)
    s = canonical_dim(start_dim, len(shape), "flatten")
    e = canonical_dim(end_dim, len(shape), "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot "
                           "come after end_dim")
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


@tensor_method("unflatten")
def unflatten(input, dim, sizes):
    """Split dim ``dim`` into ``sizes`` (one entry may be -1)."""
    shape = input._data.shape
    d = canonical_dim(dim, len(shape), "unflatten")
    sizes = _infer_shape("unflatten", shape[d], tuple(sizes))
    return reshape(input, shape[:d] + tuple(sizes) + shape[d + 1:])


@tensor_method("ravel")
def ravel(input):
    return reshape(input, -1)
