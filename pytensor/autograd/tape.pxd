# Declarations used when tape.py is compiled (pytensor/_compiled.py); the
# pure-Python module never reaches them (``cython.compiled`` is False).
cdef extern from "Python.h":
    void PyObject_GC_UnTrack(object)
    # With no callback: the object's existing plain weak reference if it
    # has one (what ``weakref.ref(x)`` returns), else a new one.
    object PyWeakref_NewRef(object, object)

cdef extern from *:
    """
    /* The code object of the Python frame `depth` levels above the
       innermost one (None past the outermost), its f_lasti kept for
       __pt_site_lasti(): record_op's call-site test without
       sys._getframe's call, argument parsing and attribute lookups. */
    static int __pt_site_lasti_v = -1;
    static PyObject* __pt_site_code(Py_ssize_t depth) {
        PyFrameObject* f = PyEval_GetFrame();          /* borrowed */
        PyObject* code;
        Py_XINCREF(f);
        while (f != NULL && depth-- > 0) {
            PyFrameObject* b = PyFrame_GetBack(f);     /* new */
            Py_DECREF(f);
            f = b;
        }
        if (f == NULL) {
            __pt_site_lasti_v = -1;
            Py_RETURN_NONE;
        }
        code = (PyObject*)PyFrame_GetCode(f);          /* new */
    #if PY_VERSION_HEX >= 0x030B0000
        __pt_site_lasti_v = PyFrame_GetLasti(f);
    #else
        {   /* Python 3.10: no PyFrame_GetLasti; the attribute */
            PyObject* v = PyObject_GetAttrString((PyObject*)f, "f_lasti");
            __pt_site_lasti_v = v ? (int)PyLong_AsLong(v) : -1;
            Py_XDECREF(v);
            PyErr_Clear();
        }
    #endif
        Py_DECREF(f);
        return code;
    }
    static int __pt_site_lasti(void) { return __pt_site_lasti_v; }
    """
    object _site_code "__pt_site_code"(Py_ssize_t depth)
    int _site_lasti "__pt_site_lasti"()

# What a row stores for an argument: a C call from record_op.
cdef object _arg_ref(object t)

# Function._apply calls it for every recorded op: a C call (function.pxd
# cimports it), a Python one from elsewhere.
cpdef object record_op(object fn, object made, object inputs, object outputs,
                       object elapsed=*, object in_meta=*, object out_meta=*)
