"""50 training steps of an MLP and of a small CNN give the same loss as
PyTorch at every step: same initial weights (copied through the state
dict), same batches in the same order, SGD with momentum, float64."""
import numpy as np
import pytest

import pytensor
from pytensor import nn
from tests.nn._torch import copy_state

STEPS = 50


def _data():
    pytest.importorskip("sklearn", reason="the digits ship with scikit-learn")
    from pytensor.data.datasets import load_digits
    x, y = load_digits("train").tensors
    return np.asarray(x._data, np.float64), np.asarray(y._data)


def _models(torch, kind):
    def build(M):
        if kind == "mlp":
            return M.Sequential(M.Flatten(), M.Linear(64, 32), M.ReLU(),
                                M.Linear(32, 10))
        return M.Sequential(
            M.Conv2d(1, 6, 3, padding=1), M.ReLU(), M.MaxPool2d(2),
            M.Conv2d(6, 8, 3, stride=1, padding=1, groups=2), M.ReLU(),
            M.AvgPool2d(3, stride=2, padding=1, ceil_mode=True),
            M.Conv2d(8, 12, 1), M.AdaptiveMaxPool2d((2, 1)), M.Flatten(),
            M.Linear(24, 10))
    torch.manual_seed(0)
    th = build(torch.nn).double()
    pt = build(nn).double()
    copy_state(th, pt)
    return th, pt


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_sgd_momentum_losses_match_torch(torch, kind):
    x, y = _data()
    th, pt = _models(torch, kind)
    opt_t = torch.optim.SGD(th.parameters(), lr=0.1, momentum=0.9,
                            weight_decay=1e-4)
    opt_p = pytensor.optim.SGD(pt.parameters(), lr=0.1, momentum=0.9,
                               weight_decay=1e-4)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(x))
    losses_t, losses_p = [], []
    for step in range(STEPS):
        idx = order[(step * 32) % len(x):][:32]
        xb, yb = x[idx], y[idx]
        for T, model, opt, out in ((torch, th, opt_t, losses_t),
                                   (pytensor, pt, opt_p, losses_p)):
            opt.zero_grad()
            loss = T.nn.functional.cross_entropy(
                model(T.tensor(xb)), T.tensor(yb))
            loss.backward()
            opt.step()
            out.append(loss.item())
    losses_t, losses_p = np.array(losses_t), np.array(losses_p)
    rel = np.abs(losses_p - losses_t) / np.abs(losses_t)
    assert rel.max() < 1e-6, (rel.argmax(), losses_p, losses_t)
    assert losses_t[-10:].mean() < losses_t[:10].mean()     # it learned
    th_params = dict(th.named_parameters())
    for name, p in pt.named_parameters():
        np.testing.assert_allclose(np.asarray(p.detach()._data),
                                   th_params[name].detach().numpy(),
                                   rtol=1e-6, atol=1e-9, err_msg=name)
