"""Build of the Cython kernels in ``pytensor_ext/cpu``.

Every ``pytensor_ext/cpu/*.pyx`` becomes an extension
``pytensor_ext.cpu._<name>``.
Flags: ``-O3`` and OpenMP, and deliberately *no* ``-ffast-math`` /
``-ffinite-math-only``: the debugger (``:nan``) depends on NaN and Inf
propagating exactly as IEEE 754 says.  Two flags that do not change any
result are on:

- ``-fno-math-errno``: libm calls need not set ``errno`` (nobody reads it),
  so gcc may inline ``sqrt`` and treat math calls as pure;
- ``-fno-trapping-math``: we never read or trap on floating-point exception
  flags, so gcc may turn ``x > 0 ? x : 0`` into a vector select instead of
  a branch (without it, relu-like loops do not vectorise at all).

Vector exp/tanh/erf come from glibc's libmvec, found at run time
(``pytensor_ext/cpu/include/pt_vmath.h``), so the default build stays
baseline x86-64 and runs on any machine.  ``PYTENSOR_MARCH`` (for example
``native`` or ``x86-64-v3``) opts into wider vector code for the rest of the
code in local builds; wheels built for others must leave it unset.
"""
import glob
import os
import sys

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

# -Wno-maybe-uninitialized: gcc cannot see that a chunk's stack buffer is
# filled by the loop right before it is passed to the vector math.
compile_args = ["-O3", "-Wno-maybe-uninitialized"]
link_args = []
if sys.platform != "win32":
    compile_args += ["-fopenmp", "-fno-math-errno", "-fno-trapping-math"]
    link_args += ["-fopenmp"]
march = os.environ.get("PYTENSOR_MARCH")
if march:
    compile_args.append(f"-march={march}")

include_dir = os.path.join("pytensor_ext", "cpu", "include")
headers = sorted(glob.glob(os.path.join(include_dir, "*.h")))
extensions = []
for path in sorted(glob.glob("pytensor_ext/cpu/*.pyx")):
    stem = os.path.splitext(os.path.basename(path))[0]
    extensions.append(Extension(
        f"pytensor_ext.cpu.{stem}",
        [path],
        include_dirs=[np.get_include(), include_dir],
        depends=headers + glob.glob("pytensor_ext/cpu/*.pxd"),
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=compile_args,
        extra_link_args=link_args,
        # libdl: dlopen/dlsym of libmvec (part of libc from glibc 2.34 on).
        libraries=["m", "dl"] if sys.platform.startswith("linux") else [],
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
                     or os.cpu_count())

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
    nthreads=int(os.environ.get("CYTHON_NTHREADS", "0")) or os.cpu_count(),
))
