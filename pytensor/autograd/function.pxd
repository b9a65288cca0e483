# Declarations used when function.py is compiled (pytensor/_compiled.py);
# the pure-Python module never reaches them (``cython.compiled`` is False).
from pytensor._tensor_base cimport TensorBase, get_vc, make_tensor
from pytensor.autograd._node cimport Node

cdef extern from "Python.h":
    void PyObject_GC_UnTrack(object)

# Called by Function._apply for every op: C calls, not Python ones.
cdef object _atomic(object t)
cdef object _meta(object arr)
cdef object _resolve_saved(object s, object args, object outs, object results)

# The tape's per-op entry point, called from C (see tape.pxd).
from pytensor.autograd.tape cimport record_op as _c_record_op

# ``Fn.apply``: an extension type, so the attribute lookup calls its C
# __get__ slot instead of a Python-level __get__ (every op's first step).
cdef class _ApplyDescriptor:
    pass
