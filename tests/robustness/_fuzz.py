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
import os
import random
import re
import sys
import warnings

import numpy as np

VERBOSE = bool(os.environ.get("PYTENSOR_FUZZ_VERBOSE"))
# (AssertionError: where PyTorch asserts, pytensor raises the same type with
# the same message, e.g. Embedding's padding_idx check)
ALLOWED = (RuntimeError, ValueError, TypeError, IndexError, AssertionError)

# Phrasings that mean an internal error leaked out instead of the op's own
# message.  Matched anywhere in the lower-cased message (its first 1000
# characters: internal messages are short, tensor reprs are not).
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
    r"has no len\(\)",
    r"object is not iterable",
    r"object is not callable",
    r"maximum supported dimension",
    r"negative dimensions are not allowed",
    r"array is too big",
    r"the truth value of an array",
    r"setting an array element with a sequence",
    r"__(?!index__ method)[a-z]+__",       # Python's slice message is ok
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
    r"cython",
    r"\.pyx",
]
DENY_RE = re.compile("|".join(f"(?:{d})" for d in DENY))

# A TypeError raised by Python when binding the call itself names the
# callable: "relu() takes from 1 to 2 positional arguments but 3 were
# given", "relu() got an unexpected keyword argument 'x'".
_SIGNATURE_RE = re.compile(
    r"^(?P<fn>[\w.]+)\(\) (takes|got|missing)")


# "mul: ...", "index_add(): ...", "relu6(): ..." - the op comes first.
_OP_PREFIX_RE = re.compile(r"^[\w.]+(\(\))?:")


def _deliberate_key_error(exc):
    """PyTorch raises a few KeyErrors with a sentence (a scheduler resumed
    without ``initial_lr``); a failed lookup carries just the key."""
    a = exc.args
    return len(a) == 1 and isinstance(a[0], str) and " " in a[0] and \
        len(a[0]) > 30


def judge(label, fn_name, exc, allowed=ALLOWED, need_name=True):
    """None if ``exc`` is an acceptable error for a call of ``fn_name``,
    else a short description of what is wrong."""
    msg = str(exc)
    if isinstance(exc, KeyError) and not _deliberate_key_error(exc) or \
            not isinstance(exc, allowed + (KeyError,)):
        return f"{type(exc).__name__} escaped: {msg[:300]}"
    m = _SIGNATURE_RE.match(msg)
    if isinstance(exc, TypeError) and m:
        return None             # Python's own call-binding error, named
    bad = DENY_RE.search(msg[:1000].lower())
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
        "5d": lambda: pytensor.from_numpy(
            np.ones((1, 1, 2, 1, 3), np.float32)),
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
GOOD.update({
    "in_features": "int_3", "out_features": "int2", "in1_features": "int_3",
    "in2_features": "int_3", "num_embeddings": "int_5",
    "embedding_dim": "int_3", "padding": "int1", "unflattened_size":
    "tuple_3", "modules": "None", "parameters": "None", "log_target":
    "bool", "min_value": "None", "max_value": "None", "_weight": "None",
    "_freeze": "bool", "scale_grad_by_freq": "bool", "sparse": "bool",
    "params": "params", "lr": "float_small", "momentum": "float_small",
    "betas": "betas", "weight_decay": "float_small", "amsgrad": "bool",
    "maximize": "bool", "foreach": "None", "nesterov": "bool",
    "dampening": "int0", "centered": "bool", "lr_decay": "int0",
    "initial_accumulator_value": "int0", "differentiable": "bool",
    "capturable": "bool", "fused": "None", "optimizer": "optimizer",
    "step_size": "int1", "gamma": "float_small", "milestones": "list",
    "T_max": "int2", "eta_min": "int0", "last_epoch": "int_neg1",
    "verbose": "bool", "dataset": "dataset", "batch_size": "int2",
    "shuffle": "bool", "drop_last": "bool", "num_workers": "int0",
    "sampler": "None", "batch_sampler": "None", "collate_fn": "None",
    "data_source": "dataset", "replacement": "bool",
    "num_samples": "None", "obj": "state_dict", "f": "path",
    "weights": "t_f32",
})
EXTRA_POOL = {
    "list_tensors": lambda: [TENSORS["f32"](), TENSORS["f32"]()],
    "list_tensors_bad": lambda: [TENSORS["f32"](), TENSORS["vec4"]()],
    "list_tensors_mixed": lambda: [TENSORS["f32"](), TENSORS["i64"](), 3],
    "list_empty": lambda: [],
    "int_3": lambda: 3, "int_5": lambda: 5, "tuple_3": lambda: (3,),
    "float_small": lambda: 0.1, "betas": lambda: (0.9, 0.999),
    "params": lambda: [TENSORS["f32"]().requires_grad_()],
    "params_nonleaf": lambda: [TENSORS["grad"]() * 2],
    "params_dup": lambda: [TENSORS["grad"]()] * 2,
    "params_int": lambda: [TENSORS["i64"]()],
    "optimizer": lambda: __import__("pytensor").optim.SGD(
        [TENSORS["grad"]()], lr=0.1),
    "dataset": lambda: __import__("pytensor").data.TensorDataset(
        TENSORS["f32"](), TENSORS["labels"]()),
    "state_dict": lambda: {"w": TENSORS["f32"]()},
    "path": lambda: _tmp_path("x.safetensors"),
    "path_missing": lambda: _tmp_path("missing/dir/x.safetensors"),
    "path_dir": lambda: _tmp_path(""),
    "path_garbage": lambda: _garbage_file(),
}


