"""Benchmark of the convolution and pooling kernels and ops on the W3
shapes (the CNN training step of ``shared/BENCHMARKS.md``).

    python -m tests.benchmarks.bench_conv [--smoke] [--rounds N]
        [--threads N] [--json F]

Three tables:

1. kernels: each compiled kernel (``pytensor_ext.cpu``) against the NumPy
   composition it replaces (``pytensor_ext.reference``); a speedup above 1
   means the kernel earns its place.
2. layers: forward + backward of each W3 layer (conv 1->32 3x3 pad 1 on
   (64, 1, 28, 28); max-pool 2 on (64, 32, 28, 28); conv 32->64 on
   (64, 32, 14, 14); max-pool 2 on (64, 64, 14, 14)), pytensor against
   PyTorch 2.13 on the same values (ratio below 1: pytensor faster).
3. W3: the whole CNN step (forward, cross-entropy, backward, SGD) as the
   benchmark suite defines it.

Both sides are warmed up and interleaved (A B A B ...); each row reports
the median of the per-round ratios with its range, as the machines are
shared and their speed drifts.  ``--threads`` sets PyTorch's threads and
(through threadpoolctl, when installed) NumPy's BLAS and OpenMP threads.
Nothing here asserts a time; the smoke test only checks that it runs.
"""
import argparse
import json
import os
import sys

import numpy as np

from pytensor_ext import cpu, reference
from tests.benchmarks._timing import interleave

W3_CONVS = [((64, 1, 28, 28), 32), ((64, 32, 14, 14), 64)]
W3_POOLS = [(64, 32, 28, 28), (64, 64, 14, 14)]


