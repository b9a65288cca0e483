"""The error convention at the public boundary, paid for only on failure.

Every public op entry point (``pytensor.<op>``, ``Tensor.<method>``,
``pytensor.nn.functional.<fn>``) is wrapped by :func:`public`.  A call
that succeeds costs one extra frame.  A call that fails with an error that
already follows the convention (``RuntimeError``/``ValueError``/
``TypeError``/``IndexError`` with the op's own message) is re-raised
untouched.  Anything else was an internal failure caused by a bad argument
(``'int' object has no attribute '_data'``, NumPy's ``operands could not be
broadcast together ...``, a ``KeyError`` from a table, an ``OverflowError``
from a huge size) and is translated by :func:`translate` into the op's
error, in PyTorch's wording where it has one::

    abs(): argument 'input' (position 1) must be Tensor, not int
    sum() received an invalid combination of arguments - got (Tensor,
        float), but expected (input, dim=None, keepdim=False, *, dtype=None)
    where: the size of tensor a (3) must match the size of tensor b (4) at
        non-singleton dimension 1 (shapes [2, 3] and [4])

The original exception stays attached as ``__cause__`` (shown in the
traceback) so a genuine library bug is still visible.

The wrapper is one more frame between the user and the op, so warnings
issued by ops use :func:`user_stacklevel` rather than a fixed
``stacklevel``.
"""
import functools
import inspect
import re
import sys

from pytensor._compiled import caller_depth as _caller_depth

__all__ = ["public", "translate", "describe_args", "is_internal",
           "name_op", "wrap_namespace", "user_stacklevel"]

# AssertionError: raised deliberately (with PyTorch's message) where PyTorch
# asserts, e.g. ``Embedding(padding_idx=...)``; OSError: file operations;
# FloatingPointError: the debugger's NaN sentinel stopping at an op (and
# NumPy's own under ``np.seterr(all="raise")``), never to be rewritten.
_OK_TYPES = (RuntimeError, ValueError, TypeError, IndexError, AssertionError,
             OSError, FloatingPointError)

# Messages NumPy, Cython or Python produce when a bad argument reaches code
# that did not expect it.  An error whose message matches is translated.
_INTERNAL = re.compile("|".join([
    r"operands could not be broadcast",
    r"[Bb]uffer dtype mismatch",
    r"[Bb]uffer has wrong number of dimensions",
    r"ndarray is not (C-)?contiguous",
    r"[Mm]emoryview",
    r"ufunc",
    r"did not contain a loop",
    r"[Cc]annot cast array data",
    r"is out of bounds for (axis|array|size)",
    r"^(\w+: )?axis -?\d+ is out of bounds",
    r"cannot reshape array of size",
    r"'NoneType' object",
    r"object has no attribute",
    r"unsupported operand type\(s\)",
    r"not subscriptable",
    r"unhashable type",
    r"object cannot be interpreted as an integer",
    r"only integer scalar arrays can be converted",
    r"numpy\.newaxis",
    r"zero-size array to reduction",
    r"invalid literal for int\(\)",
    r"must be real number, not",
    r"has no len\(\)",
    r"object is not iterable",
    r"object is not callable",
    r"[Mm]aximum (allowed|supported) dimension",
    r"negative dimensions are not allowed",
    r"array is too big",
    r"truth value of an array",
    r"setting an array element with a sequence",
    r"int too large to convert",
    r"cannot convert float (NaN|infinity) to integer",
    r"math domain error",
    r"^(list|tuple|string) index out of range",
    r"could not convert string to",
    r"argument must be a string",
    r"to a NumPy dtype",
    r"not supported between instances of",
    r"can't multiply sequence",
    r"could not broadcast input array",
    r"[Mm]aximum allowed size",
    r"must return arrays",
    r"^\s*$",
]))


