"""``Function``: one differentiable op, and the node it leaves in the graph.

A Function's ``forward`` takes and returns *arrays* (NumPy or CuPy); its
``backward`` takes and returns *Tensors* built from differentiable ops, so
double backward works by construction.  The instance that ran ``forward`` is
the graph node (``tensor.grad_fn``): it holds what ``save_for_backward``
kept, the edges to its inputs' nodes, and their shapes, which the engine
uses to un-broadcast gradients.

Writing an op::

    class Exp(Function):
        def forward(self, x):               # arrays in, arrays out
            y = np.exp(x)
            self.save_for_backward(y)       # outputs may be saved too
            return y

        def backward(self, gy):             # Tensors in, Tensors out
            y, = self.saved_tensors
            return gy * y

    y = Exp.apply(x)                        # or Exp().apply(x)

PyTorch's static form (``@staticmethod def forward(ctx, x)``) works too.
Non-Tensor arguments (numbers, shapes, axes) are passed through to
``forward`` unchanged and get ``None`` as their gradient.
"""
import itertools
import re
import time as _time

import numpy as np

try:
    import cython           # compiled: resolved when the module is built
except ImportError:         # plain Python without Cython installed
    class cython:
        compiled = False

from pytensor import backend as _backend
from pytensor.dtypes import NP_F32, NP_F64
from pytensor._tensor_base import TensorBase, get_vc, make_tensor
from pytensor.autograd._node import Node
from pytensor.autograd import grad_mode, hooks as _hooks, tape as _tape_mod

__all__ = ["Function", "once_differentiable"]

_state = grad_mode.state
_tape = _tape_mod.tape
_record_op = _tape_mod.record_op
_op_hooks = _hooks.op_hooks
_ndarray = np.ndarray
_seq = itertools.count()
_NO_EDGE = (None, 0)
_F32, _F64 = NP_F32, NP_F64
Tensor = None           # set by pytensor.tensor (breaks the import cycle)
_make = None            # Tensor._make


def _snake(name):
    return re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", name).lower()


class _ApplyDescriptor:
    """``Fn.apply(x)`` builds a fresh node; ``Fn(args).apply(x)`` uses the
    instance, so ops can take configuration in ``__init__``."""

    __slots__ = ()

    def __get__(self, obj, cls):
        if obj is None:
            return cls._class_apply
        return obj._apply


