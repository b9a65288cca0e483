"""``norm``: vector p-norms over all elements or some dims.

``p`` may be ``'fro'`` (the 2-norm of the reduced elements), any number
(``0`` counts non-zeros, ``inf``/``-inf`` are the max/min absolute value).
Gradients follow PyTorch's ``norm_backward``: 0 at a zero vector for
``p >= 1`` and ``p = 2`` (rather than NaN), the ``inf`` norm's gradient
split evenly among tied maxima, and no gradient for ``p = 0``.
"""
import math

import numpy as np

from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops.arith.where import where
from pytensor.ops.reduce._common import (
    const, keep_shape, numel_of, reduce_dims, restore, scale_by_count)

__all__ = ["norm"]


class Norm(Function):
    """The vector ``p``-norm over ``dims``."""

    def __init__(self, p, dims, keepdim):
        self.p, self.dims, self.keepdim = p, dims, keepdim

    def forward(self, x):
        xp = get_xp(x)
        p, dims, keep = self.p, self.dims, self.keepdim
        self.in_shape = x.shape
        a = xp.abs(x)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if p == 2:
                y = xp.sqrt((a * a).sum(axis=dims, keepdims=keep))
            elif p == 1:
                y = a.sum(axis=dims, keepdims=keep)
            elif p == math.inf:
                y = a.max(axis=dims, keepdims=keep)
            elif p == -math.inf:
                y = a.min(axis=dims, keepdims=keep)
            elif p == 0:
                y = (x != 0).sum(axis=dims, keepdims=keep).astype(x.dtype)
            else:
                y = (a ** p).sum(axis=dims, keepdims=keep) ** (1.0 / p)
        y = xp.asarray(y, dtype=x.dtype)
        self.save_for_backward(x, y)
        return y

    def backward_arrays(self, gy):
        p = self.p
        if p not in (1.0, 2.0):
            return NotImplemented
        x, y = self.saved_arrays
        xp = get_xp(x)
        if not self.keepdim:
            ks = keep_shape(self.in_shape, self.dims)
            gy, y = gy.reshape(ks), y.reshape(ks)
        if p == 1:
            return xp.sign(x) * gy
        zero = y == 0
        return xp.where(zero, 0, gy * (x / xp.where(zero, 1, y))).astype(
            x.dtype, copy=False)

    def backward(self, gy):
        x, y = self.saved_tensors
        p, dims, shape = self.p, self.dims, self.in_shape
        xd = x._data
        xp = get_xp(xd)
        if p == 0:
            return const(xp.zeros(shape, xd.dtype))
        gy = restore(gy, shape, dims, self.keepdim)
        y = restore(y, shape, dims, self.keepdim)
        sgn = const(xp.sign(xd))
        if p == 1:
            return sgn * gy
        zero_norm = const(y._data == 0)
        # Where the norm is 0 the gradient is 0 (PyTorch); dividing by a
        # safe 1 there keeps double backward free of 0/0.
        y_safe = where(zero_norm, 1.0, y)
        if p == 2:
            return where(zero_norm, 0.0, gy * (x / y_safe))
        if math.isinf(p):
            a = xp.abs(xd)
            mask = (a == y._data) | xp.isnan(a)
            count = mask.sum(axis=dims, keepdims=True)
            return sgn * scale_by_count(gy, mask, count)
        absx = x * sgn                              # |x|, differentiable
        if p < 1:
            zero = const(xd == 0)
            scaled = where(zero, 0.0, sgn * where(zero, 1.0, absx) ** (p - 1))
            return scaled * gy * y ** (1 - p)
        scale = where(zero_norm, 0.0, gy / y_safe ** (p - 1))
        if p < 2:
            return sgn * absx ** (p - 1) * scale
        return x * absx ** (p - 2) * scale


@tensor_method("norm")
def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The vector ``p``-norm of ``input`` over ``dim`` (all elements when
    None): ``sum(|x|**p) ** (1/p)``.

    Args:
        input (Tensor): a floating point tensor.
        p (float or str): ``'fro'`` (default, the 2-norm), a number, or
            ``inf``/``-inf``.  ``0`` counts the non-zero elements.
        dim (int or tuple of ints, optional): dims to reduce.
        keepdim (bool): keep reduced dims with size 1.
        dtype: cast ``input`` to this floating dtype first.

    Returns:
        Tensor.

    Raises:
        RuntimeError: integer input; the ``inf`` norms of an empty tensor;
            ``p='nuc'`` (matrix nuclear norm, not supported).

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[3.0, -4.0], [0.0, 0.0]], requires_grad=True)
        >>> y = x.norm(dim=1)
        >>> y
        tensor([5., 0.], grad_fn=<NormBackward>)
        >>> y.sum().backward()
        >>> x.grad
        tensor([[ 0.6000, -0.8000],
                [ 0.0000,  0.0000]])
        >>> x = x.detach()
        >>> x.norm(1), x.norm(float("inf")), x.norm(0), x.norm(3, dim=0)
        (tensor(7.), tensor(4.), tensor(2.), tensor([3., 4.]))
    """
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "norm: linalg.vector_norm: Expected a floating point or complex "
            f"tensor as input. Got {_dt_name(input)}")
    dims = reduce_dims(input, dim, "norm")
    if isinstance(p, str):
        if p == "fro":
            if dim is not None and not isinstance(dim, (int, np.integer)) \
                    and len(dims) > 2:
                raise RuntimeError(
                    f"norm: 'fro' norm needs at most 2 dims, got "
                    f"{list(dim)}")
            p = 2.0
        elif p == "nuc":
            raise RuntimeError(
                "norm: p='nuc' (the nuclear norm, a matrix norm needing an "
                "SVD) is not supported by pytensor")
        else:
            raise RuntimeError(f"norm: unknown norm type {p!r}; use 'fro', "
                               "a number, inf or -inf")
    p = float(p)
    if math.isinf(p) and numel_of(input.shape, dims) == 0:
        raise RuntimeError(
            "norm: linalg.vector_norm cannot compute the "
            f"{'' if p > 0 else '-'}inf norm on an empty tensor because the "
            "operation does not have an identity")
    return Norm(p, dims, bool(keepdim)).apply(input)


def _dt_name(t):
    name = t.dtype.name
    return {"int64": "Long", "int32": "Int", "int16": "Short",
            "int8": "Char", "uint8": "Byte", "bool": "Bool"}.get(
                name, name.capitalize())
