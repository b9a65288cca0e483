"""Compile every GPU kernel body with NVRTC, without a GPU.

    python -m pytensor_ext.gpu.compile_check [--arch sm_80 ...]
                                             [--cuda-dir DIR]

CuPy compiles kernels at their first launch, which needs a device, so a
typo in a kernel string would otherwise surface only on a GPU machine.
This check compiles, for each target architecture (default sm_75, sm_80
and sm_90, to cubin so ptxas runs too):

- every ``gpu/cuda/*.cu`` file, with the template instances its
  :func:`~pytensor_ext.gpu._registry.raw_module` declaration names (files
  nobody declared are compiled as they are);
- every declared ``ElementwiseKernel`` and ``ReductionKernel``, for
  ``T = float`` and ``T = double``, wrapped in a ``__global__`` function
  shaped like the one CuPy generates (``CArray``/``CIndexer`` from CuPy's
  headers, ``const T x = ...; T &y = ...;`` then the operation).  All of
  them go into one translation unit, each in its own namespace; when it
  fails, every kernel is recompiled alone to say which one is broken.

It uses ``cupy.cuda.nvrtc`` with NVRTC from PyPI (``pip install
cupy-cuda13x "nvidia-cuda-nvrtc==13.*"``, the ``[cudacheck]`` extra) and
never touches a device.  It prints the NVRTC log of every failure and a
summary line, and exits 1 on any failure, 2 when NVRTC is unavailable.
"""
import argparse
import dataclasses
import glob
import os
import re
import sys
import time

from pytensor_ext.gpu import _registry

ARCHS = ("sm_75", "sm_80", "sm_90")
_CTYPES = ("float", "double")
_DTYPE_CTYPES = {"float16": "float16", "float32": "float", "float64": "double",
                 "int8": "signed char", "int16": "short", "int32": "int",
                 "int64": "long long", "uint8": "unsigned char",
                 "uint16": "unsigned short", "uint32": "unsigned int",
                 "uint64": "unsigned long long", "bool": "bool"}
_HEADER = ("#include <cupy/complex.cuh>\n#include <cupy/carray.cuh>\n"
           "#include <cupy/atomics.cuh>\n")


class NVRTCUnavailable(RuntimeError):
    pass


@dataclasses.dataclass
class Unit:
    """One translation unit: a label for messages, the source, the template
    instances to add as NVRTC name expressions, and the units that make it
    up (compiled one by one to find the culprit when the unit fails)."""
    label: str
    source: str
    name_expressions: tuple = ()
    parts: tuple = ()


# --- sources ---------------------------------------------------------------
def _params(spec, ctype):
    """``"T x, raw T y"`` -> [(C type, name, is_raw)]; type placeholders
    (``T``, ``S``...) become ``ctype``."""
    out = []
    for item in filter(None, (p.strip() for p in spec.split(","))):
        words = item.split()
        raw = words[0] == "raw"
        if raw:
            words = words[1:]
        if len(words) != 2:
            raise ValueError(f"cannot parse kernel parameter {item!r}")
        typ, name = words
        out.append((_DTYPE_CTYPES.get(typ, ctype), name, raw))
    return out


def _signature(params, indexers):
    args = [f"CArray<{t}, 1> _raw_{n}" for t, n, _ in params]
    return ", ".join(args + [f"CIndexer<1> {i}" for i in indexers])


def _fetches(params, is_input, index):
    lines = []
    for t, n, raw in params:
        if raw:
            lines.append(f"CArray<{t}, 1> &{n} = _raw_{n};")
        elif is_input:
            lines.append(f"const {t} {n} = _raw_{n}[{index}];")
        else:
            lines.append(f"{t} &{n} = _raw_{n}[{index}];")
    return "\n        ".join(lines)


