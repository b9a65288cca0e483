"""Benchmark of the Cython kernels against the NumPy they replace.

    python -m tests.benchmarks.bench_kernels [--threads N] [--rounds R]
                                             [--only NAME] [--smoke]

For every case: the compiled kernel (``pytensor_ext.cpu``), the NumPy
reference (``pytensor_ext.reference``, the composition an op would run
without the extension), the fastest plain-NumPy spelling where there is a
better one than the reference (``np.maximum(x, 0)`` for relu...), and
PyTorch 2.13 when it is installed.  Each round times every implementation
of every case (interleaved, so a noisy neighbour hits all of them alike);
the table shows per-call medians over rounds, and the speed-up of the
kernel over the faster NumPy spelling and over torch.

Every implementation's result is checked against the kernel's first, so a
benchmark cannot time the wrong thing.  ``--smoke`` runs each case once,
on small arrays, without timing claims
(``tests/benchmarks/test_bench_smoke.py``).
``--threads`` sets the OpenMP threads of the kernels and torch's
intra-op threads alike (NumPy's elementwise code is single-threaded);
the default, 1, compares like with like.
"""
import argparse
import dataclasses
import math
import os
import platform
import sys
import time
from typing import Callable, Optional

import numpy as np

from pytensor_ext import cpu, reference as ref
from pytensor_ext.cpu import _vmath

try:
    import torch
    import torch.nn.functional as F
except ImportError:             # torch is a test dependency only
    torch = None


@dataclasses.dataclass
class Impls:
    ours: Callable
    numpy: Callable
    best: Optional[Callable] = None         # a faster plain-NumPy spelling
    torch: Optional[Callable] = None
    inplace: bool = False                   # results accumulate: no check
    rtol: float = 1e-4


@dataclasses.dataclass
class Case:
    kernel: str
    label: str
    dtype: type
    setup: Callable                         # (rng, dtype) -> Impls


def _t(a):
    return torch.from_numpy(a) if torch is not None else None


def _unary(name, shape, best=None, torch_fn=None, extra=()):
    def setup(rng, dtype):
        x = (rng.standard_normal(shape) * 3).astype(dtype)
        tx = _t(x)
        return Impls(
            ours=lambda: getattr(cpu, name)(x, *extra),
            numpy=lambda: getattr(ref, name)(x, *extra),
            best=(lambda: best(x)) if best else None,
            torch=(lambda: torch_fn(tx)) if torch_fn and torch else None)
    return setup


def _binary(name, shape, saved, torch_fn=None, extra=()):
    """``saved(x)`` is what the backward kernel receives (y or x)."""
    def setup(rng, dtype):
        x = (rng.standard_normal(shape) * 3).astype(dtype)
        a = saved(x).astype(dtype)
        g = rng.standard_normal(shape).astype(dtype)
        ta, tg = _t(a), _t(g)
        return Impls(
            ours=lambda: getattr(cpu, name)(a, g, *extra),
            numpy=lambda: getattr(ref, name)(a, g, *extra),
            torch=(lambda: torch_fn(tg, ta)) if torch_fn and torch else None)
    return setup


def _softmax(name, shape, dim):
    log = name.startswith("log")
    fwd = name.endswith("fwd")

    def setup(rng, dtype):
        x = (rng.standard_normal(shape) * 3).astype(dtype)
        fwd_name = name.replace("bwd", "fwd")
        y = getattr(ref, fwd_name)(x, dim)
        g = rng.standard_normal(shape).astype(dtype)
        tx, ty, tg = _t(x), _t(y), _t(g)
        if fwd:
            args = (x, dim)
            tfn = (lambda: torch.log_softmax(tx, dim)) if log else \
                (lambda: torch.softmax(tx, dim))
        else:
            args = (y, g, dim)
            back = torch._log_softmax_backward_data if log and torch else \
                torch._softmax_backward_data if torch else None
            tfn = (lambda: back(tg, ty, dim, tg.dtype)) if torch else None
        return Impls(ours=lambda: getattr(cpu, name)(*args),
                     numpy=lambda: getattr(ref, name)(*args),
                     torch=tfn if torch else None)
    return setup


def _sum(shape, target):
    lead = len(shape) - len(target)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(target)
                                      if s == 1 and shape[lead + i] != 1)

    def setup(rng, dtype):
        x = rng.standard_normal(shape).astype(dtype)
        tx = _t(x)
        return Impls(
            ours=lambda: cpu.sum_to_shape(x, target),
            numpy=lambda: ref.sum_to_shape(x, target),
            best=lambda: x.sum(axis=axes).reshape(target),
            torch=(lambda: tx.sum(axes, keepdim=len(target) == len(shape))
                   .reshape(target)) if torch else None)
    return setup


def _index_add(tshape, m, distinct):
    def setup(rng, dtype):
        target = np.zeros(tshape, dtype)
        index = rng.integers(0, distinct, m)
        src = rng.standard_normal((m,) + tshape[1:]).astype(dtype)
        tt, ti, ts = _t(target), _t(index), _t(src)

        def add_at():
            np.add.at(target, index, src)
        return Impls(
            ours=lambda: cpu.index_add(target, 0, index, src),
            numpy=lambda: ref.index_add(target, 0, index, src),
            best=add_at,
            torch=(lambda: tt.index_add_(0, ti, ts)) if torch else None,
            inplace=True)
    return setup