def _tmp_path(name):
    import tempfile
    d = os.path.join(tempfile.gettempdir(), f"pytensor-fuzz-{os.getpid()}")
    os.makedirs(d, exist_ok=True)
    return os.path.join(d, name)


def _garbage_file():
    p = _tmp_path("garbage.safetensors")
    with open(p, "wb") as f:
        f.write(b"\xff\x00\x00\x00\x00\x00\x00\x00{not json" + bytes(
            range(256)))
    return p


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


_alarm_set = []


def _call(fn, args, kwargs):
    import signal
    timed = hasattr(signal, "setitimer")
    if timed:
        if not _alarm_set:
            signal.signal(signal.SIGALRM, _on_alarm)
            _alarm_set.append(True)
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
                   pool_keys=None, name_ok=(), allowed=ALLOWED,
                   need_name=True):
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
        except Exception:                       # noqa: BLE001
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
            why = judge(label, fn_name, e, allowed=allowed,
                        need_name=need_name)
            if why and why.startswith("message does not name") and any(
                    n in str(e) for n in name_ok):
                why = None          # names the layer/class
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


# ----------------------------------------------------------------------
# Kernels (pytensor_ext.cpu.*) called directly with bad arrays.
def _misaligned(shape, dtype):
    """An array whose data pointer is not aligned to its itemsize."""
    dt = np.dtype(dtype)
    n = int(np.prod(shape))
    buf = np.zeros(n * dt.itemsize + 1, np.uint8)
    a = buf[1:].view(dt).reshape(shape)
    a[...] = 0.5
    return a


