"""Data types and PyTorch's type-promotion rules.

A :class:`dtype` is a thin, interned wrapper around a NumPy dtype, so that
``x.dtype`` prints as ``pytensor.float32`` and answers ``is_floating_point``
like ``torch.dtype`` does.  The storage arrays always carry the matching
NumPy dtype; ``dtype.np`` is that NumPy dtype.

Promotion follows ``torch.result_type``: categories are ordered
bool < integer < floating; among operands, dimensioned tensors outrank
zero-dimensional tensors, which outrank Python scalars.  A lower-priority
operand only changes the result when its *category* is higher, and then it
contributes the default dtype of that category (a Python float turns an
integer tensor into the default float dtype, not into float64).
"""
import numpy as np

__all__ = [
    "dtype", "float16", "float32", "float64", "int8", "int16", "int32",
    "int64", "uint8", "bool", "half", "float", "double", "long", "int",
    "short", "get_default_dtype", "set_default_dtype", "promote_types",
    "result_type", "can_cast",
]

_BOOL, _INT, _FLOAT = 0, 1, 2
# The two NumPy float dtypes most arrays have, for identity tests on hot
# paths (``dt is NP_F32``) before a ``dt.kind`` lookup.
NP_F32 = np.dtype(np.float32)
NP_F64 = np.dtype(np.float64)
_py_float, _py_int, _py_bool = (0.0).__class__, (0).__class__, (True).__class__


class dtype:
    """A pytensor data type (``pytensor.float32``, ``pytensor.int64``, ...).

    Attributes:
        np: the NumPy dtype of the storage.
        is_floating_point: True for float16/32/64.
        is_signed: True for signed types.
        itemsize: bytes per element.
    """

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize",
                 "_category")

    def __init__(self, name, np_dtype, category):
        self.name = name
        self.np = np.dtype(np_dtype)
        self._category = category
        self.is_floating_point = category == _FLOAT
        self.is_signed = self.np.kind in "if"
        self.itemsize = self.np.itemsize

    @property
    def is_complex(self):
        return False

    def __repr__(self):
        return f"pytensor.{self.name}"

    def __reduce__(self):
        return (_from_name, (self.name,))

    def to_numpy(self):
        return self.np


bool_ = dtype("bool", np.bool_, _BOOL)
uint8 = dtype("uint8", np.uint8, _INT)
int8 = dtype("int8", np.int8, _INT)
int16 = dtype("int16", np.int16, _INT)
int32 = dtype("int32", np.int32, _INT)
int64 = dtype("int64", np.int64, _INT)
float16 = dtype("float16", np.float16, _FLOAT)
float32 = dtype("float32", np.float32, _FLOAT)
float64 = dtype("float64", np.float64, _FLOAT)

# PyTorch's aliases; ``bool``/``float``/``int`` shadow builtins only inside
# this module's namespace as exported names, never in the code below.
globals()["bool"] = bool_
half, double, long, short = float16, float64, int64, int16
globals()["float"] = float32
globals()["int"] = int32

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}


def _from_name(name):
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype):
    """The pytensor dtype of a NumPy dtype; raises TypeError if unsupported."""
    d = _BY_NP.get(np_dtype)
    if d is None:
        d = _BY_NP.get(np.dtype(np_dtype))
        if d is None:
            raise TypeError(
                f"pytensor does not support NumPy dtype {np.dtype(np_dtype)}; "
                "supported: " + ", ".join(x.name for x in ALL))
    return d


def to_dtype(obj):
    """Coerce a pytensor dtype, NumPy dtype, type or name to a pytensor
    dtype."""
    if obj.__class__ is dtype:
        return obj
    if obj is None:
        return None
    if isinstance(obj, str):
        d = _BY_NAME.get(obj.replace("pytensor.", "").replace("torch.", ""))
        if d is not None:
            return d
    if obj is _py_float:
        return _default_float[0]
    if obj is _py_int:
        return int64
    if obj is _py_bool:
        return bool_
    try:
        return from_numpy_dtype(np.dtype(obj))
    except TypeError:
        raise TypeError(f"not a dtype: {obj!r}") from None


_default_float = [float32]


def get_default_dtype():
    """The dtype of floating tensors made from Python floats (float32)."""
    return _default_float[0]


def set_default_dtype(d):
    """Set the default floating dtype (float16, float32 or float64)."""
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype: only floating dtypes, got {d}")
    _default_float[0] = d


def promote_types(a, b):
    """The smallest dtype to which both dtypes can be safely cast."""
    if a is b:
        return a
    # Across categories the higher one wins outright (int16 + float16 is
    # float16 in PyTorch, float32 in NumPy); within one, NumPy's lattice is
    # PyTorch's (uint8 + int8 -> int16, float16 + float32 -> float32).
    if a._category != b._category:
        return a if a._category > b._category else b
    return _BY_NP[np.promote_types(a.np, b.np)]


def _category_of_scalar(v):
    c = v.__class__
    if c is _py_bool or c is np.bool_:
        return _BOOL
    if c is _py_int or isinstance(v, np.integer):
        return _INT
    return _FLOAT


def result_type(*operands):
    """``torch.result_type`` over Tensors and Python scalars.

    Args:
        *operands: Tensors (anything with ``dtype`` and ``ndim``) or numbers.

    Returns:
        The dtype an elementwise op on these operands computes in.
    """
    dim_t = zero_t = None          # best dtype per priority group
    scalar_cat = -1
    for o in operands:
        d = getattr(o, "dtype", None)
        if d is None:
            cat = _category_of_scalar(o)
            if cat > scalar_cat:
                scalar_cat = cat
            continue
        if d.__class__ is not dtype:
            d = from_numpy_dtype(d)
        if o.ndim:
            dim_t = d if dim_t is None else promote_types(dim_t, d)
        else:
            zero_t = d if zero_t is None else promote_types(zero_t, d)
    if dim_t is None:
        res = zero_t
    elif zero_t is not None and zero_t._category > dim_t._category:
        res = zero_t
    else:
        res = dim_t
    if res is None or scalar_cat > res._category:
        if scalar_cat == _FLOAT:
            return _default_float[0]
        if scalar_cat == _INT:
            return int64
        if scalar_cat == _BOOL:
            return bool_ if res is None else res
    return res


def can_cast(from_, to):
    """Whether a result of dtype ``from_`` may be written into ``to`` in place
    (PyTorch forbids float -> int and int -> bool in in-place ops)."""
    return from_._category <= to._category
