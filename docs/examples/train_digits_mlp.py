"""Train an MLP on the bundled 8x8 digits, save a checkpoint, reload it
into a fresh model and check the reloaded model scores the same.

Needs scikit-learn (the ``[data]`` extra), which ships the digits.  Run it
from the repository root:
    PYTHONPATH=. python docs/examples/train_digits_mlp.py
The progress bar shows on a terminal only (``pytensor.data.progress``).
"""
import os
import tempfile

import pytensor
import pytensor.nn.functional as F
from pytensor import nn
from pytensor.data import DataLoader, progress
from pytensor.data.datasets import load_digits

EPOCHS = 10


def make_model():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(),
                         nn.Linear(128, 10))


def accuracy(model, dataset):
    model.eval()
    x, y = dataset.tensors
    with pytensor.no_grad():
        pred = model(x).argmax(1)
    return (pred == y).float().mean().item()


def main():
    pytensor.manual_seed(0)
    train, test = load_digits("train"), load_digits("test")
    loader = DataLoader(train, batch_size=32, shuffle=True,
                        generator=pytensor.Generator().manual_seed(1))
    model = make_model()
    opt = pytensor.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    for epoch in range(EPOCHS):
        model.train()
        total = 0.0
        for x, y in progress(loader, desc=f"epoch {epoch + 1}/{EPOCHS}",
                             leave=False):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            total += loss.item() * len(y)
        print(f"epoch {epoch + 1}: train loss {total / len(train):.4f}")

    acc = accuracy(model, test)

    path = os.path.join(tempfile.mkdtemp(), "digits_mlp.safetensors")
    pytensor.save(model.state_dict(), path)
    fresh = make_model()
    fresh.load_state_dict(pytensor.load(path))
    reloaded = accuracy(fresh, test)
    assert reloaded == acc, (reloaded, acc)
    print(f"reloaded checkpoint accuracy: {reloaded:.3f}")
    print(f"test accuracy: {acc:.3f}")


if __name__ == "__main__":
    main()
