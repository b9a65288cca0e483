"""Elementwise comparisons ``eq ne lt le gt ge`` (``== != < <= > >=``):
bool results, no gradient."""
import numpy as np

from pytensor._format import format_array
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import (promote, broadcast_error, same_device,
                                on_device_of)
from pytensor.tensor import Tensor

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal",
           "less", "less_equal", "not_equal"]


def _compare(op, ufunc, a, b):
    a, b = same_device(op, *promote(op, a, b))
    x = a._data if isinstance(a, Tensor) else a
    y = b._data if isinstance(b, Tensor) else b
    try:
        with on_device_of(x if isinstance(a, Tensor) else y):
            r = ufunc(x, y)
    except ValueError:
        raise broadcast_error(op, a, b) from None
    if r.__class__ is not np.ndarray:
        r = np.asarray(r) if isinstance(r, (np.generic, bool)) else r
    return Tensor._make(r)


def _make(name, ufunc, doc):
    def fn(input, other):
        return _compare(name, ufunc, input, other)
    fn.__name__ = fn.__qualname__ = name
    result = format_array(ufunc(np.array([1, 2, 3]), 2))
    fn.__doc__ = (f"Elementwise ``{doc}`` (bool result, broadcasting).\n\n"
                  "    Example:\n        >>> import pytensor\n"
                  f"        >>> pytensor.{name}("
                  "pytensor.tensor([1, 2, 3]), 2)\n"
                  f"        tensor({result})\n")
    return fn


eq = _make("eq", np.equal, "input == other")
ne = _make("ne", np.not_equal, "input != other")
lt = _make("lt", np.less, "input < other")
le = _make("le", np.less_equal, "input <= other")
gt = _make("gt", np.greater, "input > other")
ge = _make("ge", np.greater_equal, "input >= other")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

for _name, _fn, _dunder in (("eq", eq, "__eq__"), ("ne", ne, "__ne__"),
                            ("lt", lt, "__lt__"), ("le", le, "__le__"),
                            ("gt", gt, "__gt__"), ("ge", ge, "__ge__")):
    tensor_method(_name, _dunder)(_fn)
tensor_method("greater")(gt)
tensor_method("greater_equal")(ge)
tensor_method("less")(lt)
tensor_method("less_equal")(le)
tensor_method("not_equal")(ne)


def _inplace_forms():
    """``x.eq_(y)`` ...: the comparison written into ``x`` (as 0/1 in its
    dtype), like PyTorch's."""
    from pytensor.ops.unary._common import make_inplace
    for name, fn in (("eq", eq), ("ne", ne), ("lt", lt), ("le", le),
                     ("gt", gt), ("ge", ge), ("greater", gt),
                     ("greater_equal", ge), ("less", lt),
                     ("less_equal", le), ("not_equal", ne)):
        make_inplace(name + "_", fn)


_inplace_forms()
