"""``neg`` (unary ``-``)."""
from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.ops._registry import tensor_method

__all__ = ["neg", "negative"]


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy

    def backward_arrays(self, gy):
        return -gy


@tensor_method("neg", "negative", "__neg__")
def neg(input):
    """Elementwise ``-input``.

    Example:
        >>> import pytensor
        >>> -pytensor.tensor([1.0, -2.0])
        tensor([-1.,  2.])
    """
    if input._data.dtype.kind == "b":
        raise RuntimeError(
            "neg: negation, the `-` operator, on a bool tensor is not "
            "supported. If you are trying to invert a mask, use the `~` or "
            "`logical_not()` operator instead.")
    return Neg.apply(input)


negative = neg


@tensor_method("neg_", "negative_")
def neg_(self):
    return inplace(self, "neg_", neg)


@tensor_method("__pos__", "positive")
def positive(input):
    if input._data.dtype.kind == "b":
        raise RuntimeError("positive: The `+` operator, on a bool tensor is "
                           "not supported.")
    return input