def is_internal(exc):
    """True if ``exc`` is not an error in the convention's form."""
    if isinstance(exc, KeyError):
        # A failed lookup carries the key; a deliberate KeyError (PyTorch
        # raises some, e.g. a scheduler resumed without initial_lr) a
        # sentence.
        a = exc.args
        return not (len(a) == 1 and isinstance(a[0], str) and " " in a[0]
                    and len(a[0]) > 30)
    if not isinstance(exc, _OK_TYPES):
        return True
    if isinstance(exc, OSError):
        return False            # str() is "[Errno 2] ...": not a message
    # Internal messages are short; a long one holds a tensor's repr.
    return _INTERNAL.search(str(exc)[:1000]) is not None


def public(fn, name=None, method=False):
    """Wrap a public entry point so internal failures become the op's
    error (see the module docstring).  Idempotent.

    Args:
        fn: the op's function.
        name: the name users call it by (default ``fn.__name__``).
        method: True when bound as a Tensor method (argument positions
            then do not count ``self``, as in PyTorch's messages).
    """
    if getattr(fn, "_pt_public", None) is not None:
        fn = fn._pt_public
    op = name or fn.__name__
    # One wrapper per (function, name): pytensor.conv2d is F.conv2d.
    key = (fn, op, method)
    entry = _WRAPPERS.get(key)
    if entry is not None:
        return entry

    @functools.wraps(fn)
    def entry(*args, **kwargs):
        try:
            # (Without keywords, a call that passes no empty dict along.)
            return fn(*args, **kwargs) if kwargs else fn(*args)
        except Exception as e:
            # (_pt_verbatim: a report that names its op itself, e.g. the
            # debugger's NonFiniteError)
            if _from_user_code(e) or getattr(e, "_pt_verbatim", False):
                raise
            if is_internal(e):
                raise translate(op, fn, args, kwargs, e, method) from e
            name_op(e, op)
            raise

    entry._pt_public = fn
    _WRAPPERS[key] = entry
    return entry


_WRAPPERS = {}


def public_init(init):
    """:func:`public` for a library class's ``__init__``: an internal
    failure becomes an error named after the class being built
    (``ZeroPad2d() received an invalid combination of arguments ...``),
    whichever base class raised.  The constructors' own messages are
    PyTorch's, word for word, and are left as they are."""
    if getattr(init, "_pt_public", None) is not None:
        return init

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        try:
            init(self, *args, **kwargs)
        except Exception as e:
            outer = type(self).__init__
            if _from_user_code(e) or (outer is not __init__ and getattr(
                    outer, "_pt_public", None) is not None):
                raise       # (a super().__init__ call: the outermost names)
            if is_internal(e):
                raise translate(type(self).__name__, init, (self,) + args,
                                kwargs, e, True) from e
            raise       # constructors keep PyTorch's exact messages

    __init__._pt_public = init
    return __init__


def wrap_classes(namespace, names):
    """Give every class among ``names`` (and its library base classes)
    :func:`public_init` constructors."""
    for n in names:
        cls = namespace.get(n)
        if not isinstance(cls, type):
            continue
        for c in cls.__mro__:
            if not c.__module__.startswith("pytensor."):
                continue
            init = c.__dict__.get("__init__")
            if init is not None and callable(init):
                c.__init__ = public_init(init)


def _library_dirs():
    global _LIB_DIRS
    if _LIB_DIRS is None:
        import os
        import numpy
        from pytensor.autograd import tape
        _LIB_DIRS = tape._PKG_DIRS + (
            os.path.dirname(numpy.__file__) + os.sep,
            os.path.dirname(os.__file__) + os.sep, "<frozen ")
    return _LIB_DIRS


_LIB_DIRS = None


def _is_user_file(filename, dirs):
    if filename.startswith(dirs):
        return False
    # Compiled (Cython) frames carry the relative source path given at
    # build time ("numpy/random/_common.pyx", "pytensor/tensor.py"):
    # library code.  User code has absolute paths, "<stdin>", "<string>"
    # or names of its own ("nn.md[block 2]").
    import os
    return os.path.isabs(filename) or not (
        filename.endswith((".pyx", ".py", ".pxd")) and (
            "/" in filename or os.sep in filename))


