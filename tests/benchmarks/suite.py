"""The benchmark suite: pytensor against PyTorch 2.13 on W1-W7.

Run it (from the repository root)::

    python -m tests.benchmarks.suite                  # full: table + JSON
    python -m tests.benchmarks.suite --only W1,W2     # some workloads
    python -m tests.benchmarks.suite --smoke          # a few iterations
    python -m tests.benchmarks.suite --device cuda    # GPU (W2, W3, W7)

Method (``shared/BENCHMARKS.md``): both frameworks get the same inputs and
initial weights and their first losses must agree before anything is
timed; both are warmed up, then timed in interleaved rounds (A B A B ...)
so that drifts of the shared machine hit both; the reported ratio is the
median of the per-round ratios ``pytensor / torch`` (below 1 is faster), with
its spread.  Both use every core.  Peak RSS and import time come from fresh
processes.  Nothing here asserts a time.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

from tests.benchmarks import workloads as W

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

TARGETS = {"W1": 0.6, "W1t": 0.6, "W2": 0.9, "W3": 1.0, "W4": 1.0,
           "W5": 0.5, "W7": 1.0}


def _frameworks():
    import torch
    import pytensor
    n = os.cpu_count() or 1
    torch.set_num_threads(n)
    return pytensor, torch


def _time_steps(step, iters):
    t = time.perf_counter()
    for _ in range(iters):
        step()
    return (time.perf_counter() - t) / iters


def _iters_for(step, budget):
    t = time.perf_counter()
    step()
    dt = max(time.perf_counter() - t, 1e-6)
    return max(1, min(1000, int(budget / dt)))


def compare(name, pt, torch, device="cpu", rounds=7, budget=0.25, smoke=False):
    """Time workload ``name`` in both frameworks; returns a result dict."""
    build = W.WORKLOADS[name]
    a = build(pt, 0, device)
    b = build(torch, 0, device)
    la, lb = a.step(), b.step()
    agree = la is None or lb is None or bool(
        np.isclose(la, lb, rtol=2e-3, atol=1e-4))
    if not agree:
        raise AssertionError(
            f"{name}: first losses differ: pytensor {la!r} vs torch {lb!r}")
    if smoke:
        a.step()
        b.step()
        return dict(workload=name, smoke=True, first_loss=(la, lb))
    for _ in range(2):                   # warm up (allocators, caches)
        a.step()
        b.step()
    ia = _iters_for(a.step, budget)
    ib = _iters_for(b.step, budget)
    ta, tb, ratios = [], [], []
    for _ in range(rounds):
        x = _time_steps(a.step, ia)
        y = _time_steps(b.step, ib)
        ta.append(x)
        tb.append(y)
        ratios.append(x / y)
    res = dict(workload=name, device=device,
               pytensor_ms=1e3 * statistics.median(ta),
               torch_ms=1e3 * statistics.median(tb),
               ratio=statistics.median(ratios),
               ratio_min=min(ratios), ratio_max=max(ratios),
               first_loss=(la, lb), target=TARGETS.get(name))
    if a.flops:
        res["pytensor_gflops"] = a.flops / statistics.median(ta) / 1e9
        res["torch_gflops"] = a.flops / statistics.median(tb) / 1e9
    return res


def gemm_vs_numpy(pt, device="cpu", rounds=7, n=2048, smoke=False):
    """W6: pytensor GEMM against NumPy's BLAS (the practical limit)."""
    if smoke:
        n = 256
    a = W.w6(pt, 0, device, n=n)
    b = W.w6_numpy(0, n=n)
    a.step(), b.step()
    if smoke:
        return dict(workload="W6", smoke=True)
    ta, tb, ratios = [], [], []
    for _ in range(rounds):
        x = _time_steps(a.step, 3)
        y = _time_steps(b.step, 3)
        ta.append(x)
        tb.append(y)
        ratios.append(y / x)
    return dict(workload="W6", device=device, n=n,
                pytensor_gflops=a.flops / statistics.median(ta) / 1e9,
                numpy_gflops=b.flops / statistics.median(tb) / 1e9,
                fraction_of_numpy=statistics.median(ratios),
                target=0.95)