def kernel_arrays(shape, dtype=np.float64, seed=0):
    """name -> factory of hostile variants of a (``shape``, ``dtype``)
    array operand."""
    rng = np.random.default_rng(seed)
    good = rng.standard_normal(shape).astype(dtype)
    bigger = tuple(s + 1 for s in shape) if shape else (2,)

    def ro():
        a = good.copy()
        a.flags.writeable = False
        return a

    return {
        "f32": lambda: good.astype(np.float32),
        "f64": lambda: good.astype(np.float64),
        "f16": lambda: good.astype(np.float16),
        "i64": lambda: good.astype(np.int64),
        "i32": lambda: good.astype(np.int32),
        "bool": lambda: good > 0,
        "c128": lambda: good.astype(np.complex128),
        "object": lambda: good.astype(object),
        "big_endian": lambda: good.astype(np.dtype(dtype).newbyteorder(">")),
        "fortran": lambda: np.asfortranarray(good),
        "strided": lambda: np.repeat(good, 2, axis=-1)[..., ::2]
        if good.ndim else good.copy(),
        "negstride": lambda: np.flip(good),
        "negstride_last": lambda: np.flip(good, -1) if good.ndim else good,
        "broadcast0": lambda: np.broadcast_to(good.reshape(-1)[:1].reshape(
            (1,) * good.ndim), shape) if good.ndim else good,
        "readonly": ro,
        "misaligned": lambda: _misaligned(shape, dtype),
        "0d": lambda: np.asarray(good.reshape(-1)[0]),
        "1d": lambda: good.reshape(-1),
        "3d": lambda: good.reshape((1,) + shape),
        "empty": lambda: np.zeros((0,) + shape[1:], dtype),
        "empty_last": lambda: np.zeros(shape[:-1] + (0,), dtype)
        if shape else np.zeros(0, dtype),
        "bigger": lambda: np.ones(bigger, dtype),
        "transposed": lambda: good.T.copy() if good.ndim > 1 else good,
        "nan_inf": lambda: np.where(rng.random(shape) < 0.5, np.nan,
                                    np.inf).astype(dtype),
        "huge": lambda: np.full(shape, np.finfo(dtype).max, dtype),
        "None": lambda: None,
        "list": lambda: good.tolist(),
        "scalar": lambda: 1.5,
        "str": lambda: "abc",
        "matrix": lambda: np.asmatrix(good) if good.ndim == 2 else good,
    }


KERNEL_INTS = {
    "0": 0, "1": 1, "-1": -1, "2": 2, "-3": -3, "big": 2 ** 31,
    "neg_big": -2 ** 31 - 1, "huge": 10 ** 20, "float": 1.5, "None": None,
    "str": "a", "np_int": np.int64(1), "bool": True,
}


def _index_variants(n, length, shape=None):
    """Index arrays for an axis of size ``n``: good ones and hostile."""
    shape = shape or (length,)
    rng = np.random.default_rng(1)
    good = rng.integers(0, n, size=shape).astype(np.int64)
    out = {
        "good": lambda: good.copy(),
        "neg_ok": lambda: good - n,
        "oob": lambda: np.where(good == good.flat[0], n, good),
        "neg_oob": lambda: np.where(good == good.flat[0], -n - 1, good),
        "huge": lambda: np.full(shape, 2 ** 62, np.int64),
        "neg_huge": lambda: np.full(shape, -2 ** 62, np.int64),
        "i32": lambda: good.astype(np.int32),
        "u64_huge": lambda: np.full(shape, 2 ** 63 + 1, np.uint64),
        "f64": lambda: good.astype(np.float64),
        "bool": lambda: good > 0,
        "strided": lambda: np.repeat(good, 2, axis=-1)[..., ::2],
        "negstride": lambda: np.flip(good),
        "longer": lambda: np.zeros(tuple(s + 1 for s in shape), np.int64),
        "shorter": lambda: np.zeros(tuple(max(s - 1, 0) for s in shape),
                                    np.int64),
        "empty": lambda: np.zeros((0,) * len(shape), np.int64),
        "2d": lambda: good.reshape((1,) + shape),
        "0d": lambda: np.asarray(good.flat[0]),
        "None": lambda: None,
        "list": lambda: good.tolist(),
        "readonly": lambda: _readonly(good),
    }
    return out


def _readonly(a):
    a = a.copy()
    a.flags.writeable = False
    return a


# Keyword arguments of the optimizer kernels (good values, then hostile).
OPTIM_KW = {
    "lr": 0.1, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.01,
    "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "step": 3, "alpha": 0.99,
    "lr_decay": 0.0,
}
KW_HOSTILE = {
    "nan": float("nan"), "inf": float("inf"), "neg": -1.0, "None": None,
    "str": "a", "array": np.ones(2), "huge_int": 10 ** 400, "zero": 0,
}