def _from_user_code(exc):
    """True when ``exc`` was raised in (or passed through) code outside
    pytensor, NumPy and the standard library: a user's callback (an
    ``lr_lambda``, a hook, a custom Function).  Its exception is the
    user's, and is left alone."""
    dirs = _library_dirs()
    tb = exc.__traceback__
    tb = tb.tb_next if tb is not None else None     # skip the wrapper
    while tb is not None:
        if _is_user_file(tb.tb_frame.f_code.co_filename, dirs):
            return True
        tb = tb.tb_next
    return False


_NAMED = re.compile(r"^[\w.]+(\(\))?:")
_BINDING = re.compile(r"^[\w.<>]+\(\)(?= (takes|got|missing) )")


def name_op(exc, op):
    """Prefix ``exc``'s message with ``op(): `` unless it already starts
    with an op's name (``mul: ...``, ``index_add(): ...``, ``relu6 ...``).
    Keeps the exception (type, traceback) as it is."""
    args = exc.args
    msg = args[0] if len(args) == 1 and isinstance(args[0], str) else None
    if msg is None:
        return
    m = _BINDING.match(msg)
    if m:                   # Python's own "f() takes 2 positional ..."
        exc.args = (f"{op}(){msg[m.end():]}",)
        return
    if _NAMED.match(msg) or re.match(rf"{re.escape(op)}\b", msg):
        return
    exc.args = (f"{op}(): {msg}",)


# ----------------------------------------------------------------------
def _tensor_cls():
    from pytensor.tensor import Tensor
    return Tensor


def _type_name(v, Tensor):
    if isinstance(v, Tensor):
        return "Tensor"
    if isinstance(v, (list, tuple)) and v and all(
            isinstance(x, Tensor) for x in v):
        return f"{type(v).__name__} of Tensors"
    if v is None:
        return "None"
    return type(v).__name__


def describe_args(args, kwargs, method=False):
    """``(Tensor, float, keepdim=bool)``: the types of a call's arguments,
    as PyTorch's "invalid combination of arguments" message shows them."""
    Tensor = _tensor_cls()
    if method:
        args = args[1:]
    parts = [_type_name(a, Tensor) for a in args]
    parts += [f"{k}={_type_name(v, Tensor)}" for k, v in kwargs.items()]
    return "(" + ", ".join(parts) + ")"


@functools.lru_cache(maxsize=256)
def _signature(fn):
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


def _expected(fn, method):
    sig = _signature(fn)
    if sig is None:
        return ""
    params = list(sig.parameters.values())
    if method and params:
        params = params[1:]
    return f", but expected ({', '.join(str(p) for p in params)})"


def _locate(fn, args, kwargs, obj, method):
    """(parameter name, 1-based position or None) of the argument that is
    ``obj`` (by identity), or of the sequence argument holding it."""
    sig = _signature(fn)
    names = []
    if sig is not None:
        for p in sig.parameters.values():
            if p.kind is p.VAR_POSITIONAL:
                names += [p.name] * max(len(args) - len(names), 0)
                break
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                names.append(p.name)
    shift = 1 if method else 0
    for i, a in enumerate(args):
        if a is obj or isinstance(a, (list, tuple)) and any(
                x is obj for x in a):
            pname = names[i] if i < len(names) else f"arg{i}"
            return pname, i + 1 - shift, a is not obj
    for k, v in kwargs.items():
        if v is obj or isinstance(v, (list, tuple)) and any(
                x is obj for x in v):
            return k, None, v is not obj
    return None


# Attributes every Tensor has: a non-Tensor without them was passed where a
# Tensor is needed.
_TENSOR_ATTRS = frozenset((
    "_data", "_requires_grad", "grad_fn", "_base", "_vc", "_output_nr",
    "_view_chain", "_meta", "_grad", "shape", "dtype", "ndim", "device",
    "dim", "size", "numel", "is_floating_point", "requires_grad",
    "_get_vc", "_version", "_bump_version", "contiguous", "detach", "to",
    "expand", "reshape", "view", "sum"))


def _shape_list(text):
    return "[" + ", ".join(x for x in re.findall(r"-?\d+", text)) + "]"


def _tensor_shapes(args, kwargs):
    Tensor = _tensor_cls()
    vals = list(args) + list(kwargs.values())
    return [list(v.shape) for v in vals if isinstance(v, Tensor)]


