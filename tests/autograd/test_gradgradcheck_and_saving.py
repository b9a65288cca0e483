"""Regression tests for core fixes made while writing the elementwise ops:
saving None and 0-d NumPy scalars for backward, gradgradcheck (its
finite differences run under no_grad), promotion across categories, and
``-`` with a bool tensor."""
import numpy as np
import pytest

import pytensor
from pytensor.autograd import gradgradcheck, gradcheck
from pytensor.autograd.function import Function
from pytensor.autograd.gradcheck import GradcheckError


class _ScaleOrNot(Function):
    """Saves an optional tensor (None when absent), as PyTorch allows."""

    def forward(self, x, s):
        self.save_for_backward(x, s)
        return x * (1.0 if s is None else s)

    def backward(self, gy):
        x, s = self.saved_tensors
        return (gy if s is None else gy * s), None


def test_save_for_backward_accepts_none():
    x = pytensor.tensor([1.0, 2.0], requires_grad=True)
    _ScaleOrNot.apply(x, None).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


class _SquareSavingScalar(Function):
    """For a 0-d input NumPy returns scalars; saving one must still give a
    Tensor over a 0-d array."""

    def forward(self, x):
        two_x = np.float64(2.0) * x[()]
        self.save_for_backward(two_x)
        return x * x

    def backward(self, gy):
        two_x, = self.saved_tensors
        assert isinstance(two_x._data, np.ndarray)
        return gy * two_x


def test_saved_numpy_scalar_becomes_a_0d_tensor():
    x = pytensor.tensor(3.0, dtype=pytensor.float64, requires_grad=True)
    _SquareSavingScalar.apply(x).backward()
    assert x.grad.item() == 6.0


def test_gradgradcheck_runs_and_catches_a_wrong_second_derivative():
    x = pytensor.tensor([0.3, -1.2], dtype=pytensor.float64,
                        requires_grad=True)
    assert gradgradcheck(lambda t: t * t * t, (x,))

    class BadCube(Function):
        def forward(self, a):
            self.save_for_backward(a)
            return a ** 3

        def backward(self, gy):
            a, = self.saved_tensors
            return gy * 3 * a.detach() ** 2     # detached: wrong 2nd order

    assert gradcheck(BadCube.apply, (x,))
    with pytest.raises(GradcheckError):
        gradgradcheck(BadCube.apply, (x,))


def test_exp_of_0d_double_backward_stays_connected():
    x = pytensor.tensor(0.5, dtype=pytensor.float64, requires_grad=True)
    g, = pytensor.autograd.grad(x.exp(), x, create_graph=True)
    gg, = pytensor.autograd.grad(g, x)
    assert gg.item() == pytest.approx(np.exp(0.5))


@pytest.mark.parametrize("a,b,expected", [
    ("int64", "float32", "float32"), ("uint8", "float16", "float16"),
    ("bool", "int8", "int8"), ("int32", "float64", "float64"),
    ("uint8", "int8", "int16"), ("float16", "float32", "float32"),
])
def test_promote_types_matches_torch(a, b, expected):
    pa, pb = getattr(pytensor, a), getattr(pytensor, b)
    assert pytensor.promote_types(pa, pb) is getattr(pytensor, expected)
    assert pytensor.promote_types(pb, pa) is getattr(pytensor, expected)
    x = pytensor.ones(2, dtype=pa) * pytensor.ones(2, dtype=pb)
    assert x.dtype is getattr(pytensor, expected)


def test_sub_with_any_bool_tensor_raises_like_torch():
    b = pytensor.tensor([True, False])
    f = pytensor.tensor([1.0, 2.0])
    for fn in (lambda: b - f, lambda: f - b, lambda: b - 1, lambda: 1 - b):
        with pytest.raises(RuntimeError, match="^sub: subtraction, the `-` "
                           "operator, with a bool tensor"):
            fn()
    for fn in (lambda: b - b, lambda: b - True):
        with pytest.raises(RuntimeError, match="with two bool tensors"):
            fn()
    with pytest.raises(RuntimeError, match="with a bool tensor"):
        f - True


def test_fast_backward_of_0d_tensors_keeps_arrays():
    # NumPy turns 0-d results into scalars; the engine's fast (array) mode
    # must hand out 0-d arrays, in .grad and to nodes' backward.
    x = pytensor.tensor(2.0, requires_grad=True)
    y = x * x
    (y + y * x).exp().log().backward()          # two paths meet at y
    assert isinstance(x.grad._data, np.ndarray)
    assert x.grad.item() == pytest.approx(16.0)
    (x * 3).backward()                          # accumulate into .grad
    assert isinstance(x.grad._data, np.ndarray)
    assert x.grad.item() == pytest.approx(19.0)
    assert repr(x.grad) == "tensor(19.)"
