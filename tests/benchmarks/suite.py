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
its spread.  Both use every core.  Each framework runs in a process of its
own (:mod:`tests.benchmarks._worker`), imported first as in a user's
script, with a pause between rounds so that neither pays for the other's
idle threads (why: there).  Peak RSS and import time come from fresh
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


# Idle time between two frameworks' rounds: long enough for the threads of
# the one that just ran to stop spinning (OpenBLAS's default spin is 2**28
# cycles, about 0.1 s) so that they do not run into the other's round.
PAUSE = 0.25


def time_steps(step, iters):
    """Seconds per call of ``step`` over ``iters`` calls."""
    t = time.perf_counter()
    for _ in range(iters):
        step()
    return (time.perf_counter() - t) / iters


def iters_for(step, budget):
    """Calls of ``step`` that fill about ``budget`` seconds (1 to 1000)."""
    t = time.perf_counter()
    step()
    dt = max(time.perf_counter() - t, 1e-6)
    return max(1, min(1000, int(budget / dt)))


class Worker:
    """One framework in a process of its own (:mod:`_worker`), driven by
    JSON lines."""

    def __init__(self, fw, device="cpu"):
        self.fw = fw
        env = dict(os.environ)
        # Each framework gets the environment it would get alone: not the
        # thread settings an ``import pytensor`` in this process made.
        tuned = sys.modules.get("pytensor._threads")
        for name in (tuned.applied() if tuned else ()):
            env.pop(name, None)
        env["PYTHONPATH"] = os.pathsep.join(
            [ROOT] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep)
                      if p])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks._worker", fw, device],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, env=env,
            text=True)
        ready = self._read()
        self.version = ready["version"]
        self.threads = ready.get("threads")

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker {self.fw} exited "
                               f"(code {self.proc.wait()}); see stderr")
        msg = json.loads(line)
        if "error" in msg:
            raise RuntimeError(f"benchmark worker {self.fw}:\n"
                               f"{msg['error']}")
        return msg

    def ask(self, cmd, **kw):
        self.proc.stdin.write(json.dumps(dict(cmd=cmd, **kw)) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps(dict(cmd="quit")) + "\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()


def compare(name, pt, torch, device="cpu", rounds=7, budget=0.25,
            smoke=False):
    """Time workload ``name`` in both frameworks' workers (``pt``,
    ``torch``: :class:`Worker`); returns a result dict."""
    built = pt.ask("build", name=name)
    la = built["loss"]
    lb = torch.ask("build", name=name)["loss"]
    agree = la is None or lb is None or bool(
        np.isclose(la, lb, rtol=2e-3, atol=1e-4))
    if not agree:
        raise AssertionError(
            f"{name}: first losses differ: pytensor {la!r} vs torch {lb!r}")
    if smoke:
        pt.ask("steps", n=1)
        torch.ask("steps", n=1)
        return dict(workload=name, smoke=True, first_loss=(la, lb))
    for w in (pt, torch):               # warm up (allocators, caches)
        w.ask("steps", n=2)
    ia = pt.ask("iters", budget=budget)["n"]
    ib = torch.ask("iters", budget=budget)["n"]
    ta, tb, ratios = [], [], []
    for _ in range(rounds):
        # After the pause, one untimed step: the first step after an idle
        # spell runs cold (W3: 3-4 ms slower), whichever the framework.
        time.sleep(PAUSE)
        pt.ask("steps", n=1)
        x = pt.ask("steps", n=ia)["t"]
        time.sleep(PAUSE)
        torch.ask("steps", n=1)
        y = torch.ask("steps", n=ib)["t"]
        ta.append(x)
        tb.append(y)
        ratios.append(x / y)
    res = dict(workload=name, device=device,
               pytensor_ms=1e3 * statistics.median(ta),
               torch_ms=1e3 * statistics.median(tb),
               ratio=statistics.median(ratios),
               ratio_min=min(ratios), ratio_max=max(ratios),
               first_loss=(la, lb), target=TARGETS.get(name))
    flops = built.get("flops")
    if flops:
        res["pytensor_gflops"] = flops / statistics.median(ta) / 1e9
        res["torch_gflops"] = flops / statistics.median(tb) / 1e9
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
        x = time_steps(a.step, 3)
        y = time_steps(b.step, 3)
        ta.append(x)
        tb.append(y)
        ratios.append(y / x)
    return dict(workload="W6", device=device, n=n,
                pytensor_gflops=a.flops / statistics.median(ta) / 1e9,
                numpy_gflops=b.flops / statistics.median(tb) / 1e9,
                fraction_of_numpy=statistics.median(ratios),
                target=0.95)


def tape_overhead(pt, rounds=7, smoke=False):
    """W1 with tape recording (with source lines) against recording off:
    single steps in ``40 * rounds`` pairs whose order flips every pair
    (:func:`bench_tape_recording.paired_on_off`); the median of the paired
    ratios, the quartiles as the spread."""
    from tests.benchmarks.bench_tape_recording import paired_on_off
    w = W.w1(pt)
    w.step()
    if smoke:
        paired_on_off(w.step, 1, warmup=0)
        return dict(workload="tape", smoke=True)
    ratios = paired_on_off(w.step, 40 * rounds)[2]
    q = statistics.quantiles(ratios, n=4)
    return dict(workload="tape", overhead=statistics.median(ratios) - 1,
                ratio_min=q[0], ratio_max=q[2], target=0.15)


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
    names = only or (["W1", "W1t", "W2", "W3", "W4", "W5", "W6", "W7"]
                     if device == "cpu" else ["W2", "W3", "W7"])
    results = []
    pt = Worker("pytensor", device)
    torch = Worker("torch", device) if any(
        n not in ("W6", "tape") for n in names) else None
    try:
        for name in names:
            if name == "tape":
                continue
            if name == "W6":
                r = pt.ask("call", fn="gemm_vs_numpy", args=[device],
                           kwargs=dict(rounds=rounds, smoke=smoke))["value"]
            else:
                r = compare(name, pt, torch, device, rounds=rounds,
                            smoke=smoke)
            results.append(r)
            if verbose:
                print(_line(r), flush=True)
        if device == "cpu" and (only is None or "tape" in (only or ())):
            results.append(pt.ask("call", fn="tape_overhead", kwargs=dict(
                rounds=rounds, smoke=smoke))["value"])
        card = pt.ask("call", fn="_card")["value"] if device != "cpu" \
            else None
    finally:
        for w in (pt, torch):
            if w is not None:
                w.close()
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
                numpy=np.__version__,
                torch=torch.version if torch is not None else None,
                pytensor=pt.version, pytensor_threads=pt.threads,
                device=device, card=card,
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
                f"(quartiles {r['ratio_min']:.2f}-{r['ratio_max']:.2f}) | "
                f"<= 15% | "
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