def translate(op, fn, args, kwargs, exc, method=False):
    """The op's own exception for an internal failure ``exc``."""
    msg = str(exc)
    got = describe_args(args, kwargs, method)

    if isinstance(exc, AttributeError):
        obj = getattr(exc, "obj", None)
        name = getattr(exc, "name", None)
        if name in _TENSOR_ATTRS and not isinstance(obj, _tensor_cls()):
            where = _locate(fn, args, kwargs, obj, method)
            if where is not None:
                pname, pos, inside = where
                at = f" (position {pos})" if pos else ""
                if inside:
                    return TypeError(
                        f"{op}(): argument '{pname}'{at} must be a sequence "
                        f"of Tensors, but found an element of type "
                        f"{_type_name(obj, _tensor_cls())}")
                return TypeError(
                    f"{op}(): argument '{pname}'{at} must be Tensor, not "
                    f"{_type_name(obj, _tensor_cls())}")

    m = re.search(r"could not be broadcast together with (?:remapped )?"
                  r"shapes (?:\[original->remapped\]: )?(.*)", msg)
    if m:
        shapes = re.findall(r"\(([\d, ]*)\)", m.group(1))
        if "requested shape" in m.group(1) and len(shapes) >= 2:
            return RuntimeError(
                f"{op}: the shape {_shape_list(shapes[0])} cannot be "
                f"broadcast to the requested shape "
                f"{_shape_list(shapes[-1])}")
        if len(shapes) >= 2:
            from pytensor.ops._util import broadcast_error

            class _S:
                def __init__(self, s):
                    self.shape = tuple(int(x) for x in
                                       re.findall(r"\d+", s))
            err = broadcast_error(op, _S(shapes[0]), _S(shapes[1]))
            if len(shapes) > 2:
                return RuntimeError(
                    f"{op}: shapes "
                    f"{', '.join(_shape_list(s) for s in shapes)} are not "
                    "broadcastable")
            return err
        return RuntimeError(
            f"{op}: tensor shapes {_tensor_shapes(args, kwargs)} "
            "are not broadcastable")

    m = re.search(r"index (-?\d+) is out of bounds for axis (\d+) with size "
                  r"(\d+)", msg)
    if m:
        return IndexError(
            f"{op}: index {m.group(1)} is out of bounds for dimension "
            f"{m.group(2)} with size {m.group(3)}")

    m = re.search(r"axis (-?\d+) is out of bounds for array of dimension "
                  r"(\d+)", msg)
    if m:
        n = max(int(m.group(2)), 1)
        return IndexError(
            f"{op}: Dimension out of range (expected to be in range of "
            f"[{-n}, {n - 1}], but got {m.group(1)})")

    m = re.search(r"cannot reshape array of size (\d+) into shape (\(.*\))",
                  msg)
    if m:
        return RuntimeError(
            f"{op}: shape '{_shape_list(m.group(2))}' is invalid for input "
            f"of size {m.group(1)}")

    if "negative dimensions are not allowed" in msg:
        return RuntimeError(
            f"{op}(): Trying to create tensor with negative dimension - got "
            f"{got}")

    if re.search(r"[Mm]aximum (allowed|supported) (dimension|size)|array "
                 r"is too big|int too large to convert", msg) or isinstance(
                     exc, OverflowError):
        return RuntimeError(
            f"{op}(): a size or value is too large to represent - got "
            f"{_values(args, kwargs, method)}")

    if re.search(r"cannot convert float (NaN|infinity) to integer", msg):
        return RuntimeError(
            f"{op}(): expected a finite number, got NaN or infinity - got "
            f"{_values(args, kwargs, method)}")

    if "zero-size array to reduction" in msg:
        return RuntimeError(
            f"{op}(): cannot reduce an empty tensor (shapes "
            f"{_tensor_shapes(args, kwargs)}): the reduction has no "
            "identity; specify a dim of nonzero size")

    if isinstance(exc, ZeroDivisionError):
        return RuntimeError(
            f"{op}(): an argument is zero where it must not be (division by "
            f"zero) - got {_values(args, kwargs, method)}")

    if isinstance(exc, MemoryError):
        return RuntimeError(
            f"{op}(): out of memory: {msg or 'the allocation failed'}")

    if isinstance(exc, (TypeError, AttributeError, KeyError, ValueError)):
        bad = _non_tensor_input(fn, args, kwargs, method)
        if bad is not None:
            return bad(op)
        cls = IndexError if isinstance(exc, IndexError) else TypeError
        return cls(f"{op}() received an invalid combination of arguments - "
                   f"got {got}{_expected(fn, method)}")

    if isinstance(exc, IndexError):
        return IndexError(f"{op}(): index out of range - got "
                          f"{_values(args, kwargs, method)}")

    return RuntimeError(
        f"{op}(): internal error ({type(exc).__name__}: {msg}) - got {got}; "
        "please report this with the call that caused it")


