"""The backward engine: ``backward()`` and ``grad()``.

The graph is walked iteratively (no recursion: a chain of 100,000 ops is
fine).  Every node carries a creation sequence number and an edge always
points from a node to older ones, so visiting the reachable nodes in
*decreasing* sequence order is a topological order: when a node runs, every
gradient flowing into it has already arrived.  That is also PyTorch's
execution order.

The engine, not the ops, owns three chores:

- un-broadcasting: a gradient whose shape differs from its input's is
  summed down to it (``sum_to_size``), or the op is named in an error;
- accumulation: gradients arriving at one node output are summed, and
  leaves accumulate into ``.grad`` (in place, as PyTorch does, unless
  ``create_graph``);
- freeing: each buffer is dropped once consumed, and saved values are
  released after their node ran unless ``retain_graph``.
"""
import numpy as np

try:
    import cython           # compiled: resolved when the module is built
except ImportError:         # plain Python without Cython installed
    class cython:
        compiled = False

from pytensor.autograd._node import Node
from pytensor.autograd import grad_mode, hooks as _hooks
from pytensor.autograd.tape import tape as _tape

__all__ = ["backward", "grad"]

# [True] while every backward must keep the saved values, whatever its
# retain_graph (pytensor.debug.state.run_readonly: an inspection that runs
# a backward must not free the user's graph).  A list, so the compiled
# module's cached global is never rebound.
keep_saved = [False]

_state = grad_mode.state
_op_hooks = _hooks.op_hooks
Tensor = None               # bound lazily (import cycle)
_sum_to_size = None
_kernels_for = None


def _bind():
    global Tensor, _sum_to_size, _kernels_for
    from pytensor.tensor import Tensor as T
    from pytensor.ops.reduce.sum_to_size import sum_to_size
    from pytensor_ext import kernels_for
    Tensor, _sum_to_size, _kernels_for = T, sum_to_size, kernels_for


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,)


def _make_root_grads(outputs, grad_outputs):
    grads = []
    for i, t in enumerate(outputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"backward: outputs[{i}] is a "
                            f"{type(t).__name__}, not a Tensor")
        g = grad_outputs[i] if grad_outputs is not None else None
        if t._base is not None and t._view_ver != t._vc.value:
            from pytensor.autograd.inplace import refresh_view
            refresh_view(t)             # a view written to since made
        if not t._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not "
                "have a grad_fn (was it computed under no_grad, from tensors "
                "that don't require grad, or detached? `:why` in the REPL "
                "shows where the chain broke)")
        if g is None:
            if t._data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs "
                    f"(output {i} has shape {list(t.shape)}); pass "
                    "gradient= to backward() or reduce the output first")
            xp = np if type(t._data) is np.ndarray else _xp(t._data)
            g = Tensor._make(xp.ones_like(t._data))
            grads.append((g, False))
            continue
        if not isinstance(g, Tensor):
            from pytensor.creation import as_tensor
            g = as_tensor(g, dtype=t.dtype, device=t.device)
        if g.shape != t.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of "
                f"{list(g.shape)} and output[{i}] has a shape of "
                f"{list(t.shape)}.")
        if g.device != t.device:
            raise RuntimeError(
                f"grad_output[{i}] is on {g.device} but output[{i}] is on "
                f"{t.device}")
        if g._data.dtype != t._data.dtype:
            g = Tensor._make(g._data.astype(t._data.dtype))
        grads.append((g, True))
    return grads


def _xp(arr):
    from pytensor.backend import get_xp
    return get_xp(arr)


def _guard(arr):
    """A context manager making ``arr``'s GPU current, or None (NumPy
    arrays, or the current GPU).  CuPy runs on the current device, so the
    engine's own array arithmetic must happen on the gradient's device."""
    if type(arr) is np.ndarray:
        return None
    from pytensor.backend import device_guard
    return device_guard(arr)


def _guard_for(tensors):
    t = tensors[0] if tensors else None
    return _guard(t._data) if isinstance(t, Tensor) else None


