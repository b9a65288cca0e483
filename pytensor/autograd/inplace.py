"""In-place ops with autograd, on tensors and on views of tensors.

Every in-place op (``add_``, ``mul_``, ``x[i] = v``, ...) goes through
:func:`inplace`: it computes the out-of-place result, writes it into the
tensor's storage, bumps the version counter (naming the op and the user's
line), and rewires the graph:

- a plain tensor takes over the result's history (``x.grad_fn`` becomes the
  result's node), as PyTorch's rebase does;
- a view ``v`` of a base ``b`` gives ``b`` a :class:`CopySlices` node
  ("``b`` with the region of ``v`` replaced") and ``v`` a fresh
  :class:`ViewReplay` of the new ``b``, so gradients reach both the region
  that was written and the rest of the base;
- every *other* view of the same storage is stale (its ``grad_fn`` still
  describes the old base).  Views remember the version they were made at
  (``_view_ver``); the next op that uses one whose version moved on calls
  :func:`refresh_view`, which gives it a :class:`ViewReplay` of the base's
  current history, as PyTorch regenerates a view's ``grad_fn``.

If the result's own node saved the tensor being overwritten (``x.mul_(y)``
needs the old ``x`` for ``y``'s gradient), the saved value is replaced by a
copy of the old data, so that backward stays correct.
"""
import weakref

import numpy as np

from pytensor import dtypes as _dt
from pytensor.autograd import function as _function
from pytensor.autograd.function import Function
from pytensor.autograd.grad_mode import state as _state
from pytensor.autograd import tape as _tape_mod
from pytensor.autograd.tape import tape as _tape, user_frame

__all__ = ["inplace", "check_inplace", "check_multi_view", "write_into",
           "refresh_view"]


def check_inplace(x, op):
    """Raise PyTorch's errors for in-place ops on leaves that need grad."""
    if not _state.enabled:
        return
    if x._requires_grad and x.grad_fn is None:
        if x._base is not None:
            raise RuntimeError(
                f"{op}: a view of a leaf Variable that requires grad is being "
                "used in an in-place operation.")
        raise RuntimeError(
            f"{op}: a leaf Variable that requires grad is being used in an "
            "in-place operation. (Wrap the update in `with "
            "pytensor.no_grad():`, or use an out-of-place op.)")
    b = x._base
    if b is not None and b._requires_grad and b.grad_fn is None:
        raise RuntimeError(
            f"{op}: a view of a leaf Variable that requires grad is being "
            "used in an in-place operation.")


def check_multi_view(x, op):
    """PyTorch forbids recording an in-place op on a view made by a
    function that returns several views (``split``, ``chunk``, ``unbind``):
    each output's backward would have to see the others' writes.  Such
    views carry a chain entry with ``multi_output`` (the op's name) and
    ``output_nr``; views of them inherit it through the chain."""
    for n in x._view_chain:
        src = getattr(n, "multi_output", None)
        if src is not None:
            raise RuntimeError(
                f"{op}: Output {n.output_nr} of {src} is a view and is being "
                "modified inplace. This view is the output of a function "
                "that returns multiple views. Such functions do not allow "
                "the output views to be modified inplace. You should "
                "replace the inplace operation by an out-of-place one (or "
                ".clone() the view first).")


def write_into(x, arr, op):
    """Copy ``arr`` into ``x``'s storage with PyTorch's shape and dtype
    rules for in-place results."""
    xd = x._data
    if arr.shape != xd.shape:
        raise RuntimeError(
            f"{op}: output with shape {list(xd.shape)} doesn't match the "
            f"broadcast shape {list(arr.shape)}")
    if arr.dtype != xd.dtype:
        src, dst = _dt.from_numpy_dtype(arr.dtype), _dt.from_numpy_dtype(
            xd.dtype)
        if not _dt.can_cast(src, dst):
            raise RuntimeError(
                f"{op}: result type {src.name} can't be cast to the desired "
                f"output type {dst.name}")
    try:
        if type(xd) is np.ndarray:
            xd[...] = arr
        else:
            _write_device(xd, arr)
    except ValueError as e:
        if "read-only" in str(e):
            raise RuntimeError(
                f"{op}: unsupported operation: more than one element of the "
                "written-to tensor refers to a single memory location (an "
                "expanded tensor?). Please clone() the tensor before "
                "performing the operation.") from None
        raise


def _write_device(xd, arr):
    """``xd[...] = arr`` for a CuPy array: on its device, and refusing
    expanded (stride-0) targets, which CuPy would write racily where NumPy
    raises "read-only"."""
    if any(st == 0 and n > 1 for st, n in zip(xd.strides, xd.shape)):
        raise ValueError("assignment destination is read-only (expanded)")
    from pytensor.backend import device_guard
    guard = device_guard(xd)
    if guard is None:
        xd[...] = arr
    else:
        with guard:
            xd[...] = arr


