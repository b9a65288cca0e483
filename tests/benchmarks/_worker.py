"""One framework's side of the benchmark suite, in a process of its own.

    python -m tests.benchmarks._worker pytensor|torch DEVICE

The suite (:mod:`tests.benchmarks.suite`) starts one worker per framework
and drives both in turn with JSON lines on stdin; each answer is one JSON
line on the worker's original stdout (the workloads' own prints go to
stderr).  Why processes: each framework's idle threads spin for a while
after its work (libgomp, OpenBLAS), and in a shared process they run into
the other framework's round and take its cores; torch measured 42 ms per
W3 step next to pytensor and 26 ms alone.  A framework also configures its
thread libraries when it loads them, and a library loaded by the other
framework first would keep the other's settings.  So each worker imports
its framework before anything else, as a user's script would.

Commands (``{"cmd": ...}``): ``build`` a workload (answers its first
loss), ``iters`` (how many steps fill a time budget), ``steps`` (seconds
per step over ``n``), ``call`` a suite function with this framework, and
``quit``.
"""
import sys

if __name__ == "__main__":
    FW = sys.argv[1]
    T = __import__(FW)                  # first: see the module docstring

import json  # noqa: E402
import os  # noqa: E402
import traceback  # noqa: E402


def _serve(T, device, inp, out):
    from tests.benchmarks import suite
    from tests.benchmarks import workloads as W
    if T.__name__ == "torch":
        T.set_num_threads(os.cpu_count() or 1)
    work = None
    threads = T._threads.status() if T.__name__ == "pytensor" else None
    out.write(json.dumps(dict(ready=True, version=T.__version__,
                              threads=threads)) + "\n")
    out.flush()
    for line in inp:
        msg = json.loads(line)
        cmd = msg["cmd"]
        try:
            if cmd == "quit":
                return
            if cmd == "build":
                work = W.WORKLOADS[msg["name"]](T, msg.get("seed", 0),
                                                device)
                res = dict(loss=work.step(), flops=work.flops)
            elif cmd == "iters":
                res = dict(n=suite.iters_for(work.step, msg["budget"]))
            elif cmd == "steps":
                res = dict(t=suite.time_steps(work.step, msg["n"]))
            elif cmd == "call":
                fn = getattr(suite, msg["fn"])
                res = dict(value=fn(T, *msg.get("args", ()),
                                    **msg.get("kwargs", {})))
            else:
                raise ValueError(f"unknown command {cmd!r}")
        except Exception:
            res = dict(error=traceback.format_exc())
        out.write(json.dumps(res, default=float) + "\n")
        out.flush()


if __name__ == "__main__":
    _out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)                       # stray prints: to stderr
    sys.stdout = sys.stderr
    _serve(T, sys.argv[2], sys.stdin, _out)
