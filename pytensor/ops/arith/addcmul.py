"""``addcmul`` (``input + value * t1 * t2``) and ``addcdiv``
(``input + value * t1 / t2``), broadcasting over all three tensors."""
import numpy as np

from pytensor import dtypes as _dt
from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import broadcast_error
from pytensor.tensor import Tensor

__all__ = ["addcmul", "addcdiv"]


class Addcmul(Function):
    def __init__(self, value):
        self.value = value

    def forward(self, x, t1, t2):
        nt1, nt2 = self.needs_input_grad[1:] or (False, False)
        self.save_for_backward(t1 if nt2 else None, t2 if nt1 else None)
        return x + self.value * t1 * t2

    def backward(self, gy):
        t1, t2 = self.saved_tensors
        nx, nt1, nt2 = self.needs_input_grad
        v = self.value
        return (gy if nx else None,
                gy * t2 * v if nt1 else None,
                gy * t1 * v if nt2 else None)


class Addcdiv(Function):
    def __init__(self, value):
        self.value = value

    def forward(self, x, t1, t2):
        self.save_for_backward(t1, t2)
        return x + self.value * t1 / t2

    def backward(self, gy):
        t1, t2 = self.saved_tensors
        nx, nt1, nt2 = self.needs_input_grad
        v = self.value
        g1 = gy * v / t2 if nt1 or nt2 else None
        return (gy if nx else None,
                g1 if nt1 else None,
                -g1 * t1 / t2 if nt2 else None)


def _operands(op, input, tensor1, tensor2):
    for name, t in (("input", input), ("tensor1", tensor1),
                    ("tensor2", tensor2)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got "
                            f"{type(t).__name__}")
    res = _dt.result_type(input, tensor1, tensor2)
    return tuple(t if t.dtype is res else t.to(res)
                 for t in (input, tensor1, tensor2)), res


def _raise_broadcast(op, ts):
    a, b, c = ts
    for x, y in ((a, b), (a, c), (b, c)):
        try:
            np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            raise broadcast_error(op, x, y) from None
    raise broadcast_error(op, a, b)


@tensor_method("addcmul")
def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 * tensor2``, elementwise and broadcasting.

    Args:
        input (Tensor): the tensor added to.
        tensor1, tensor2 (Tensor): the factors.
        value (number): the multiplier of the product (keyword only).

    Returns:
        Tensor of the promoted dtype.

    Example:
        >>> import pytensor
        >>> pytensor.addcmul(pytensor.tensor([1.0, 1.0]),
        ...                  pytensor.tensor([2.0, 3.0]),
        ...                  pytensor.tensor([4.0, 5.0]), value=0.5)
        tensor([5.0000, 8.5000])
    """
    ts, res = _operands("addcmul", input, tensor1, tensor2)
    if not res.is_floating_point:
        # Integer tensors take an integer multiplier (PyTorch casts it).
        value = int(value)
    try:
        return Addcmul(value).apply(*ts)
    except ValueError:
        _raise_broadcast("addcmul", ts)


@tensor_method("addcdiv")
def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 / tensor2``, elementwise and broadcasting
    (true division: integer ``tensor1``/``tensor2`` are rejected, as in
    PyTorch).

    Args:
        input (Tensor): the tensor added to.
        tensor1 (Tensor): the numerator.
        tensor2 (Tensor): the denominator.
        value (number): the multiplier of the quotient (keyword only).

    Returns:
        Tensor of the promoted dtype.

    Example:
        >>> import pytensor
        >>> pytensor.addcdiv(pytensor.tensor([1.0, 1.0]),
        ...                  pytensor.tensor([2.0, 3.0]),
        ...                  pytensor.tensor([4.0, 6.0]), value=2)
        tensor([2., 2.])
    """
    if tensor1._data.dtype.kind in "biu" and \
            tensor2._data.dtype.kind in "biu":
        raise RuntimeError(
            "addcdiv: Integer division with addcdiv is no longer supported, "
            "and in a future release addcdiv will perform a true division "
            "of tensor1 and tensor2. The historic addcdiv behavior can be "
            "implemented as (input + value * torch.trunc(tensor1 / "
            "tensor2)).to(input.dtype) for integer inputs and as (input + "
            "value * tensor1 / tensor2) for float inputs. The future "
            "addcdiv behavior is just the latter implementation: (input + "
            "value * tensor1 / tensor2), for all dtypes.")
    ts, res = _operands("addcdiv", input, tensor1, tensor2)
    try:
        return Addcdiv(value).apply(*ts)
    except ValueError:
        _raise_broadcast("addcdiv", ts)


@tensor_method("addcmul_")
def addcmul_(self, tensor1, tensor2, *, value=1):
    """In-place :func:`addcmul`."""
    return inplace(self, "addcmul_", lambda x, a, b: addcmul(
        x, a, b, value=value), tensor1, tensor2)


@tensor_method("addcdiv_")
def addcdiv_(self, tensor1, tensor2, *, value=1):
    """In-place :func:`addcdiv`."""
    return inplace(self, "addcdiv_", lambda x, a, b: addcdiv(
        x, a, b, value=value), tensor1, tensor2)