def tape_overhead(pt, rounds=7, smoke=False):
    """W1 with tape recording (with source lines) against recording off."""
    from pytensor.debug import record
    w = W.w1(pt)
    w.step()
    if smoke:
        with record():
            w.step()
        return dict(workload="tape", smoke=True)
    ratios = []
    for _ in range(rounds):
        off = _time_steps(w.step, 20)
        with record(source=True):
            on = _time_steps(w.step, 20)
            pt.autograd.tape.tape.clear()
        ratios.append(on / off)
    return dict(workload="tape", overhead=statistics.median(ratios) - 1,
                ratio_min=min(ratios), ratio_max=max(ratios), target=0.15)


_RSS_SCRIPT = r"""
import resource, sys
sys.path.insert(0, {root!r})
import numpy as np
fw = {fw!r}
if fw == "torch":
    import torch as T
else:
    import pytensor as T
from tests.benchmarks import workloads as W
w = W.WORKLOADS[{name!r}](T, 0, "cpu")
for _ in range({steps}):
    w.step()
# VmHWM: this process's peak.  (ru_maxrss is not: Linux carries the
# parent's peak across fork and exec, so a child of a big suite process
# would report the suite's size.)
try:
    with open("/proc/self/status") as f:
        kb = next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
except (OSError, StopIteration):
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(kb)
"""


def peak_rss(name, steps=5):
    """Peak RSS (MiB) of a fresh process importing each framework and
    running ``steps`` iterations of the workload."""
    out = {}
    for fw in ("pytensor", "torch"):
        code = _RSS_SCRIPT.format(root=ROOT, fw=fw, name=name, steps=steps)
        r = subprocess.run([sys.executable, "-c", code], capture_output=True,
                           text=True, cwd=ROOT, timeout=600)
        if r.returncode != 0:
            raise RuntimeError(f"peak_rss {fw} {name}: {r.stderr[-2000:]}")
        out[fw] = int(r.stdout.strip().splitlines()[-1]) / 1024
    return dict(workload=f"{name} RSS", pytensor_mib=out["pytensor"],
                torch_mib=out["torch"], ratio=out["pytensor"] / out["torch"],
                target=0.5)


def import_time(repeats=5):
    """Median wall time of ``import pytensor`` and ``import torch`` in fresh
    processes (interleaved)."""
    code = ("import time; t = time.perf_counter(); import {m}; "
            "print(time.perf_counter() - t)")
    times = {"pytensor": [], "torch": []}
    for _ in range(repeats):
        for m in times:
            r = subprocess.run([sys.executable, "-c", code.format(m=m)],
                               capture_output=True, text=True, cwd=ROOT,
                               timeout=120)
            times[m].append(float(r.stdout.strip()))
    a = statistics.median(times["pytensor"])
    b = statistics.median(times["torch"])
    return dict(workload="import", pytensor_ms=a * 1e3, torch_ms=b * 1e3,
                ratio=a / b, target=1 / 3)


def run(only=None, smoke=False, device="cpu", rounds=7, rss=True,
        out_json=None, out_md=None, verbose=True):
    """Run the suite; returns the list of result dicts."""
    pt, torch = _frameworks()
    names = only or (["W1", "W1t", "W2", "W3", "W4", "W5", "W6", "W7"]
                     if device == "cpu" else ["W2", "W3", "W7"])
    results = []
    for name in names:
        if name == "tape":
            continue
        if name == "W6":
            r = gemm_vs_numpy(pt, device, rounds=rounds, smoke=smoke)
        else:
            r = compare(name, pt, torch, device, rounds=rounds, smoke=smoke)
        results.append(r)
        if verbose:
            print(_line(r), flush=True)
    if device == "cpu" and (only is None or "tape" in (only or ())):
        results.append(tape_overhead(pt, rounds=rounds, smoke=smoke))
    if not smoke and device == "cpu" and only is None:
        results.append(import_time())
        if rss:
            for name in ("W2", "W3"):
                results.append(peak_rss(name))
    if verbose and not smoke:
        print()
        print(markdown(results))
    meta = dict(machine=platform.machine(), processor=platform.processor(),
                cpus=os.cpu_count(), python=platform.python_version(),
                numpy=np.__version__, torch=torch.__version__,
                pytensor=pt.__version__, device=device,
                card=_card(pt) if device != "cpu" else None,
                when=time.strftime("%Y-%m-%d %H:%M"))
    if out_json:
        with open(out_json, "w") as f:
            json.dump(dict(meta=meta, results=results), f, indent=1,
                      default=float)
    if out_md:
        with open(out_md, "w") as f:
            f.write(markdown(results, meta))
    return results


