"""The bad-input sweep behind ``test_fuzz_ops.py``.

Every public callable (``pytensor.*``, ``Tensor`` methods,
``pytensor.nn.functional.*``) is called with one argument at a time replaced
by a hostile value (wrong type, wrong dtype, mismatched or empty or 0-d
shape, NaN/Inf, huge, non-contiguous or negative-stride storage, None, an
out-of-range dim or index, a negative size ...), plus a few fully random
argument lists drawn by a seeded generator.  Whatever escapes is judged by
:func:`judge`:

- only ``RuntimeError``, ``ValueError``, ``TypeError``, ``IndexError`` (and
  ``MemoryError`` for huge sizes) may escape;
- the message must not be a bare NumPy/Python internal (``DENY``);
- a successful float result that requires grad must survive
  ``out.sum().backward()`` under the same rules.

The sweep runs in a subprocess (``python -m tests.robustness._fuzz GROUP``)
with an address-space limit, so a segfault, a runaway allocation or a hang
fails the test with a report instead of taking pytest down; the subprocess
prints one JSON line per finding.  Run it by hand to see the findings::

    python -m tests.robustness._fuzz api
"""
import inspect
import json
import math
import os
import random
import re
import sys
import warnings

import numpy as np

VERBOSE = bool(os.environ.get("PYTENSOR_FUZZ_VERBOSE"))
ALLOWED = (RuntimeError, ValueError, TypeError, IndexError)

# Phrasings that mean an internal error leaked out instead of the op's own
# message.  Matched case-insensitively anywhere in the message.
DENY = [
    r"operands could not be broadcast",    # NumPy's; PyTorch's
    r"could not broadcast input array",    # "indexing tensors could ..." is ok
    r"buffer dtype mismatch",
    r"buffer has wrong number of dimensions",
    r"ndarray is not (c-)?contiguous",
    r"memoryview",
    r"ufunc",
    r"did not contain a loop",
    r"cannot cast array data",
    r"is out of bounds for (axis|array|size)",
    r"axis -?\d+ is out of bounds",
    r"cannot reshape array of size",
    r"'nonetype' object",
    r"object has no attribute",
    r"has no attribute '",
    r"unsupported operand type\(s\)",
    r"not subscriptable",
    r"unhashable type",
    r"object cannot be interpreted as an integer",
    r"only integer scalar arrays can be converted",
    r"numpy\.newaxis",                     # NumPy's "only integers, slices"
    r"zero-size array to reduction",
    r"invalid literal for int",
    r"must be real number, not",
    r"object of type '?\w+'? has no len",
    r"'?\w+'? object is not iterable",
    r"'?\w+'? object is not callable",
    r"maximum supported dimension",
    r"negative dimensions are not allowed",
    r"array is too big",
    r"the truth value of an array",
    r"setting an array element with a sequence",
    r"__(?!index__ method)\w+__",          # Python's slice message is ok
    r"internal error",
    r"<class '",
    r"python int too large to convert",
    r"cannot convert float (nan|infinity) to integer",
    r"^(integer |float )?(division|modulo)( or modulo)? by zero",
    r"math domain error",
    r"list index out of range",
    r"tuple index out of range",
    r"string index out of range",
    r"^\s*$",                                   # empty message
    r"^\d+$",                                   # a bare KeyError-like value
    r"Cython",
    r"\.pyx",
]
DENY_RE = re.compile("|".join(f"(?:{d})" for d in DENY), re.I)

# A TypeError raised by Python when binding the call itself names the
# callable: "relu() takes from 1 to 2 positional arguments but 3 were
# given", "relu() got an unexpected keyword argument 'x'".
_SIGNATURE_RE = re.compile(
    r"^(?P<fn>[\w.]+)\(\) (takes|got|missing)")


# "mul: ...", "index_add(): ...", "relu6(): ..." - the op comes first.
_OP_PREFIX_RE = re.compile(r"^[\w.]+(\(\))?:")


