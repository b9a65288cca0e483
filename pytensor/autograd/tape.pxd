# Declarations used when tape.py is compiled (pytensor/_compiled.py); the
# pure-Python module never reaches them (``cython.compiled`` is False).
cdef extern from "Python.h":
    void PyObject_GC_UnTrack(object)
    object PyWeakref_NewRef(object, object)