def _scatter_add(tshape, ishape, dim):
    def setup(rng, dtype):
        target = np.zeros(tshape, dtype)
        index = rng.integers(0, tshape[dim], ishape)
        src = rng.standard_normal(ishape).astype(dtype)
        tt, ti, ts = _t(target), _t(index), _t(src)
        return Impls(
            ours=lambda: cpu.scatter_add(target, dim, index, src),
            numpy=lambda: ref.scatter_add(target, dim, index, src),
            torch=(lambda: tt.scatter_add_(dim, ti, ts)) if torch else None,
            inplace=True)
    return setup


# Realistic sizes, and the small ones of --smoke (same code paths, mostly).
SIZES = {
    False: dict(M=(1 << 20,), S=(128, 512),
                softmax=(((256, 1000), -1), ((64, 10), -1), ((256, 1000), 0),
                         ((32, 64, 28, 28), 1)),
                sums=(((128, 512), (512,)), ((32, 64, 28, 28), (1, 64, 1, 1)),
                      ((64, 128, 768), (768,)), ((256, 1024), (256, 1))),
                embedding=((50000, 256), 8192, 1000), scalars=(1000, 100_000),
                scatter=((512, 1000), (512, 1000))),
    True: dict(M=(4096,), S=(16, 64),
               softmax=(((8, 100), -1), ((4, 10), -1), ((8, 100), 0),
                        ((2, 4, 5, 5), 1)),
               sums=(((16, 64), (64,)), ((2, 8, 5, 5), (1, 8, 1, 1)),
                     ((4, 8, 32), (32,)), ((16, 64), (16, 1))),
               embedding=((500, 16), 256, 50), scalars=(100, 1000),
               scatter=((16, 100), (16, 100))),
}


def _cases(smoke=False):
    size = SIZES[smoke]
    M, S = size["M"], size["S"]           # 1M elements; a small layer
    act = [
        ("relu_fwd", lambda x: np.maximum(x, 0),
         torch and torch.relu, ()),
        ("sigmoid_fwd", None, torch and torch.sigmoid, ()),
        ("tanh_fwd", lambda x: np.tanh(x), torch and torch.tanh, ()),
        ("silu_fwd", lambda x: x / (1 + np.exp(-x)),
         torch and F.silu, ()),
        ("gelu_fwd", None, torch and (lambda t: F.gelu(t)), ("none",)),
        ("gelu_fwd", None,
         torch and (lambda t: F.gelu(t, approximate="tanh")), ("tanh",)),
        ("erf_fwd", None, torch and torch.erf, ()),
        ("erfc_fwd", None, torch and torch.erfc, ()),
    ]
    aten = torch.ops.aten if torch else None
    back = [
        ("relu_bwd", ref.relu_fwd,
         aten and (lambda g, y: aten.threshold_backward(g, y, 0)), ()),
        ("sigmoid_bwd", ref.sigmoid_fwd, aten and aten.sigmoid_backward, ()),
        ("tanh_bwd", np.tanh, aten and aten.tanh_backward, ()),
        ("silu_bwd", lambda x: x, aten and aten.silu_backward, ()),
        ("gelu_bwd", lambda x: x,
         aten and (lambda g, x: aten.gelu_backward(g, x)), ("none",)),
        ("gelu_bwd", lambda x: x,
         aten and (lambda g, x: aten.gelu_backward(g, x, approximate="tanh")),
         ("tanh",)),
    ]
    cases = []
    for dtype in (np.float32, np.float64):
        for shape in (M, S):
            for name, best, tfn, extra in act:
                if dtype == np.float64 and shape == S:
                    continue
                label = f"{'x'.join(map(str, shape))}" + \
                    (f" {extra[0]}" if extra else "")
                cases.append(Case(name, label, dtype,
                                  _unary(name, shape, best, tfn, extra)))
        for name, saved, tfn, extra in back:
            label = f"{M[0]}" + (f" {extra[0]}" if extra else "")
            cases.append(Case(name, label, dtype,
                              _binary(name, M, saved, tfn, extra)))
    for dtype in (np.float32, np.float64):
        for shape, dim in size["softmax"]:
            for name in ("softmax_fwd", "log_softmax_fwd", "softmax_bwd",
                         "log_softmax_bwd"):
                if dtype == np.float64 and len(shape) == 4:
                    continue
                cases.append(Case(name, f"{shape} dim={dim}", dtype,
                                  _softmax(name, shape, dim)))
    for shape, target in size["sums"]:
        for dtype in (np.float32, np.float64):
            cases.append(Case("sum_to_shape", f"{shape}->{target}", dtype,
                              _sum(shape, target)))
    (tshape, m, distinct), (n, k) = size["embedding"], size["scalars"]
    st, si = size["scatter"]
    for dtype in (np.float32, np.float64):
        cases.append(Case("index_add", f"{tshape} <- {m} rows, {distinct} "
                          "distinct", dtype,
                          _index_add(tshape, m, distinct)))
        cases.append(Case("index_add", f"({n},) <- {k} scalars", dtype,
                          _index_add((n,), k, n)))
        cases.append(Case("scatter_add", f"{st} dim=1, index {si}",
                          dtype, _scatter_add(st, si, 1)))
    return cases