def _non_tensor_input(fn, args, kwargs, method):
    """PyTorch's ``input`` (and ``self``) is always a Tensor: when an op
    failed internally and that argument is something else, say so."""
    if method:
        return None
    sig = _signature(fn)
    if sig is None:
        return None
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError:
        return None
    names = list(sig.parameters)
    for name in ("input", "self"):
        if name in bound.arguments:
            v = bound.arguments[name]
            if not isinstance(v, _tensor_cls()):
                pos = names.index(name) + 1
                return lambda op: TypeError(
                    f"{op}(): argument '{name}' (position {pos}) must be "
                    f"Tensor, not {_type_name(v, _tensor_cls())}")
    return None


def _values(args, kwargs, method):
    """Like :func:`describe_args`, with the values of numbers shown (which
    is what matters for an out-of-range error)."""
    Tensor = _tensor_cls()
    if method:
        args = args[1:]

    def one(v):
        if isinstance(v, Tensor):
            return f"Tensor{list(v.shape)}"
        if isinstance(v, (bool, int, float)) or v is None:
            return repr(v)
        if isinstance(v, (list, tuple)) and len(v) <= 8 and all(
                isinstance(x, (bool, int, float)) for x in v):
            return repr(v)
        return type(v).__name__
    parts = [one(a) for a in args]
    parts += [f"{k}={one(v)}" for k, v in kwargs.items()]
    return "(" + ", ".join(parts) + ")"


def module_input_error(module, args, kwargs, exc):
    """For ``Module.__call__``'s error path: a library layer's ``forward``
    failed with ``'int' object has no attribute 'dim'`` because an input is
    not a Tensor; the TypeError that says so, or None."""
    obj = getattr(exc, "obj", None)
    if getattr(exc, "name", None) not in _TENSOR_ATTRS or isinstance(
            obj, _tensor_cls()) or _from_user_code(exc):
        return None
    where = _locate(type(module).forward, (module,) + tuple(args), kwargs,
                    obj, True)
    if where is None:
        return None
    pname, pos, inside = where
    at = f" (position {pos})" if pos else ""
    what = "a sequence of Tensors" if inside else "Tensor"
    return TypeError(f"{type(module).__name__}.forward(): argument "
                     f"'{pname}'{at} must be {what}, not "
                     f"{_type_name(obj, _tensor_cls())}")


def user_stacklevel():
    """The ``stacklevel`` for a ``warnings.warn`` in the calling function
    that points at the user's line (the first frame outside pytensor),
    whatever the call path (public wrapper, Module, helper)."""
    from pytensor.autograd.tape import _is_internal
    # (compiled, this module has no frames: _getframe(0) is the caller's)
    f = sys._getframe(_CALLER)
    level = 1
    while f is not None and _is_internal(f.f_code):
        f = f.f_back
        level += 1
    return level


def wrap_namespace(namespace, names, method=False):
    """Replace ``namespace[name]`` by its :func:`public` wrapper for each
    name that is a function (compiled ones included)."""
    for n in names:
        fn = namespace.get(n)
        if callable(fn) and not isinstance(fn, type):
            namespace[n] = public(fn, n, method)


# sys._getframe depth of our caller: 1, or 0 when this module is compiled.
_CALLER = _caller_depth(public)
