# Compiled, Node is an extension type with C fields (see the .py).  All are
# Python objects, so uncompiled code reads and writes them as before.
cdef class Node:
    cdef public object needs_input_grad
    cdef public object next_functions
    cdef public object _in_meta
    cdef public object _out_meta
    cdef public object _saved
    cdef public object _saved_raw
    cdef public object _non_diff
    cdef public object _seq
    cdef public object _record
    cdef public object _freed
    cdef public object _pre_hooks
    cdef public object _post_hooks
    cdef public object _materialize
    cdef public object _retain
