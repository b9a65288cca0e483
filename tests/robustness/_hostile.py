"""Hostile inputs that could take the interpreter down, run by
``test_no_crash.py`` in a subprocess (``python -m tests.robustness._hostile``).

Each check prints ``ok <name>`` or ``FAIL <name>: <why>``; the process exits
with status 0 only if every check passed.  A segfault, an abort or an
out-of-memory kill shows up as a non-zero status with the faulthandler
traceback on stderr, and the last ``start <name>`` line says which check
was running.  The address space is capped, so a huge allocation fails with
MemoryError instead of swapping the machine.
"""
import faulthandler
import gc
import signal
import sys
import threading
import time
import traceback

import numpy as np

ALLOWED = (RuntimeError, ValueError, TypeError, IndexError, MemoryError)
CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def raises(fn, types=ALLOWED, contains=None):
    """``fn()`` must raise one of ``types`` (never crash, never succeed);
    the message must contain ``contains`` when given."""
    try:
        fn()
    except types as e:
        if contains is not None and contains not in str(e):
            raise AssertionError(f"message {str(e)!r} lacks {contains!r}")
        return e
    except Exception as e:                          # noqa: BLE001
        raise AssertionError(f"{type(e).__name__} escaped: {e}") from e
    raise AssertionError("no error raised")


# ----------------------------------------------------------------------
# Compiled kernels with buffers that do not fit each other.
@check
def kernels_with_mismatched_buffers():
    from pytensor_ext import cpu
    a = np.ones((4, 5))
    f = np.ones((4, 5), np.float32)
    for call in (
            lambda: cpu.relu_bwd(a, np.ones(3)),
            lambda: cpu.relu_bwd(a, np.ones((5, 4))),
            lambda: cpu.sigmoid_bwd(a, np.ones((4, 6))),
            lambda: cpu.tanh_bwd(np.ones(10 ** 5), np.ones(3)),
            lambda: cpu.gelu_bwd(a, np.ones(19), "none"),
            lambda: cpu.silu_bwd(np.ones(7), np.ones(70000)),
            lambda: cpu.softmax_bwd(a, np.ones((4, 4)), 1),
            lambda: cpu.softmax_bwd(a, np.ones((3, 5)), 0),
            lambda: cpu.log_softmax_bwd(a, np.ones((4, 5, 1)), 1),
            lambda: cpu.log_softmax_bwd(f, np.ones((4, 5, 2), np.float32), -1),
            lambda: cpu.sum_to_shape(a, (5, 4)),
            lambda: cpu.sum_to_shape(np.ones((4, 5)), (4, 5, 1, 2)),
            lambda: cpu.index_add(a.copy(), 1, np.array([0, 1, 2]),
                                  np.ones((4, 2))),
            lambda: cpu.index_add(a.copy(), 1, np.array([0, 1]),
                                  np.ones((3, 2))),
            lambda: cpu.index_add(a.copy(), 0, np.zeros(10 ** 5, np.int64),
                                  np.ones((5, 5))),
            lambda: cpu.scatter_add(a.copy(), 1, np.zeros((4, 9), np.int64),
                                    np.ones((4, 3))),
            lambda: cpu.scatter_add(a.copy(), 1, np.zeros((5, 3), np.int64),
                                    np.ones((5, 3))),
            lambda: cpu.scatter_add(a.copy(), 0, np.zeros((2, 2, 2),
                                                          np.int64),
                                    np.ones((2, 2, 2))),
            lambda: cpu.sgd_step(a.copy(), np.ones(3), np.ones(20),
                                 lr=0.1, momentum=0.9),
            lambda: cpu.adam_step(a.copy(), a.copy(), np.ones(3),
                                  np.ones((4, 5)), lr=0.1, beta1=0.9,
                                  beta2=0.99, eps=1e-8, weight_decay=0.0,
                                  step=1),
            lambda: cpu.adam_step(f.copy(), f.copy(), f.copy(), f.copy(),
                                  np.ones(2, np.float32), lr=0.1, beta1=0.9,
                                  beta2=0.99, eps=1e-8, weight_decay=0.0,
                                  step=1, amsgrad=True),
            lambda: cpu.rmsprop_step(a.copy(), a.copy(), a.copy(),
                                     np.ones(1), lr=0.1, alpha=0.9,
                                     eps=1e-8, centered=True),
            lambda: cpu.adagrad_step(a.copy(), a.copy(), np.ones((2, 2)),
                                     lr=0.1, lr_decay=0.0, eps=1e-10,
                                     weight_decay=0.0, step=1),
    ):
        try:
            call()
        except ALLOWED:
            pass        # refusing is fine; writing out of bounds is not


