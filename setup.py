"""Build of the Cython kernels in ``pytensor_ext/cpu``.

Every ``pytensor_ext/cpu/*.pyx`` becomes an extension ``pytensor_ext.cpu._<name>``.
Flags: ``-O3`` and OpenMP, and deliberately *no* ``-ffast-math`` /
``-ffinite-math-only``: the debugger (``:nan``) depends on NaN and Inf
propagating exactly as IEEE 754 says.  ``PYTENSOR_MARCH`` (for example
``native`` or ``x86-64-v3``) opts into wider vector code for local builds;
wheels built for others must leave it unset.
"""
import glob
import os
import sys

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

compile_args = ["-O3"]
link_args = []
if sys.platform != "win32":
    compile_args += ["-fopenmp", "-fno-math-errno"]
    link_args += ["-fopenmp"]
march = os.environ.get("PYTENSOR_MARCH")
if march:
    compile_args.append(f"-march={march}")

extensions = []
for path in sorted(glob.glob("pytensor_ext/cpu/*.pyx")):
    stem = os.path.splitext(os.path.basename(path))[0]
    extensions.append(Extension(
        f"pytensor_ext.cpu.{stem}",
        [path],
        include_dirs=[np.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=compile_args,
        extra_link_args=link_args,
        libraries=["m"] if sys.platform != "win32" else [],
    ))

# The hot pure-Python modules (listed in pytensor/_compiled.py) compiled
# from their unchanged sources, with Python semantics kept (no boundscheck /
# wraparound / cdivision changes).  PYTENSOR_COMPILE_CORE=0 skips them for
# a faster development build; pytensor/_compiled.py guards against stale .so.
core = []
if os.environ.get("PYTENSOR_COMPILE_CORE", "1") != "0":
    ns = {}
    with open(os.path.join("pytensor", "_compiled.py")) as f:
        src = f.read()
    start = src.index("MODULES = (")
    exec(src[start:src.index(")", start) + 1], ns)
    for mod in ns["MODULES"]:
        core.append(Extension(mod, [mod.replace(".", "/") + ".py"],
                              extra_compile_args=["-O2"]))
    core = cythonize(core, compiler_directives={"language_level": 3},
                     nthreads=int(os.environ.get("CYTHON_NTHREADS", "0"))
                     or None)

setup(ext_modules=core + cythonize(
    extensions,
    compiler_directives={
        "language_level": 3,
        "boundscheck": False,
        "wraparound": False,
        "cdivision": True,
        "initializedcheck": False,
        "embedsignature": True,
    },
    nthreads=int(os.environ.get("CYTHON_NTHREADS", "0")) or None,
))
