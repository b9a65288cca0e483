"""Optimizers and schedulers driving a real model (pytensor.nn) against
PyTorch: an MLP classifier trained for 20 steps from the same weights on
the same batches, with a learning-rate schedule."""
import numpy as np
import pytest

import pytensor

nn = pytest.importorskip("pytensor.nn")
pytestmark = pytest.mark.torch

CASES = [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
     None),
    ("SGD", dict(lr=0.1, momentum=0.9), ("OneCycleLR", dict(
        max_lr=0.5, total_steps=20))),
    ("Adam", dict(lr=0.01, amsgrad=True),
     ("StepLR", dict(step_size=5, gamma=0.5))),
    ("Adam", dict(lr=0.01), ("OneCycleLR", dict(max_lr=0.05,
                                                total_steps=20))),
    ("AdamW", dict(lr=0.01, weight_decay=0.1),
     ("CosineAnnealingLR", dict(T_max=10))),
    ("RMSprop", dict(lr=0.003, momentum=0.5, centered=True), None),
    ("Adagrad", dict(lr=0.05, lr_decay=0.01), ("ExponentialLR",
                                               dict(gamma=0.9))),
]


def _train(T, case, dtype, data, weights):
    name, kw, sched = case
    tnn = T.nn
    model = tnn.Sequential(tnn.Linear(6, 16), tnn.Tanh(), tnn.Linear(16, 4))
    for p, w in zip(model.parameters(), weights):
        p.data = T.tensor(w.astype(dtype))
    params = list(model.parameters())
    extra = {"foreach": False} if T.__name__ == "torch" else {}
    opt = getattr(T.optim, name)(params, **kw, **extra)
    scheduler = None
    if sched is not None:
        scheduler = getattr(T.optim.lr_scheduler, sched[0])(opt, **sched[1])
    losses = []
    for x, y in data:
        opt.zero_grad()
        loss = tnn.functional.cross_entropy(model(T.tensor(x.astype(dtype))),
                                            T.tensor(y))
        loss.backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        losses.append(loss.item())
    return losses, [p.detach().numpy() for p in params]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0] + (
    "-" + c[2][0] if c[2] else ""))
def test_mlp_training_matches_torch(case, dtype, torch):
    rng = np.random.default_rng(0)
    weights = [rng.uniform(-0.4, 0.4, s)
               for s in [(16, 6), (16,), (4, 16), (4,)]]
    data = [(rng.standard_normal((8, 6)), rng.integers(0, 4, 8))
            for _ in range(20)]
    ours, p_ours = _train(pytensor, case, dtype, data, weights)
    theirs, p_theirs = _train(torch, case, dtype, data, weights)
    rtol = 1e-9 if dtype == "float64" else 2e-4
    np.testing.assert_allclose(ours, theirs, rtol=rtol)
    for a, b in zip(p_ours, p_theirs):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)
