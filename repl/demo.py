"""``--demo``: a small model, a batch of the digits data and a loss in the
namespace, and a hint of the commands to try."""

__all__ = ["setup"]

HINT = """demo: model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), \
nn.Linear(32, 10))
      x, y = a batch of 64 digits (8x8 images, flattened), opt = SGD(lr=0.1)
      loss = F.cross_entropy(model(x), y)
try:  :graph loss   loss.backward()   :grad   :summary model (64, 64)
      :step model(x)   :tape last 10   :why model.0.weight   :help"""


def setup(ns):
    """Put the demo objects into ``ns``; returns the hint text."""
    import pytensor
    try:
        from pytensor import nn, optim
        import pytensor.nn.functional as F
        from pytensor.data.datasets import load_digits
    except ImportError as e:
        return f"demo unavailable: {e}"
    pytensor.manual_seed(0)
    digits = load_digits()
    data, target = _arrays(digits)
    x = pytensor.tensor(data[:64] / 16.0, dtype=pytensor.float32)
    y = pytensor.tensor(target[:64], dtype=pytensor.int64)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    opt = optim.SGD(model.parameters(), lr=0.1)
    ns.update(nn=nn, F=F, optim=optim, model=model, x=x, y=y, opt=opt)
    ns["loss"] = F.cross_entropy(model(x), y)
    return HINT


def _arrays(digits):
    """``(data, target)`` NumPy arrays from what ``load_digits`` returns
    (a Dataset, a pair, or an object with ``data``/``target``)."""
    import numpy as np
    if isinstance(digits, tuple) and len(digits) == 2:
        a, b = digits
    elif hasattr(digits, "data") and hasattr(digits, "target"):
        a, b = digits.data, digits.target
    elif hasattr(digits, "tensors"):
        a, b = digits.tensors[:2]
    else:
        raise TypeError(f"demo: unexpected digits data {type(digits)}")
    a = np.asarray(getattr(a, "_data", a), dtype=np.float64)
    b = np.asarray(getattr(b, "_data", b))
    return a.reshape(len(a), -1), b
