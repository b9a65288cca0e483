"""``prod``: the product over all elements or one dim.

The gradient is exact with zeros in the input: without zeros it is
``gy * prod / x``; with zeros it is ``gy`` times the product of the other
elements, computed without division (so a slice with one zero sends its
gradient to that zero only, and one with two zeros sends none).  It is
written with differentiable ops, so double backward is exact too.
"""
import numpy as np

from pytensor import dtypes as _dt
from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops.reduce._common import (
    Flip, Shift, keep_shape, one_dim, restore)

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
        if not (x._data == 0).any():
            return gy * (restore(y, shape, dims, keepdim) / x)
        return gy * prod_of_others(x, dims)

    def backward_arrays(self, gy):
        x, y = self.saved_arrays
        if x.ndim == 0:
            return gy
        if (x == 0).any():
            return NotImplemented       # the exact zero-safe Tensor path
        if not self.keepdim:
            ks = keep_shape(self.in_shape, self.dims)
            gy, y = gy.reshape(ks), y.reshape(ks)
        return gy * (y / x)


def prod_of_others(x, dims):
    """``out[k] = prod of x[j] for j != k`` along the reduced dims, without
    dividing (exact with zeros), as exclusive cumulative products from the
    left and from the right: PyTorch's ``prod_safe_zeros_backward``.  Every
    step is differentiable, so the second derivative is exact too."""
    from pytensor.ops.reduce.cumulative import Cumprod
    shape = x.shape
    if len(dims) == 1:
        d, xf = dims[0], x
    else:
        d, xf = 0, x.reshape(-1)
    left = Cumprod(d).apply(Shift(d, 1, 1).apply(xf))
    right = Flip(d).apply(Cumprod(d).apply(
        Flip(d).apply(Shift(d, -1, 1).apply(xf))))
    out = left * right
    return out if len(dims) == 1 else out.reshape(shape)


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
