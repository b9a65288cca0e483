"""``fill_``, ``zero_`` (and out-of-place ``fill``): set every element.

Autograd: the old values get a zero gradient; a 0-d tensor ``value`` that
requires grad gets the sum of the gradient.  Without a graph to build (no
grad mode, or nothing requires grad) and with the tape off, the storage is
written directly, since ``zero_`` runs on every optimizer step.
"""
from pytensor.autograd.function import Function
from pytensor.autograd.grad_mode import state as _state
from pytensor.autograd.inplace import check_inplace, inplace
from pytensor.autograd.tape import tape as _tape, user_frame
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.tensor import Tensor

__all__ = ["fill", "fill_", "zero_"]


class Fill(Function):
    """A tensor of ``x``'s shape and dtype, every element ``value``."""

    def __init__(self, value):
        self.value = value

    def forward(self, x):
        out = get_xp(x).empty(x.shape, x.dtype)
        out.fill(self.value)
        return out

    def backward(self, gy):
        return _zeros(gy)


class FillTensor(Function):
    """As :class:`Fill` with a 0-d tensor value: d/dvalue = sum(gy)."""

    name = "fill"

    def forward(self, x, v):
        out = get_xp(x).empty(x.shape, x.dtype)
        out[...] = v
        return out

    def backward(self, gy):
        nx, nv = self.needs_input_grad
        return (_zeros(gy) if nx else None), (gy.sum() if nv else None)


def _zeros(gy):
    return Tensor._make(get_xp(gy._data).zeros(gy.shape, gy._data.dtype))


def _check_value(op, value):
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(
                f"{op}: only supports 0-dimension value tensor but got "
                f"tensor with {value.ndim} dimensions.")
        return value
    if isinstance(value, bool) or hasattr(value, "__float__"):
        return value
    raise TypeError(f"{op}: value must be a number or a 0-d Tensor, got "
                    f"{type(value).__name__}")


def fill(input, value):
    """A new tensor of ``input``'s shape and dtype filled with ``value``
    (a number or a 0-d tensor, differentiable).

    Example:
        >>> import pytensor
        >>> pytensor.fill(pytensor.zeros(2, 2), 7)
        tensor([[7., 7.],
                [7., 7.]])
    """
    value = _check_value("fill", value)
    if isinstance(value, Tensor):
        return FillTensor.apply(input, value)
    return Fill(value).apply(input)


def _write_direct(x, value, op):
    """The no-autograd path: write the storage, bump the version."""
    check_inplace(x, op)
    if isinstance(value, Tensor):
        value = value.item()
    try:
        x._data.fill(value)
    except ValueError as e:
        if "read-only" in str(e):
            raise RuntimeError(
                f"{op}: unsupported operation: more than one element of the "
                "written-to tensor refers to a single memory location (an "
                "expanded tensor?). Please clone() the tensor before "
                "performing the operation.") from None
        raise
    x._get_vc().bump(op, user_frame(3))
    return x


def _needs_graph(x, value):
    return _state.enabled and (x._requires_grad or (
        isinstance(value, Tensor) and value._requires_grad))


@tensor_method("fill_")
def fill_(input, value):
    """Fill ``input`` with ``value`` in place (cast to its dtype); returns
    ``input``.

    Args:
        input (Tensor): the tensor to overwrite.
        value (number or 0-d Tensor): the fill value; a tensor that requires
            grad receives the sum of the gradient.

    Raises:
        RuntimeError: on a leaf that requires grad (in grad mode), as every
            in-place op.

    Example:
        >>> import pytensor
        >>> x = pytensor.empty(2, 3, dtype=pytensor.int64)
        >>> x.fill_(2.7)
        tensor([[2, 2, 2],
                [2, 2, 2]])
    """
    value = _check_value("fill_", value)
    if not _tape.recording and not _needs_graph(input, value):
        return _write_direct(input, value, "fill_")
    return inplace(input, "fill_", fill, value)


@tensor_method("zero_")
def zero_(input):
    """Fill ``input`` with zeros in place; returns ``input``.

    Example:
        >>> import pytensor
        >>> x = pytensor.ones(3)
        >>> x.zero_()
        tensor([0., 0., 0.])
    """
    if not _tape.recording and not _needs_graph(input, 0):
        return _write_direct(input, 0, "zero_")
    return inplace(input, "zero_", fill, 0)
