"""Regression: ``save_for_backward`` accepts None (an optional input such
as a missing bias or weight), as PyTorch's does."""
import pytensor
from pytensor.autograd.function import Function


class _Scale(Function):
    def forward(self, x, w=None):
        self.save_for_backward(x, w)
        return x * 2 if w is None else x * w

    def backward(self, gy):
        x, w = self.saved_tensors
        assert w is None
        return gy * 2


def test_save_for_backward_none():
    x = pytensor.ones(3, requires_grad=True)
    _Scale.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
