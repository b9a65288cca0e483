"""The benchmark workloads W1-W7 of ``shared/BENCHMARKS.md``, written once
for both frameworks.

Each workload is a function ``build(T, seed, device) -> Workload`` where
``T`` is ``pytensor`` or ``torch``.  Both frameworks start from the same
NumPy-initialised weights and data (``_init``), so their first loss must
agree; ``Workload.step()`` runs one iteration and returns the loss as a
float (or None where the workload has no loss).
"""
import dataclasses
import math
from typing import Callable, Optional

import numpy as np


@dataclasses.dataclass
class Workload:
    step: Callable[[], Optional[float]]
    flops: Optional[float] = None        # per step, for GFLOP/s reporting
    note: str = ""


def _is_torch(T):
    return T.__name__ == "torch"


def _tensor(T, arr, device, requires_grad=False):
    """A leaf tensor of either framework from a NumPy array (copied)."""
    arr = np.ascontiguousarray(arr)
    if _is_torch(T):
        t = T.from_numpy(arr.copy()).to(device)
    else:
        t = T.tensor(arr, device=device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _param(T, nn, arr, device):
    p = nn.Parameter(_tensor(T, arr, device))
    return p


def _load_linear(T, nn, layer, rng, device):
    fan_in = layer.in_features
    bound = 1 / math.sqrt(fan_in)
    w = rng.uniform(-bound, bound, (layer.out_features, fan_in)).astype(
        np.float32)
    b = rng.uniform(-bound, bound, layer.out_features).astype(np.float32)
    with T.no_grad():
        layer.weight.copy_(_tensor(T, w, device))
        layer.bias.copy_(_tensor(T, b, device))


def _load_params(T, module, rng, device, scale=0.1):
    """Overwrite every parameter of ``module`` (in named order) from rng."""
    with T.no_grad():
        for name, p in sorted(module.named_parameters()):
            shape = tuple(p.shape)
            if name.endswith("bias") or len(shape) == 1:
                arr = rng.uniform(-scale, scale, shape)
            else:
                fan_in = int(np.prod(shape[1:]))
                b = 1 / math.sqrt(fan_in)
                arr = rng.uniform(-b, b, shape)
            p.copy_(_tensor(T, arr.astype(np.float32), device))


# --- W1: small-op overhead ---------------------------------------------
def w1(T, seed=0, device="cpu", fn="mul-add"):
    x = _tensor(T, np.ones(16, np.float32), device, requires_grad=True)

    def step():
        y = x
        if fn == "tanh":
            for _ in range(200):
                y = (y * 1.0001 + 0.001).tanh()
        else:
            for _ in range(200):
                y = y * 1.0001 + 0.001
        loss = y.sum()
        loss.backward()
        x.grad = None
        return float(loss.item())
    ops = 200 * (3 if fn == "tanh" else 2) + 1
    return Workload(step, note=f"{ops} ops forward + backward")


def w1t(T, seed=0, device="cpu"):
    return w1(T, seed, device, fn="tanh")


# --- W2: MLP training step -------------------------------------------------
def w2(T, seed=0, device="cpu"):
    nn = T.nn
    F = nn.functional
    rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512),
                          nn.ReLU(), nn.Linear(512, 10)).to(device)
    for layer in model:
        if isinstance(layer, nn.Linear):
            _load_linear(T, nn, layer, rng, device)
    x = _tensor(T, rng.standard_normal((128, 784)).astype(np.float32), device)
    y = _tensor(T, rng.integers(0, 10, 128).astype(np.int64), device)
    opt = T.optim.SGD(model.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return float(loss.item())
    flops = 6 * 128 * (784 * 512 + 512 * 512 + 512 * 10)
    return Workload(step, flops)


# --- W3: CNN training step ---------------------------------------------------
def w3(T, seed=0, device="cpu"):
    nn = T.nn
    F = nn.functional
    rng = np.random.default_rng(seed)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10),
    ).to(device)
    _load_params(T, model, rng, device)
    x = _tensor(T, rng.standard_normal((64, 1, 28, 28)).astype(np.float32),
                device)
    y = _tensor(T, rng.integers(0, 10, 64).astype(np.int64), device)
    opt = T.optim.SGD(model.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return float(loss.item())
    conv = 2 * 64 * (28 * 28 * 32 * 9 + 14 * 14 * 64 * 32 * 9)
    flops = 3 * (conv + 2 * 64 * (3136 * 128 + 128 * 10))
    return Workload(step, flops)


# --- W4: char-LSTM step ------------------------------------------------------
def w4(T, seed=0, device="cpu"):
    nn = T.nn
    F = nn.functional
    rng = np.random.default_rng(seed)

    class CharLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(65, 128)
            self.lstm = nn.LSTM(128, 256, batch_first=True)
            self.head = nn.Linear(256, 65)

        def forward(self, ids):
            h, _ = self.lstm(self.emb(ids))
            return self.head(h)

    model = CharLSTM().to(device)
    _load_params(T, model, rng, device)
    ids = _tensor(T, rng.integers(0, 65, (32, 64)).astype(np.int64), device)
    tgt = _tensor(T, rng.integers(0, 65, (32, 64)).astype(np.int64), device)
    opt = T.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        logits = model(ids)
        loss = F.cross_entropy(logits.reshape(-1, 65), tgt.reshape(-1))
        loss.backward()
        opt.step()
        return float(loss.item())
    return Workload(step)


# --- W5: embedding backward -------------------------------------------------
def w5(T, seed=0, device="cpu"):
    rng = np.random.default_rng(seed)
    table = _tensor(T, rng.standard_normal((50000, 256)).astype(np.float32),
                    device, requires_grad=True)
    # Many repeats: 8192 ids drawn from 1000 distinct rows.
    ids = _tensor(T, rng.integers(0, 1000, 8192).astype(np.int64), device)

    def step():
        table.grad = None
        loss = table[ids].sum()
        loss.backward()
        return float(loss.item())
    return Workload(step)


# --- W6: GEMM ----------------------------------------------------------------
def w6(T, seed=0, device="cpu", n=2048):
    rng = np.random.default_rng(seed)
    a = _tensor(T, rng.standard_normal((n, n)).astype(np.float32), device)
    b = _tensor(T, rng.standard_normal((n, n)).astype(np.float32), device)

    def step():
        c = a @ b
        if device != "cpu":
            _sync(T)
        return float(c[0, 0].item())
    return Workload(step, flops=2.0 * n ** 3)


def w6_numpy(seed=0, n=2048):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)

    def step():
        c = a @ b
        return float(c[0, 0])
    return Workload(step, flops=2.0 * n ** 3)


# --- W7: transformer block step ---------------------------------------------
def w7(T, seed=0, device="cpu"):
    nn = T.nn
    rng = np.random.default_rng(seed)
    layer = nn.TransformerEncoderLayer(d_model=256, nhead=4,
                                       dim_feedforward=1024, dropout=0.0,
                                       batch_first=True).to(device)
    _load_params(T, layer, rng, device)
    x = _tensor(T, rng.standard_normal((16, 128, 256)).astype(np.float32),
                device)
    target = _tensor(T, rng.standard_normal((16, 128, 256)).astype(
        np.float32), device)
    opt = T.optim.AdamW(layer.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        loss = ((layer(x) - target) ** 2).mean()
        loss.backward()
        opt.step()
        return float(loss.item())
    return Workload(step)


def _sync(T):
    if _is_torch(T):
        if T.cuda.is_available():
            T.cuda.synchronize()
    else:
        T.cuda.synchronize()


WORKLOADS = {
    "W1": w1, "W1t": w1t, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6,
    "W7": w7,
}