@check
def kernel_outputs_that_alias_or_are_read_only():
    from pytensor_ext import cpu
    a = np.ones((4, 5))
    ro = np.ones((4, 5))
    ro.flags.writeable = False
    raises(lambda: cpu.index_add(ro, 1, np.array([0]), np.ones((4, 1))))
    bcast = np.broadcast_to(np.ones(5), (4, 5))
    raises(lambda: cpu.scatter_add(bcast, 1, np.zeros((4, 1), np.int64),
                                   np.ones((4, 1))))
    raises(lambda: cpu.adam_step(ro, a.copy(), a.copy(), a.copy(), lr=0.1,
                                 beta1=0.9, beta2=0.99, eps=1e-8,
                                 weight_decay=0.0, step=1))
    # a target that overlaps its source: must not crash (result unspecified)
    t = np.ones((4, 5))
    try:
        cpu.index_add(t, 1, np.array([0, 1]), t[:, 2:4])
    except ALLOWED:
        pass


# ----------------------------------------------------------------------
# Indices out of range through the ops (which reach the scatter kernels).
@check
def index_add_with_bad_indices():
    import pytensor as pt
    x = pt.zeros(3, 4)
    src = pt.ones(2, 4)
    # (PyTorch's index_add_ refuses negative indices too)
    for idx in ([0, 3], [-1, 0], [-4, 0], [2 ** 40, 0], [-2 ** 62, 1]):
        raises(lambda: x.index_add_(0, pt.tensor(idx), src),
               (IndexError, RuntimeError), contains="out of")
        raises(lambda: pt.index_add(x, 0, pt.tensor(idx), src),
               (IndexError, RuntimeError))
    raises(lambda: x.index_add_(0, pt.tensor([0.0, 1.0]), src))
    raises(lambda: x.index_add_(0, pt.tensor([0, 1, 2]), src))
    assert x.tolist() == [[0.0] * 4] * 3, "a refused index_add_ wrote"
    x.index_add_(0, pt.tensor([2, 0]), src)
    assert x.tolist() == [[1.0] * 4, [0.0] * 4, [1.0] * 4]
    # the same through autograd (the backward of index_select scatters)
    w = pt.randn(3, 4, requires_grad=True)
    raises(lambda: w.index_select(0, pt.tensor([1, 7])), contains="out of")
    w.index_select(0, pt.tensor([1, 1])).sum().backward()
    assert w.grad.tolist() == [[0.0] * 4, [2.0] * 4, [0.0] * 4]


@check
def gradients_through_bad_gather_and_embedding_indices():
    import pytensor as pt
    import pytensor.nn.functional as F
    w = pt.randn(5, 3, requires_grad=True)
    raises(lambda: F.embedding(pt.tensor([0, 5]), w), contains="out of")
    raises(lambda: F.embedding(pt.tensor([-6]), w))
    x = pt.randn(3, 4, requires_grad=True)
    raises(lambda: pt.gather(x, 1, pt.tensor([[0, 4], [0, 0], [1, 1]])))
    raises(lambda: x.index_select(0, pt.tensor([3])))
    raises(lambda: pt.scatter_add(x.detach(), 1, pt.tensor([[9]]),
                                  pt.ones(1, 1)))
    # and the in-range ones still differentiate
    F.embedding(pt.tensor([4, 4, 0]), w).sum().backward()
    assert w.grad[4].tolist() == [2.0] * 3


# ----------------------------------------------------------------------
# Huge allocations: a clear MemoryError or RuntimeError, no crash.
@check
def huge_allocations():
    import pytensor as pt
    for call in (lambda: pt.zeros(2 ** 40),
                 lambda: pt.empty(2 ** 31, 2 ** 31),
                 lambda: pt.ones(10 ** 6, 10 ** 6, dtype=pt.float64),
                 lambda: pt.randn(2 ** 36),
                 lambda: pt.arange(0, 2 ** 40),
                 lambda: pt.zeros(1).expand(2 ** 20, 2 ** 20).contiguous(),
                 lambda: pt.ones(2 ** 20, 1) @ pt.ones(1, 2 ** 20),
                 lambda: pt.ones(3).repeat(2 ** 40),
                 lambda: pt.one_hot(pt.tensor([0]), 2 ** 40),
                 lambda: pt.zeros(2 ** 62),
                 lambda: pt.full((2 ** 70,), 1.0)):
        e = raises(call)
        if not isinstance(e, MemoryError):
            assert str(e), "an empty message"
    # the process is still healthy
    assert pt.ones(3).sum().item() == 3.0


