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

__all__ = ["TensorBase", "make_tensor"]


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
    t: TensorBase = TensorBase.__new__(cls)         # typed: C stores
    t._data = arr
    t._grad = None
    t._requires_grad = False
    t.grad_fn = None
    t._output_nr = 0
    t._vc = None
    t._base = None
    t._view_chain = None
    t._meta = None
    return t
