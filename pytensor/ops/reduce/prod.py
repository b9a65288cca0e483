"""``prod``: the product over all elements or one dim.

The gradient is exact with zeros in the input: in a slice without zeros it
is ``gy * prod / x``; in a slice with exactly one zero only that zero gets a
gradient (the product of the other elements); a slice with two or more
zeros gets none.  All three are written with differentiable ops, so double
backward works too.
"""
import numpy as np

from pytensor import dtypes as _dt
from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops.arith.where import where
from pytensor.ops.reduce._common import const, one_dim, restore

__all__ = ["prod"]


class Prod(Function):
    """Product over ``dims`` (all, or one dim)."""

    def __init__(self, dims, keepdim, np_dtype=None):
        self.dims, self.keepdim, self.np_dtype = dims, keepdim, np_dtype

    def forward(self, x):
        self.in_shape = x.shape
        y = x.prod(axis=self.dims, keepdims=self.keepdim, dtype=self.np_dtype)
        self.save_for_backward(x, y)
        return y

    def backward(self, gy):
        x, y = self.saved_tensors
        dims, keepdim, shape = self.dims, self.keepdim, self.in_shape
        if x._data.ndim == 0:
            return gy
        gy = restore(gy, shape, dims, keepdim)
        y = restore(y, shape, dims, keepdim)
        xd = x._data
        zero = xd == 0
        if not zero.any():
            return gy * (y / x)
        nzeros = zero.sum(axis=dims, keepdims=True)
        # Slices without zeros: the usual formula, with the zeros of other
        # slices replaced by 1 so nothing divides by zero.
        x_safe = where(const(zero), 1.0, x)
        g = where(const(nzeros == 0), gy * (y / x_safe), 0.0)
        single = zero & (nzeros == 1)
        if single.any():
            # The lone zero of a slice: d prod / d x_z = prod of the others.
            others = Prod(dims, True).apply(x_safe)
            g = g + where(const(single), gy * others, 0.0)
        return g


@tensor_method("prod")
def prod(input, dim=None, keepdim=False, dtype=None):
    """Product of the elements of ``input`` (all, or along ``dim``).

    Args:
        input (Tensor): the tensor.
        dim (int, optional): the dim to reduce (all when None).
        keepdim (bool): keep the reduced dim with size 1.
        dtype: compute and return in this dtype.

    Returns:
        Tensor. Bool and integer inputs give int64, as in PyTorch; the
        product of an empty tensor is 1.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[2.0, 0.0, 3.0], [1.0, 2.0, 4.0]],
        ...                     requires_grad=True)
        >>> y = x.prod(1)
        >>> y
        tensor([0., 8.], grad_fn=<ProdBackward>)
        >>> y.sum().backward()
        >>> x.grad
        tensor([[0., 6., 0.],
                [8., 4., 2.]])
    """
    if dtype is not None:
        npd = _dt.to_dtype(dtype).np
        if npd != input._data.dtype:
            input = input.to(dtype)
    elif input._data.dtype.kind in "biu":
        npd = np.dtype(np.int64)
    else:
        npd = None
    if dim is None:
        if keepdim:
            raise TypeError("prod(): keepdim=True needs a dim")
        dims = tuple(range(input._data.ndim))
    else:
        d = one_dim(input, dim, "prod")
        dims = (d,) if input._data.ndim else ()
    return Prod(dims, bool(keepdim), npd).apply(input)