class Function(Node):
    """Base class of every differentiable op (see the module docstring).

    Attributes:
        needs_input_grad (tuple of bool): per forward argument, whether its
            gradient is wanted; ``backward`` may skip the others.
        next_functions (tuple): per argument, ``(node, output_nr)``, or
            ``(leaf_tensor, -1)``, or ``(None, 0)``: the edges the engine
            follows.
        kernel (str or None): class attribute naming the ``pytensor_ext``
            kernel the op runs (shown by the tape and ``:kernel``).
    """

    # A node's own fields (needs_input_grad, next_functions, saved values,
    # hooks, ...) are Node's (autograd/_node.py); users' ops add their own
    # attributes to the instance __dict__.
    # Optional first-order fast path: ``backward_arrays(*grad_arrays)``
    # returns arrays (None where not needed), or NotImplemented to defer to
    # ``backward``.  The engine uses it when no graph of the backward is
    # wanted; ``backward`` stays the definition (used with
    # create_graph=True) and the two must agree (the parity tests run the
    # fast path, gradgradcheck the other).
    backward_arrays = None

    kernel = None
    name = "function"           # op name on the tape, set per subclass
    _static = False
    _view = False               # output 0 is a view of input 0
    _class_apply = None
    apply = _ApplyDescriptor()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = _snake(cls.__name__)
        cls._static = (
            isinstance(cls.__dict__.get("forward"), staticmethod)
            or (cls._static and "forward" not in cls.__dict__))

        if cls.__init__ is Function.__init__:
            # No configuration: skip the __init__ call on every op.
            def class_apply(*args):
                return Node.__new__(cls)._apply(*args)
        else:
            def class_apply(*args):
                return cls()._apply(*args)
        class_apply.__name__ = f"{cls.__name__}.apply"
        class_apply.__doc__ = cls.__doc__
        cls._class_apply = staticmethod(class_apply).__func__

    def __init__(self):
        pass

    # ------------------------------------------------------------------
    # The API an op's forward/backward use.
    def save_for_backward(self, *tensors):
        """Keep arrays (inputs, outputs or intermediates) for ``backward``.

        Python numbers may be saved too; they come back unchanged.

        Inputs and outputs are remembered by identity, so backward sees them
        as Tensors connected to the graph (double backward works through
        them) and an in-place change made to them afterwards is detected.
        """
        node: Node = self
        node._saved_raw = tensors

    @property
    def saved_tensors(self):
        """The saved values, as Tensors, in the order they were saved."""
        saved = self._saved
        if saved is None:
            if self._freed:
                raise RuntimeError(
                    f"Trying to backward through the graph a second time (or "
                    f"directly access saved tensors after they have already "
                    f"been freed) at {self.name} ({self.where_str()}). Saved "
                    "intermediate values of the graph are freed when you "
                    "call .backward() or autograd.grad(). Specify "
                    "retain_graph=True if you need to backward through the "
                    "graph a second time or if you need to access saved "
                    "tensors after calling backward.")
            return ()
        return tuple(self._unpack(s) for s in saved)

    @property
    def saved_arrays(self):
        """The saved values as raw arrays (numbers as given), with the same
        version checks as ``saved_tensors``: for ``backward_arrays``."""
        node: Node = self           # typed when compiled: C field reads
        t: TensorBase
        saved = node._saved
        if saved is None:
            if node._freed:
                self.saved_tensors          # raises the freed-graph error
            return ()
        out = []
        for s in saved:
            if s is None:
                out.append(None)
                continue
            kind = s[0]
            if kind == 0:
                t = s[1]
                if t._vc is not None and t._vc.value != s[2]:
                    raise _stale_error(self, t, s[2], t._vc)
                out.append(t._data)
            elif kind == 1:
                if s[3].value != 0:
                    raise _stale_error(self, None, 0, s[3], output_nr=s[2])
                out.append(s[1])
            else:
                out.append(s[1])
        return tuple(out)

    def _unpack(self, s):
        if s is None:                       # save_for_backward(..., None)
            return None
        kind = s[0]
        if kind == 0:                       # an input Tensor
            t, version = s[1], s[2]
            if t._vc is not None and t._vc.value != version:
                raise _stale_error(self, t, version, t._vc)
            return t
        if kind == 1:                       # an output: rebuilt, no cycle
            arr, nr, vc = s[1], s[2], s[3]
            if vc.value != 0:
                raise _stale_error(self, None, 0, vc, output_nr=nr)
            t = _make(arr)
            t._vc = vc
            t._requires_grad = True
            t.grad_fn = self
            t._output_nr = nr
            return t
        if kind == 2:                       # an intermediate constant
            return _make(s[1])
        return s[1]                         # a Python number, as given

    def mark_non_differentiable(self, *arrays):
        """Outputs that carry no gradient (indices, masks)."""
        self._non_diff = list(self._non_diff or ()) + list(arrays)

    def set_materialize_grads(self, value):
        """If False, ``backward`` may receive None for unused outputs instead
        of zeros (default True, as in PyTorch)."""
        self._materialize = bool(value)

    # ------------------------------------------------------------------
    def forward(self, *args):
        raise NotImplementedError(
            f"{type(self).__name__} must implement forward")

    def backward(self, *grad_outputs):
        raise NotImplementedError(
            f"{type(self).__name__} does not support backward")

    def _apply(self, *args):
        """Run forward on the arrays of ``args`` and wire up the graph.

        This runs for every op, so it is written for speed: one pass over
        the arguments collects the arrays and, in grad mode, the edges,
        input shapes and ``needs_input_grad``.
        """
        grad_on = _state.enabled
        tensor_cls = Tensor
        # Compiled, these two are typed: their fields are C members
        # (_tensor_base.pxd, _node.pxd), read and written without lookups.
        t: TensorBase
        node: Node = self
        arrays = []
        if grad_on:
            edges = []
            meta = []
            needs = []
        else:
            edges = meta = needs = None
        requires = False
        first = None
        for a in args:
            if isinstance(a, tensor_cls):
                t = a
                arr = t._data
                arrays.append(arr)
                if t._base is not None and t._view_ver != t._vc.value:
                    _refresh_view(t)        # written to since it was made
                if first is None:
                    first = arr
                elif type(arr) is not type(first) or (
                        type(arr) is not _ndarray
                        and arr.data.device_id != first.data.device_id):
                    # Cold path: 0-d CPU tensors join the GPU (PyTorch's CPU
                    # scalars), anything else raises naming both devices.
                    moved = resolve_devices(self.name, args)
                    if moved is not None:
                        return self._apply(*moved)
                if grad_on:
                    meta.append(_meta(arr))
                    if t._requires_grad:
                        requires = True
                        fn = t.grad_fn
                        # A leaf's edge has output_nr -1, so the engine
                        # tells leaves from nodes without isinstance.
                        edges.append((fn, t._output_nr) if fn is not None
                                     else (t, -1))
                        needs.append(True)
                    else:
                        edges.append(_NO_EDGE)
                        needs.append(False)
            else:
                arrays.append(a)
                if grad_on:
                    meta.append(None)
                    edges.append(_NO_EDGE)
                    needs.append(False)
        if first is not None and type(first) is not _ndarray:
            # CuPy runs kernels on the *current* device: make the inputs'
            # device current for this op (and the ops it runs).
            guard = _backend.device_guard(first)
            if guard is not None:
                with guard:
                    return self._apply(*args)
        if requires:
            # Known before forward, so forward can save only what is needed.
            node.needs_input_grad = _atomic(tuple(needs))
        hooked = _op_hooks.active       # (read once: the post call below)
        if hooked:
            _hooks.call_op_hooks("forward_pre", self, arrays)
        recording = _tape.recording
        timing = recording and _tape.timing
        if timing:
            t0 = _time.perf_counter()
        try:            # free unless it raises (zero-cost try, Python 3.11)
            if self._static:
                outs = self.forward(self, *arrays)
            else:
                outs = self.forward(*arrays)
        except Exception as e:
            _forward_error(self, args, e)
            raise
        if type(outs) is not tuple:
            single = True
            raw_outs = (outs,)  # what forward returned (and may have saved)
            outs = (outs if type(outs) is _ndarray
                    else _as_array(outs, first),)
            results = [make_tensor(tensor_cls, outs[0])]
        else:
            single = False
            raw_outs = outs
            outs = _as_arrays(outs, first)
            results = [make_tensor(tensor_cls, o) for o in outs]
        if self._view:
            _mark_view(results[0], args[0], self)
        in_meta = out_meta = None
        if requires:
            node.next_functions = tuple(edges)
            node._in_meta = in_meta = _atomic(tuple(meta))
            node._seq = next(_seq)
            if single:
                m = meta[0] if meta and meta[0] is not None and \
                    meta[0][0] == outs[0].shape and \
                    meta[0][1] is outs[0].dtype else _meta(outs[0])
                node._out_meta = out_meta = _atomic((m,))
            else:
                node._out_meta = out_meta = _atomic(
                    tuple([_meta(o) for o in outs]))
            nd = node._non_diff
            i = 0
            for r in results:
                t = r
                if nd and _is_among(raw_outs[i], nd):
                    i += 1
                    continue
                dt = t._data.dtype
                if dt is _F32 or dt is _F64 or dt.kind == "f":  # not int/bool
                    t._requires_grad = True
                    t.grad_fn = self
                    t._output_nr = i
                i += 1
            raw = node._saved_raw
            if raw:
                node._saved = tuple([_resolve_saved(x, args, raw_outs,
                                                    results) for x in raw])
                node._saved_raw = None
        elif node._saved_raw is not None:
            node._saved_raw = None
        if recording:
            elapsed = _time.perf_counter() - t0 if timing else None
            if cython.compiled:     # a C call (function.pxd)
                row = _c_record_op(  # noqa: F821
                    self, requires, args, results, elapsed, in_meta,
                    out_meta)
            else:
                row = _record_op(self, requires, args, results, elapsed,
                                 in_meta, out_meta)
            if requires:
                node._record = row          # the tape row (a tuple)
        if hooked:
            _hooks.call_op_hooks("forward_post", self, arrays, results)
        return results[0] if single else tuple(results)

    # ------------------------------------------------------------------
    # Graph-node conveniences for the debugger and users.
    def name_backward(self):
        return f"{type(self).__name__}Backward"

    def __repr__(self):
        return f"<{self.name_backward()}>"

    def where(self):
        """The user's source location that created this node, if recorded."""
        row = self._record
        return row[4] if row is not None else None        # tape._WHERE

    def record(self):
        """The tape :class:`~pytensor.autograd.tape.Record` of this node, if
        it was recorded."""
        row = self._record
        return _tape_mod.Record(row) if row is not None else None

    def where_str(self):
        return _tape_mod.format_where(self.where())

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` after this node's backward; may
        return replacement grad_inputs."""
        d = self._post_hooks
        if d is None:
            d = self._post_hooks = _hooks.HookDict(repr(self), "node.post")
        return d.add(fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` before this node's backward; may return
        replacement grad_outputs."""
        d = self._get_pre_hooks(None)
        return d.add(fn)

    def _get_pre_hooks(self, output_nr):
        """Pre-hooks keyed by output (None: on all outputs)."""
        hooks = self._pre_hooks
        if hooks is None:
            hooks = self._pre_hooks = {}
        d = hooks.get(output_nr)
        if d is None:
            d = hooks[output_nr] = _hooks.HookDict(repr(self), "node.pre")
        return d

    @classmethod
    def kernel_name(cls, device):
        """What runs this op on ``device``: a Cython function, a CuPy kernel,
        or the array library's routine."""
        gpu = device is not None and device.type == "cuda"
        k = cls.kernel
        if k is None:
            return ("cupy." if gpu else "numpy.") + cls.name
        if gpu:
            return f"cupy:pytensor_{k}"
        import pytensor_ext
        return ("cy." if pytensor_ext.HAVE_CPU_EXT else "ref.") + k