# --- timing ----------------------------------------------------------------
def _per_call(fn, reps):
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t0) / reps


def _reps(fn, budget=0.02):
    """Calls per timing so one timing lasts about ``budget`` seconds."""
    t = _per_call(fn, 1)
    return max(1, min(1000, int(budget / max(t, 1e-7))))


def _check(case, impls):
    if impls.inplace:
        return
    want = np.asarray(impls.ours())
    for label in ("numpy", "best", "torch"):
        fn = getattr(impls, label)
        if fn is None:
            continue
        got = fn()
        got = got.numpy() if hasattr(got, "numpy") else np.asarray(got)
        tol = impls.rtol if case.dtype == np.float32 else 1e-9
        # Absolute part relative to the largest value: sums of thousands of
        # float32 terms differ by summation order far beyond 1e-4 near 0.
        scale = max(1.0, float(np.nanmax(np.abs(want)))) if want.size else 1
        if not np.allclose(got, want, rtol=tol, atol=tol * scale,
                           equal_nan=True):
            raise AssertionError(f"{case.kernel} {case.label}: {label} "
                                 "disagrees with the kernel")


def run(cases, rounds, smoke=False, out=print):
    rng = np.random.default_rng(0)
    prepared = []
    for case in cases:
        impls = case.setup(rng, case.dtype)
        _check(case, impls)
        names = [n for n in ("ours", "numpy", "best", "torch")
                 if getattr(impls, n) is not None]
        reps = {n: 1 if smoke else _reps(getattr(impls, n)) for n in names}
        prepared.append((case, impls, names, reps, {n: [] for n in names}))
    for _ in range(rounds):                 # interleaved rounds
        for case, impls, names, reps, times in prepared:
            for n in names:
                times[n].append(_per_call(getattr(impls, n), reps[n]))
    rows = []
    for case, impls, names, reps, times in prepared:
        med = {n: float(np.median(times[n])) for n in names}
        rows.append((case, med))
    return rows


def _fmt(t):
    if t is None:
        return "-"
    us = t * 1e6
    return f"{us:,.1f}" if us < 100 else f"{us:,.0f}"


def table(rows):
    lines = ["| kernel | case | dtype | Cython µs | NumPy reference µs | "
             "best NumPy µs | torch µs | vs NumPy | vs torch |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for case, med in rows:
        numpy_best = min(med["numpy"], med.get("best", math.inf))
        vs_np = numpy_best / med["ours"]
        vs_t = f"{med['torch'] / med['ours']:.2f}x" if "torch" in med else "-"
        lines.append(
            f"| {case.kernel} | {case.label} | {np.dtype(case.dtype).name} | "
            f"{_fmt(med['ours'])} | {_fmt(med['numpy'])} | "
            f"{_fmt(med.get('best'))} | {_fmt(med.get('torch'))} | "
            f"**{vs_np:.2f}x** | {vs_t} |")
    return "\n".join(lines)


def machine():
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
        flags = " ".join(x for x in ("avx2", "fma", "avx512f")
                         if f" {x}" in text)
    except OSError:
        pass
    tv = torch.__version__ if torch is not None else "not installed"
    return (f"{model} ({flags}), {os.cpu_count()} logical CPUs, "
            f"{platform.system()} {platform.release()}, Python "
            f"{platform.python_version()}, NumPy {np.__version__}, "
            f"torch {tv}, "
            f"vector math: {_vmath.level()}, kernel threads: "
            f"{_vmath.num_threads()}, load average at start "
            f"{os.getloadavg()[0]:.1f}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks."
                                          "bench_kernels")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", help="only kernels whose name contains "
                        "this")
    parser.add_argument("--smoke", action="store_true",
                        help="one untimed pass over every case")
    args = parser.parse_args(argv)
    assert cpu.COMPILED, "the compiled kernels did not load"
    before = _vmath.set_num_threads(args.threads)
    header = machine()          # before the load of the run itself
    torch_threads = torch.get_num_threads() if torch is not None else None
    if torch is not None:
        torch.set_num_threads(args.threads)
    try:
        cases = [c for c in _cases(args.smoke)
                 if not args.only or args.only in c.kernel]
        rows = run(cases, 1 if args.smoke else args.rounds, args.smoke)
    finally:
        _vmath.set_num_threads(before)
        if torch is not None:
            torch.set_num_threads(torch_threads)
    print(f"Machine: {header}")
    print(f"{'smoke run, timings meaningless' if args.smoke else 'medians'}"
          f" over {1 if args.smoke else args.rounds} interleaved rounds\n")
    print(table(rows))
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