def backward(tensors, grad_tensors=None, retain_graph=None,
             create_graph=False, inputs=None):
    """Accumulate d(tensors)/d(leaves) into the leaves' ``.grad``.

    Args:
        tensors: a Tensor or sequence of Tensors to differentiate.
        grad_tensors: the gradients w.r.t. each (None for scalars).
        retain_graph (bool): keep saved values for another backward;
            defaults to ``create_graph``.
        create_graph (bool): record the backward ops (higher derivatives).
        inputs: if given, accumulate only into these tensors' ``.grad``.
    """
    if Tensor is None:
        _bind()
    tensors = _as_tuple(tensors)
    guard = _guard_for(tensors)         # the outputs' GPU, for the pass
    if guard is not None:
        with guard:
            return backward(tensors, grad_tensors, retain_graph,
                            create_graph, inputs)
    grad_tensors = _as_tuple(grad_tensors)
    if grad_tensors is not None and len(grad_tensors) != len(tensors):
        raise RuntimeError(
            f"backward: got {len(tensors)} tensors and {len(grad_tensors)} "
            "gradients")
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("backward: 'inputs' argument cannot be empty")
        for t in inputs:
            if not isinstance(t, Tensor) or not t._requires_grad:
                raise RuntimeError(
                    "backward: every tensor in 'inputs' must require grad")
    roots = _make_root_grads(tensors, grad_tensors)
    if not _tape.recording:
        _run(tensors, roots, retain_graph, create_graph, inputs, True)
        return
    _note_backward(tensors, inputs, retain_graph, create_graph)
    # The ops a backward runs internally are not the user's program: keep
    # them off the tape (unless create_graph records a new graph).
    _tape.recording = bool(create_graph)
    try:
        _run(tensors, roots, retain_graph, create_graph, inputs, True)
    finally:
        _tape.recording = True


def _note_backward(tensors, inputs, retain_graph, create_graph):
    """Put a ``backward`` event on the tape (the roots and ``inputs=`` as
    weak references), so the debugger can tell "backward not run" from
    "not reachable from the loss" and "zeroed after backward"."""
    import weakref
    rec = _tape.note("backward", tensors[0], "backward", extra={
        "roots": tuple(weakref.ref(t) for t in tensors),
        "root_nodes": tuple(weakref.ref(t.grad_fn) for t in tensors
                            if t.grad_fn is not None),
        "retain_graph": bool(retain_graph),
        "create_graph": bool(create_graph),
        "inputs": None if inputs is None else
        tuple(weakref.ref(t) for t in inputs)})
    return rec


