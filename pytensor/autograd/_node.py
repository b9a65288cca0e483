"""``Node``: the per-node fields of a :class:`~pytensor.autograd.Function`,
as C fields when compiled.

Every op run in grad mode builds one ``Function`` instance (the graph node)
and sets a dozen fields on it; the backward engine reads them again.
``Function`` derives from this class.  Compiled (``pytensor/_compiled.py``),
``_node.pxd`` makes it an extension type whose fields are C struct
members, so ``Function._apply`` and the engine, which declare a variable
of this type, set and read them with a store or a load instead of an
instance-dict operation each; ``__cinit__`` gives the defaults.  Users'
ops still subclass ``Function`` in Python and keep their own attributes
in the instance ``__dict__``.  In plain Python the defaults are class
attributes.

Fields:

- ``needs_input_grad``: per forward argument, whether its gradient is
  wanted.
- ``next_functions``: per argument, ``(node, output_nr)``, ``(leaf, -1)``
  or ``(None, 0)``: the edges the engine follows.
- ``_in_meta`` / ``_out_meta``: ``(shape, dtype)`` of inputs and outputs.
- ``_saved`` / ``_saved_raw``: what ``save_for_backward`` kept, resolved
  and as given; ``_freed`` after a backward released them.
- ``_non_diff``: outputs marked non-differentiable.
- ``_seq``: creation order; ``_record``: the tape row, if recorded.
- ``_pre_hooks`` / ``_post_hooks``: hooks on the node.
- ``_materialize``: zeros instead of None for unused output gradients.
- ``_retain``: ``{output_nr: weakref}`` of outputs that retain their grad.
"""
try:
    import cython           # compiled: resolved when the module is built
except ImportError:         # plain Python without Cython installed
    class cython:
        compiled = False

__all__ = ["Node"]

_DEFAULTS = dict(needs_input_grad=(), next_functions=(), _in_meta=(),
                 _out_meta=(), _saved=None, _saved_raw=None, _non_diff=None,
                 _seq=-1, _record=None, _freed=False, _pre_hooks=None,
                 _post_hooks=None, _materialize=True,
                 _retain=None)


class Node:
    """The fields of a graph node (see the module docstring); subclass
    :class:`~pytensor.autograd.Function`, not this."""

    def __cinit__(self):
        # Compiled only (C fields start as None); keep in step with
        # _DEFAULTS, the plain-Python defaults.
        self.needs_input_grad = ()
        self.next_functions = ()
        self._in_meta = ()
        self._out_meta = ()
        self._seq = -1
        self._freed = False
        self._materialize = True


if not cython.compiled:
    for _k, _v in _DEFAULTS.items():
        setattr(Node, _k, _v)
elif not hasattr(Node, "needs_input_grad"):     # pragma: no cover
    # Compiled without _node.pxd (a packaging slip): no fields, no defaults.
    raise ImportError("pytensor.autograd._node was compiled without "
                      "_node.pxd; reinstall pytensor")