def elementwise_unit(decl, ctype, tag):
    ins = _params(decl.in_params, ctype)
    outs = _params(decl.out_params, ctype)
    src = f"""
namespace pt_check_{tag} {{
typedef {ctype} T;
{decl.preamble}
extern "C" __global__ void {decl.name}__{ctype}(
        {_signature(ins + outs, ["_ind"])}) {{
    CUPY_FOR(i, _ind.size()) {{
        _ind.set(i);
        {_fetches(ins, True, "_ind.get()")}
        {_fetches(outs, False, "_ind.get()")}
        {decl.operation};
    }}
}}
}}  // namespace pt_check_{tag}
"""
    return Unit(f"{decl.name}<{ctype}>", src)


def reduction_unit(decl, ctype, tag):
    ins = _params(decl.in_params, ctype)
    outs = _params(decl.out_params, ctype)
    src = f"""
namespace pt_check_{tag} {{
typedef {ctype} T;
typedef {ctype} _type_reduce;
{decl.preamble}
extern "C" __global__ void {decl.name}__{ctype}(
        {_signature(ins + outs, ["_in_ind", "_out_ind"])}) {{
    _type_reduce _s = _type_reduce({decl.identity});
    CUPY_FOR(i, _in_ind.size()) {{
        _in_ind.set(i);
        {_fetches(ins, True, "_in_ind.get()")}
        const _type_reduce a = _s;
        const _type_reduce b = static_cast<_type_reduce>({decl.map_expr});
        _s = ({decl.reduce_expr});
    }}
    if (threadIdx.x == 0) {{
        _out_ind.set(0);
        {_fetches(outs, False, "_out_ind.get()")}
        const _type_reduce a = _s;
        {decl.post_map_expr};
    }}
}}
}}  // namespace pt_check_{tag}
"""
    return Unit(f"{decl.name}<{ctype}>", src)


def kernel_units(elementwise=None, reductions=None):
    """One unit holding every elementwise and reduction kernel (for both
    float types), or none when there are no such kernels."""
    elementwise = _registry.ELEMENTWISE if elementwise is None else elementwise
    reductions = _registry.REDUCTION if reductions is None else reductions
    parts = []
    for k, decl in enumerate(sorted(elementwise.values(),
                                    key=lambda d: d.name)):
        parts += [elementwise_unit(decl, t, f"e{k}_{t}") for t in _CTYPES]
    for k, decl in enumerate(sorted(reductions.values(),
                                    key=lambda d: d.name)):
        parts += [reduction_unit(decl, t, f"r{k}_{t}") for t in _CTYPES]
    if not parts:
        return []
    parts = tuple(Unit(p.label, _HEADER + p.source) for p in parts)
    source = _HEADER + "".join(p.source[len(_HEADER):] for p in parts)
    label = (f"ElementwiseKernel/ReductionKernel bodies ({len(elementwise)} "
             f"+ {len(reductions)} kernels x {len(_CTYPES)} types)")
    return [Unit(label, source, (), parts)]


def raw_units(cuda_dir=None, raw=None):
    """One unit per ``.cu`` file of ``cuda_dir`` (default ``gpu/cuda``), with
    its declared template instances."""
    default_dir = cuda_dir is None
    cuda_dir = cuda_dir or _registry.CUDA_DIR
    raw = _registry.RAW if raw is None else raw
    units = []
    if default_dir:
        for name in sorted(set(raw) - {os.path.basename(p) for p in
                                       glob.glob(os.path.join(cuda_dir,
                                                              "*.cu"))}):
            # A declared module without its source: a unit that fails.
            units.append(Unit(f"{name} (declared, file missing)",
                              f'#error "{name} is missing from {cuda_dir}"\n'))
    for path in sorted(glob.glob(os.path.join(cuda_dir, "*.cu"))):
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            source = f.read()
        decl = raw.get(name)
        exprs = decl.name_expressions if decl is not None else ()
        note = (f" ({len(exprs)} instances)" if exprs
                else " (no instances declared)")
        units.append(Unit(name + note, source, exprs))
    return units


