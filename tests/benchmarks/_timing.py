"""Timing helper shared by the benchmark scripts."""
import statistics
import time

__all__ = ["interleave"]


def interleave(a, b, rounds, reps):
    """Median and range of time(a) / time(b) over interleaved rounds.

    Returns ``(median time of a, median time of b, median ratio, min ratio,
    max ratio)``; times are seconds per call.  Interleaving (a, b, a, b,
    ...) makes the drifts of a shared machine hit both sides.
    """
    ratios, ta, tb = [], [], []
    for _ in range(2):                  # warm-up
        a()
        b()
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(reps):
            a()
        t1 = time.perf_counter()
        for _ in range(reps):
            b()
        t2 = time.perf_counter()
        ta.append((t1 - t0) / reps)
        tb.append((t2 - t1) / reps)
        ratios.append(ta[-1] / tb[-1])
    return (statistics.median(ta), statistics.median(tb),
            statistics.median(ratios), min(ratios), max(ratios))