def _atomic(t):
    """``t``, a tuple of shapes, dtypes, numbers and such tuples (nothing
    that can reference back to it), taken off the cyclic garbage
    collector's lists.  A graph node keeps several of them; left tracked,
    every node of a long graph is walked by each collection and promoted
    towards the full collections, which cost a third of a small-op step
    (measured on W1).  (Compiled build only; see function.pxd.)"""
    if cython.compiled:
        PyObject_GC_UnTrack(t)  # noqa: F821 (declared in function.pxd)
    return t


def _meta(arr):
    """``(shape, dtype)`` of an array, untracked (see :func:`_atomic`)."""
    shape = arr.shape
    if cython.compiled:
        PyObject_GC_UnTrack(shape)  # noqa: F821
    return _atomic((shape, arr.dtype))


def _resolve_saved(s, args, outs, results):
    c = type(s)
    if c is float or c is int or c is bool or s is None:
        return _atomic((3, s))
    if isinstance(s, Tensor):
        return (0, s, s._version_value())
    for t in args:
        if isinstance(t, Tensor) and t._data is s:
            vc = t._vc
            return (0, t, 0 if vc is None else vc.value)
    for j, o in enumerate(outs):
        if o is s:
            vc = get_vc(results[j])
            return (1, results[j]._data, j, vc)
    if not hasattr(s, "shape"):
        return (3, s)
    if isinstance(s, np.generic):       # a 0-d result NumPy made a scalar
        s = np.asarray(s)
    return (2, s)


