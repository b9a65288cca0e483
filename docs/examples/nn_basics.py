"""Build a small MLP, run a forward and backward pass, print the gradients.

Run it with pytensor importable, e.g. from the repository root:
    PYTHONPATH=. python docs/examples/nn_basics.py
"""
import pytensor
from pytensor import nn
import pytensor.nn.functional as F

pytensor.manual_seed(0)


class MLP(nn.Module):
    def __init__(self, n_in, n_hidden, n_classes):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.drop = nn.Dropout(p=0.1)
        self.out = nn.Linear(n_hidden, n_classes)

    def forward(self, x):
        return self.out(self.drop(F.relu(self.hidden(x))))


model = MLP(4, 16, 3)
print(model)

x = pytensor.randn(8, 4)                       # a batch of 8 samples
y = pytensor.randint(0, 3, (8,))               # their class labels

logits = model(x)
loss = F.cross_entropy(logits, y)
loss.backward()

print(f"loss = {loss.item():.4f}")
for name, p in model.named_parameters():
    g = p.grad
    print(f"{name:15s} shape={str(tuple(p.shape)):8s} "
          f"grad norm={g.norm().item():.4f}")

# Every parameter received a gradient of its own shape.
assert all(p.grad is not None and p.grad.shape == p.shape
           for p in model.parameters())

# The state dict has PyTorch's keys; it round-trips into a fresh model.
fresh = MLP(4, 16, 3)
print(fresh.load_state_dict(model.state_dict()))
model.eval()
fresh.eval()
assert (fresh(x) - model(x)).abs().max().item() == 0.0