def grad(outputs, inputs, grad_outputs=None, retain_graph=None,
         create_graph=False, allow_unused=None, materialize_grads=False):
    """Compute and return d(outputs)/d(inputs) without touching ``.grad``.

    Args:
        outputs: Tensor or sequence of Tensors.
        inputs: Tensor or sequence of Tensors (leaves or intermediates).
        grad_outputs: gradients w.r.t. each output (None for scalars).
        retain_graph (bool): defaults to ``create_graph``.
        create_graph (bool): make the result differentiable.
        allow_unused (bool): return None for inputs the outputs do not
            depend on, instead of raising.
        materialize_grads (bool): return zeros instead of None for those.

    Returns:
        A tuple with one gradient (or None) per input.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor(3.0, requires_grad=True)
        >>> (g,) = pytensor.autograd.grad(x ** 3, x, create_graph=True)
        >>> g, pytensor.autograd.grad(g, x)[0]
        (tensor(27., grad_fn=<MulBackward>), tensor(18.))
    """
    if Tensor is None:
        _bind()
    outputs = _as_tuple(outputs)
    guard = _guard_for(outputs)         # the outputs' GPU, for the pass
    if guard is not None:
        with guard:
            return grad(outputs, inputs, grad_outputs, retain_graph,
                        create_graph, allow_unused, materialize_grads)
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if grad_outputs is not None and len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad: got {len(outputs)} outputs and {len(grad_outputs)} "
            "grad_outputs")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: inputs[{i}] is a {type(t).__name__}, "
                            "not a Tensor")
        if not t._requires_grad:
            raise RuntimeError(
                f"One of the differentiated Tensors (inputs[{i}], shape "
                f"{list(t.shape)}) does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    roots = _make_root_grads(outputs, grad_outputs)
    recording = _tape.recording
    if recording:
        _tape.recording = bool(create_graph)
    try:
        result = _run(outputs, roots, retain_graph, create_graph, inputs,
                      False)
    finally:
        if recording:
            _tape.recording = True
    out = []
    for i, (t, g) in enumerate(zip(inputs, result)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated Tensors (inputs[{i}], shape "
                    f"{list(t.shape)}) appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired "
                    "behavior.")
            if materialize_grads:
                from pytensor.creation import zeros_like
                g = zeros_like(t)
        out.append(g)
    return tuple(out)


def _collect(root_nodes):
    """Every node reachable from the roots (leaves excluded)."""
    n: Node
    seen = set(root_nodes)
    stack = list(root_nodes)
    pop, push, add = stack.pop, stack.append, seen.add
    while stack:
        n = pop()
        for nxt, nr in n.next_functions:
            if nr >= 0 and nxt is not None and nxt not in seen:
                add(nxt)
                push(nxt)
    return seen


def _run(outputs, roots, retain_graph, create_graph, inputs, accumulate):
    """The engine proper.  Returns captured grads per input when
    ``accumulate`` is False (``grad()``), else None.

    Without ``create_graph`` the gradients travel as raw arrays (the *fast*
    mode): nodes that define ``backward_arrays`` run on arrays directly and
    the others get Tensors wrapped around the arrays.  With
    ``create_graph`` they travel as Tensors and every node's differentiable
    ``backward`` runs under grad mode.
    """
    fast = not create_graph
    # Capture targets: leaves by identity, non-leaves by (node, output_nr).
    leaf_pos = capture = captured = None
    if inputs is not None:
        captured = [None] * len(inputs)
        leaf_pos = {}
        capture = {}
        for i, t in enumerate(inputs):
            if t.grad_fn is None:
                leaf_pos.setdefault(id(t), []).append(i)
            else:
                capture.setdefault((t.grad_fn, t._output_nr), []).append(i)
    ctx: _Ctx = _Ctx(fast, retain_graph or keep_saved[0], leaf_pos, captured,
                     accumulate, inputs)
    buffers = ctx.buffers
    root_nodes = []
    for t, (g, user_given) in zip(outputs, roots):
        if user_given:
            ctx.handed.add(id(g._data))
        gv = g._data if fast else g
        fn = t.grad_fn
        if fn is None:                  # a leaf as an output: d t / d t
            ctx.deliver_leaf(t, gv)
            continue
        buf = buffers.get(fn)
        if buf is None:
            buf = buffers[fn] = [None] * len(fn._out_meta)
            root_nodes.append(fn)
        nr = t._output_nr
        buf[nr] = gv if buf[nr] is None else ctx.add(buf[nr], gv)

    nodes = sorted(_collect(root_nodes), key=_seq_key, reverse=True)

    needed = None
    if inputs is not None:
        needed = {}
        cap_nodes = {k[0] for k in capture}
        for n in reversed(nodes):       # oldest first: children before users
            need = False
            for nxt, nr in n.next_functions:
                if nxt is None:
                    continue
                if nr < 0:
                    if id(nxt) in leaf_pos:
                        need = True
                        break
                elif needed.get(nxt) or nxt in cap_nodes:
                    need = True
                    break
            needed[n] = need

    node: Node
    prev_mode = _state.enabled
    _state.enabled = bool(create_graph)
    try:
        for node in nodes:
            buf = buffers.pop(node, None)
            if buf is None:
                continue
            if node._pre_hooks is not None or node._retain is not None:
                buf = ctx.pre_hooks(node, buf)
            if capture is not None:
                for nr in range(len(buf)):
                    idx = capture.get((node, nr))
                    if idx is not None and buf[nr] is not None:
                        for i in idx:
                            ctx.capture(i, buf[nr])
            if needed is not None and not needed[node]:
                continue
            ctx.run_node(node, buf)
    finally:
        _state.enabled = prev_mode
    if captured is not None and fast:
        return [None if g is None else Tensor._make(g) for g in captured]
    return captured


def _seq_key(n):
    node: Node = n
    return node._seq


class _Ctx:
    """State of one backward pass, with the array/Tensor differences of the
    fast and the create_graph modes in one place."""

    # Compiled, an extension type with these as C fields (engine.pxd).
    __slots__ = () if cython.compiled else (
        "fast", "retain", "leaf_pos", "captured", "accumulate", "inputs",
        "handed", "buffers")

    def __init__(self, fast, retain, leaf_pos, captured, accumulate, inputs):
        self.fast = fast
        self.retain = retain
        self.leaf_pos = leaf_pos
        self.captured = captured
        self.accumulate = accumulate
        self.inputs = inputs
        self.handed = set()             # arrays already stored in a .grad
        self.buffers = {}

    # -- values -----------------------------------------------------------
    def add(self, a, b):
        """Sum two gradients arriving at one place.  Out of place: either may
        be referenced elsewhere (``add`` passes its gradient through)."""
        if self.fast:
            if type(a) is not np.ndarray:
                guard = _guard(a)
                if guard is not None:
                    with guard:
                        return a + b
            return _arr(a + b)
        return a + b                    # Tensor + Tensor, recorded

    def wrap(self, v):
        return Tensor._make(v) if self.fast else v

    def unwrap(self, t):
        return t._data if self.fast else t

    # -- hooks ------------------------------------------------------------
    def pre_hooks(self, node, buf):
        buf = list(buf)
        hooks = node._pre_hooks
        if hooks:
            for nr, d in hooks.items():
                if nr is None or buf[nr] is None or not d:
                    continue
                for fn in list(d.values()):
                    r = fn(self.wrap(buf[nr]))
                    if r is not None:
                        buf[nr] = self.unwrap(r)
            d = hooks.get(None)
            if d:
                for fn in list(d.values()):
                    r = fn(tuple(None if g is None else self.wrap(g)
                                 for g in buf))
                    if r is not None:
                        buf = [None if g is None else self.unwrap(g)
                               for g in r]
        retain = node._retain
        if retain:
            for nr, ref in list(retain.items()):
                t = ref()
                if t is None or buf[nr] is None:
                    continue
                g = buf[nr]
                if t._grad is None:
                    t._grad = Tensor._make(g.copy()) if self.fast else g
                else:
                    t._grad = Tensor._make(t._grad._data + g) if self.fast \
                        else t._grad + g
        return buf

    def capture(self, i, g):
        c = self.captured
        if self.accumulate:
            _accumulate(self.inputs[i], g, self)
        else:
            c[i] = g if c[i] is None else self.add(c[i], g)

    # -- one node ---------------------------------------------------------
    def run_node(self, fn, grads_out):
        # Typed when compiled: the node's fields are C members (_node.pxd).
        node: Node = fn
        target: Node
        fast = self.fast
        if fast:
            g0 = grads_out[0]
            if g0 is None and len(grads_out) > 1:
                g0 = _first_not_none(grads_out)
            if g0 is not None and type(g0) is not _ndarray:
                guard = _guard(g0)      # a node on another GPU
                if guard is not None:
                    with guard:
                        return self.run_node(fn, grads_out)
        # ``any(g is None ...)``, not ``None in grads_out``: ``in`` falls
        # back to ``==``, elementwise on Tensors and arrays.
        if len(grads_out) > 1 and node._materialize and _has_none(
                grads_out):
            grads_out = _materialize(node, grads_out, fast)
        hooked = _op_hooks.active or node._post_hooks
        bwa = node.backward_arrays if fast else None
        try:
            gin = NotImplemented
            if bwa is not None and not hooked:
                gin = bwa(*grads_out)
            if gin is NotImplemented:
                gts = grads_out if not fast else [
                    None if g is None else Tensor._make(g) for g in grads_out]
                if _op_hooks.active:
                    _hooks.call_op_hooks("backward_pre", node, tuple(gts))
                if node._static:
                    gin = node.backward(node, *gts)
                else:
                    gin = node.backward(*gts)
                gin = _normalize(node, gin)
                if node._post_hooks:
                    for fn in list(node._post_hooks.values()):
                        r = fn(gin, tuple(gts))
                        if r is not None:
                            gin = tuple(r)
                if _op_hooks.active:
                    _hooks.call_op_hooks("backward_post", node, gin,
                                         tuple(gts))
                if fast:
                    gin = _datas(node, gin)
        except Exception as e:
            if not getattr(e, "_pytensor_noted", False):
                e._pytensor_noted = True
                e.add_note(f"(raised in the backward of {node.name}, "
                           f"created at {node.where_str()})")
            raise
        if not self.retain and node._saved is not None:
            node._saved = None          # free the saved values
            node._freed = True
        if type(gin) is not tuple:
            gin = _normalize(node, gin)
        edges = node.next_functions
        if len(gin) != len(edges):
            gin = _fix_count(node, gin, edges)
        meta = node._in_meta
        buffers = self.buffers
        i = -1
        for edge in edges:
            i += 1
            nxt, nr = edge
            if nxt is None:
                continue
            g = gin[i]
            if g is None:
                continue
            shape, dtype = meta[i]
            if fast:
                if type(g) is not _ndarray:
                    g = _arr(g)
                garr = g
            else:
                garr = g._data
            if garr.shape != shape:
                g = _unbroadcast(node, i, g, shape, fast)
            if garr.dtype != dtype:
                g = g.astype(dtype) if fast else g.to(_dtype_of(dtype))
            if nr < 0:
                self.deliver_leaf(nxt, g)
                continue
            target = nxt
            buf = buffers.get(target)
            if buf is None:
                buf = buffers[target] = [None] * len(target._out_meta)
                buf[nr] = g
            elif buf[nr] is None:
                buf[nr] = g
            else:
                buf[nr] = self.add(buf[nr], g)

    def deliver_leaf(self, leaf, g):
        lp = self.leaf_pos
        if lp is not None:
            idx = lp.get(id(leaf))
            if idx is None:
                return                  # not among the requested inputs
            if not self.accumulate:
                c = self.captured
                for i in idx:
                    c[i] = g if c[i] is None else self.add(c[i], g)
                return
        _accumulate(leaf, g, self)


_ndarray = np.ndarray


def _arr(x):
    """Arithmetic on 0-d NumPy arrays returns NumPy scalars: make them
    arrays again (CuPy arrays pass through)."""
    if type(x) is _ndarray or not isinstance(x, (np.generic, float, int)):
        return x
    return np.asarray(x)


def _tensor_data(node, g):
    if not isinstance(g, Tensor):
        raise TypeError(
            f"function {node.name_backward()} returned a "
            f"{type(g).__name__} as a gradient; expected a Tensor")
    return g._data


def _normalize(node, gin):
    if type(gin) is tuple:
        return gin
    if isinstance(gin, list):
        return tuple(gin)
    return (gin,)


def _fix_count(node, gin, edges):
    # Tolerate missing trailing Nones for non-tensor arguments.
    if len(gin) < len(edges) and not any(
            e[0] is not None for e in edges[len(gin):]):
        return gin + (None,) * (len(edges) - len(gin))
    raise RuntimeError(
        f"function {node.name_backward()} returned an incorrect number of "
        f"gradients (expected {len(edges)}, got {len(gin)})")


def _materialize(node, grads_out, fast):
    """Zeros for outputs that received no gradient (PyTorch's default)."""
    out = list(grads_out)
    like = next((x for x in out if x is not None), None)
    arr = like if fast or like is None else like._data
    xp = np if arr is None or type(arr) is np.ndarray else _xp(arr)
    for i, g in enumerate(out):
        if g is None:
            shape, dtype = node._out_meta[i]
            z = xp.zeros(shape, dtype)
            out[i] = z if fast else Tensor._make(z)
    return out


def _dtype_of(np_dtype):
    from pytensor.dtypes import from_numpy_dtype
    return from_numpy_dtype(np_dtype)


def _unbroadcast(node, i, g, shape, fast):
    gshape = g.shape
    n = len(shape)
    ok = len(gshape) >= n and all(
        s == gs or s == 1 for s, gs in zip(shape, gshape[len(gshape) - n:]))
    if not ok:
        raise RuntimeError(
            f"Function {node.name_backward()} returned an invalid gradient "
            f"at index {i} - got {list(gshape)} but expected shape "
            f"compatible with {list(shape)}")
    if fast:
        return _kernels_for(g).sum_to_shape(g, shape)
    return _sum_to_size(g, shape)


def _accumulate(t, g, ctx):
    """``t.grad += g`` with PyTorch's semantics (AccumulateGrad).  ``g`` is an
    array in fast mode, a Tensor with create_graph."""
    fast = ctx.fast
    ga = g if fast else g._data
    if type(ga) is not np.ndarray:
        guard = _guard(ga)              # a leaf on another GPU
        if guard is not None:
            with guard:
                return _accumulate(t, g, ctx)
    m = t._meta
    if m is not None and m.hooks:
        for fn in list(m.hooks.values()):
            r = fn(Tensor._make(g) if fast else g)
            if r is not None:
                g = r._data if fast else r
    old = t._grad
    if not fast:
        t._grad = g if old is None else old + g
    elif old is None:
        arr = g
        # Never store an array that something else may also hold: a view,
        # the user's own gradient, or one given to another leaf.
        if arr.base is not None or id(arr) in ctx.handed or (
                type(arr) is np.ndarray and not arr.flags.writeable):
            arr = arr.copy()
        ctx.handed.add(id(arr))
        t._grad = Tensor._make(arr)
    elif old.grad_fn is not None:
        t._grad = old + Tensor._make(g)
    else:
        oa = old._data
        if oa.shape == g.shape and (
                type(oa) is not np.ndarray or oa.flags.writeable):
            oa += g
            if old._vc is not None:
                old._vc.value += 1
        else:
            t._grad = Tensor._make(_arr(oa + g))
    if m is not None and m.post_accumulate:
        for fn in list(m.post_accumulate.values()):
            fn(t)


# (Helpers instead of generator expressions in run_node: compiled, a
# function holding one allocates a closure scope on every call.)
def _first_not_none(seq):
    for g in seq:
        if g is not None:
            return g
    return None


def _has_none(seq):
    for g in seq:
        if g is None:
            return True
    return False


def _datas(node, gin):
    out = []
    for g in gin:
        out.append(None if g is None else _tensor_data(node, g))
    return tuple(out)