# (Helpers instead of generator expressions in _apply: compiled, a
# function holding one allocates a closure scope on every call.)
def _as_arrays(outs, like):
    out = []
    for o in outs:
        out.append(o if type(o) is _ndarray else _as_array(o, like))
    return tuple(out)


def _is_among(x, seq):
    for y in seq:
        if x is y:
            return True
    return False


def _as_array(o, like):
    """Forward may return NumPy scalars (0-d reductions) or CuPy arrays.

    A Python or NumPy scalar returned by an op on GPU inputs goes back to
    the inputs' device (the op is then at fault for a host round trip, but
    the result stays where the user expects it)."""
    if isinstance(o, (np.generic, float, int, bool)):
        if like is not None and type(like) is not _ndarray:
            return _backend.get_xp(like).asarray(o)
        return np.asarray(o)
    if _backend.is_cuda_array(o):
        return o
    if isinstance(o, _ndarray):     # subclasses (np.matrix): plain ndarray
        return np.asarray(o)
    raise TypeError(f"Function.forward must return arrays, got "
                    f"{type(o).__name__}")


def _mark_view(out, src, node):
    """``out`` shares memory with ``src``: share its version counter and
    remember how to recompute the view from the root base (for in-place ops
    on views, see autograd/inplace.py)."""
    base = src._base if src._base is not None else src
    out._base = base
    out._vc = get_vc(src)
    out._view_chain = (src._view_chain or ()) + (node,)
    out._view_ver = out._vc.value


