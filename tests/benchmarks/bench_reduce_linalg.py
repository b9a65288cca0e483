"""Benchmarks for the reduction and linear-algebra ops (run by hand:
``python -m tests.benchmarks.bench_reduce_linalg``; for stable numbers on a
shared machine set ``OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1``: times are
process CPU time, best of several rounds).

Compares pytensor's einsum (pairwise batched-matmul contraction) with
``numpy.einsum`` (default and ``optimize=True``) and PyTorch, and times a
few reductions forward+backward against PyTorch (CPU, float32).
"""
import time
import timeit

import numpy as np

import pytensor


def _best(fn, number):
    t = timeit.Timer(fn, timer=time.process_time)
    return min(t.repeat(number=number, repeat=7)) / number * 1e6


def bench_einsum():
    import torch
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    cases = [
        ("ij,jk->ik", [(256, 256), (256, 256)]),
        ("bij,bjk->bik", [(32, 64, 64), (32, 64, 64)]),
        ("bhqd,bhkd->bhqk", [(8, 8, 128, 64), (8, 8, 128, 64)]),
        ("bhqk,bhkd->bhqd", [(8, 8, 128, 128), (8, 8, 128, 64)]),
        ("ij,jk,kl->il", [(64, 128), (128, 256), (256, 32)]),
        ("ii->i", [(512, 512)]),
    ]
    print(f"{'einsum':24s} {'pytensor':>10s} {'np':>10s} {'np opt':>10s} "
          f"{'torch':>10s}   (us)")
    for eq, shapes in cases:
        arrs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        pts = [pytensor.from_numpy(a) for a in arrs]
        ths = [torch.from_numpy(a) for a in arrs]
        n = 5
        t_pt = _best(lambda: pytensor.einsum(eq, *pts), n)
        t_np = _best(lambda: np.einsum(eq, *arrs), n)
        t_npo = _best(lambda: np.einsum(eq, *arrs, optimize=True), n)
        t_th = _best(lambda: torch.einsum(eq, *ths), n)
        print(f"{eq:24s} {t_pt:10.0f} {t_np:10.0f} {t_npo:10.0f} "
              f"{t_th:10.0f}")


def bench_reductions():
    import torch
    rng = np.random.default_rng(0)
    a = rng.standard_normal((512, 1024)).astype(np.float32)
    ops = [
        ("sum(1)", lambda x: x.sum(1)), ("max(1).values",
                                         lambda x: x.max(1).values),
        ("amax(1)", lambda x: x.amax(1)), ("var(1)", lambda x: x.var(1)),
        ("logsumexp(1)", lambda x: x.logsumexp(1)),
        ("norm(dim=1)", lambda x: x.norm(dim=1)),
        ("prod(1)", lambda x: (x * 0.01 + 1).prod(1)),
        ("cumsum(1)", lambda x: x.cumsum(1)),
        ("sort(1).values", lambda x: x.sort(1).values),
        ("topk(5).values", lambda x: x.topk(5).values),
        ("median(1).values", lambda x: x.median(1).values),
    ]
    print(f"\n{'fwd+bwd [512x1024]':24s} {'pytensor':>10s} {'torch':>10s}"
          "   (us)")
    for name, f in ops:
        def run_pt():
            x = pytensor.from_numpy(a).requires_grad_()
            f(x).sum().backward()

        def run_th():
            x = torch.from_numpy(a).requires_grad_()
            f(x).sum().backward()
        print(f"{name:24s} {_best(run_pt, 3):10.0f} {_best(run_th, 3):10.0f}")


if __name__ == "__main__":
    bench_einsum()
    bench_reductions()
