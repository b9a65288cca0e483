"""Train a small CNN on the bundled 8x8 digits, save a checkpoint, reload
it into a fresh model and check the reloaded model scores the same.

Needs scikit-learn (the ``[data]`` extra), which ships the digits.  Run it
from the repository root:
    PYTHONPATH=. python docs/examples/train_digits_cnn.py
The progress bar shows on a terminal only (``pytensor.data.progress``).
"""
import os
import tempfile

import pytensor
import pytensor.nn.functional as F
from pytensor import nn
from pytensor.data import DataLoader, progress
from pytensor.data.datasets import load_digits
from pytensor.optim.lr_scheduler import OneCycleLR

EPOCHS = 8


def make_model():
    # (N, 1, 8, 8) -> conv -> conv -> pool -> (N, 48, 4, 4) -> MLP head.
    return nn.Sequential(
        nn.Conv2d(1, 24, 3, padding=1), nn.ReLU(),
        nn.Conv2d(24, 48, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.3),
        nn.Linear(48 * 4 * 4, 96), nn.ReLU(),
        nn.Linear(96, 10),
    )


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
    opt = pytensor.optim.Adam(model.parameters(), lr=4e-3)
    sched = OneCycleLR(opt, max_lr=4e-3, epochs=EPOCHS,
                       steps_per_epoch=len(loader))

    for epoch in range(EPOCHS):
        model.train()
        total = 0.0
        for x, y in progress(loader, desc=f"epoch {epoch + 1}/{EPOCHS}",
                             leave=False):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(y)
        print(f"epoch {epoch + 1}: train loss {total / len(train):.4f}")

    acc = accuracy(model, test)

    # Save the weights (safetensors, no pickle), load them into a new model.
    path = os.path.join(tempfile.mkdtemp(), "digits_cnn.safetensors")
    pytensor.save(model.state_dict(), path)
    fresh = make_model()
    fresh.load_state_dict(pytensor.load(path))
    reloaded = accuracy(fresh, test)
    assert reloaded == acc, (reloaded, acc)
    print(f"reloaded checkpoint accuracy: {reloaded:.3f}")
    print(f"test accuracy: {acc:.3f}")


if __name__ == "__main__":
    main()
