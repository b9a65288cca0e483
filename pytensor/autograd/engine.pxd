# Declarations used when engine.py is compiled (pytensor/_compiled.py): the
# graph nodes' fields are C members there (see _node.pxd).
from pytensor.autograd._node cimport Node


cdef class _Ctx:
    cdef public object fast
    cdef public object retain
    cdef public object leaf_pos
    cdef public object captured
    cdef public object accumulate
    cdef public object inputs
    cdef public object handed
    cdef public object buffers

    # Called per node and per edge: C calls from _run and run_node.
    cpdef run_node(self, fn, grads_out)
    cpdef add(self, a, b)
    cpdef deliver_leaf(self, leaf, g)
