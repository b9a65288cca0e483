"""Train an MLP on the bundled 8x8 digits: DataLoader, AdamW, a one-cycle
schedule, a checkpoint every epoch, and a resume that continues exactly.

Needs scikit-learn (the ``[data]`` extra), which ships the digits. Run it
from the repository root:
    PYTHONPATH=. python docs/examples/train_digits.py
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
CKPT = os.path.join(tempfile.mkdtemp(), "digits.safetensors")

train, test = load_digits("train"), load_digits("test")


def build():
    pytensor.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    opt = pytensor.optim.AdamW(model.parameters(), lr=1e-3,
                               weight_decay=1e-4)
    gen = pytensor.Generator().manual_seed(1)      # the shuffling stream
    loader = DataLoader(train, batch_size=64, shuffle=True, generator=gen)
    sched = OneCycleLR(opt, max_lr=0.02, epochs=EPOCHS,
                       steps_per_epoch=len(loader))
    return model, opt, sched, gen, loader


def run_epoch(model, opt, sched, loader, epoch):
    model.train()
    total = 0.0
    for x, y in progress(loader, desc=f"epoch {epoch}", leave=False):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        sched.step()
        total += loss.item() * len(y)
    return total / len(loader.dataset)


def accuracy(model):
    model.eval()
    x, y = test.tensors
    with pytensor.no_grad():
        pred = model(x).argmax(1)
    return (pred == y).float().mean().item()


model, opt, sched, gen, loader = build()
for epoch in range(3):
    loss = run_epoch(model, opt, sched, loader, epoch)
    print(f"epoch {epoch}: loss {loss:.4f}  test accuracy "
          f"{accuracy(model):.3f}  lr {sched.get_last_lr()[0]:.5f}")
    # Everything needed to continue exactly where we are, no pickle.
    pytensor.save({"model": model.state_dict(), "optim": opt.state_dict(),
                   "sched": sched.state_dict(), "rng": gen.get_state(),
                   "epoch": epoch + 1}, CKPT)

# A "new process": rebuild everything and resume from the checkpoint.
model, opt, sched, gen, loader = build()
ckpt = pytensor.load(CKPT)
model.load_state_dict(ckpt["model"])
opt.load_state_dict(ckpt["optim"])
sched.load_state_dict(ckpt["sched"])
gen.set_state(ckpt["rng"])
for epoch in range(ckpt["epoch"], EPOCHS):
    loss = run_epoch(model, opt, sched, loader, epoch)
    print(f"epoch {epoch}: loss {loss:.4f}  test accuracy "
          f"{accuracy(model):.3f}  lr {sched.get_last_lr()[0]:.5f}")

final = accuracy(model)
print(f"final test accuracy {final:.3f}")
assert final > 0.95, final
