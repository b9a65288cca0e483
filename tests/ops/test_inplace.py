"""In-place ops with autograd: zero_, fill_, copy_, clamp_ and unary
``*_`` forms on plain tensors and through views; leaf errors, version
counters, saved-tensor checks, the tape."""
import numpy as np
import pytest

import pytensor
from tests.conftest import require_torch


def _both(fn, *arrays, grad=(True,)):
    """Run ``fn(T, *tensors)`` in pytensor and torch; return, per library,
    the output values and the gradients of the inputs flagged in ``grad``
    for a fixed upstream gradient."""
    torch = require_torch()
    out = []
    for T in (pytensor, torch):
        ins = [T.tensor(a, requires_grad=bool(g))
               for a, g in zip(arrays, grad + (False,) * len(arrays))]
        y = fn(T, *ins)
        w = np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape))
        if y.requires_grad:
            (y * T.tensor(w)).sum().backward()
        grads = [None if t.grad is None else t.grad.numpy().copy()
                 for t in ins]
        out.append((y.detach().numpy().copy(), grads))
    return out


def _assert_same(res):
    (py, pg), (ty, tg) = res
    np.testing.assert_allclose(py, ty, rtol=1e-12)
    assert len(pg) == len(tg)
    for a, b in zip(pg, tg):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


X = np.arange(12.0).reshape(3, 4) / 5 - 1
Z = np.linspace(-2, 2, 12).reshape(4, 3)

VIEW_CASES = {
    "t_mul_": lambda T, x: _ret(x * 1, lambda y: y.t().mul_(2)),
    "t_chain": lambda T, x: _ret(x * 1, lambda y: y.t().mul_(
        T.ones(4, 3, dtype=T.float64) * 3).add_(1).sin_()),
    "transpose_sin_": lambda T, x: _ret(x * 1,
                                        lambda y: y.transpose(0, 1).sin_()),
    "view_relu_": lambda T, x: _ret(x * 1, lambda y: y.view(12).relu_()),
    "unsqueeze_clamp_": lambda T, x: _ret(
        x * 1, lambda y: y.unsqueeze(0).clamp_(-0.5, 0.5)),
    "permute_zero_": lambda T, x: _ret(x * 3, lambda y: y.permute(1, 0)
                                       .zero_()),
    "reshape_view_sigmoid_": lambda T, x: _ret(
        x * 1, lambda y: y.reshape(2, 6).sigmoid_()),
    "view_then_base_use": lambda T, x: _ret_base_and_view(x),
    "column_mul_": lambda T, x: _ret(x * 1, lambda y: y[:, 0].mul_(2)),
    "row_copy_": lambda T, x: _ret(x * 1, lambda y: y[1].copy_(x[0] * 3)),
    "slice_clamp_then_zero_": lambda T, x: _ret(
        x * 2, lambda y: (y[1:, ::2].clamp_(-0.5, 0.5), y[0, 1:3].zero_())),
    "element_fill_": lambda T, x: _ret(x * 1, lambda y: y[2, 3].fill_(7)),
}


def _ret(y, f):
    f(y)
    return y


def _ret_base_and_view(x):
    y = x * 2
    v = y.t()
    v.tanh_()
    return y * v.t() + v.t()


@pytest.mark.parametrize("name", list(VIEW_CASES))
def test_inplace_through_views_matches_torch(name):
    _assert_same(_both(VIEW_CASES[name], X))


def test_copy_through_view_matches_torch():
    def fn(T, x, z):
        y = x * 1
        y.t().copy_(z)
        return y * y
    _assert_same(_both(fn, X, Z, grad=(True, True)))


def test_copy_into_row_of_tensor_without_grad():
    def fn(T, x, z):
        out = T.zeros(3, 3, dtype=T.float64)
        out[0].copy_(z)
        out[1:, 1].fill_(x.sum())
        return out
    _assert_same(_both(fn, X, np.array([1.0, -2.0, 0.5]),
                       grad=(True, True)))


def test_copy_into_view_of_tensor_without_grad():
    def fn(T, z):
        base = T.zeros(3, 4, dtype=T.float64)
        base.t().copy_(z * 2)
        return base
    _assert_same(_both(fn, Z))


def test_view_write_updates_base_values():
    x = pytensor.tensor(X)
    x.t().mul_(0)
    assert not x.numpy().any()


# --------------------------------------------------------------------------
# zero_ and fill_.
def test_zero_on_leaf_requiring_grad_raises():
    x = pytensor.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="^zero_: a leaf Variable that "
                       "requires grad is being used in an in-place"):
        x.zero_()
    with pytest.raises(RuntimeError, match="^zero_: a view of a leaf"):
        x.unsqueeze(0).zero_()
    with pytest.raises(RuntimeError, match="^fill_: a leaf Variable"):
        x.fill_(1.0)
    with pytensor.no_grad():
        assert x.zero_() is x
    assert x.tolist() == [0.0, 0.0, 0.0]
    assert x._version == 1


def test_zero_like_optimizer_grad_reset():
    x = pytensor.ones(2, requires_grad=True)
    (x * 3).sum().backward()
    g = x.grad
    g.zero_()
    assert x.grad is g and g.tolist() == [0.0, 0.0]
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_zero_on_non_leaf_gives_zero_gradient():
    def fn(T, x):
        y = x * 2
        y.zero_()
        return y + x
    _assert_same(_both(fn, X))


