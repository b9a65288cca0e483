"""Helpers shared by the unary and activation op files."""
from pytensor.autograd.inplace import inplace
from pytensor.ops._registry import tensor_method

__all__ = ["make_inplace", "zeros_grad", "no_bool"]


def make_inplace(name, fn, *aliases):
    """Define ``Tensor.<name>`` (and aliases) as the in-place form of the
    out-of-place ``fn(input, *args, **kwargs)``; returns the function."""
    def method(self, *args, **kwargs):
        if kwargs:
            return inplace(self, name, lambda x, *a: fn(x, *a, **kwargs),
                           *args)
        return inplace(self, name, fn, *args)
    method.__name__ = name
    method.__qualname__ = name
    method.__doc__ = f"In-place :func:`{fn.__name__}`; returns ``self``."
    tensor_method(name, *aliases)(method)
    return method


def zeros_grad(gy):
    """The zero gradient of a piecewise-constant op (``floor``, ``sign``,
    ...): zeros of ``gy``'s shape, as PyTorch returns (not None)."""
    from pytensor.backend import get_xp
    return type(gy)._make(get_xp(gy._data).zeros(gy.shape, gy._data.dtype))


def no_bool(op, t):
    """PyTorch has no kernel for these ops on bool tensors."""
    if t._data.dtype.kind == "b":
        raise RuntimeError(f"{op}: not implemented for 'Bool' tensors")
