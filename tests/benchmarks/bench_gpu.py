"""GPU benchmarks of pytensor (CuPy storage) on the machine's first GPU.

Run on the GPU machine from the checkout root::

    python tests/benchmarks/bench_gpu.py            # ~1-2 minutes
    python tests/benchmarks/bench_gpu.py --quick    # a few seconds per row
    python tests/benchmarks/bench_gpu.py --json out.json

It prints the card and versions, then a table:

- GEMM: GFLOP/s of ``a @ b`` in pytensor against ``cupy.matmul`` on the same
  arrays (cuBLAS is the practical limit; the ratio shows pytensor's
  overhead), float32 / float16 / float64;
- elementwise: GB/s of ``x * y + z`` against the same expression in CuPy;
- small-op latency: microseconds per op of ``y = y * 1.0001 + 0.001`` on a
  16-element tensor, forward and backward, against raw CuPy forward only
  (the Python cost per op that a GPU cannot hide);
- the suite's workloads W1-W7 (``tests/benchmarks/workloads.py``) on
  ``cuda``: ms per training step in pytensor and, when torch has CUDA, in
  torch on the same GPU (a workload pytensor cannot run yet is listed with
  the reason);
- the cost of the exact peak-memory hook (a step with it on and off).

Each time is the median of interleaved rounds (pytensor, reference,
pytensor, ...), each round long enough to swamp timer resolution, with a
device synchronisation before the clock stops.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import pytensor  # noqa: E402


def _sync():
    pytensor.cuda.synchronize()


def _per_iter(fn, min_time):
    """Seconds per call of ``fn`` over a run of at least ``min_time``."""
    n = 1
    while True:
        _sync()
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        _sync()
        dt = time.perf_counter() - t0
        if dt >= min_time or n >= 1 << 16:
            return dt / n, n
        n = max(n * 2, int(n * min_time / max(dt, 1e-9)))


def compare(fns, rounds, min_time, warmup=2):
    """Median seconds per call of each function, in interleaved rounds."""
    for fn in fns:
        for _ in range(warmup):
            fn()
    _sync()
    times = [[] for _ in fns]
    iters = [None] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            if iters[i] is None:
                t, iters[i] = _per_iter(fn, min_time)
            else:
                _sync()
                t0 = time.perf_counter()
                for _ in range(iters[i]):
                    fn()
                _sync()
                t = (time.perf_counter() - t0) / iters[i]
            times[i].append(t)
    return [statistics.median(t) for t in times], [
        (min(t), max(t)) for t in times]


# ---------------------------------------------------------------------------
def bench_gemm(cp, sizes, rounds, min_time):
    rows = []
    for dtype in ("float32", "float16", "float64"):
        for n in sizes:
            rng = np.random.default_rng(0)
            a_np = rng.standard_normal((n, n)).astype(dtype)
            b_np = rng.standard_normal((n, n)).astype(dtype)
            a = pytensor.tensor(a_np, device="cuda")
            b = pytensor.tensor(b_np, device="cuda")
            ca, cb = a._data, b._data
            ok = np.allclose((a @ b).cpu().numpy()[:4, :4].astype(np.float64),
                             cp.matmul(ca, cb).get()[:4, :4].astype(
                                 np.float64), rtol=1e-2, atol=1e-2)
            (tp, tc), spread = compare([lambda: a @ b,
                                        lambda: cp.matmul(ca, cb)],
                                       rounds, min_time)
            flops = 2.0 * n ** 3
            rows.append(dict(
                bench=f"GEMM {n}^3 {dtype}", unit="GFLOP/s",
                pytensor=flops / tp / 1e9, reference=flops / tc / 1e9,
                ref_name="cupy.matmul", ratio=tp / tc, check=ok))
    return rows


def bench_elementwise(cp, n, rounds, min_time):
    rng = np.random.default_rng(1)
    xs = [pytensor.tensor(rng.standard_normal(n).astype(np.float32),
                          device="cuda") for _ in range(3)]
    x, y, z = xs
    cx, cy, cz = (t._data for t in xs)
    (tp, tc), _ = compare([lambda: x * y + z, lambda: cx * cy + cz],
                          rounds, min_time)
    moved = 5 * n * 4               # 3 reads + 1 temp write/read + 1 write
    return [dict(bench=f"x*y+z, {n:,} float32", unit="GB/s",
                 pytensor=moved / tp / 1e9, reference=moved / tc / 1e9,
                 ref_name="cupy", ratio=tp / tc, check=True)]


def bench_small_ops(cp, rounds, min_time):
    x = pytensor.ones(16, device="cuda", requires_grad=True)
    cx = cp.ones(16, dtype=cp.float32)

    def pt_step():
        y = x
        for _ in range(100):
            y = y * 1.0001 + 0.001
        y.sum().backward()
        x.grad = None

    def cp_step():
        y = cx
        for _ in range(100):
            y = y * 1.0001 + 0.001
        y.sum()
    (tp, tc), _ = compare([pt_step, cp_step], rounds, min_time)
    ops = 201
    return [dict(bench="small op, fwd+bwd (pytensor) vs fwd (cupy)",
                 unit="us/op", pytensor=tp / ops * 1e6,
                 reference=tc / ops * 1e6, ref_name="cupy fwd",
                 ratio=tp / tc, check=True, lower_is_better=True)]


def bench_workloads(names, rounds, min_time):
    from tests.benchmarks import workloads
    torch = None
    try:
        import torch as _torch
        if _torch.cuda.is_available():
            torch = _torch
    except ImportError:
        pass
    rows = []
    for name in names:
        build = workloads.WORKLOADS[name]
        try:
            w = build(pytensor, 0, "cuda")
            w.step()
        except Exception as e:          # an op or module not there yet
            rows.append(dict(bench=f"{name} step", unit="ms",
                             pytensor=None, reference=None,
                             ref_name="torch cuda", ratio=None, check=False,
                             note=f"{type(e).__name__}: {str(e)[:60]}"))
            continue
        fns = [w.step]
        if torch is not None:
            try:
                wt = build(torch, 0, "cuda")
                wt.step()
                fns.append(wt.step)
            except Exception:
                pass
        times, _ = compare(fns, rounds, min_time, warmup=2)
        tp = times[0]
        tr = times[1] if len(times) > 1 else None
        row = dict(bench=f"{name} step", unit="ms", pytensor=tp * 1e3,
                   reference=None if tr is None else tr * 1e3,
                   ref_name="torch cuda" if tr else "-",
                   ratio=None if tr is None else tp / tr, check=True,
                   lower_is_better=True, note=w.note)
        if w.flops:
            row["note"] = f"{w.flops / tp / 1e9:.0f} GFLOP/s"
        rows.append(row)
    return rows


def bench_lstm_seq(cp, rounds, min_time):
    """W4's LSTM layer (64 steps, batch 32, hidden 256, float32): the
    sequence kernels (one cuBLAS call and one step kernel per step) against
    the loop of products and cell kernels they replaced, forward+backward,
    with the results checked against each other."""
    from pytensor_ext import gpu, reference as ref
    from pytensor_ext.gpu import rnn
    T, B, H = 64, 32, 256
    rng = np.random.default_rng(2)
    A0 = cp.asarray(rng.standard_normal((T, B, 4 * H)), dtype=cp.float32)
    w = cp.asarray(rng.standard_normal((4 * H, H)) / 16, dtype=cp.float32)
    g_out = cp.asarray(rng.standard_normal((T, B, H)), dtype=cp.float32)
    bias = cp.asarray(rng.standard_normal(4 * H), dtype=cp.float32)

    def run(fwd, bwd):
        A = A0.copy()
        Hs = cp.zeros((T + 1, B, H), cp.float32)
        Cs = cp.zeros_like(Hs)
        fwd(A, Hs, Cs, w, bias)
        dh, dc = cp.zeros((B, H), cp.float32), cp.zeros((B, H), cp.float32)
        dG = cp.empty_like(A)
        bwd(A, Hs, Cs, w, g_out, dh, dc, dG)
        return Hs, dG, dh

    def kernels():
        return run(lambda *a: gpu.lstm_seq_fwd(*a),
                   lambda *a: gpu.lstm_seq_bwd(*a))

    def loop():
        return run(
            lambda *a: ref.lstm_seq_loop_fwd(*a, False, rnn.lstm_cell_fwd),
            lambda *a: ref.lstm_seq_loop_bwd(*a, False, rnn.lstm_cell_bwd))
    ok = all(bool(cp.allclose(x, y, rtol=1e-4, atol=1e-5))
             for x, y in zip(kernels(), loop()))
    (tk, tl), _ = compare([kernels, loop], rounds, min_time)
    return [dict(bench="LSTM layer fwd+bwd (W4 size): step kernels vs "
                 "cell loop", unit="ms", pytensor=tk * 1e3,
                 reference=tl * 1e3, ref_name="cell loop", ratio=tk / tl,
                 check=ok, lower_is_better=True)]


def bench_memory_hook(rounds, min_time):
    from pytensor import cuda
    x = pytensor.randn(64, 256, device="cuda", requires_grad=True)
    w = (pytensor.randn(256, 256, device="cuda") * 0.01).requires_grad_()

    def step():
        h = x
        for _ in range(8):
            h = (h @ w).exp() * 0.1
        h.sum().backward()
        x.grad = w.grad = None

    def with_hook():
        step()

    def without_hook():
        prev = cuda._set_memory_hook(False)
        try:
            step()
        finally:
            cuda._set_memory_hook(prev)
    (ton, toff), _ = compare([with_hook, without_hook], rounds, min_time)
    return [dict(bench="peak-memory hook (8-layer step)", unit="ms",
                 pytensor=ton * 1e3, reference=toff * 1e3,
                 ref_name="hook off", ratio=ton / toff, check=True,
                 lower_is_better=True)]


# ---------------------------------------------------------------------------
def header(cp):
    props = pytensor.cuda.get_device_properties()
    lines = [
        f"card:     {props.name} (compute capability {props.major}."
        f"{props.minor}, {props.total_memory / 2 ** 30:.1f} GiB, "
        f"{props.multi_processor_count} SMs)",
        f"software: pytensor {pytensor.__version__}, CuPy {cp.__version__}, "
        f"CUDA runtime {cp.cuda.runtime.runtimeGetVersion()}, driver "
        f"{cp.cuda.runtime.driverGetVersion()}, Python "
        f"{platform.python_version()}, NumPy {np.__version__}",
    ]
    try:
        import torch
        lines.append(f"torch:    {torch.__version__} (CUDA "
                     f"{'yes' if torch.cuda.is_available() else 'no'})")
    except ImportError:
        lines.append("torch:    not installed")
    return lines


def _fmt(v, unit):
    if v is None:
        return "-"
    return f"{v:,.1f}" if unit != "us/op" else f"{v:.2f}"


def table(rows):
    out = ["| benchmark | unit | pytensor | reference | ref | ratio* | "
           "note |", "|---|---|---:|---:|---|---:|---|"]
    for r in rows:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}"
        note = r.get("note", "") or ""
        if not r.get("check", True) and "note" not in r:
            note = "RESULTS DIFFER"
        out.append(f"| {r['bench']} | {r['unit']} | "
                   f"{_fmt(r['pytensor'], r['unit'])} | "
                   f"{_fmt(r['reference'], r['unit'])} | {r['ref_name']} | "
                   f"{ratio} | {note} |")
    out.append("")
    out.append("*ratio = pytensor time / reference time (below 1: pytensor "
               "faster).")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="short rounds, small sizes")
    ap.add_argument("--json", help="also write the rows to this file")
    ap.add_argument("--workloads", default="W1,W1t,W2,W3,W4,W5,W6,W7",
                    help="comma-separated suite workloads ('' for none)")
    args = ap.parse_args(argv)
    if not pytensor.cuda.is_available():
        from pytensor import backend
        print(f"no CUDA device: {backend.unavailable_reason()}")
        return 2
    import cupy as cp
    for line in header(cp):
        print(line)
    rounds, min_time = (3, 0.05) if args.quick else (5, 0.2)
    sizes = (1024, 2048) if args.quick else (1024, 2048, 4096)
    rows = []
    t0 = time.perf_counter()
    rows += bench_gemm(cp, sizes, rounds, min_time)
    rows += bench_elementwise(cp, 1 << 22 if args.quick else 1 << 25,
                              rounds, min_time)
    rows += bench_small_ops(cp, rounds, min_time)
    rows += bench_lstm_seq(cp, rounds, min_time)
    names = [n for n in args.workloads.split(",") if n]
    rows += bench_workloads(names, rounds, min_time)
    rows += bench_memory_hook(rounds, min_time)
    print()
    print(table(rows))
    print(f"\n({time.perf_counter() - t0:.0f} s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(header=header(cp), rows=rows), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
