"""``cumsum`` and ``cumprod`` along a dim.

``cumsum``'s backward is a reversed cumulative sum.  ``cumprod``'s is exact
with zeros in the input: before the first zero of a slice it is
``revcumsum(gy * out) / x``; at the first zero it is the reversed cumulative
sum of ``gy`` times the products that skip that zero; after it, zero.  For
double backward (``create_graph=True``) with zeros, a division-free O(n^2)
product table is used instead, whose own derivative is exact, as PyTorch
does.
"""
import numpy as np

from pytensor import dtypes as _dt
from pytensor.autograd.function import Function
from pytensor.autograd.grad_mode import is_grad_enabled
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops.arith.where import where
from pytensor.ops.reduce._common import const, one_dim

__all__ = ["cumsum", "cumprod"]


class Cumsum(Function):
    """Cumulative sum along ``dim``; ``reverse`` sums from the end (the
    adjoint, used by the backward passes)."""

    def __init__(self, dim, reverse=False, np_dtype=None):
        self.dim, self.reverse, self.np_dtype = dim, reverse, np_dtype

    def forward(self, x):
        xp = get_xp(x)
        if self.reverse:
            f = xp.flip(x, self.dim)
            return xp.flip(f.cumsum(self.dim, dtype=self.np_dtype), self.dim)
        return x.cumsum(self.dim, dtype=self.np_dtype)

    def backward(self, gy):
        return Cumsum(self.dim, not self.reverse).apply(gy)

    def backward_arrays(self, gy):
        return Cumsum(self.dim, not self.reverse).forward(gy)


class Cumprod(Function):
    """Cumulative product along ``dim``."""

    def __init__(self, dim, np_dtype=None):
        self.dim, self.np_dtype = dim, np_dtype

    def forward(self, x):
        y = x.cumprod(self.dim, dtype=self.np_dtype)
        self.save_for_backward(x, y)
        return y

    def backward(self, gy):
        x, y = self.saved_tensors
        dim = self.dim
        xd = x._data
        if xd.shape[dim] <= 1:
            return gy
        zero = xd == 0
        if not zero.any():
            return Cumsum(dim, True).apply(gy * y) / x
        if is_grad_enabled():
            # create_graph: the O(n) formula below is exact in value but its
            # own derivative is not, so use the product formula (as PyTorch
            # falls back to an O(n^2) one here).
            return _cumprod_backward_quadratic(gy, x, dim)
        seen = zero.cumsum(dim)                 # zeros up to and including i
        before = seen == 0                      # strictly before the 1st zero
        first = zero & (seen == 1)
        x_safe = where(const(~before), 1.0, x)
        g = where(const(before), Cumsum(dim, True).apply(gy * y) / x_safe,
                  0.0)
        # d out_j / d x_z for the first zero z (j >= z): the product up to j
        # with x_z replaced by 1, i.e. the cumprod of that modified input.
        skip = Cumprod(dim).apply(where(const(first), 1.0, x))
        return g + where(const(first), Cumsum(dim, True).apply(gy * skip),
                         0.0)


def _cumprod_backward_quadratic(gy, x, dim):
    """``g[k] = sum_{j >= k} gy[j] * prod_{i <= j, i != k} x[i]`` built from
    an ``(n, n)`` table of cumulative products with ``x[k]`` replaced by 1
    in row ``k``: no division, so every derivative is exact with zeros.
    Uses O(n^2) memory per slice; only taken for double backward through
    an input with zeros."""
    xp = get_xp(x._data)
    n = x.shape[dim]
    xm = x.movedim(dim, -1).unsqueeze(-2)               # (..., 1, n)
    gm = gy.movedim(dim, -1).unsqueeze(-2)
    eye = const(xp.eye(n, dtype=bool))
    table = where(eye, 1.0, xm)                         # (..., n, n)
    m = Cumprod(table.ndim - 1).apply(table)
    upper = const(xp.triu(xp.ones((n, n), dtype=x._data.dtype)))
    return (m * gm * upper).sum(-1).movedim(-1, dim)


def _cum_dtype(input, dtype):
    if dtype is not None:
        npd = _dt.to_dtype(dtype).np
        if npd != input._data.dtype:
            input = input.to(dtype)
        return input, npd
    if input._data.dtype.kind in "biu":
        return input, np.dtype(np.int64)
    return input, None


@tensor_method("cumsum")
def cumsum(input, dim, dtype=None):
    """Cumulative sum along ``dim``: ``out[i] = input[0] + ... + input[i]``.

    Args:
        input (Tensor): the tensor.
        dim (int): the dim to scan.
        dtype: compute and return in this dtype.

    Returns:
        Tensor of ``input``'s shape; int64 for bool and integer inputs.

    Example:
        >>> import pytensor
        >>> pytensor.tensor([[1, 2, 3], [4, 5, 6]]).cumsum(1)
        tensor([[ 1,  3,  6],
                [ 4,  9, 15]])
    """
    d = one_dim(input, dim, "cumsum")
    input, npd = _cum_dtype(input, dtype)
    if input._data.ndim == 0:
        return Cumsum(0, False, npd).apply(input.reshape(1)).reshape(())
    return Cumsum(d, False, npd).apply(input)


@tensor_method("cumprod")
def cumprod(input, dim, dtype=None):
    """Cumulative product along ``dim``; the gradient is exact with zeros.

    Args:
        input (Tensor): the tensor.
        dim (int): the dim to scan.
        dtype: compute and return in this dtype.

    Returns:
        Tensor of ``input``'s shape; int64 for bool and integer inputs.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([2.0, 0.0, 3.0], requires_grad=True)
        >>> y = x.cumprod(0)
        >>> y
        tensor([2., 0., 0.], grad_fn=<CumprodBackward>)
        >>> y.sum().backward()
        >>> x.grad
        tensor([1., 8., 0.])
    """
    d = one_dim(input, dim, "cumprod")
    input, npd = _cum_dtype(input, dtype)
    if input._data.ndim == 0:
        return Cumprod(0, npd).apply(input.reshape(1)).reshape(())
    return Cumprod(d, npd).apply(input)
