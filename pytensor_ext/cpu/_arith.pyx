# cython: language_level=3, boundscheck=False, wraparound=False
# cython: cdivision=True, initializedcheck=False
"""Binary arithmetic ``add_fwd sub_fwd mul_fwd div_fwd``: ``a op b``.

NumPy's ufunc machinery costs about 1-2 microseconds per call before it
touches an element (dtype resolution, converting a Python scalar operand,
iterator set-up).  On the small tensors of a define-by-run loop that is
most of the op's time, so the common cases run here directly: float32 or
float64 C-contiguous arrays with a Python number (either side) or with a
same-shape, same-dtype C-contiguous array.  Every other case (broadcasting,
other dtypes, strides) is handed to NumPy unchanged, so the semantics are
NumPy's (which, for these operands, are PyTorch's): a Python number is
converted to the array's dtype first (NEP 50), and the result has the
array's dtype.  IEEE semantics hold (x/0 = inf, NaN propagates; no
fast-math).  Large arrays are split across OpenMP threads.
"""
cimport numpy as cnp
from cython.parallel cimport prange

from pytensor_ext.cpu._common cimport real

cnp.import_array()

cdef enum:
    ADD = 0
    SUB = 1
    MUL = 2
    DIV = 3
    # Below this many elements one thread is faster (thread wake-up costs
    # more than the loop, and on a loaded machine much more).
    PAR_MIN = 1 << 20


cdef inline bint _fast(object x):
    """A float32/float64 C-contiguous ndarray (exact type)."""
    if type(x) is not cnp.ndarray:
        return False
    cdef cnp.ndarray a = <cnp.ndarray>x
    cdef int t = cnp.PyArray_TYPE(a)
    return (t == cnp.NPY_FLOAT32 or t == cnp.NPY_FLOAT64) and \
        cnp.PyArray_IS_C_CONTIGUOUS(a)


cdef inline bint _number(object s):
    return type(s) is float or type(s) is int


cdef cnp.ndarray _empty_like(cnp.ndarray a):
    return cnp.PyArray_EMPTY(cnp.PyArray_NDIM(a), cnp.PyArray_DIMS(a),
                             cnp.PyArray_TYPE(a), 0)


# One body per operation for both float widths (``real``: float or double).
cdef void _aa(int op, const real* x, const real* y, real* o,
              Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    if n >= PAR_MIN:
        if op == ADD:
            for i in prange(n, schedule="static"):
                o[i] = x[i] + y[i]
        elif op == SUB:
            for i in prange(n, schedule="static"):
                o[i] = x[i] - y[i]
        elif op == MUL:
            for i in prange(n, schedule="static"):
                o[i] = x[i] * y[i]
        else:
            for i in prange(n, schedule="static"):
                o[i] = x[i] / y[i]
        return
    if op == ADD:
        for i in range(n):
            o[i] = x[i] + y[i]
    elif op == SUB:
        for i in range(n):
            o[i] = x[i] - y[i]
    elif op == MUL:
        for i in range(n):
            o[i] = x[i] * y[i]
    else:
        for i in range(n):
            o[i] = x[i] / y[i]


# ``as_`` scalar first (s op x) when ``rev``.
cdef void _as(int op, const real* x, real s, real* o, Py_ssize_t n,
              bint rev) noexcept nogil:
    cdef Py_ssize_t i
    if op == ADD:
        for i in range(n):
            o[i] = x[i] + s
    elif op == MUL:
        for i in range(n):
            o[i] = x[i] * s
    elif op == SUB:
        if rev:
            for i in range(n):
                o[i] = s - x[i]
        else:
            for i in range(n):
                o[i] = x[i] - s
    else:
        if rev:
            for i in range(n):
                o[i] = s / x[i]
        else:
            for i in range(n):
                o[i] = x[i] / s


cdef object _numpy(int op, object a, object b):
    try:
        if op == ADD:
            return a + b
        if op == SUB:
            return a - b
        if op == MUL:
            return a * b
        return a / b
    except (ValueError, TypeError) as e:
        # (the ops check their operands first; this names the kernel for a
        # direct call instead of NumPy's "operands could not be broadcast")
        name = ("add_fwd", "sub_fwd", "mul_fwd", "div_fwd")[op]
        sa, sb = getattr(a, "shape", None), getattr(b, "shape", None)
        if isinstance(e, ValueError) and sa is not None and sb is not None:
            raise ValueError(f"{name}: operands of shapes {list(sa)} and "
                             f"{list(sb)} do not broadcast") from None
        raise TypeError(f"{name}: unsupported operands "
                        f"{type(a).__name__} and {type(b).__name__}"
                        ) from None


cdef object _binary(int op, object a, object b):
    cdef cnp.ndarray x, y, out
    cdef Py_ssize_t n
    cdef bint rev = False
    cdef int t
    cdef double s
    if _fast(a):
        x = <cnp.ndarray>a
        if _number(b):
            s = <double>b
        elif _fast(b):
            y = <cnp.ndarray>b
            t = cnp.PyArray_TYPE(x)
            if t != cnp.PyArray_TYPE(y) or not cnp.PyArray_SAMESHAPE(x, y):
                return _numpy(op, a, b)
            out = _empty_like(x)
            n = cnp.PyArray_SIZE(x)
            if t == cnp.NPY_FLOAT32:
                with nogil:
                    _aa(op, <float*>cnp.PyArray_DATA(x),
                        <float*>cnp.PyArray_DATA(y),
                        <float*>cnp.PyArray_DATA(out), n)
            else:
                with nogil:
                    _aa(op, <double*>cnp.PyArray_DATA(x),
                        <double*>cnp.PyArray_DATA(y),
                        <double*>cnp.PyArray_DATA(out), n)
            return out
        else:
            return _numpy(op, a, b)
    elif _fast(b) and _number(a):
        x = <cnp.ndarray>b
        s = <double>a
        rev = True
    else:
        return _numpy(op, a, b)
    # array (op) number, or number (op) array when ``rev``
    n = cnp.PyArray_SIZE(x)
    if n >= PAR_MIN:
        return _numpy(op, a, b)     # NumPy's SIMD loops, and no wake-ups
    out = _empty_like(x)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        _as(op, <float*>cnp.PyArray_DATA(x), <float>s,
            <float*>cnp.PyArray_DATA(out), n, rev)
    else:
        _as(op, <double*>cnp.PyArray_DATA(x), s,
            <double*>cnp.PyArray_DATA(out), n, rev)
    return out


def add_fwd(a, b):
    """``a + b`` (arrays and/or Python numbers, NumPy semantics)."""
    return _binary(ADD, a, b)


def sub_fwd(a, b):
    """``a - b``."""
    return _binary(SUB, a, b)


def mul_fwd(a, b):
    """``a * b``."""
    return _binary(MUL, a, b)


def div_fwd(a, b):
    """``a / b`` (true division; x/0 is inf or NaN, silently)."""
    return _binary(DIV, a, b)