# --- NVRTC -----------------------------------------------------------------
def _nvrtc():
    try:
        from cupy.cuda import nvrtc
        nvrtc.getVersion()
    except Exception as e:          # no CuPy, or no libnvrtc
        raise NVRTCUnavailable(
            f"NVRTC is not available ({type(e).__name__}: {e}); install it "
            "with: pip install cupy-cuda13x 'nvidia-cuda-nvrtc==13.*'"
        ) from None
    return nvrtc


def _include_options():
    """CuPy's header search path (carray.cuh and the CCCL it includes)."""
    try:
        import cupy._core.core as core
        return [o for o in core.assemble_cupy_compiler_options(())
                if o.startswith("-I") or o.startswith("--std")]
    except Exception:               # private API moved: rebuild the paths
        import cupy
        inc = os.path.join(os.path.dirname(cupy.__file__), "_core", "include")
        cccl = os.path.join(inc, "cupy", "_cccl")
        return [f"-I{inc}"] + [f"-I{os.path.join(cccl, d)}"
                               for d in ("cub", "thrust", "libcudacxx")] + \
               ["--std=c++17"]


def compile_unit(unit, arch, options=None):
    """Compile ``unit`` to a cubin for ``arch``; returns (ok, log)."""
    nvrtc = _nvrtc()
    options = _include_options() if options is None else options
    name = re.sub(r"[^A-Za-z0-9_.]", "_", unit.label.split(" ")[0]) or "k.cu"
    prog = nvrtc.createProgram(unit.source, name, [], [])
    try:
        for expr in unit.name_expressions:
            nvrtc.addNameExpression(prog, expr)
        try:
            nvrtc.compileProgram(prog, [f"--gpu-architecture={arch}",
                                        "--std=c++17"] + list(options))
        except nvrtc.NVRTCError as e:
            return False, f"{e}\n{nvrtc.getProgramLog(prog)}"
        for expr in unit.name_expressions:      # every instance must exist
            nvrtc.getLoweredName(prog, expr)
        nvrtc.getCUBIN(prog)
        return True, nvrtc.getProgramLog(prog)
    finally:
        nvrtc.destroyProgram(prog)


def run(archs=ARCHS, cuda_dir=None, elementwise=None, reductions=None,
        raw=None, out=print):
    """Compile everything for every arch; returns (passed, failed) counts of
    (unit, arch) compilations and prints a summary line."""
    nvrtc = _nvrtc()
    options = _include_options()
    units = kernel_units(elementwise, reductions) + raw_units(cuda_dir, raw)
    start = time.perf_counter()
    passed = failed = 0
    for unit in units:
        for arch in archs:
            ok, log = compile_unit(unit, arch, options)
            if ok:
                passed += 1
                continue
            failed += 1
            out(f"FAILED {unit.label} [{arch}]\n{log.rstrip()}")
            for part in unit.parts:     # which kernel of the batch?
                part_ok, part_log = compile_unit(part, arch, options)
                if not part_ok:
                    out(f"  broken kernel: {part.label} [{arch}]\n"
                        f"{part_log.rstrip()}")
    major, minor = nvrtc.getVersion()
    out(f"compile_check: {len(units)} units x {len(archs)} archs "
        f"({', '.join(archs)}), NVRTC {major}.{minor}: {passed} passed, "
        f"{failed} failed in {time.perf_counter() - start:.1f}s")
    return passed, failed


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m pytensor_ext.gpu.compile_check",
        description="Compile every pytensor GPU kernel with NVRTC (no GPU "
                    "needed).")
    parser.add_argument("--arch", action="append", dest="archs",
                        help=f"target, e.g. sm_80 (repeatable; default "
                             f"{' '.join(ARCHS)})")
    parser.add_argument("--cuda-dir", help="check the .cu files of this "
                        "directory instead of pytensor_ext/gpu/cuda")
    args = parser.parse_args(argv)
    try:
        _, failed = run(tuple(args.archs or ARCHS), args.cuda_dir)
    except NVRTCUnavailable as e:
        print(f"compile_check: {e}", file=sys.stderr)
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
