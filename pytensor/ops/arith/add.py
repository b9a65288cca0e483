"""``add`` and ``sub`` (``+``, ``-``, ``+=``, ``-=``), with ``alpha``."""
from pytensor.autograd.function import Function
from pytensor.ops._kernel import binary_kernels
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import promote, broadcast_error
from pytensor.autograd.inplace import inplace

__all__ = ["add", "sub", "subtract", "rsub"]


class Add(Function):
    """``a + b``; the engine sums each gradient down to its input's shape."""

    def forward(self, a, b):
        return binary_kernels(a, b).add_fwd(a, b)

    def backward(self, gy):
        return gy, gy

    def backward_arrays(self, gy):
        return gy, gy


class Sub(Function):
    def forward(self, a, b):
        return binary_kernels(a, b).sub_fwd(a, b)

    def backward(self, gy):
        return gy, (-gy if self.needs_input_grad[1] else None)

    def backward_arrays(self, gy):
        return gy, (-gy if self.needs_input_grad[1] else None)


def _scaled(other, alpha):
    return other if alpha == 1 else other * alpha


@tensor_method("add", "__add__")
def add(input, other, alpha=1):
    """Elementwise ``input + alpha * other``, broadcasting.

    Args:
        input (Tensor or number): the first operand.
        other (Tensor or number): the second operand.
        alpha (number): multiplier of ``other``.

    Shape:
        Broadcast of the two shapes.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> pytensor.add(pytensor.tensor([1.0, 2.0]), 10, alpha=2)
        tensor([21., 22.])
    """
    a, b = promote("add", input, _scaled(other, alpha))
    try:
        return Add.apply(a, b)
    except ValueError:
        raise broadcast_error("add", a, b) from None


@tensor_method("sub", "subtract", "__sub__")
def sub(input, other, alpha=1):
    """Elementwise ``input - alpha * other``, broadcasting.

    Example:
        >>> import pytensor
        >>> pytensor.tensor([5, 6]) - 1
        tensor([4, 5])
    """
    _check_bool_sub(input, other)
    a, b = promote("sub", input, _scaled(other, alpha))
    try:
        return Sub.apply(a, b)
    except ValueError:
        raise broadcast_error("sub", a, b) from None


subtract = sub


def _is_bool(x):
    if isinstance(x, bool):
        return True
    d = getattr(x, "_data", None)
    return d is not None and d.dtype.kind == "b"


def _check_bool_sub(a, b):
    """PyTorch refuses ``-`` whenever a bool operand is involved."""
    ba, bb = _is_bool(a), _is_bool(b)
    if not (ba or bb):
        return
    if ba and bb:
        raise RuntimeError(
            "sub: subtraction, the `-` operator, with two bool tensors is "
            "not supported. Use the `^` or `logical_xor()` operator instead.")
    raise RuntimeError(
        "sub: subtraction, the `-` operator, with a bool tensor is not "
        "supported. If you are trying to invert a mask, use the `~` or "
        "`logical_not()` operator instead.")


def rsub(input, other, alpha=1):
    """``other - alpha * input``."""
    return sub(other, _scaled(input, alpha))


@tensor_method("__radd__")
def _radd(self, other):
    return add(other, self)


@tensor_method("__rsub__")
def _rsub(self, other):
    return sub(other, self)


@tensor_method("add_", "__iadd__")
def add_(self, other, alpha=1):
    """In-place ``self += alpha * other``."""
    return inplace(self, "add_", add, other, alpha)


@tensor_method("sub_", "subtract_", "__isub__")
def sub_(self, other, alpha=1):
    """In-place ``self -= alpha * other``."""
    return inplace(self, "sub_", sub, other, alpha)
