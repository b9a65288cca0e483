"""End to end: an MLP learns the bundled digits through a shuffling
DataLoader, Adam and a schedule; a checkpoint taken mid-training (model,
optimizer, scheduler and the shuffling generator) resumes bit for bit."""
import numpy as np
import pytest

import pytensor
from pytensor.data import DataLoader
from pytensor.data.datasets import load_digits

nn = pytest.importorskip("pytensor.nn")
pytest.importorskip("sklearn")


def _setup():
    pytensor.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    opt = pytensor.optim.Adam(model.parameters(), lr=0.01)
    sched = pytensor.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    gen = pytensor.Generator().manual_seed(1)
    loader = DataLoader(load_digits("train"), batch_size=64, shuffle=True,
                        generator=gen)
    return model, opt, sched, gen, loader


def _epochs(model, opt, sched, loader, n):
    for _ in range(n):
        for x, y in loader:
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
        sched.step()


def _accuracy(model):
    x, y = load_digits("test").tensors
    with pytensor.no_grad():
        pred = model(x).numpy().argmax(1)
    return (pred == y.numpy()).mean()


def test_mlp_learns_digits_and_resumes_from_a_checkpoint(tmp_path):
    model, opt, sched, gen, loader = _setup()
    _epochs(model, opt, sched, loader, 4)
    assert _accuracy(model) > 0.9
    reference = [p.detach().numpy().copy() for p in model.parameters()]

    model, opt, sched, gen, loader = _setup()
    _epochs(model, opt, sched, loader, 2)
    path = tmp_path / "digits.safetensors"
    pytensor.save({"model": model.state_dict(), "optim": opt.state_dict(),
                   "sched": sched.state_dict(), "rng": gen.get_state(),
                   "epoch": 2}, path)
    del model, opt, sched, gen, loader

    model, opt, sched, gen, loader = _setup()
    ckpt = pytensor.load(path)
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optim"])
    sched.load_state_dict(ckpt["sched"])
    gen.set_state(ckpt["rng"])
    _epochs(model, opt, sched, loader, 4 - ckpt["epoch"])
    for a, b in zip(model.parameters(), reference):
        np.testing.assert_array_equal(a.detach().numpy(), b)