def kernel_cases(name, ref_fn):
    """(good positional args, good kwargs, {slot: {variant: factory}}) for
    kernel ``name`` built from the reference's signature."""
    shape = (4, 5)
    arrays = kernel_arrays(shape)
    a = arrays["f64"]
    params = inspect.signature(ref_fn).parameters
    pos, kw, variants = [], {}, {}
    for p in params.values():
        if p.kind is p.KEYWORD_ONLY:
            if p.default is p.empty or p.name in OPTIM_KW:
                kw[p.name] = OPTIM_KW.get(p.name, 1.0)
                variants[p.name] = {k: (lambda v=v: v)
                                    for k, v in KW_HOSTILE.items()}
            continue
        n = p.name
        if n in ("dim", "axis"):
            pos.append(lambda: 1)
            variants[len(pos) - 1] = {k: (lambda v=v: v)
                                      for k, v in KERNEL_INTS.items()}
        elif n == "shape":
            pos.append(lambda: (1, 5))
            variants[len(pos) - 1] = {k: (lambda v=v: v) for k, v in {
                "wrong": (3,), "bigger": (4, 6), "neg": (-1, 5),
                "huge": (10 ** 20,), "None": None, "str": "ab",
                "more_dims": (4, 5, 1, 1), "0d": (), "float": (1.5, 5),
                "same": (4, 5), "empty": (0, 5)}.items()}
        elif n == "approximate":
            pos.append(lambda: "none")
            variants[len(pos) - 1] = {k: (lambda v=v: v) for k, v in {
                "bad": "bad", "None": None, "int": 1, "tanh": "tanh"}.items()}
        elif n == "index":
            if name == "index_add":
                pos.append(lambda: np.array([0, 3, 1, 3], np.int64))
                variants[len(pos) - 1] = _index_variants(5, 4)
            else:
                pos.append(lambda: _index_variants(5, 3, (4, 3))["good"]())
                variants[len(pos) - 1] = _index_variants(5, 3, (4, 3))
        elif n == "src" and name == "index_add":
            pos.append(lambda: np.ones((4, 4)))
            variants[len(pos) - 1] = kernel_arrays((4, 4))
        elif n == "src":
            pos.append(lambda: np.ones((4, 3)))
            variants[len(pos) - 1] = kernel_arrays((4, 3))
        elif p.default is None and p.kind is p.POSITIONAL_OR_KEYWORD:
            # optional state buffers: leave out in the good call, vary
            pos.append(lambda: None)
            variants[len(pos) - 1] = arrays
        else:
            pos.append(a)
            variants[len(pos) - 1] = arrays
    return pos, kw, variants


def sweep_kernels(findings, only=None, budget=25, progress=None):
    """Every kernel of ``pytensor_ext.cpu``: the good call, one hostile
    argument at a time, then ``budget`` hypothesis-drawn combinations of
    hostile arguments (derandomized).

    What is required (kernels are an internal API on raw arrays, reached
    from ops that validated their input):

    - never a crash or a hang, whatever the arguments;
    - an error raised by a compiled wrapper itself (a ``.pyx`` frame) is of
      an allowed type, is not an internal phrasing (Cython's "Buffer dtype
      mismatch") and names the kernel;
    - a call whose bad arguments are all arrays (wrong dtype, shape,
      strides, byte order, alignment, read-only ...) raises an allowed
      type wherever it is raised (compiled kernels hand unusual dtypes to
      the NumPy reference, which validates nothing beyond NumPy by
      design, so NumPy's message is tolerated there).
    """
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from pytensor_ext import cpu, reference

    for name in reference.KERNEL_NAMES:
        if only and not re.search(only, name):
            continue
        fn = getattr(cpu, name)
        compiled = name in getattr(cpu, "COMPILED", {})
        label = f"pytensor_ext.cpu.{name}"
        pos, kw, variants = kernel_cases(name, getattr(reference, name))

        def run(args, kwargs, desc, arrays_only=True):
            if progress is not None:
                progress(f"{label}{desc}")
            try:
                _call(fn, args, kwargs)
            except MemoryError:
                return
            except Hang:
                findings.append(Finding(fn=label, args=desc, phase="call",
                                        error="hang"))
                return
            except Exception as e:              # noqa: BLE001
                where = _where(e)
                why = None
                if compiled and ".pyx:" in where:
                    why = judge(label, name, e, need_name=False)
                    if why is None and not (name in str(e) or
                                            _OP_PREFIX_RE.match(str(e))):
                        why = f"message does not name the kernel: {e}"
                elif arrays_only and (isinstance(e, KeyError) or
                                      not isinstance(e, ALLOWED)):
                    why = f"{type(e).__name__} escaped: {str(e)[:300]}"
                if why:
                    findings.append(Finding(
                        fn=label, args=desc, phase="call", error=why,
                        where=where))

        def build(choice):
            args = [f() for f in pos]
            kwargs = dict(kw)
            for slot, var in choice.items():
                v = variants[slot][var]()
                if isinstance(slot, int):
                    args[slot] = v
                else:
                    kwargs[slot] = v
            while args and args[-1] is None and len(args) > 1 and \
                    isinstance(variants.get(len(args) - 1), dict) and \
                    len(args) - 1 not in choice:
                args.pop()          # unset optional buffers: not passed
            return args, kwargs

        def all_arrays(choice):
            return all(isinstance(variants[s][v](), np.ndarray)
                       for s, v in choice.items())

        run(*build({}), "(good)")
        for slot, vs in variants.items():
            for var in vs:
                run(*build({slot: var}), f"({slot}={var})",
                    all_arrays({slot: var}))

        slots = sorted(variants, key=str)

        @settings(max_examples=budget, derandomize=True, database=None,
                  deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.data())
        def combos(data):
            choice = {}
            for slot in slots:
                if data.draw(st.booleans()):
                    choice[slot] = data.draw(st.sampled_from(
                        sorted(variants[slot])))
            run(*build(choice), "(" + ", ".join(
                f"{k}={v}" for k, v in choice.items()) + ")",
                all_arrays(choice))

        combos()


