"""Shared helpers of the optimizer tests: run a pytensor optimizer and its
PyTorch twin over the same parameters and gradient sequence."""
import numpy as np

import pytensor

SHAPES = [(5, 4), (7,), ()]


def make_problem(dtype, steps, seed=0, shapes=SHAPES, skip_some=True):
    """Initial values and a gradient sequence; the second parameter gets
    no gradient on every third step (it must then be left alone)."""
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in shapes]
    grads = []
    for k in range(steps):
        gs = [rng.standard_normal(s).astype(dtype) for s in shapes]
        if skip_some and len(shapes) > 1 and k % 3 == 2:
            gs[1] = None
        grads.append(gs)
    return init, grads


def run_pytensor(cls, kwargs, init, grads, groups=None):
    params = [pytensor.tensor(a.copy(), requires_grad=True) for a in init]
    opt = cls(params if groups is None else groups(params), **kwargs)
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = None if g is None else pytensor.tensor(g.copy())
        opt.step()
    return params, opt


def run_torch(torch, name, kwargs, init, grads, groups=None):
    cls = getattr(torch.optim, name)
    params = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in init]
    opt = cls(params if groups is None else groups(params), foreach=False,
              **kwargs)
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = None if g is None else torch.from_numpy(g.copy())
        opt.step()
    return params, opt


def assert_close(ours, theirs, dtype, what="", floor=1.0):
    """float64: relative error below 1e-10; float32: within a few ulps of
    the tensor's scale (PyTorch's AVX2 kernels fuse some multiply-adds and
    its sqrt is not correctly rounded, so the last bit may differ).

    The scale is the tensor's largest magnitude, but at least ``floor``:
    signed running averages can cancel to values much smaller than the
    gradients (of magnitude ~1 here) whose rounding errors they carry;
    sums of squares cannot (pass ``floor=0``)."""
    ours = np.asarray(ours, dtype=np.float64)
    theirs = np.asarray(theirs, dtype=np.float64)
    assert ours.shape == theirs.shape, what
    if ours.size == 0:
        return
    diff = np.abs(ours - theirs)
    scale = np.abs(theirs).max()
    if np.dtype(dtype) == np.float64:
        bad = diff > 1e-10 * np.maximum(np.abs(theirs),
                                        max(1e-6 * scale, 1e-6 * floor))
        assert not bad.any(), (
            f"{what}: max rel err {(diff / np.abs(theirs)).max():.3g}")
    else:
        ulps = diff.max() / (np.finfo(np.float32).eps
                             * max(scale, floor, 1e-30))
        assert ulps <= 8, f"{what}: {ulps:.1f} ulps of the scale apart"


def to_numpy(t):
    if hasattr(t, "detach"):
        t = t.detach()
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t)