def _card(pt):
    try:
        return pt.cuda.get_device_name()
    except Exception:
        return None


def _line(r):
    if r.get("smoke"):
        return f"{r['workload']}: ok (smoke)"
    if "ratio" in r and "pytensor_ms" in r:
        return (f"{r['workload']}: pytensor {r['pytensor_ms']:.3f} ms, torch "
                f"{r['torch_ms']:.3f} ms, ratio {r['ratio']:.2f}")
    return f"{r['workload']}: {r}"


def markdown(results, meta=None):
    lines = []
    if meta:
        lines.append(f"Machine: {meta['cpus']} CPUs ({meta['machine']}), "
                     f"Python {meta['python']}, NumPy {meta['numpy']}, "
                     f"torch {meta['torch']}, device {meta['device']}"
                     + (f" ({meta['card']})" if meta.get('card') else "")
                     + f", {meta['when']}.")
        lines.append("")
    lines.append("| workload | pytensor | torch | ratio (spread) | target | "
                 "met |")
    lines.append("|---|---|---|---|---|---|")
    for r in results:
        if r.get("smoke"):
            continue
        w = r["workload"]
        if w == "W6":
            ok = r["fraction_of_numpy"] >= r["target"]
            lines.append(
                f"| W6 GEMM {r['n']}^3 | {r['pytensor_gflops']:.1f} GFLOP/s |"
                f" NumPy {r['numpy_gflops']:.1f} GFLOP/s | "
                f"{r['fraction_of_numpy']:.0%} of NumPy | >= 95% | "
                f"{'yes' if ok else 'no'} |")
        elif w == "tape":
            ok = r["overhead"] <= r["target"]
            lines.append(
                f"| tape recording on W1 | +{r['overhead']:.0%} | - | "
                f"({r['ratio_min']:.2f}-{r['ratio_max']:.2f}) | <= 15% | "
                f"{'yes' if ok else 'no'} |")
        elif w == "import":
            ok = r["ratio"] <= r["target"]
            lines.append(
                f"| import | {r['pytensor_ms']:.0f} ms | "
                f"{r['torch_ms']:.0f} ms | {r['ratio']:.2f} | <= 0.33 | "
                f"{'yes' if ok else 'no'} |")
        elif w.endswith("RSS"):
            ok = r["ratio"] <= r["target"]
            lines.append(
                f"| {w} | {r['pytensor_mib']:.0f} MiB | {r['torch_mib']:.0f} "
                f"MiB | {r['ratio']:.2f} | <= 0.5 | {'yes' if ok else 'no'} |")
        else:
            tgt = r.get("target")
            ok = tgt is not None and r["ratio"] <= tgt
            lines.append(
                f"| {w} | {r['pytensor_ms']:.3f} ms | {r['torch_ms']:.3f} ms |"
                f" {r['ratio']:.2f} "
                f"({r['ratio_min']:.2f}-{r['ratio_max']:.2f})"
                f" | <= {tgt} | {'yes' if ok else 'no'} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", help="comma-separated workloads (W1,W2,...)")
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--device", default="cpu")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--no-rss", action="store_true")
    p.add_argument("--json", default=os.path.join(ROOT, "bench-results",
                                                  "latest.json"))
    p.add_argument("--md", default=os.path.join(ROOT, "bench-results",
                                                "latest.md"))
    a = p.parse_args(argv)
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    run(only=a.only.split(",") if a.only else None, smoke=a.smoke,
        device=a.device, rounds=a.rounds, rss=not a.no_rss, out_json=a.json,
        out_md=a.md)


if __name__ == "__main__":
    main()