def test_fill_with_tensor_value_is_differentiable():
    def fn(T, x, v):
        y = x * 1
        y.fill_(v)
        return y * x
    _assert_same(_both(fn, X, np.array(0.7), grad=(True, True)))


def test_fill_into_tensor_without_grad():
    def fn(T, v):
        y = T.zeros(2, 3, dtype=T.float64)
        y.fill_(v * 2)
        return y
    _assert_same(_both(fn, np.array(1.5)))


def test_fill_values_and_errors():
    x = pytensor.empty(2, 2, dtype=pytensor.int64)
    assert x.fill_(2.9).tolist() == [[2, 2], [2, 2]]
    assert pytensor.zeros(2).fill_(pytensor.tensor(3)).tolist() == [3.0, 3.0]
    with pytest.raises(RuntimeError, match="^fill_: only supports "
                       "0-dimension value tensor but got tensor with 1 "
                       "dimensions"):
        pytensor.zeros(2).fill_(pytensor.ones(1))
    with pytest.raises(TypeError, match="^fill_"):
        pytensor.zeros(2).fill_("a")
    with pytest.raises(RuntimeError, match="^zero_: unsupported operation"):
        pytensor.ones(3).expand(2, 3).zero_()
    assert pytensor.fill(pytensor.zeros(2), 4).tolist() == [4.0, 4.0]


# --------------------------------------------------------------------------
# copy_.
def test_copy_broadcasts_casts_and_is_differentiable():
    def fn(T, x, s):
        y = x * 1
        y.copy_(s)
        return y * x
    _assert_same(_both(fn, X, np.array([1.0, -2.0, 3.0, 0.5]),
                       grad=(True, True)))


def test_copy_gradient_has_source_dtype_and_shape():
    dst = pytensor.zeros(2, 3)
    src = pytensor.tensor([1.0, 2.0, 3.0], dtype=pytensor.float64,
                          requires_grad=True)
    dst.copy_(src)
    assert dst.dtype is pytensor.float32 and dst.requires_grad
    (dst * 2).sum().backward()
    assert src.grad.dtype is pytensor.float64
    assert src.grad.tolist() == [4.0, 4.0, 4.0]


def test_copy_casts_like_torch():
    torch = require_torch()
    vals = [1.7, -1.7, 300.0]
    for dt in ("int64", "int32", "bool", "float16"):
        got = pytensor.zeros(3, dtype=getattr(pytensor, dt)).copy_(
            pytensor.tensor(vals))
        exp = torch.zeros(3, dtype=getattr(torch, dt)).copy_(
            torch.tensor(vals))
        assert got.tolist() == exp.tolist(), dt
    got = pytensor.zeros(2).copy_(pytensor.tensor([True, False]))
    assert got.tolist() == [1.0, 0.0]


def test_copy_errors():
    x = pytensor.zeros(2, 3)
    with pytest.raises(RuntimeError, match=r"^copy_: the source of shape "
                       r"\[4\] cannot be broadcast to the destination shape "
                       r"\[2, 3\]"):
        x.copy_(pytensor.zeros(4))
    with pytest.raises(RuntimeError, match="^copy_"):
        x.copy_(pytensor.zeros(5, 2, 3))
    with pytest.raises(TypeError, match="^copy_"):
        x.copy_([1, 2, 3])
    leaf = pytensor.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="^copy_: a leaf Variable"):
        leaf.copy_(pytensor.ones(3))


def test_copy_from_overlapping_self():
    x = pytensor.tensor(np.arange(9.0).reshape(3, 3))
    x.copy_(x.t())
    assert x.tolist() == np.arange(9.0).reshape(3, 3).T.tolist()


# --------------------------------------------------------------------------
# Versions, saved tensors, the tape.
def test_saved_tensor_overwritten_by_zero_is_detected():
    x = pytensor.ones(3, requires_grad=True)
    y = x * 1
    z = y * y                   # mul saves y
    y.zero_()
    with pytest.raises(RuntimeError, match="modified by an inplace "
                       "operation.*zero_"):
        z.sum().backward()


def test_view_saved_by_the_inplace_op_itself_is_stale():
    # As in PyTorch: ``other`` is a view of the tensor being modified, so
    # mul_ invalidates what it saved.
    x = pytensor.ones(3, 4, requires_grad=True)
    y = x * 1
    y.t().exp_().mul_(y.t())
    with pytest.raises(RuntimeError, match="modified by an inplace "
                       "operation.*mul_"):
        y.sum().backward()


def test_versions_bump_once_per_op():
    x = pytensor.zeros(3)
    v = x.unsqueeze(0)
    x.zero_()
    x.fill_(2)
    v.copy_(pytensor.ones(1, 3))
    x.clamp_(max=0.5)
    assert x._version == 4 and v._version == 4
    assert x.tolist() == [0.5, 0.5, 0.5]


def test_tape_shows_the_inplace_ops():
    x = pytensor.tensor([1.0, -2.0], requires_grad=True)
    with pytensor.debug.record() as tape:
        y = x * 1
        y.clamp_(min=0.0)
        y.zero_()
        y.copy_(x)
        y.exp_()
    ops = [r.op for r in tape.records]
    assert ops[-4:] == ["clamp_", "zero_", "copy_", "exp_"]


def test_no_grad_inplace_keeps_history_untouched():
    x = pytensor.ones(3, requires_grad=True)
    y = x * 2
    fn = y.grad_fn
    with pytensor.no_grad():
        y.zero_()
        y.copy_(pytensor.ones(3))
        y.sqrt_()
    assert y.grad_fn is fn