def judge(label, fn_name, exc, allowed=ALLOWED, need_name=True):
    """None if ``exc`` is an acceptable error for a call of ``fn_name``,
    else a short description of what is wrong."""
    msg = str(exc)
    if isinstance(exc, KeyError) or not isinstance(exc, allowed):
        return f"{type(exc).__name__} escaped: {msg[:300]}"
    m = _SIGNATURE_RE.match(msg)
    if isinstance(exc, TypeError) and m:
        return None             # Python's own call-binding error, named
    bad = DENY_RE.search(msg)
    if bad:
        return f"internal message ({bad.group(0)!r}): {msg[:300]}"
    if need_name and not (_OP_PREFIX_RE.match(msg) or re.match(
            rf"{re.escape(fn_name)}\b", msg)):
        return f"message does not name the op: {msg[:300]}"
    return None


# ----------------------------------------------------------------------
# Values.  Factories, since in-place ops modify what they are given.
def _t(arr, **kw):
    import pytensor
    return pytensor.from_numpy(np.ascontiguousarray(arr)) if not kw else \
        pytensor.tensor(arr, **kw)


def _tensors():
    import pytensor
    rng = np.random.default_rng(0)
    base = rng.standard_normal((2, 3))
    return {
        "f32": lambda: pytensor.from_numpy(base.astype(np.float32)),
        "f64": lambda: pytensor.from_numpy(base.copy()),
        "f16": lambda: pytensor.from_numpy(base.astype(np.float16)),
        "i64": lambda: pytensor.from_numpy(
            np.arange(6, dtype=np.int64).reshape(2, 3)),
        "i32": lambda: pytensor.from_numpy(
            np.arange(6, dtype=np.int32).reshape(2, 3)),
        "u8": lambda: pytensor.from_numpy(
            np.arange(6, dtype=np.uint8).reshape(2, 3)),
        "bool": lambda: pytensor.from_numpy(base > 0),
        "0d": lambda: pytensor.from_numpy(np.array(1.5, np.float32)),
        "0d_i64": lambda: pytensor.from_numpy(np.array(1, np.int64)),
        "empty": lambda: pytensor.from_numpy(np.zeros((0, 3), np.float32)),
        "empty_1d": lambda: pytensor.from_numpy(np.zeros((0,), np.float32)),
        "vec3": lambda: pytensor.from_numpy(base[0].astype(np.float32)),
        "vec4": lambda: pytensor.from_numpy(np.ones(4, np.float32)),
        "mat3x2": lambda: pytensor.from_numpy(base.T.astype(np.float32)),
        "4d": lambda: pytensor.from_numpy(
            rng.standard_normal((1, 2, 3, 4)).astype(np.float32)),
        "5d": lambda: pytensor.from_numpy(np.ones((1, 1, 2, 1, 3), np.float32)),
        "nan_inf": lambda: pytensor.from_numpy(np.array(
            [[np.nan, np.inf, -np.inf], [0.0, -0.0, 1.0]], np.float32)),
        "huge": lambda: pytensor.from_numpy(np.full(
            (2, 3), 3e38, np.float32)),
        "tiny": lambda: pytensor.from_numpy(np.full(
            (2, 3), 1e-45, np.float32)),
        "noncontig": lambda: pytensor.from_numpy(
            np.ones((3, 2), np.float32)).t(),
        "negstride": lambda: pytensor.from_numpy(
            np.flip(base.astype(np.float32), -1)),
        "negstride_2d": lambda: pytensor.from_numpy(
            np.flip(base.astype(np.float32))),
        "f64_negstride": lambda: pytensor.from_numpy(np.flip(base, 0)),
        "grad": lambda: pytensor.from_numpy(
            base.astype(np.float32)).requires_grad_(),
        "grad_nonleaf": lambda: pytensor.from_numpy(
            base.astype(np.float32)).requires_grad_() * 2,
        "idx": lambda: pytensor.tensor([0, 1]),
        "idx_neg": lambda: pytensor.tensor([-1, -7]),
        "idx_oob": lambda: pytensor.tensor([0, 100]),
        "idx_float": lambda: pytensor.tensor([0.0, 1.0]),
        "idx_2d": lambda: pytensor.tensor([[0, 1, 0], [1, 0, 1]]),
        "idx_2d_oob": lambda: pytensor.tensor([[0, 9, 0], [1, 0, -9]]),
        "mask": lambda: pytensor.tensor([[True, False, True],
                                         [False, True, False]]),
        "mask_bad": lambda: pytensor.tensor([True, False]),
        "labels": lambda: pytensor.tensor([0, 2]),
        "labels_oob": lambda: pytensor.tensor([0, 5]),
    }


