"""``var``, ``std``, ``var_mean``, ``std_mean``.

``correction`` is the Bessel-style offset subtracted from the count
(``correction=1``, the default, is the unbiased estimator); the legacy
``unbiased=`` bool is ``correction=1``/``0``.  With fewer elements than
``correction + 1`` the result is NaN or inf and the gradient follows
PyTorch's formulas, including their NaN/inf cases.  ``std``'s gradient is 0
where the std is 0 (PyTorch's convention).
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops.arith.where import where
from pytensor.ops.reduce._common import (
    const, keep_shape, numel_of, reduce_dims, restore)
from pytensor.ops.reduce.sum import mean as _mean

__all__ = ["var", "std", "var_mean", "std_mean"]


def _var_array(x, dims, correction, keepdim):
    """The variance of an array, computed in two passes (stable), with
    the count clamped at 0 as PyTorch does."""
    n = numel_of(x.shape, dims)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = x.sum(axis=dims, keepdims=True) / x.dtype.type(n)
        d = x - m
        ss = (d * d).sum(axis=dims, keepdims=keepdim)
        dof = max(0.0, n - correction)
        return ss / x.dtype.type(dof)


def _var_backward(gy, x, dims, correction, keepdim, full):
    """PyTorch's ``var_backward`` on Tensors (differentiable)."""
    shape = x._data.shape
    if full:
        dof = x._data.size - correction
        if dof <= 0:
            # 2 / dof is inf: NaN where x equals its mean (inf * 0), inf
            # elsewhere (PyTorch's rule).
            xd = x._data
            with np.errstate(invalid="ignore"):
                eq = xd == xd.mean() if xd.size else xd == 0
            inf = np.where(eq, np.nan, np.inf).astype(xd.dtype)
            return gy * const(inf)
        return (2.0 / dof) * gy * (x - _mean(x))
    gy = restore(gy, shape, dims, keepdim)
    dof = numel_of(shape, dims) - correction
    scale = 2.0 / dof if dof != 0 else float("inf")
    return scale * gy * (x - _mean(x, dims, keepdim=True))


class Var(Function):
    def __init__(self, dims, correction, keepdim, full):
        self.dims, self.correction = dims, correction
        self.keepdim, self.full = keepdim, full

    def forward(self, x):
        self.save_for_backward(x)
        return _var_array(x, self.dims, self.correction, self.keepdim)

    def backward(self, gy):
        x, = self.saved_tensors
        return _var_backward(gy, x, self.dims, self.correction, self.keepdim,
                             self.full)

    def backward_arrays(self, gy):
        x, = self.saved_arrays
        dims = self.dims
        dof = numel_of(x.shape, dims) - self.correction
        if dof <= 0 or x.size == 0:
            return NotImplemented       # PyTorch's NaN/inf special cases
        if not self.keepdim:
            gy = gy.reshape(keep_shape(x.shape, dims))
        m = x.sum(axis=dims, keepdims=True) / x.dtype.type(
            numel_of(x.shape, dims))
        return (2.0 / dof) * gy * (x - m)


class Std(Var):
    backward_arrays = None      # the Tensor path (std == 0 masking)

    def forward(self, x):
        y = np.sqrt(_var_array(x, self.dims, self.correction, self.keepdim))
        self.save_for_backward(x, y)
        return y

    def backward(self, gy):
        x, y = self.saved_tensors
        # d std = d var / (2 std), and 0 where std == 0 (PyTorch's choice).
        zero = const(y._data == 0)
        gv = where(zero, 0.0, gy / (2.0 * where(zero, 1.0, y)))
        return _var_backward(gv, x, self.dims, self.correction, self.keepdim,
                             self.full)


def _args(op, input, dim, unbiased, keepdim, correction):
    """Resolve the overloads: ``(input, unbiased)``, ``(input, dim,
    unbiased, keepdim)`` and ``(input, dim, *, correction, keepdim)``."""
    if isinstance(dim, (bool, np.bool_)):
        if unbiased is not None:
            raise TypeError(f"{op}(): got a bool as dim and unbiased=")
        dim, unbiased = None, bool(dim)
    if unbiased is not None and correction is not None:
        raise RuntimeError(f"{op}(): cannot specify both unbiased and "
                           "correction")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"{op}(): std and var only support floating point and complex "
            f"dtypes, got {input.dtype.name.capitalize()}")
    dims = reduce_dims(input, dim, op)
    full = dim is None or input._data.ndim == 0
    return dims, float(correction), bool(keepdim), full


@tensor_method("var")
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over ``dim`` (all elements when None).

    ``sum((x - mean)**2) / max(0, N - correction)`` where ``N`` is the
    number of reduced elements.

    Args:
        input (Tensor): a floating point tensor.
        dim (int or tuple of ints, optional): dims to reduce.  A bool here
            is the legacy ``var(input, unbiased)`` form.
        unbiased (bool, optional): legacy; ``correction=1`` if True else 0.
        keepdim (bool): keep reduced dims with size 1.
        correction (int or float): subtracted from ``N`` (default 1).

    Returns:
        Tensor.

    Raises:
        RuntimeError: integer or bool input.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 9.0]])
        >>> x.var(), x.var(1, correction=0), x.var(1, False, True).shape
        (tensor(8.3000), tensor([0.6667, 8.6667]), (2, 1))
    """
    dims, c, keep, full = _args("var", input, dim, unbiased, keepdim,
                                correction)
    return Var(dims, c, keep, full).apply(input)


@tensor_method("std")
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation: ``sqrt(var(...))`` with the same arguments as
    :func:`var`.  Its gradient is 0 where the result is 0.

    Example:
        >>> import pytensor
        >>> pytensor.tensor([[1.0, 3.0], [2.0, 2.0]]).std(dim=1)
        tensor([1.4142, 0.0000])
    """
    dims, c, keep, full = _args("std", input, dim, unbiased, keepdim,
                                correction)
    return Std(dims, c, keep, full).apply(input)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *,
             correction=None):
    """``(var, mean)`` over the same dims (a plain tuple, as in PyTorch).

    Example:
        >>> import pytensor
        >>> pytensor.var_mean(pytensor.tensor([1.0, 2.0, 6.0]))
        (tensor(7.), tensor(3.))
    """
    v = var(input, dim, unbiased, keepdim, correction=correction)
    return v, _mean(input, _mean_dim(dim), keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *,
             correction=None):
    """``(std, mean)`` over the same dims (a plain tuple).

    Example:
        >>> import pytensor
        >>> pytensor.std_mean(pytensor.tensor([[1.0, 3.0], [2.0, 8.0]]), 1)
        (tensor([1.4142, 4.2426]), tensor([2., 5.]))
    """
    s = std(input, dim, unbiased, keepdim, correction=correction)
    return s, _mean(input, _mean_dim(dim), keepdim)


def _mean_dim(dim):
    return None if isinstance(dim, (bool, np.bool_)) else dim
