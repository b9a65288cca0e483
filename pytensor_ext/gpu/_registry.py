"""Every GPU kernel of ``pytensor_ext.gpu``, as a declaration.

Family modules declare their kernels here at import time:

- :func:`elementwise` / :func:`reduction`: the pieces of a CuPy
  ``ElementwiseKernel`` / ``ReductionKernel`` (parameter lists, the C++
  body, a preamble);
- :func:`raw_module`: a ``cuda/*.cu`` file and the template instances
  (``name_expressions``) that a ``RawModule`` compiles from it.

Declaring rather than constructing keeps two things possible without a
GPU: listing every kernel (the REPL's ``:kernel``, the tests) and
compile-checking every body with NVRTC (:mod:`pytensor_ext.gpu.
compile_check`).  :func:`get` builds the CuPy object, once per device.

Kernel names start with ``pytensor_``: ``pytensor_<op>_<fwd|bwd>`` for the
activations and softmax family, ``pytensor_<optimizer>[_<variant>]_step``
for optimizer updates, ``pytensor_<kernel>`` for the others.
"""
import dataclasses
import os

from pytensor_ext.gpu._memo import cupy, memoize_per_device

CUDA_DIR = os.path.join(os.path.dirname(__file__), "cuda")


@dataclasses.dataclass(frozen=True)
class Elementwise:
    name: str
    in_params: str
    out_params: str
    operation: str
    preamble: str = ""


@dataclasses.dataclass(frozen=True)
class Reduction:
    name: str
    in_params: str
    out_params: str
    map_expr: str
    reduce_expr: str
    post_map_expr: str
    identity: str
    preamble: str = ""


@dataclasses.dataclass(frozen=True)
class RawModule:
    file: str                       # file name in gpu/cuda/
    # e.g. ("pytensor_softmax_fwd<float, true>",)
    name_expressions: tuple

    @property
    def path(self):
        return os.path.join(CUDA_DIR, self.file)

    def source(self):
        with open(self.path, encoding="utf-8") as f:
            return f.read()


ELEMENTWISE = {}
REDUCTION = {}
RAW = {}


def _check_name(name):
    if not name.startswith("pytensor_"):
        raise ValueError(f"kernel name {name!r} must start with 'pytensor_'")


def _add(table, key, decl):
    if key in table and table[key] != decl:
        raise ValueError(f"kernel {key!r} declared twice")
    table[key] = decl
    return decl


def elementwise(name, in_params, out_params, operation, preamble=""):
    """Declare an ElementwiseKernel; returns the declaration."""
    _check_name(name)
    return _add(ELEMENTWISE, name, Elementwise(
        name, in_params, out_params, operation, preamble))


def reduction(name, in_params, out_params, map_expr, reduce_expr,
              post_map_expr, identity, preamble=""):
    """Declare a ReductionKernel; returns the declaration."""
    _check_name(name)
    return _add(REDUCTION, name, Reduction(
        name, in_params, out_params, map_expr, reduce_expr, post_map_expr,
        identity, preamble))


def raw_module(file, name_expressions):
    """Declare a RawModule built from ``cuda/<file>``."""
    for expr in name_expressions:
        _check_name(expr)
    return _add(RAW, file, RawModule(file, tuple(name_expressions)))


@memoize_per_device
def get(decl):
    """The CuPy kernel (or RawModule) for a declaration, built once per
    device; compilation itself happens at the first launch (CuPy caches
    the binary on disk as well)."""
    cp = cupy()
    if isinstance(decl, Elementwise):
        return cp.ElementwiseKernel(decl.in_params, decl.out_params,
                                    decl.operation, decl.name,
                                    preamble=decl.preamble)
    if isinstance(decl, Reduction):
        return cp.ReductionKernel(decl.in_params, decl.out_params,
                                  decl.map_expr, decl.reduce_expr,
                                  decl.post_map_expr, decl.identity,
                                  decl.name, preamble=decl.preamble)
    return cp.RawModule(code=decl.source(), options=("--std=c++17",),
                        name_expressions=decl.name_expressions)


def raw_function(decl, name_expression):
    """One kernel of a RawModule declaration, e.g.
    ``raw_function(SOFTMAX, "pytensor_softmax_fwd<float, true>")``."""
    return get(decl).get_function(name_expression)