# ----------------------------------------------------------------------
# Deep graphs: the engine is iterative; freeing them must not recurse.
@check
def deep_graph_backward_and_free():
    import pytensor as pt
    x = pt.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    # a graph kept alive and dropped at once (the chain of nodes is freed
    # without a recursion as deep as the graph)
    y = x
    for _ in range(100_000):
        y = y + 0.0
    del y
    gc.collect()
    # retain_graph twice, then create_graph over a long chain
    z = x
    for _ in range(20_000):
        z = z * 1.0
    s = z.sum()
    s.backward(retain_graph=True)
    s.backward()
    g, = pt.autograd.grad((x * x).sum(), x, create_graph=True)
    assert g.tolist() == [2.0, 4.0]


@check
def deep_module_nesting():
    import pytensor as pt
    m = pt.nn.Linear(2, 2)
    for _ in range(200):
        m = pt.nn.Sequential(m)
    assert m(pt.ones(1, 2)).shape == (1, 2)
    raises(lambda: m(pt.ones(1, 3)), contains="linear")
    assert len(m.state_dict()) == 2
    # deeper than Python's recursion limit: a RecursionError (as in
    # PyTorch), not a crash, and the model still works afterwards
    deep = m
    for _ in range(2000):
        deep = pt.nn.Sequential(deep)
    raises(lambda: deep(pt.ones(1, 2)), RecursionError)
    assert m(pt.ones(1, 2)).shape == (1, 2)


# ----------------------------------------------------------------------
# KeyboardInterrupt in the middle of work leaves everything usable.
@check
def keyboard_interrupt_during_backward():
    import pytensor as pt
    x = pt.randn(4, requires_grad=True)
    y = x
    for _ in range(50):
        y = y * 1.5

    def interrupt(g):
        raise KeyboardInterrupt
    mid = y
    for _ in range(50):
        y = y * 0.5
    mid.register_hook(interrupt)
    try:
        y.sum().backward()
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("the interrupt was swallowed")
    assert pt.is_grad_enabled(), "grad mode left disabled"
    x.grad = None
    ((x * 2).sum()).backward()
    assert x.grad.tolist() == [2.0] * 4
    assert (x + 1).requires_grad


@check
def keyboard_interrupt_during_a_long_forward():
    """A real SIGINT while ops run in a loop (the timer fires in the middle
    of some op, wherever it is): tensors, grad mode and the tape stay
    consistent."""
    import pytensor as pt
    from pytensor.debug import record
    x = pt.randn(64, 64, requires_grad=True)
    w = pt.randn(64, 64)
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.setitimer(signal.ITIMER_REAL, 0)
    fired = []

    def fire():
        time.sleep(0.3)
        fired.append(True)
        signal.raise_signal(signal.SIGINT) if threading.current_thread() is \
            threading.main_thread() else _kill_main()
    t = threading.Thread(target=fire, daemon=True)
    interrupted = False
    try:
        t.start()
        with record():
            with pt.no_grad():
                for _ in range(10 ** 7):
                    y = (x @ w).relu().softmax(1)
                    w.add_(y * 0.0)
                    x.data[0, 0] = x.data[0, 0]
    except KeyboardInterrupt:
        interrupted = True
    finally:
        signal.signal(signal.SIGINT, old)
    t.join()
    assert interrupted, "the loop was not interrupted"
    assert pt.is_grad_enabled(), "no_grad not undone"
    assert not pt.autograd.tape.tape.recording, "tape left recording"
    assert np.isfinite(w.numpy()).all() and np.isfinite(
        x.detach().numpy()).all()
    (x @ w).sum().backward()
    assert x.grad.shape == (64, 64)


def _kill_main():
    import os
    os.kill(os.getpid(), signal.SIGINT)


# ----------------------------------------------------------------------
def main():
    faulthandler.enable()
    try:
        import resource
        lim = 6 << 30
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    except (ImportError, ValueError, OSError):
        pass
    failed = 0
    for fn in CHECKS:
        print(f"start {fn.__name__}", flush=True)
        try:
            fn()
        except BaseException as e:                 # noqa: BLE001
            failed += 1
            tb = traceback.format_exc(limit=4)
            print(f"FAIL {fn.__name__}: {type(e).__name__}: {e}\n{tb}",
                  flush=True)
        else:
            print(f"ok {fn.__name__}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
