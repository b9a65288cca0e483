"""Benchmark of the fused normalization and recurrent-cell kernels.

    python -m tests.benchmarks.bench_norm_rnn [--smoke] [--rounds N] [--json F]

Each compiled kernel (``pytensor_ext.cpu``) against the NumPy composition
it replaces (``pytensor_ext.reference``), float32, on the shapes of the
benchmark workloads: layer norm over W7's ``(16 * 128, 256)`` activations,
batch norm over a conv activation ``(64, 32, 28 * 28)`` and a dense one
``(2048, 64)``, the LSTM and GRU cells of W4 (batch 32, hidden 256).
The whole-sequence LSTM kernels (``lstm_seq_fwd`` / ``lstm_seq_bwd``, W4's
layer: 64 steps) are compared with what the layer ran before them: the
per-step loop of NumPy products (BLAS threads) and *compiled* cells; and
their work split by batch rows (their choice there) with the same kernels
split by hidden units.
A ratio above 1 means the kernel is faster: it must be, or it does not
earn its place.

Both sides are warmed up and interleaved (A B A B ...) and each row
reports the median of the per-round ratios with its spread (the machines
are shared and their speed drifts).  Nothing here asserts a time; the
smoke test only checks that the benchmark runs.
"""
import argparse
import json
import statistics
import sys
import time

# pytensor before NumPy, as a script using it would: its thread settings
# (pytensor._threads) must reach OpenBLAS before it loads, or OpenBLAS's
# idle threads spin for 0.1 s after each product of the loop and take the
# cores the sequence kernels' threads need.
import pytensor  # noqa: F401
import numpy as np

from pytensor_ext import cpu, reference


def _cases():
    rng = np.random.default_rng(0)
    f32 = np.float32

    def r(*shape):
        return rng.standard_normal(shape).astype(f32)

    x_ln, w_ln = r(2048, 256), r(256)
    _, m_ln, s_ln = reference.layer_norm_fwd(x_ln, w_ln, w_ln, 1e-5)
    x_bn, w_bn = r(64, 32, 784), r(32)
    _, m_bn, s_bn = reference.batch_norm_fwd(x_bn, w_bn, w_bn, None, None,
                                             True, 0.1, 1e-5)
    x_bd, w_bd = r(2048, 64, 1), r(64)
    _, m_bd, s_bd = reference.batch_norm_fwd(x_bd, w_bd, w_bd, None, None,
                                             True, 0.1, 1e-5)
    B, H = 32, 256
    g4, g4h, c0 = r(B, 4 * H), r(B, 4 * H), r(B, H)
    _, c1, acts = reference.lstm_cell_fwd(g4, g4h, c0)
    g3, g3h, h0 = r(B, 3 * H), r(B, 3 * H), r(B, H)
    _, ws = reference.gru_cell_fwd(g3, g3h, h0)
    mask = (True, True, True)
    return [
        ("layer_norm_fwd", "[2048, 256]", (x_ln, w_ln, w_ln, 1e-5)),
        ("layer_norm_bwd", "[2048, 256]", (x_ln, x_ln, m_ln, s_ln, w_ln,
                                           mask)),
        ("batch_norm_fwd", "[64, 32, 784]",
         (x_bn, w_bn, w_bn, np.zeros(32, f32), np.ones(32, f32), True, 0.1,
          1e-5)),
        ("batch_norm_bwd", "[64, 32, 784]", (x_bn, x_bn, w_bn, m_bn, s_bn,
                                             True, mask)),
        ("batch_norm_fwd", "[2048, 64]",
         (x_bd, w_bd, w_bd, np.zeros(64, f32), np.ones(64, f32), True, 0.1,
          1e-5)),
        ("batch_norm_bwd", "[2048, 64]", (x_bd, x_bd, w_bd, m_bd, s_bd, True,
                                          mask)),
        ("lstm_cell_fwd", "[32, 4 x 256]", (g4, g4h, c0)),
        ("lstm_cell_bwd", "[32, 4 x 256]", (acts, c0, c1, c0, c0)),
        ("gru_cell_fwd", "[32, 3 x 256]", (g3, g3h, h0)),
        ("gru_cell_bwd", "[32, 3 x 256]", (ws, h0, h0)),
    ] + _seq_cases(r)