def _scalars():
    return {
        "None": lambda: None,
        "str": lambda: "abc",
        "float": lambda: 1.5,
        "neg_float": lambda: -2.5,
        "nan": lambda: float("nan"),
        "inf": lambda: float("inf"),
        "int0": lambda: 0,
        "int1": lambda: 1,
        "int2": lambda: 2,
        "int_neg1": lambda: -1,
        "int_neg7": lambda: -7,
        "int_big": lambda: 7,
        "int_huge": lambda: 10 ** 20,
        "int_neg_huge": lambda: -10 ** 20,
        "np_int": lambda: np.int64(1),
        "np_float": lambda: np.float32(0.5),
        "bool": lambda: True,
        "list": lambda: [1, 2],
        "list_nested": lambda: [[1, 2], [3]],
        "list_str": lambda: ["a", "b"],
        "tuple": lambda: (2, 3),
        "tuple_neg": lambda: (2, -3),
        "tuple_empty": lambda: (),
        "ndarray": lambda: np.ones((2, 3), np.float32),
        "object": lambda: object(),
        "dict": lambda: {"a": 1},
        "complex": lambda: 1 + 2j,
        "slice": lambda: slice(None, 2),
        "dtype": lambda: __import__("pytensor").float64,
        "dtype_str": lambda: "float32",
        "device_cuda": lambda: "cuda",
        "device_bad": lambda: "tpu:0",
        "callable": lambda: (lambda *a: None),
    }


TENSORS = _tensors()
SCALARS = _scalars()
POOL = {**{"t_" + k: v for k, v in TENSORS.items()}, **SCALARS}

# A plausible value per parameter name: the sweep starts from these and
# replaces one argument at a time.
GOOD = {
    "input": "t_f32", "self": "t_f32", "other": "t_f32", "x": "t_f32",
    "a": "t_f32", "b": "t_f32", "x1": "t_f32", "x2": "t_f32",
    "input1": "t_f32", "input2": "t_f32", "tensor": "t_f32",
    "tensor1": "t_f32", "tensor2": "t_f32", "target": "t_f32",
    "end": "float", "weight": "t_f32", "source": "t_f32", "src": "t_f32",
    "values": "t_f32", "mask": "t_mask", "condition": "t_mask",
    "index": "t_idx", "indices": "t_idx", "dim": "int1", "dim0": "int0",
    "dim1": "int1", "dim2": "int0", "keepdim": "bool", "value": "float",
    "fill_value": "float", "alpha": "float", "beta": "float", "p": "float",
    "exponent": "float", "min": "neg_float", "max": "float",
    "min_val": "neg_float", "max_val": "float", "threshold": "float",
    "negative_slope": "float", "eps": "float", "size": "tuple",
    "shape": "tuple", "sizes": "tuple", "dims": "tuple", "n": "int2",
    "k": "int1", "steps": "int2", "start": "float", "step": "float",
    "chunks": "int2", "split_size_or_sections": "int1",
    "split_sizes": "list", "indices_or_sections": "int2", "mat1": "t_f32",
    "mat2": "t_mat3x2", "mat": "t_f32", "vec": "t_vec3", "vec1": "t_vec3",
    "vec2": "t_vec3", "batch1": "t_4d", "batch2": "t_4d",
    "tensors": "list_tensors", "operands": "t_f32", "equation": "str",
    "num_classes": "int2", "length": "int1", "offset": "int0",
    "diagonal": "int0", "shifts": "int1", "reduction": "str",
    "approximate": "str", "rounding_mode": "None", "data": "list",
    "dtype": "None", "device": "None", "requires_grad": "bool",
    "generator": "None", "descending": "bool", "stable": "bool",
    "largest": "bool", "sorted": "bool", "unbiased": "bool",
    "correction": "int1", "margin": "float", "delta": "float",
    "label_smoothing": "float", "ignore_index": "int_neg1",
    "padding_idx": "None", "max_norm": "None", "norm_type": "float",
    "bias": "None", "training": "bool", "inplace": "bool",
    "pos_weight": "None", "start_dim": "int0", "end_dim": "int_neg1",
    "destination": "int0", "decimals": "int0", "mean": "float",
    "std": "float", "low": "int0", "high": "int2", "num_samples": "int1",
    "replacement": "bool", "base": "float", "m": "int2", "to": "int1",
    "from_": "int0", "rtol": "float", "atol": "float", "equal_nan": "bool",
    "accumulate": "bool", "nan": "float", "posinf": "float",
    "neginf": "float", "obj": "t_f32", "array": "ndarray",
}
EXTRA_POOL = {
    "list_tensors": lambda: [TENSORS["f32"](), TENSORS["f32"]()],
    "list_tensors_bad": lambda: [TENSORS["f32"](), TENSORS["vec4"]()],
    "list_tensors_mixed": lambda: [TENSORS["f32"](), TENSORS["i64"](), 3],
    "list_empty": lambda: [],
}
POOL.update(EXTRA_POOL)

