"""Time to build and render ``:graph`` of a 10,000-op tape.

Three shapes of 10,000 recorded ops (the bar is 100 ms each, rendered at
width 100):

- ``chain``: ``y = y * a + b`` 5,000 times (folds into one line);
- ``model``: a 5,000-block MLP, ``Sequential(Linear, ReLU) * 5000``, and
  the loss (collapses into one module line);
- ``rnn``: one small cell module applied 2,500 times to a hidden state,
  each step also adding an input (a deep tree of module calls; the
  renderer stops at its line limit);
- ``wide``: the sum of 5,000 products of leaves (a wide tree, cut at the
  line limit).

Usage::

    python tests/benchmarks/bench_graph.py [--repeat 5]

Nothing asserts; the script prints the best time of each, the ops on the
tape and the lines rendered.
"""
import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)


def build(shape):
    import pytensor
    from pytensor.autograd.tape import tape
    tape.reset()
    tape.start()
    ns = {}
    try:
        if shape == "chain":
            x = pytensor.ones(16, requires_grad=True)
            y = x
            for _ in range(5000):
                y = y * 1.0001 + 0.001
            ns.update(x=x, y=y)
            root = y
        elif shape == "model":
            from pytensor import nn
            layers = []
            for _ in range(5000):
                layers += [nn.Linear(4, 4), nn.ReLU()]
            model = nn.Sequential(*layers)
            x = pytensor.randn(8, 4)
            root = model(x).sum()
            ns.update(model=model, x=x, loss=root)
        elif shape == "rnn":
            from pytensor import nn
            cell = nn.Sequential(nn.Linear(8, 8), nn.Tanh())
            h = pytensor.zeros(4, 8)
            xs = pytensor.randn(4, 8)
            for _ in range(2500):
                h = cell(h) + xs * 0.5
            root = h.sum()
            ns.update(cell=cell, h=h, xs=xs, loss=root)
        elif shape == "wide":
            leaves = [pytensor.ones(4, requires_grad=True)
                      for _ in range(50)]
            total = leaves[0] * 1.0
            for i in range(1, 5000):
                total = total + leaves[i % 50] * float(i)
            root = total.sum()
            ns.update(loss=root)
        else:
            raise ValueError(shape)
    finally:
        tape.stop()
    return root, ns, len(tape.rows)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--width", type=int, default=100)
    p.add_argument("--show", action="store_true", help="print the graphs")
    a = p.parse_args(argv)
    from pytensor.debug import graph
    for shape in ("chain", "model", "rnn", "wide"):
        try:
            root, ns, n = build(shape)
        except ImportError as e:
            print(f"{shape:6s} skipped ({e})")
            continue
        best = float("inf")
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            text = graph(root, ns).render(a.width)
            best = min(best, time.perf_counter() - t0)
        lines = text.count("\n") + 1
        wide = max(len(ln) for ln in text.splitlines())
        print(f"{shape:6s} {n:6d} ops on the tape  graph+render "
              f"{best * 1e3:7.1f} ms  ({lines} lines, widest {wide})  "
              f"{'ok' if best < 0.1 else 'OVER 100 ms'}")
        if a.show:
            print(text)


if __name__ == "__main__":
    main()