def _seq_cases(r):
    """W4's LSTM layer through the sequence kernels against the per-step
    loop with the compiled cells.  The kernels run as the layer runs them,
    under one BLAS thread (their threads call BLAS); the loop with BLAS's
    own threads."""
    from pytensor.ops.nn._blas import single_threaded
    T, B, H = 64, 32, 256
    A, w, b = r(T, B, 4 * H), r(4 * H, H) / np.float32(16), r(4 * H)
    Hs, Cs = np.zeros((T + 1, B, H), np.float32), np.zeros(
        (T + 1, B, H), np.float32)
    g_out, dh, dc, dG = r(T, B, H), r(B, H), r(B, H), np.empty_like(A)

    def one_blas_thread(kernel, split=None):
        def run(*args):
            from pytensor_ext.cpu import _lstm_seq
            _lstm_seq._use_split(split)
            try:
                with single_threaded(args[0]):
                    kernel(*args)
            finally:
                _lstm_seq._use_split(None)
        return run
    # Repeated calls feed the activations back in as pre-activations: the
    # values stay bounded and the work is the same.
    return [
        ("lstm_seq_fwd", "[64 x 32, 4 x 256]", (A, Hs, Cs, w, b),
         one_blas_thread(cpu.lstm_seq_fwd),
         lambda *a: reference.lstm_seq_loop_fwd(*a, False,
                                                cpu.lstm_cell_fwd)),
        ("lstm_seq_bwd", "[64 x 32, 4 x 256]",
         (A, Hs, Cs, w, g_out, dh, dc, dG),
         one_blas_thread(cpu.lstm_seq_bwd),
         lambda *a: reference.lstm_seq_loop_bwd(*a, False,
                                                cpu.lstm_cell_bwd)),
        # The kernels' two ways of splitting the work: the batch rows (what
        # they choose here) against the hidden units.
        ("lstm_seq_fwd", "[64 x 32, 4 x 256] rows vs units",
         (A, Hs, Cs, w, b), one_blas_thread(cpu.lstm_seq_fwd, "rows"),
         one_blas_thread(cpu.lstm_seq_fwd, "units")),
        ("lstm_seq_bwd", "[64 x 32, 4 x 256] rows vs units",
         (A, Hs, Cs, w, g_out, dh, dc, dG),
         one_blas_thread(cpu.lstm_seq_bwd, "rows"),
         one_blas_thread(cpu.lstm_seq_bwd, "units")),
    ]


def _time(fn, args, n):
    t = time.perf_counter()
    for _ in range(n):
        fn(*args)
    return (time.perf_counter() - t) / n


def run(smoke=False, rounds=9):
    """Rows of ``dict(kernel, shape, compiled_us, numpy_us, speedup,
    speedup_min, speedup_max, compiled)``."""
    rows = []
    for name, shape, args, *fns in _cases():
        k, ref = fns or (getattr(cpu, name), getattr(reference, name))
        for fn in (k, ref):
            fn(*args)                       # warm up
        n = 1 if smoke else max(1, int(0.02 / max(_time(ref, args, 1),
                                                  1e-6)))
        ta, tb, ratios = [], [], []
        for _ in range(1 if smoke else rounds):
            a = _time(k, args, n)
            b = _time(ref, args, n)
            ta.append(a)
            tb.append(b)
            ratios.append(b / a)
        rows.append(dict(kernel=name, shape=shape,
                         compiled_us=statistics.median(ta) * 1e6,
                         numpy_us=statistics.median(tb) * 1e6,
                         speedup=statistics.median(ratios),
                         speedup_min=min(ratios), speedup_max=max(ratios),
                         compiled=name in cpu.COMPILED))
    return rows


def markdown(rows):
    out = ["| kernel | shape | compiled (us) | NumPy (us) | speedup "
           "(spread) |", "|---|---|---|---|---|"]
    for r in rows:
        tag = "" if r["compiled"] else " (reference: not compiled)"
        out.append(f"| {r['kernel']}{tag} | {r['shape']} | "
                   f"{r['compiled_us']:.0f} | {r['numpy_us']:.0f} | "
                   f"{r['speedup']:.1f}x ({r['speedup_min']:.1f}-"
                   f"{r['speedup_max']:.1f}) |")
    return "\n".join(out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--rounds", type=int, default=9)
    p.add_argument("--json")
    a = p.parse_args(argv)
    rows = run(a.smoke, a.rounds)
    print(markdown(rows))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