# Callables left out: they change process-wide state or are not ops.
SKIP = {
    "set_default_dtype", "manual_seed", "seed", "set_rng_state",
    "set_printoptions", "get_rng_state", "initial_seed",
    "get_default_dtype", "is_grad_enabled", "is_inference_mode_enabled",
    "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
    # Tensor methods that are not computations
    "backward", "register_hook", "register_post_accumulate_grad_hook",
    "retain_grad", "numpy", "data_ptr", "tolist", "item",
}


def _resolve_sig(fn, name, namespace):
    """(params, has_self): the parameters the sweep fills."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    params = [p for p in sig.parameters.values()]
    if [p.kind for p in params][1:2] == [inspect.Parameter.VAR_POSITIONAL] \
            and name.endswith("_") and hasattr(namespace, name[:-1]):
        # generated in-place wrappers take the out-of-place op's arguments
        try:
            inner = inspect.signature(getattr(namespace, name[:-1]))
            params = params[:1] + list(inner.parameters.values())[1:]
        except (TypeError, ValueError):
            pass
    return params


def _slots(params):
    """[(param name, kind)] of positional slots to fill, and keyword-only
    ones that have no default (rare)."""
    out = []
    for p in params:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            out.append((p.name, "pos", p.default is not p.empty))
        elif p.kind is p.VAR_POSITIONAL:
            out.append((p.name, "var", True))
        elif p.kind is p.KEYWORD_ONLY:
            out.append((p.name, "kw", p.default is not p.empty))
    return out


def _good_key(name):
    return GOOD.get(name, "t_f32")


class Finding(dict):
    pass


def _where(exc):
    """file:line of the frame that raised ``exc`` (innermost)."""
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return ""
    code = last.tb_frame.f_code
    f = code.co_filename
    for root in ("pytensor_ext/", "pytensor/", "numpy/"):
        if root in f:
            f = root + f.split(root, 1)[1]
            break
    return f"{f}:{last.tb_lineno} in {code.co_name}"


class Hang(BaseException):
    """Raised by the per-call alarm (a BaseException, so the library's own
    ``except Exception`` cannot swallow it)."""


CALL_SECONDS = 5.0          # a call taking longer is reported as a hang


def _on_alarm(signum, frame):
    raise Hang()


def _call(fn, args, kwargs):
    import signal
    timed = hasattr(signal, "setitimer")
    if timed:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, CALL_SECONDS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _describe(keys):
    return "(" + ", ".join(keys) + ")"


def _check_result(out, label, fn_name, findings, arg_desc,
                  need_name=True):
    """Backward through a float result that requires grad."""
    import pytensor
    outs = out if isinstance(out, (tuple, list)) else (out,)
    for o in outs:
        if isinstance(o, pytensor.Tensor) and o.requires_grad and \
                o.grad_fn is not None and o.is_floating_point():
            try:
                _call(lambda: o.sum().backward(), (), {})
            except Hang:
                findings.append(Finding(fn=label, args=arg_desc,
                                        phase="backward", error="hang"))
            except Exception as e:              # noqa: BLE001
                why = judge(label, fn_name, e, need_name=need_name)
                if why:
                    findings.append(Finding(
                        fn=label, args=arg_desc, phase="backward",
                        error=why, where=_where(e)))
            break


def sweep_callable(label, fn, params, rng, n_random=6, self_keys=None,
                   pool_keys=None):
    """Call ``fn`` with one hostile argument at a time (and ``n_random``
    fully random argument lists); return the findings."""
    findings = []
    slots = _slots(params)
    fn_name = label.rsplit(".", 1)[-1]
    pool_keys = pool_keys or sorted(POOL)

    def run(keys, kw):
        try:
            args = [POOL[k]() for k in keys]
            kwargs = {n: POOL[k]() for n, k in kw.items()}
        except Exception as e:                  # noqa: BLE001
            return                              # a value that cannot be built
        desc = _describe(keys + [f"{n}={k}" for n, k in kw.items()])
        try:
            out = _call(fn, args, kwargs)
        except MemoryError:
            return
        except Hang:
            findings.append(Finding(fn=label, args=desc, phase="call",
                                    error=f"hang: still running after "
                                          f"{CALL_SECONDS} s"))
            return
        except RecursionError as e:
            findings.append(Finding(fn=label, args=desc, phase="call",
                                    error=f"RecursionError: {e}"))
            return
        except Exception as e:                  # noqa: BLE001
            why = judge(label, fn_name, e)
            if why:
                findings.append(Finding(fn=label, args=desc, phase="call",
                                        error=why, where=_where(e)))
            elif VERBOSE:
                findings.append(Finding(fn=label, args=desc, phase="ok",
                                        error=f"{type(e).__name__}: {e}"))
            return
        _check_result(out, label, fn_name, findings, desc)

    # Required positional slots and the defaulted ones right after them
    # (the sweep fills up to two optional positionals).
    pos = []
    n_opt = 0
    for name, kind, has_default in slots:
        if kind == "pos":
            if has_default:
                if n_opt >= 2:
                    break
                n_opt += 1
            pos.append(name)
        elif kind == "var":
            pos.append(name)
            break
    base = [_good_key(n) for n in pos]
    if self_keys is not None and base:
        base[0] = "t_f32"
    run(base, {})
    for i in range(len(base)):
        keys_i = self_keys if (i == 0 and self_keys is not None) else pool_keys
        for k in keys_i:
            if k == base[i]:
                continue
            trial = list(base)
            trial[i] = k
            run(trial, {})
        # and the call with the positional list cut short here
        if i and slots and any(s[0] == pos[i] and s[2] for s in slots):
            run(base[:i], {})
    for _ in range(n_random):
        n = rng.randint(max(len(base) - 1, 0), len(base) + 1)
        keys = [rng.choice(pool_keys) for _ in range(n)]
        if self_keys is not None and keys:
            keys[0] = rng.choice(self_keys)
        run(keys, {})
    return findings


def api_targets(group):
    """[(label, fn, params, self_keys)] for a sweep group."""
    import pytensor
    import pytensor.nn.functional as F
    out = []
    seen = set()
    if group in ("api", "api_a", "api_b"):
        names = sorted(n for n in dir(pytensor) if not n.startswith("_"))
        for n in names:
            fn = getattr(pytensor, n)
            if n in SKIP or isinstance(fn, type) or not callable(fn) or \
                    inspect.ismodule(fn):
                continue
            if group == "api_a" and n[0] > "l" or group == "api_b" and \
                    n[0] <= "l":
                continue
            params = _resolve_sig(fn, n, pytensor)
            if params is None:
                continue
            seen.add(id(fn))
            out.append((f"pytensor.{n}", fn, params, None))
    if group == "methods":
        api_ids = {id(getattr(pytensor, n)) for n in dir(pytensor)
                   if not n.startswith("_")}
        for n in sorted(dir(pytensor.Tensor)):
            if n.startswith("_") or n in SKIP:
                continue
            fn = inspect.getattr_static(pytensor.Tensor, n)
            if isinstance(fn, (property, staticmethod, classmethod)) or \
                    not callable(fn) or id(fn) in api_ids:
                continue
            params = _resolve_sig(fn, n, pytensor.Tensor)
            if params is None:
                continue
            out.append((f"Tensor.{n}", fn, params,
                        [k for k in POOL if k.startswith("t_")]))
    if group == "functional":
        api_ids = {id(getattr(pytensor, n)) for n in dir(pytensor)
                   if not n.startswith("_")}
        for n in sorted(dir(F)):
            fn = getattr(F, n)
            if n.startswith("_") or isinstance(fn, type) or \
                    not callable(fn) or inspect.ismodule(fn) or \
                    id(fn) in api_ids:
                continue
            params = _resolve_sig(fn, n, F)
            if params is None:
                continue
            out.append((f"F.{n}", fn, params, None))
    return out


BINARY_DUNDERS = (
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
    "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__",
    "__mod__", "__rmod__", "__pow__", "__rpow__", "__matmul__",
    "__rmatmul__", "__and__", "__or__", "__xor__", "__eq__", "__ne__",
    "__lt__", "__le__", "__gt__", "__ge__", "__iadd__", "__isub__",
    "__imul__", "__itruediv__", "__iand__", "__ior__", "__ixor__")
UNARY_DUNDERS = ("__neg__", "__pos__", "__abs__", "__invert__", "__len__",
                 "__bool__", "__float__", "__int__", "__index__",
                 "__iter__", "__repr__", "__format__")

# Indexing keys: out-of-range, wrong types, zero/negative steps, masks of
# the wrong shape, several ellipses, too many indices ...
KEYS = {
    "int_oob": lambda: 5, "int_neg_oob": lambda: -7,
    "int_huge": lambda: 10 ** 20, "float": lambda: 1.5, "str": lambda: "a",
    "None": lambda: None, "ellipsis": lambda: ...,
    "two_ellipses": lambda: (..., ...), "too_many": lambda: (0, 0, 0),
    "step0": lambda: slice(None, None, 0),
    "neg_step": lambda: slice(None, None, -1),
    "slice_str": lambda: slice("a"), "list_oob": lambda: [0, 5],
    "list_ragged": lambda: [[0, 1], [2]], "ndarray_oob": lambda: np.array(
        [0, 9]), "t_float": lambda: TENSORS["idx_float"](),
    "t_oob": lambda: TENSORS["idx_oob"](),
    "t_neg": lambda: TENSORS["idx_neg"](),
    "mask_bad": lambda: TENSORS["mask_bad"](),
    "mask_ok": lambda: TENSORS["mask"](),
    "mask_2d_bad": lambda: __import__("pytensor").tensor([[True]]),
    "t_unbroadcastable": lambda: (TENSORS["idx"](), __import__(
        "pytensor").tensor([0, 1, 2])),
    "dict": lambda: {1: 2}, "object": lambda: object(),
    "t_0d_float": lambda: TENSORS["0d"](), "np_float": lambda: np.float32(
        1), "empty_list": lambda: [], "empty_tuple": lambda: (),
    "t_empty_idx": lambda: __import__("pytensor").tensor(
        [], dtype=__import__("pytensor").int64),
    "tuple_slice_oob": lambda: (slice(None), 7),
}
SET_VALUES = {
    "float": lambda: 1.0, "nan": lambda: float("nan"), "None": lambda: None,
    "str": lambda: "a", "list_str": lambda: ["a", "b", "c"],
    "ragged": lambda: [[1, 2], [3]], "huge_int": lambda: 10 ** 40,
    "complex": lambda: 1 + 2j, "t_vec4": lambda: TENSORS["vec4"](),
    "t_3d": lambda: TENSORS["4d"](), "t_i64": lambda: TENSORS["i64"](),
    "t_grad": lambda: TENSORS["grad"](), "ndarray": lambda: np.ones(3),
    "t_0d": lambda: TENSORS["0d"](), "object": lambda: object(),
}


def sweep_operators(findings, rng):
    """Operators and indexing: not named functions, so only the exception
    type and the internal-phrasing deny-list are checked."""
    import operator
    t_keys = [k for k in POOL if k.startswith("t_")]

    def check(label, thunk, desc):
        try:
            out = _call(thunk, (), {})
        except MemoryError:
            return
        except Hang:
            findings.append(Finding(fn=label, args=desc, phase="call",
                                    error=f"hang: still running after "
                                          f"{CALL_SECONDS} s"))
            return
        except Exception as e:                  # noqa: BLE001
            why = judge(label, label, e, need_name=False)
            if why:
                findings.append(Finding(fn=label, args=desc, phase="call",
                                        error=why, where=_where(e)))
            return
        _check_result(out, label, label, findings, desc, need_name=False)

    for name in BINARY_DUNDERS:
        for a in ("t_f32", "t_i64", "t_bool", "t_0d", "t_grad", "t_empty"):
            for b in sorted(POOL):
                check(f"Tensor.{name}",
                      lambda: getattr(POOL[a](), name)(POOL[b]()),
                      f"({a}, {b})")
    for name in UNARY_DUNDERS:
        for a in t_keys:
            check(f"Tensor.{name}", lambda: getattr(POOL[a](), name)(),
                  f"({a})")
    for a in ("t_f32", "t_0d", "t_empty", "t_4d", "t_negstride", "t_grad"):
        for k in sorted(KEYS):
            check("Tensor.__getitem__",
                  lambda: operator.getitem(POOL[a](), KEYS[k]()),
                  f"({a}, {k})")
            for v in sorted(SET_VALUES):
                def setitem():
                    x = POOL[a]()
                    if x.requires_grad:
                        x = x * 1
                    x[KEYS[k]()] = SET_VALUES[v]()
                    return x
                check("Tensor.__setitem__", setitem, f"({a}, {k}, {v})")


def run_group(group, n_random=6, only=None, emit=print):
    rng = random.Random(f"pytensor-fuzz-{group}")
    import pytensor
    dtype0 = pytensor.get_default_dtype()
    count = 0
    if group == "operators":
        findings = []
        sweep_operators(findings, rng)
        for f in findings:
            emit(json.dumps(f))
        return len(findings)
    for label, fn, params, self_keys in api_targets(group):
        if only and not re.search(only, label):
            continue
        pytensor.manual_seed(0)
        for f in sweep_callable(label, fn, params, rng, n_random=n_random,
                                self_keys=self_keys):
            emit(json.dumps(f))
            count += 1
        if pytensor.get_default_dtype() is not dtype0:
            emit(json.dumps(Finding(fn=label, args="", phase="state",
                                    error="changed the default dtype")))
            pytensor.set_default_dtype(dtype0)
    return count


def limit_memory(gib=6):
    """Cap the address space so a runaway allocation raises MemoryError
    instead of swapping the machine."""
    try:
        import resource
        lim = gib << 30
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    except (ImportError, ValueError, OSError):
        pass


def main(argv):
    import faulthandler
    faulthandler.enable()
    limit_memory()
    group = argv[0] if argv else "api"
    only = argv[1] if len(argv) > 1 else None
    n = run_group(group, only=only)
    print(f"# {group}: {n} findings", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