def inplace(x, op, fn, *args):
    """Run ``fn(x, *args)`` out of place and write the result into ``x``.

    Args:
        x (Tensor): the tensor modified in place.
        op (str): the in-place op's name, e.g. ``"mul_"`` (for errors, the
            version history and the tape).
        fn: the out-of-place function.
        *args: further arguments of ``fn``.

    Returns:
        ``x``.
    """
    if type(x._data) is not np.ndarray:
        from pytensor.backend import device_guard
        guard = device_guard(x._data)     # x on a GPU that is not current
        if guard is not None:
            with guard:
                return inplace(x, op, fn, *args)
    check_inplace(x, op)
    Tensor = _function.Tensor
    needs_graph = _state.enabled and (
        x._requires_grad or any(isinstance(a, Tensor) and a._requires_grad
                                for a in args))
    if needs_graph and x._view_chain is not None:
        check_multi_view(x, op)
    if not needs_graph:
        prev = _state.enabled
        _state.enabled = False
        try:
            r = fn(x, *args)
        finally:
            _state.enabled = prev
        write_into(x, r._data, op)
        x._get_vc().bump(op, user_frame(2))
        _retag_record(r, x, op)
        return x
    start = next(_function._seq)
    r = fn(x, *args)
    _protect_saved(r, x, start)
    write_into(x, r._data, op)
    x._get_vc().bump(op, user_frame(2))
    _retag_record(r, x, op)
    if x._base is None:
        x.grad_fn = r.grad_fn
        x._output_nr = r._output_nr
        x._requires_grad = r._requires_grad
    else:
        _rebase_view(x, r)
    return x


def _retag_record(r, x, op):
    """Show the in-place op (not its out-of-place helper) on the tape."""
    if not _tape.recording or not _tape.rows:
        return
    row = _tape.rows[-1]
    rec = _tape_mod.Record(row)
    if rec.outputs and rec.outputs[0]() is r:
        new = _tape.retag(row, op=op, inplace=True,
                          outputs=(weakref.ref(x),))
        node = r.grad_fn
        if node is not None and node._record is row:
            node._record = new


def _protect_saved(r, x, start):
    """Nodes made by this call that saved ``x`` get a copy of its old data
    (with its old history), since ``x`` is about to be overwritten."""
    node = r.grad_fn
    if node is None:
        return
    Tensor = _function.Tensor
    old = None
    stack, seen = [node], set()
    while stack:
        n = stack.pop()
        if n in seen or n._seq <= start:
            continue
        seen.add(n)
        saved = n._saved
        if saved:
            new = []
            changed = False
            for s in saved:
                if s is not None and s[0] == 0 and s[1] is x:
                    if old is None:
                        old = Tensor._make(x._data.copy())
                        old.grad_fn = x.grad_fn
                        old._output_nr = x._output_nr
                        old._requires_grad = x._requires_grad
                    s = (0, old, 0)
                    changed = True
                new.append(s)
            if changed:
                n._saved = tuple(new)
        for nxt, nr in n.next_functions:
            if nr >= 0 and nxt is not None:
                stack.append(nxt)


def _replay(chain, arr):
    for node in chain:
        arr = node.view(arr)
    return arr


class ViewReplay(Function):
    """The view ``chain`` (a sequence of view nodes) of a base tensor."""

    name = "view_of"

    def __init__(self, chain):
        self.chain = chain

    def forward(self, base):
        self.base_shape, self.base_dtype = base.shape, base.dtype
        return _replay(self.chain, base)

    def backward(self, gv):
        return ViewScatter(self.chain, self.base_shape,
                           self.base_dtype).apply(gv)


class ViewScatter(Function):
    """Zeros of the base's shape with the view region set to the input
    (the adjoint of :class:`ViewReplay`)."""

    name = "view_scatter"

    def __init__(self, chain, shape, dtype):
        self.chain, self.shape, self.dtype = chain, shape, dtype

    def forward(self, v):
        from pytensor.backend import get_xp
        out = get_xp(v).zeros(self.shape, self.dtype)
        _replay(self.chain, out)[...] = v
        return out

    def backward(self, g):
        return ViewReplay(self.chain).apply(g)


class ViewFill(Function):
    """A copy of the input with the view region set to zero (linear and
    self-adjoint)."""

    name = "view_fill"

    def __init__(self, chain):
        self.chain = chain

    def forward(self, g):
        out = g.copy()
        _replay(self.chain, out)[...] = 0
        return out

    def backward(self, h):
        return ViewFill(self.chain).apply(h)


class CopySlices(Function):
    """The base after an in-place write through one of its views: the old
    base everywhere except the view's region, which holds the new values."""

    name = "copy_slices"

    def __init__(self, chain):
        self.chain = chain

    def forward(self, base, value):
        return base          # already written through the view's memory

    def backward(self, g):
        gb = ViewFill(self.chain).apply(g) if self.needs_input_grad[0] \
            else None
        gv = ViewReplay(self.chain).apply(g) if self.needs_input_grad[1] \
            else None
        return gb, gv


def _rebase_view(x, r):
    base = x._base
    chain = x._view_chain
    Tensor = _function.Tensor
    # A stand-in for the base as it was, carrying its old history.
    old = Tensor._make(base._data)
    old.grad_fn = base.grad_fn
    old._output_nr = base._output_nr
    old._requires_grad = base._requires_grad
    new_base = CopySlices(chain).apply(old, r)
    base.grad_fn = new_base.grad_fn
    base._output_nr = 0
    base._requires_grad = True
    fresh = ViewReplay(chain).apply(base)
    x.grad_fn = fresh.grad_fn
    x._output_nr = 0
    x._requires_grad = True
    x._view_ver = x._vc.value


def refresh_view(v):
    """Give the view ``v`` the history "``v``'s region of its base as the
    base is now" after an in-place op on the shared storage.  Outside grad
    mode nothing is recorded, so the view stays stale until next used with
    grad mode on."""
    if not _state.enabled:
        return
    v._view_ver = v._vc.value
    base = v._base
    if not base._requires_grad:
        return
    fresh = ViewReplay(v._view_chain).apply(base)
    v.grad_fn = fresh.grad_fn
    v._output_nr = 0
    v._requires_grad = True
