"""``TensorBase``: the fields every Tensor has, as C fields when compiled.

``Tensor`` (``pytensor/tensor.py``) derives from this class and adds every
method.  Compiled (``pytensor/_compiled.py``), ``_tensor_base.pxd`` makes it
an extension type whose fields are C struct members: the hot paths that
declare a variable of this type (``Function._apply``, the backward engine,
:meth:`TensorBase._make`) read and write them with a load or a store
instead of a type lookup and a descriptor call each (W1's small ops touch
a dozen of them per op).  In plain Python the same names are ``__slots__``.

Fields:

- ``_data``: the storage array; ``.data`` is a detached Tensor over it.
- ``_grad``: the accumulated gradient (a Tensor) or None.
- ``_requires_grad``: leaf flag, or True for outputs of recorded ops.
- ``grad_fn`` / ``_output_nr``: the node that produced it, and which output.
- ``_vc``: the version counter, shared with views; created on first need.
- ``_base`` / ``_view_chain``: for views, the root tensor and the view ops
  from it (so in-place ops through a view can rebuild the base's history).
- ``_view_ver``: for views, the version their ``grad_fn`` was made at; an
  op using a view whose storage was modified in place since rebuilds its
  history from the base first (meaningful only on views).
- ``_meta``: rarely-used extras (hooks, retain_grad, a display name).
"""
try:
    import cython           # compiled: resolved when the module is built
except ImportError:         # plain Python without Cython installed
    class cython:
        compiled = False

__all__ = ["TensorBase", "Version", "make_tensor", "init_fields", "get_vc"]


class TensorBase:
    """The storage and autograd fields of a Tensor (see the module
    docstring); use :class:`pytensor.Tensor`."""

    # Compiled, the fields are the C members declared in the .pxd (an
    # extension type takes no __slots__ of its own).
    __slots__ = () if cython.compiled else (
        "_data", "_grad", "_requires_grad", "grad_fn", "_output_nr", "_vc",
        "_base", "_view_chain", "_view_ver", "_meta", "__weakref__")

    @classmethod
    def _make(cls, arr):
        """The fast constructor used by ops: wrap an array, no checks."""
        return make_tensor(cls, arr)


def make_tensor(cls, arr):
    """A ``cls`` (Tensor or a subclass) wrapping ``arr``, no checks; a C
    function for the compiled hot paths (``_tensor_base.pxd``)."""
    t = TensorBase.__new__(cls)
    init_fields(t, arr)
    return t


def init_fields(tensor, arr):
    """Set every field of a new ``tensor`` (a leaf over ``arr``); the one
    place that lists them, for ``make_tensor`` and the constructors."""
    t: TensorBase = tensor                          # typed: C stores
    t._data = arr
    t._grad = None
    t._requires_grad = False
    t.grad_fn = None
    t._output_nr = 0
    t._vc = None
    t._base = None
    t._view_chain = None
    t._meta = None


if cython.compiled and not hasattr(TensorBase, "_data"):   # pragma: no cover
    # Compiled without _tensor_base.pxd (a packaging slip): the class would
    # have no fields at all.  Fail at import, not at the first tensor.
    raise ImportError("pytensor._tensor_base was compiled without "
                      "_tensor_base.pxd; reinstall pytensor")


class Version:
    """A version counter shared by a tensor and its views.  Every in-place
    op bumps it and says which op and which user line did so.  Created on
    first need (an in-place op, or an op saving its output for backward,
    which then checks the output was not modified since)."""

    __slots__ = () if cython.compiled else (
        "value", "last_op", "last_where", "history")

    def __init__(self):
        self.value = 0
        self.last_op = None
        self.last_where = None
        self.history = None

    def bump(self, op, where):
        self.value += 1
        self.last_op = op
        self.last_where = where
        h = self.history
        if h is None:
            h = self.history = []
        h.append((self.value, op, where))
        if len(h) > 16:             # bounded: only the recent bumps matter
            del h[0]


def get_vc(t):
    """``t``'s version counter, created on first need; a C function for
    the compiled hot paths."""
    tb: TensorBase = t
    vc = tb._vc
    if vc is None:
        vc = tb._vc = Version()
    return vc
