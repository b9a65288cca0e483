"""Cost of tape recording with source lines on the small-op workload.

The workload (W1 of ``shared/BENCHMARKS.md``): 200 iterations of
``y = y * 1.0001 + 0.001`` on a (16,) tensor, then ``.sum().backward()``.
The script reports ``time(recording with source lines) / time(off)``.

Usage::

    python tests/benchmarks/bench_tape_recording.py            # timing
    python tests/benchmarks/bench_tape_recording.py --rounds 400
    python tests/benchmarks/bench_tape_recording.py --instructions

Timing: off and on runs alternate (the order flips every round), and the
ratio is given as the median of the per-round ratios and as the ratio of
the fastest runs; on a shared machine the two differ, and the median is the
one to trust.  ``--instructions`` counts executed instructions with
valgrind's callgrind (when installed): it does not depend on the machine's
load, which makes it the stable figure for comparisons over time.
Nothing here asserts; see ``docs/repl.md`` ("Cost").
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)


def workload(pytensor):
    x = pytensor.ones(16, requires_grad=True)

    def step():
        y = x
        for _ in range(200):
            y = y * 1.0001 + 0.001
        y.sum().backward()
        x.grad = None
    return step


def paired_on_off(step, pairs, warmup=10):
    """``(offs, ons, ratios)``: ``step`` timed with recording (and source
    lines) off and on, in ``pairs`` pairs whose order flips every pair, so
    a drift of the shared machine hits both sides alike."""
    from pytensor.autograd.tape import tape

    def run(on):
        if on:
            tape.source = True
            tape.start()
        t0 = time.perf_counter()
        step()
        dt = time.perf_counter() - t0
        if on:
            tape.stop()
            if len(tape.rows) > 20000:
                tape.clear()
        return dt
    for _ in range(warmup):
        run(False)
        run(True)
    offs, ons, ratios = [], [], []
    for i in range(pairs):
        if i % 2:
            a = run(False)
            b = run(True)
        else:
            b = run(True)
            a = run(False)
        offs.append(a)
        ons.append(b)
        ratios.append(b / a)
    tape.clear()
    return offs, ons, ratios


def timing(rounds):
    import pytensor
    from pytensor import _compiled
    offs, ons, ratios = paired_on_off(workload(pytensor), rounds)
    status = _compiled.status()
    loaded = [v for v in status.values() if v != "not imported"]
    print(f"compiled hot modules: "
          f"{sum(v == 'compiled' for v in loaded)}/{len(loaded)} imported "
          f"(tape: {status.get('pytensor.autograd.tape', '?')})")
    print(f"rounds {rounds}: off min {min(offs) * 1e3:.3f} ms, median "
          f"{statistics.median(offs) * 1e3:.3f} ms; on min "
          f"{min(ons) * 1e3:.3f} ms, median "
          f"{statistics.median(ons) * 1e3:.3f} ms")
    med = statistics.median(ratios)
    print(f"recording with source lines / off: median of paired ratios "
          f"{med:.3f} (+{med - 1:.1%}), fastest runs "
          f"{min(ons) / min(offs):.3f}")
    return med


def _child(mode, n):
    import pytensor
    from pytensor.autograd.tape import tape
    step = workload(pytensor)
    if mode != "off":
        tape.source = mode == "on"      # "nosrc": recording without lines
        tape.start()
    for i in range(n):
        step()
        if mode != "off" and len(tape.rows) > 20000:
            tape.clear()


def instructions():
    vg = shutil.which("valgrind")
    if vg is None:
        print("valgrind is not installed; --instructions is unavailable")
        return None
    counts = {}
    for mode in ("off", "on"):
        for n in (5, 25):
            out = f"/tmp/pytensor_cg.{os.getpid()}.{mode}.{n}"
            r = subprocess.run(
                [vg, "--tool=callgrind", f"--callgrind-out-file={out}",
                 sys.executable, __file__, "--child", mode, str(n)],
                capture_output=True, text=True)
            line = [ln for ln in r.stderr.splitlines() if "Collected" in ln]
            counts[mode, n] = int(line[0].split(":")[-1])
            os.unlink(out)
    per = {m: (counts[m, 25] - counts[m, 5]) / 20 for m in ("off", "on")}
    ratio = per["on"] / per["off"]
    print(f"instructions per step: off {per['off'] / 1e6:.2f} M, on "
          f"{per['on'] / 1e6:.2f} M; ratio {ratio:.3f} (+{ratio - 1:.1%}); "
          f"{(per['on'] - per['off']) / 401:.0f} instructions per record")
    return ratio


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=200)
    p.add_argument("--instructions", action="store_true")
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        _child(a.child[0], int(a.child[1]))
        return
    if a.instructions:
        instructions()
    else:
        timing(a.rounds)


if __name__ == "__main__":
    main()