def _rand(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _kernel_cases(smoke):
    """(label, compiled call, reference call) on the W3 shapes."""
    cases = []
    n = 4 if smoke else 64
    for (shape, _), tag in zip(W3_CONVS, ("conv1", "conv2")):
        shape = (n,) + shape[1:]
        h = shape[2]
        x = _rand(shape)
        geo = ((3, 3), (1, 1), (1, 1), (1, 1), (h, h))
        cols = cpu.im2col(x, *geo, "knl")
        cases.append((f"im2col {tag} {list(shape)}",
                      lambda x=x, g=geo: cpu.im2col(x, *g, "knl"),
                      lambda x=x, g=geo: reference.im2col(x, *g, "knl")))
        cases.append((f"col2im {tag} {list(cols.shape)}",
                      lambda c=cols, g=geo, h=h: cpu.col2im(c, (h, h), *g,
                                                            "knl"),
                      lambda c=cols, g=geo, h=h: reference.col2im(
                          c, (h, h), *g, "knl")))
    for shape in W3_POOLS:
        shape = (n,) + shape[1:]
        h = shape[2]
        x = _rand(shape)
        geo = ((2, 2), (2, 2), (0, 0), (1, 1), (h // 2, h // 2))
        v, idx = cpu.max_pool2d_fwd(x, *geo)
        gy = _rand(v.shape, 1)
        cases.append((f"max_pool2d_fwd {list(shape)}",
                      lambda x=x, g=geo: cpu.max_pool2d_fwd(x, *g),
                      lambda x=x, g=geo: reference.max_pool2d_fwd(x, *g)))
        cases.append((f"max_pool2d_bwd {list(shape)}",
                      lambda gy=gy, i=idx, h=h: cpu.max_pool2d_bwd(
                          gy, i, (h, h)),
                      lambda gy=gy, i=idx, h=h: reference.max_pool2d_bwd(
                          gy, i, (h, h))))
        ageo = ((2, 2), (2, 2), (0, 0), (h // 2, h // 2))
        cases.append((f"avg_pool2d_fwd {list(shape)}",
                      lambda x=x, g=ageo: cpu.avg_pool2d_fwd(x, *g),
                      lambda x=x, g=ageo: reference.avg_pool2d_fwd(x, *g)))
        cases.append((f"avg_pool2d_bwd {list(shape)}",
                      lambda gy=gy, h=h: cpu.avg_pool2d_bwd(
                          gy, (h, h), (2, 2), (2, 2), (0, 0)),
                      lambda gy=gy, h=h: reference.avg_pool2d_bwd(
                          gy, (h, h), (2, 2), (2, 2), (0, 0))))
    return cases


def bench_kernels(rounds, reps, smoke=False):
    rows = []
    for label, fast, slow in _kernel_cases(smoke):
        tn, tk, ratio, lo, hi = interleave(slow, fast, rounds, reps)
        rows.append(dict(kernel=label, numpy_ms=tn * 1e3, kernel_ms=tk * 1e3,
                         speedup=ratio, speedup_min=lo, speedup_max=hi))
    return rows


def _layer_steps(T, smoke):
    """fwd+bwd closures of the four W3 layers for framework ``T``."""
    F = T.nn.functional
    n = 4 if smoke else 64
    steps = []
    for i, (shape, out) in enumerate(W3_CONVS):
        shape = (n,) + shape[1:]
        x = T.tensor(_rand(shape, 2 * i), requires_grad=i > 0)
        w = T.tensor(_rand((out, shape[1], 3, 3), 2 * i + 1) * 0.1,
                     requires_grad=True)
        b = T.tensor(_rand((out,), 9), requires_grad=True)

        def conv(x=x, w=w, b=b):
            F.conv2d(x, w, b, padding=1).sum().backward()
            x.grad = w.grad = b.grad = None
        steps.append((f"conv2d {list(shape)} -> {out} 3x3 pad 1", conv))
    for shape in W3_POOLS:
        shape = (n,) + shape[1:]
        x = T.tensor(_rand(shape, 5), requires_grad=True)

        def pool(x=x):
            F.max_pool2d(x, 2).sum().backward()
            x.grad = None
        steps.append((f"max_pool2d {list(shape)} 2", pool))
    return steps


def bench_layers(rounds, reps, smoke=False):
    import torch

    import pytensor
    rows = []
    for (label, ours), (_, theirs) in zip(_layer_steps(pytensor, smoke),
                                          _layer_steps(torch, smoke)):
        tp, tt, ratio, lo, hi = interleave(ours, theirs, rounds, reps)
        rows.append(dict(layer=label, pytensor_ms=tp * 1e3,
                         torch_ms=tt * 1e3, ratio=ratio, ratio_min=lo,
                         ratio_max=hi))
    return rows


def bench_w3(rounds, reps, smoke=False):
    import torch

    import pytensor
    from tests.benchmarks import workloads
    a = workloads.w3(pytensor, 0, "cpu")
    b = workloads.w3(torch, 0, "cpu")
    la, lb = a.step(), b.step()
    if not np.isclose(la, lb, rtol=2e-3, atol=1e-4):
        raise AssertionError(f"W3: first losses differ: {la} vs {lb}")
    if smoke:
        return [dict(workload="W3", smoke=True)]
    tp, tt, ratio, lo, hi = interleave(a.step, b.step, rounds, reps)
    return [dict(workload="W3", pytensor_ms=tp * 1e3, torch_ms=tt * 1e3,
                 ratio=ratio, ratio_min=lo, ratio_max=hi)]


def markdown(kernel_rows, layer_rows=(), w3_rows=()):
    out = ["| kernel (float32) | NumPy composition | compiled | speedup "
           "(range) |", "|---|---|---|---|"]
    for r in kernel_rows:
        out.append(f"| {r['kernel']} | {r['numpy_ms']:.3f} ms | "
                   f"{r['kernel_ms']:.3f} ms | {r['speedup']:.2f}x "
                   f"({r['speedup_min']:.2f}-{r['speedup_max']:.2f}) |")
    rows = [r for r in list(layer_rows) + list(w3_rows) if "ratio" in r]
    if rows:
        out += ["", "| forward + backward | pytensor | torch 2.13 | ratio "
                "(range) |", "|---|---|---|---|"]
        for r in rows:
            name = r.get("layer") or f"{r['workload']} training step"
            out.append(f"| {name} | {r['pytensor_ms']:.2f} ms | "
                       f"{r['torch_ms']:.2f} ms | {r['ratio']:.2f} "
                       f"({r['ratio_min']:.2f}-{r['ratio_max']:.2f}) |")
    return "\n".join(out)


def _set_threads(threads):
    try:
        import torch
        torch.set_num_threads(threads)
    except ImportError:
        pass
    try:
        import threadpoolctl
        threadpoolctl.threadpool_limits(threads)
    except ImportError:
        pass


def run(smoke=False, rounds=None, with_torch=True, threads=None):
    rounds = rounds or (1 if smoke else 11)
    reps = 1 if smoke else 3
    _set_threads(threads or os.cpu_count() or 1)
    if with_torch:
        try:
            import torch  # noqa: F401
        except ImportError:
            with_torch = False
    kernel_rows = bench_kernels(rounds, reps, smoke)
    layer_rows = bench_layers(rounds, reps, smoke) if with_torch else []
    w3_rows = bench_w3(rounds, reps, smoke) if with_torch else []
    return kernel_rows, layer_rows, w3_rows


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m "
                                     "tests.benchmarks.bench_conv")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--threads", type=int,
                        help="threads for PyTorch, BLAS and OpenMP "
                        "(default: all cores)")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    if "im2col" not in cpu.COMPILED:
        print("the compiled conv kernels are not built "
              "(python setup.py build_ext --inplace)", file=sys.stderr)
        return 1
    rows = run(args.smoke, args.rounds, not args.no_torch, args.threads)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(markdown(*rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(zip(("kernels", "layers", "w3"), rows)), f,
                      indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
