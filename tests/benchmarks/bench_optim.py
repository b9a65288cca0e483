"""Benchmark of the fused optimizer kernels.

    python -m tests.benchmarks.bench_optim [--smoke] [--rounds N] [--json F]

Two tables, on the parameters of a 784-512-512-10 MLP (784x512, 512,
512x512, 512, 512x10, 10: 669,706 values):

1. kernels: one update of every parameter by the compiled kernel
   (``pytensor_ext.cpu``) against the NumPy composition it replaces
   (``pytensor_ext.reference``: PyTorch's op-by-op formulas), for each
   optimizer in float32 and float64.  A ratio above 1 means the fused
   kernel is faster: it must be, or it does not earn its place.
2. step: ``optimizer.step()`` of pytensor against PyTorch 2.13's (its CPU
   default, the single-tensor path) on the same parameters and gradients,
   and on 100 parameters of 16x16 (where the per-parameter cost shows).

Both sides are warmed up and interleaved (A B A B ...) and each row reports
the median of the per-round ratios with its spread, as the machines are
shared and their speed drifts.  Nothing here asserts a time; the smoke test
only checks that the benchmark runs.
"""
import argparse
import json
import os
import sys

import numpy as np

from pytensor_ext import cpu, reference
from tests.benchmarks._timing import interleave

SHAPES = [(784, 512), (512,), (512, 512), (512,), (512, 10), (10,)]
# Many small parameters: the per-parameter cost of a step, not its memory
# traffic, decides there.
SMALL = [(16, 16)] * 100

# name -> (state buffers, hyper-parameters) with the common options on.
KERNELS = {
    "sgd_step": (("momentum_buffer",), dict(lr=0.01, momentum=0.9)),
    "adam_step": (("exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
                  dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                       weight_decay=0.0)),
    "adamw_step": (("exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
                   dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                        weight_decay=1e-2, decoupled_weight_decay=True)),
    "rmsprop_step": (("square_avg", "grad_avg", "momentum_buffer"),
                     dict(lr=1e-2, alpha=0.99, eps=1e-8)),
    "adagrad_step": (("state_sum",), dict(lr=1e-2, lr_decay=0.0, eps=1e-10,
                                          weight_decay=0.0)),
}


def _problem(dtype, buffers, seed=0):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    state = [{b: np.abs(rng.standard_normal(s)).astype(dtype) * 0.01
              for b in buffers} for s in SHAPES]
    return params, grads, state


def _kernel_call(module, name, opts):
    fn = getattr(module, "adam_step" if name == "adamw_step" else name)

    def run(params, grads, state, step):
        for p, g, st in zip(params, grads, state):
            if name == "sgd_step":
                fn(p, g, st["momentum_buffer"], **opts)
            elif name in ("adam_step", "adamw_step"):
                fn(p, g, st["exp_avg"], st["exp_avg_sq"],
                   st["max_exp_avg_sq"], step=float(step), **opts)
            elif name == "rmsprop_step":
                fn(p, g, st["square_avg"], st["grad_avg"],
                   st["momentum_buffer"], **opts)
            else:
                fn(p, g, st["state_sum"], step=float(step), **opts)
    return run


def bench_kernels(rounds, reps):
    rows = []
    for name, (buffers, opts) in KERNELS.items():
        for dtype in ("float32", "float64"):
            fused = _problem(dtype, buffers)
            numpy = _problem(dtype, buffers)
            fk = _kernel_call(cpu, name, opts)
            nk = _kernel_call(reference, name, opts)
            steps = {"f": 0, "n": 0}

            def run_fused():
                steps["f"] += 1
                fk(*fused, steps["f"])

            def run_numpy():
                steps["n"] += 1
                nk(*numpy, steps["n"])

            tn, tf, ratio, lo, hi = interleave(run_numpy, run_fused, rounds,
                                               reps)
            rows.append(dict(kernel=name, dtype=dtype, numpy_ms=tn * 1e3,
                             fused_ms=tf * 1e3, speedup=ratio,
                             speedup_min=lo, speedup_max=hi))
    return rows


def bench_step(rounds, reps, shapes=SHAPES, label="MLP"):
    import torch

    import pytensor
    rows = []
    configs = [("SGD", dict(lr=0.01, momentum=0.9)), ("Adam", dict(lr=1e-3)),
               ("AdamW", dict(lr=1e-3)), ("RMSprop", dict(lr=1e-2)),
               ("Adagrad", dict(lr=1e-2))]
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    for name, kw in configs:
        ps = [pytensor.tensor(a, requires_grad=True) for a in init]
        for p, g in zip(ps, grads):
            p.grad = pytensor.tensor(g)
        ts = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in init]
        for p, g in zip(ts, grads):
            p.grad = torch.from_numpy(g.copy())
        ours = getattr(pytensor.optim, name)(ps, **kw)
        theirs = getattr(torch.optim, name)(ts, **kw)
        tp, tt, ratio, lo, hi = interleave(ours.step, theirs.step, rounds,
                                           reps)
        rows.append(dict(optimizer=name, params=label, pytensor_ms=tp * 1e3,
                         torch_ms=tt * 1e3, ratio=ratio, ratio_min=lo,
                         ratio_max=hi))
    return rows


def markdown(kernel_rows, step_rows):
    out = ["| kernel | dtype | NumPy composition | fused kernel | speedup "
           "(range) |", "|---|---|---|---|---|"]
    for r in kernel_rows:
        out.append(f"| {r['kernel']} | {r['dtype']} | {r['numpy_ms']:.3f} ms "
                   f"| {r['fused_ms']:.3f} ms | {r['speedup']:.2f}x "
                   f"({r['speedup_min']:.2f}-{r['speedup_max']:.2f}) |")
    if step_rows:
        out += ["", "| optimizer.step() | parameters | pytensor | "
                "torch 2.13 | ratio (range) |", "|---|---|---|---|---|"]
        for r in step_rows:
            out.append(f"| {r['optimizer']} | {r['params']} | "
                       f"{r['pytensor_ms']:.3f} ms | "
                       f"{r['torch_ms']:.3f} ms | {r['ratio']:.2f} "
                       f"({r['ratio_min']:.2f}-{r['ratio_max']:.2f}) |")
    return "\n".join(out)


def run(smoke=False, rounds=None, with_torch=True, threads=None):
    rounds = rounds or (1 if smoke else 15)
    reps = 1 if smoke else 5
    threads = threads or os.cpu_count() or 1
    if with_torch:
        try:
            import torch
            torch.set_num_threads(threads)
        except ImportError:
            with_torch = False
    kernel_rows = bench_kernels(rounds, reps)
    step_rows = []
    if with_torch:
        step_rows = (bench_step(rounds, reps)
                     + bench_step(rounds, reps, SMALL, "100 x 16x16"))
    return kernel_rows, step_rows


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m "
                                     "tests.benchmarks.bench_optim")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--threads", type=int,
                        help="PyTorch's threads (default: all cores; the "
                        "fused kernels use OpenMP only above 2**20 "
                        "elements, set OMP_NUM_THREADS for them)")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    if not cpu.COMPILED.get("adam_step"):
        print("the compiled optimizer kernels are not built "
              "(python setup.py build_ext --inplace)", file=sys.stderr)
        return 1
    kernel_rows, step_rows = run(args.smoke, args.rounds, not args.no_torch,
                                 args.threads)
    print(markdown(kernel_rows, step_rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"kernels": kernel_rows, "step": step_rows}, f,
                      indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