def nn_targets():
    """[(label, callable, params, self_keys, is_module_class)]: layer and
    optimizer/scheduler/data constructors, ``save``/``load``."""
    import pytensor
    import pytensor.data as data
    import pytensor.nn as nn
    import pytensor.optim as optim
    from pytensor.optim import lr_scheduler
    out = []
    # containers and abstract bases (PyTorch's own raise a bare
    # NotImplementedError when used directly)
    skip = {"Module", "ModuleDict", "ModuleList", "ParameterDict",
            "ParameterList", "Sequential", "Identity", "LRScheduler",
            "Dataset", "IterableDataset", "Sampler"}
    for ns, prefix, base in ((nn, "nn", nn.Module),
                             (optim, "optim", optim.Optimizer),
                             (lr_scheduler, "lr_scheduler", object),
                             (data, "data", object)):
        for n in sorted(dir(ns)):
            cls = getattr(ns, n)
            if n.startswith("_") or n in skip or not isinstance(cls, type) \
                    or not issubclass(cls, base) or cls is base or \
                    inspect.isabstract(cls):
                continue
            if ns is lr_scheduler and not n.endswith(("LR", "Scheduler",
                                                      "LROnPlateau")):
                continue
            try:
                params = list(inspect.signature(cls.__init__).parameters
                              .values())[1:]
            except (TypeError, ValueError):
                continue
            out.append((f"{prefix}.{n}", cls, params, None, ns is nn))
    for n in ("save", "load"):
        fn = getattr(pytensor, n)
        out.append((f"pytensor.{n}", fn, list(inspect.signature(
            fn).parameters.values()), None, False))
    return out


def sweep_nn(findings, rng, only=None):
    """Constructors (one hostile argument at a time), then each layer built
    from good arguments called with hostile inputs."""
    for label, cls, params, _, is_module in nn_targets():
        if only and not re.search(only, label):
            continue
        name = label.rsplit(".", 1)[-1]
        # Constructors keep PyTorch's exact messages ("Invalid learning
        # rate: -1"), which do not name the class; save/load raise OSError
        # (FileNotFoundError ...) for file problems.
        findings += sweep_callable(
            label, cls, params, rng, n_random=4, name_ok=(name,),
            allowed=ALLOWED + ((OSError,) if label.startswith("pytensor.")
                               else ()), need_name=False)
        if not is_module:
            continue
        slots = [p.name for p in params if p.default is p.empty and
                 p.kind is p.POSITIONAL_OR_KEYWORD]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                layer = cls(*[POOL[_good_key(s)]() for s in slots])
        except Exception:                       # noqa: BLE001
            continue
        try:
            fparams = list(inspect.signature(layer.forward).parameters
                           .values())
        except (TypeError, ValueError):
            continue
        findings += sweep_callable(f"{label}.forward", layer, fparams, rng,
                                   n_random=4, name_ok=(name,))


