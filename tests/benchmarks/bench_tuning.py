"""What pytensor's import-time tunings are worth: glibc's allocator
(``pytensor/_malloc.py``) or the idle policy of the thread pools
(``pytensor/_threads.py``).

    python -m tests.benchmarks.bench_tuning [--setting malloc|threads]
        [--workload W3] [--rounds 5] [--steps 20] [--smoke]

Two worker processes run the same pytensor workload (W3, the CNN step, by
default): one as shipped (tuned at import), one with
``PYTENSOR_MALLOC_TUNING=0`` or ``PYTENSOR_THREAD_TUNING=0``.  The workers
stay alive and are asked for ``--steps`` steps in turn (tuned, untuned,
tuned, ...), so the machine's drifts hit both; before each round a pause
lets the other worker's idle threads stop spinning (they would take this
round's cores, which is what ``threads`` measures) and one untimed step
warms the worker up again.  The table gives the median ms per step of each
and the median of the per-round ratios.  No torch in either process (it
would gain from the same tunings).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

# setting -> (opt-out variable, expression true in a worker where it is on)
SETTINGS = {
    "malloc": ("PYTENSOR_MALLOC_TUNING", "pytensor._malloc.TUNED"),
    "threads": ("PYTENSOR_THREAD_TUNING",
                "'set' in [h for _, h in pytensor._threads.status()"
                ".values()]"),
}
PAUSE = 0.25

_WORKER = r"""
import sys, time
sys.path.insert(0, {root!r})
import pytensor
from tests.benchmarks import workloads as W
w = W.WORKLOADS[{name!r}](pytensor, 0, "cpu")
for _ in range(2):
    w.step()
print({active}, flush=True)
for line in sys.stdin:
    n = int(line)
    w.step()                    # untimed: the first step after a pause
    t = time.perf_counter()
    for _ in range(n):
        w.step()
    print((time.perf_counter() - t) / n, flush=True)
"""


def _worker(name, setting, tuned):
    var, active = SETTINGS[setting]
    env = dict(os.environ)
    for v, _ in SETTINGS.values():
        env.pop(v, None)
    if not tuned:
        env[var] = "0"
    p = subprocess.Popen([sys.executable, "-c",
                          _WORKER.format(root=ROOT, name=name,
                                         active=active)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True, env=env, cwd=ROOT)
    p.tuned = p.stdout.readline().strip() == "True"
    return p


def _ask(p, steps, pause):
    time.sleep(pause)
    p.stdin.write(f"{steps}\n")
    p.stdin.flush()
    return float(p.stdout.readline())


def run(name="W3", rounds=5, steps=20, smoke=False, setting="malloc"):
    """Returns a result dict (times in ms per step)."""
    pause = PAUSE
    if smoke:
        rounds, steps, pause = 1, 1, 0
    on, off = _worker(name, setting, True), _worker(name, setting, False)
    try:
        ta, tb, ratios = [], [], []
        for _ in range(rounds):
            a = _ask(on, steps, pause)
            b = _ask(off, steps, pause)
            ta.append(a)
            tb.append(b)
            ratios.append(a / b)
    finally:
        for p in (on, off):
            p.stdin.close()
            p.wait(timeout=60)
    return dict(workload=name, setting=setting, tuned_active=on.tuned,
                untuned_active=off.tuned,
                tuned_ms=1e3 * statistics.median(ta),
                untuned_ms=1e3 * statistics.median(tb),
                ratio=statistics.median(ratios), ratio_min=min(ratios),
                ratio_max=max(ratios))


def markdown(r):
    var = SETTINGS[r["setting"]][0]
    return (f"| workload | tuned (default) | {var}=0 | ratio (range) |\n"
            "|---|---|---|---|\n"
            f"| {r['workload']} step | {r['tuned_ms']:.1f} ms | "
            f"{r['untuned_ms']:.1f} ms | {r['ratio']:.2f} "
            f"({r['ratio_min']:.2f}-{r['ratio_max']:.2f}) |")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m tests.benchmarks."
                                      "bench_tuning")
    ap.add_argument("--setting", choices=sorted(SETTINGS), default="malloc")
    ap.add_argument("--workload", default="W3")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    r = run(a.workload, a.rounds, a.steps, a.smoke, a.setting)
    print(markdown(r))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(r, f, indent=1)


if __name__ == "__main__":
    main()
