"""What the allocator tuning of ``pytensor/_malloc.py`` is worth.

    python -m tests.benchmarks.bench_malloc [--workload W3] [--rounds 5]
                                            [--steps 20] [--smoke]

Two worker processes run the same pytensor workload (W3, the CNN step, by
default): one as shipped (tuned at import), one with
``PYTENSOR_MALLOC_TUNING=0``.  The workers stay alive and are asked for
``--steps`` steps in turn (tuned, untuned, tuned, ...), so the machine's
drifts hit both; the table gives the median ms per step of each and the
median of the per-round ratios.  No torch in either process (torch would
gain from the same tuning).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

_WORKER = r"""
import sys, time
sys.path.insert(0, {root!r})
import pytensor
from tests.benchmarks import workloads as W
w = W.WORKLOADS[{name!r}](pytensor, 0, "cpu")
for _ in range(2):
    w.step()
print(pytensor._malloc.TUNED, flush=True)
for line in sys.stdin:
    n = int(line)
    t = time.perf_counter()
    for _ in range(n):
        w.step()
    print((time.perf_counter() - t) / n, flush=True)
"""


def _worker(name, tuned):
    env = dict(os.environ)
    if not tuned:
        env["PYTENSOR_MALLOC_TUNING"] = "0"
    p = subprocess.Popen([sys.executable, "-c",
                          _WORKER.format(root=ROOT, name=name)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True, env=env, cwd=ROOT)
    p.tuned = p.stdout.readline().strip() == "True"
    return p


def _ask(p, steps):
    p.stdin.write(f"{steps}\n")
    p.stdin.flush()
    return float(p.stdout.readline())


def run(name="W3", rounds=5, steps=20, smoke=False):
    """Returns a result dict (times in ms per step)."""
    if smoke:
        rounds, steps = 1, 1
    on, off = _worker(name, True), _worker(name, False)
    try:
        ta, tb, ratios = [], [], []
        for _ in range(rounds):
            a = _ask(on, steps)
            b = _ask(off, steps)
            ta.append(a)
            tb.append(b)
            ratios.append(a / b)
    finally:
        for p in (on, off):
            p.stdin.close()
            p.wait(timeout=60)
    return dict(workload=name, tuned_active=on.tuned,
                untuned_active=off.tuned,
                tuned_ms=1e3 * statistics.median(ta),
                untuned_ms=1e3 * statistics.median(tb),
                ratio=statistics.median(ratios), ratio_min=min(ratios),
                ratio_max=max(ratios))


def markdown(r):
    return ("| workload | tuned (default) | PYTENSOR_MALLOC_TUNING=0 | "
            "ratio (range) |\n|---|---|---|---|\n"
            f"| {r['workload']} step | {r['tuned_ms']:.1f} ms | "
            f"{r['untuned_ms']:.1f} ms | {r['ratio']:.2f} "
            f"({r['ratio_min']:.2f}-{r['ratio_max']:.2f}) |")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m tests.benchmarks."
                                      "bench_malloc")
    ap.add_argument("--workload", default="W3")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    r = run(a.workload, a.rounds, a.steps, a.smoke)
    print(markdown(r))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(r, f, indent=1)


if __name__ == "__main__":
    main()