def sweep_devices(findings, only=None):
    """Mixed devices, on the fake CuPy of ``tests/gpu/fakecupy.py`` (two
    fake GPUs): every public function and method called with its good
    arguments, one tensor at a time moved to ``cuda:0`` (and, with all on
    ``cuda:0``, one on ``cuda:1``).  An op either works (0-d CPU tensors
    may be mixed with CUDA ones) or raises the convention's error naming
    the devices.  Skipped (no findings) when the fake cannot be loaded."""
    try:
        from tests.gpu import fakecupy
    except Exception:                           # noqa: BLE001
        return
    import pytensor
    with fakecupy.installed(n_devices=2):
        for group in ("api", "functional"):
            for label, fn, params, _ in api_targets(group):
                if only and not re.search(only, label):
                    continue
                _sweep_devices_one(findings, label, fn, params, pytensor)


def _sweep_devices_one(findings, label, fn, params, pytensor):
    slots = _slots(params)
    keys = [_good_key(n) for n, kind, has_default in slots
            if kind in ("pos", "var") and not has_default]
    tensor_slots = [i for i, k in enumerate(keys) if k.startswith("t_")]
    if len(tensor_slots) < 2:
        return
    fn_name = label.rsplit(".", 1)[-1]

    def build(moves):
        args = [POOL[k]() for k in keys]
        for i, d in moves.items():
            args[i] = args[i].detach().to(d)
        return args

    trials = [{i: "cuda:0"} for i in tensor_slots]
    trials.append({i: ("cuda:1" if i == tensor_slots[0] else "cuda:0")
                   for i in tensor_slots})
    for moves in trials:
        desc = "(" + ", ".join(
            f"{k}@{moves.get(i, 'cpu')}" for i, k in enumerate(keys)) + ")"
        try:
            args = build(moves)
            out = _call(fn, args, {})
        except MemoryError:
            continue
        except Hang:
            findings.append(Finding(fn=label, args=desc, phase="device",
                                    error="hang"))
            continue
        except Exception as e:                  # noqa: BLE001
            why = judge(label, fn_name, e)
            if why is None and "device" not in str(e) and "cuda" not in \
                    str(e):
                continue            # refused for another (good) reason
            if why:
                findings.append(Finding(fn=label, args=desc, phase="device",
                                        error=why, where=_where(e)))
            continue
        outs = out if isinstance(out, (tuple, list)) else (out,)
        devs = {str(t.device) for t in outs
                if isinstance(t, pytensor.Tensor)}
        if len(moves) < len(tensor_slots) and devs and all(
                isinstance(a, pytensor.Tensor) and a.ndim for a in
                build({}) if isinstance(a, pytensor.Tensor)):
            findings.append(Finding(
                fn=label, args=desc, phase="device",
                error=f"mixed CPU and CUDA tensors were accepted "
                      f"(result on {sorted(devs)})"))


def run_group(group, n_random=6, only=None, emit=print):
    rng = random.Random(f"pytensor-fuzz-{group}")
    import pytensor
    dtype0 = pytensor.get_default_dtype()
    count = 0
    if group in ("operators", "kernels", "nn", "devices"):
        findings = []
        if group == "operators":
            sweep_operators(findings, rng)
        elif group == "devices":
            sweep_devices(findings, only=only)
        elif group == "nn":
            sweep_nn(findings, rng, only=only)
        else:
            sweep_kernels(findings, only=only, progress=_progress())
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


def _progress():
    """Write the call about to run to the file named by
    ``PYTENSOR_FUZZ_PROGRESS``: after a segfault the parent reads which
    call it was."""
    path = os.environ.get("PYTENSOR_FUZZ_PROGRESS")
    if not path:
        return None
    f = open(path, "w")

    def note(desc):
        f.seek(0)
        f.write(desc[:2000])
        f.truncate()
        f.flush()
    return note


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