def _refresh_view(v):
    """Rebuild a view's history from its base after an in-place op changed
    the storage they share (see ``autograd/inplace.py``)."""
    from pytensor.autograd.inplace import refresh_view
    refresh_view(v)


def _forward_error(node, args, exc):
    """A library op's forward failed on what its wrapper let through (an
    operator such as ``t + 10**20`` has no public wrapper): raise the op's
    error instead of NumPy's (see pytensor/_errors.py).  Only exceptions
    outside the convention's types are translated: op wrappers catch
    ``ValueError``/``IndexError`` from ``apply`` to word their own messages.
    Users' own Functions keep their exceptions as they are."""
    if isinstance(exc, (ValueError, TypeError, IndexError, RuntimeError)) or \
            not type(node).__module__.startswith("pytensor."):
        return
    from pytensor import _errors
    raise _errors.translate(node.name, None, args, {}, exc) from exc


def resolve_devices(op, args):
    """``args`` (Tensors and other values) with every Tensor on one device,
    or None when they already are.

    Tensors on one GPU may be mixed with 0-d CPU tensors, which are moved to
    the GPU (differentiably), as PyTorch accepts CPU scalars in CUDA ops.
    Any other mix raises a RuntimeError that names the op and both devices.
    """
    main = None             # the one device of every other tensor
    for a in args:
        if not isinstance(a, Tensor):
            continue
        d = a.device
        if d.type == "cpu" and a._data.ndim == 0:
            continue
        if main is None:
            main = d
        elif d != main:
            _raise_mismatch(op, main, d, args)
    if main is None or main.type == "cpu":
        return None             # all on the CPU: nothing to move
    from pytensor.ops.convert.to import ToDevice
    return tuple(ToDevice(main).apply(a) if isinstance(a, Tensor)
                 and a.device != main else a for a in args)


def _raise_mismatch(op, d0, d1, args):
    shown = "; ".join(f"input {i} {list(a.shape)} is on {a.device}"
                      for i, a in enumerate(args) if isinstance(a, Tensor))
    raise RuntimeError(
        f"{op}: expected all tensors to be on the same device, but found at "
        f"least two devices, {d0} and {d1}! ({shown}). Move them with "
        ".to(device) first; only 0-d CPU tensors may be mixed with CUDA "
        "tensors.")


def _stale_error(node, t, saved_version, vc, output_nr=None):
    which = (f"output {output_nr} of {node.name}" if t is None else
             f"a tensor of shape [{', '.join(map(str, t.shape))}]")
    op = vc.last_op or "an in-place operation"
    where = _tape_mod.format_where(vc.last_where, with_text=True)
    made = node.where()
    made_s = f" (created at {_tape_mod.format_where(made)})" if made else ""
    return RuntimeError(
        f"one of the variables needed for gradient computation has been "
        f"modified by an inplace operation: {which}, saved by "
        f"{node.name_backward()}{made_s}, is at version {vc.value}; expected "
        f"version {saved_version} instead. It was modified by {op} at "
        f"{where}. Use an out-of-place op there (or .clone() before it).")


def once_differentiable(backward):
    """Decorator for a ``backward`` written on raw arrays: it runs under
    ``no_grad`` and double backward through it raises."""
    import functools

    @functools.wraps(backward)
    def wrapper(self, *grads):
        from pytensor.autograd.grad_mode import no_grad
        if _state.enabled:
            raise RuntimeError(
                f"{type(self).__name__}.backward is once_differentiable: "
                "double backward is not supported")
        with no_grad():
            return backward(self, *grads)
    return wrapper
