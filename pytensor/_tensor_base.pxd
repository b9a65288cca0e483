# Compiled, TensorBase is an extension type with C fields (see the .py).
# All are Python objects, as in the plain-Python __slots__, so reads and
# writes from uncompiled code behave the same.
cdef class TensorBase:
    cdef public object _data
    cdef public object _grad
    cdef public object _requires_grad
    cdef public object grad_fn
    cdef public object _output_nr
    cdef public object _vc
    cdef public object _base
    cdef public object _view_chain
    cdef public object _view_ver
    cdef public object _meta
    cdef object __weakref__


cpdef object make_tensor(object cls, object arr)
cpdef init_fields(object tensor, object arr)


# The version counter (see the .py).
cdef class Version:
    cdef public object value
    cdef public object last_op
    cdef public object last_where
    cdef public object history


cpdef object get_vc(object t)
