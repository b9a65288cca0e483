"""The backward engine: graph shapes, accumulation, retain/create graph,
higher order, hooks, grad modes, errors, and a 100,000-op chain."""
import numpy as np
import pytest

import pytensor as pt
from pytensor.autograd import Function, grad
from tests.conftest import require_torch


def leaf(*vals, dtype=pt.float64):
    return pt.tensor(list(vals), dtype=dtype, requires_grad=True)


def test_diamond_accumulates_both_paths():
    x = leaf(1.0, 2.0)
    a = x * 3
    b = x.exp()
    y = (a * b).sum()
    y.backward()
    xv = np.array([1.0, 2.0])
    expected = 3 * np.exp(xv) + 3 * xv * np.exp(xv)
    np.testing.assert_allclose(x.grad.numpy(), expected)


def test_shared_input_in_one_op():
    x = leaf(3.0)
    (x * x).sum().backward()
    assert x.grad.item() == 6.0


def test_accumulation_across_two_backwards():
    x = leaf(1.0, 2.0)
    (x * 2).sum().backward()
    g = x.grad
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 5.0])
    assert x.grad is g          # in-place accumulation, as PyTorch


def test_second_backward_without_retain_graph_raises():
    x = leaf(1.0, 2.0)
    y = x.exp().sum()
    y.backward()
    with pytest.raises(RuntimeError,
                       match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = leaf(1.0, 2.0)
    y = x.exp().sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([1.0, 2.0]))


def test_backward_non_scalar_needs_gradient():
    x = leaf(1.0, 2.0)
    y = x * 2
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        y.backward()
    y.backward(pt.tensor([1.0, 10.0], dtype=pt.float64))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 20.0])


def test_backward_gradient_shape_mismatch():
    x = leaf(1.0, 2.0)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(pt.ones(3, dtype=pt.float64))


def test_backward_on_tensor_without_grad():
    x = pt.ones(2)
    with pytest.raises(RuntimeError, match="does not require grad"):
        x.sum().backward()


def test_broadcast_gradients_are_unbroadcast():
    x = pt.randn(3, 1, 4, dtype=pt.float64, requires_grad=True)
    b = pt.randn(5, 1, dtype=pt.float64, requires_grad=True)
    (x * b).sum().backward()
    assert x.grad.shape == (3, 1, 4)
    assert b.grad.shape == (5, 1)
    np.testing.assert_allclose(
        b.grad.numpy(), np.broadcast_to(x.numpy(force=True).sum(axis=(0, 2)),
                                        (5,)).reshape(5, 1) * 0
        + x.detach().numpy().sum() * np.ones((5, 1)))


def test_integer_promotion_gradient_dtype():
    x = pt.tensor([1.0, 2.0], requires_grad=True)            # float32
    y = (x * pt.tensor([1, 2])).sum()                         # int64 other
    y.backward()
    assert x.grad.dtype is pt.float32


def test_grad_function_and_allow_unused():
    x = leaf(2.0)
    z = leaf(5.0)
    y = (x ** 2).sum()
    (gx,) = grad(y, x, retain_graph=True)
    assert gx.item() == 4.0
    assert x.grad is None                   # grad() does not accumulate
    with pytest.raises(RuntimeError, match="not have been used"):
        grad(y, [x, z], retain_graph=True)
    gx, gz = grad(y, [x, z], allow_unused=True, retain_graph=True)
    assert gz is None
    gx, gz = grad(y, [x, z], materialize_grads=True)
    assert gz.item() == 0.0


def test_grad_wrt_intermediate():
    x = leaf(1.0, 2.0)
    h = x * 3
    y = (h * h).sum()
    (gh,) = grad(y, h)
    np.testing.assert_allclose(gh.numpy(), 2 * 3 * np.array([1.0, 2.0]))


def test_backward_inputs_restricts_accumulation():
    x, w = leaf(1.0), leaf(2.0)
    (x * w).sum().backward(inputs=[w])
    assert x.grad is None and w.grad.item() == 1.0


def test_create_graph_second_derivative():
    x = leaf(3.0)
    y = (x ** 3).sum()
    (g,) = grad(y, x, create_graph=True)
    assert g.requires_grad
    (h,) = grad(g.sum(), x)
    assert h.item() == pytest.approx(18.0)


def test_hessian_vector_product_matches_torch():
    torch = require_torch()
    rng = np.random.default_rng(0)
    xv = rng.standard_normal(5)
    vv = rng.standard_normal(5)
    wv = rng.standard_normal((5, 5))

    def f(T, x, w):
        return ((w @ x).tanh() * x.exp()).sum() + (x ** 3).sum()

    x = pt.tensor(xv, requires_grad=True)
    w = pt.tensor(wv)
    (g,) = grad(f(pt, x, w) if hasattr(pt, "tanh") else
                ((w @ x).exp() * x.exp()).sum() + (x ** 3).sum(), x,
                create_graph=True)
    (hv,) = grad((g * pt.tensor(vv)).sum(), x)
    xt = torch.tensor(xv, requires_grad=True)
    wt = torch.tensor(wv)
    yt = f(torch, xt, wt) if hasattr(pt, "tanh") else \
        ((wt @ xt).exp() * xt.exp()).sum() + (xt ** 3).sum()
    (gt,) = torch.autograd.grad(yt, xt, create_graph=True)
    (hvt,) = torch.autograd.grad((gt * torch.tensor(vv)).sum(), xt)
    np.testing.assert_allclose(hv.numpy(), hvt.numpy(), rtol=1e-10)


def test_100k_op_chain_no_recursion_limit():
    x = pt.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.item() == 1.0


def test_no_grad_and_enable_grad():
    x = leaf(1.0)
    with pt.no_grad():
        y = x * 2
        with pt.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @pt.no_grad()
    def f(t):
        return t * 2

    @pt.no_grad
    def g(t):
        return t * 2
    assert not f(x).requires_grad and not g(x).requires_grad
    assert pt.is_grad_enabled()


def test_set_grad_enabled_function_and_context():
    x = leaf(1.0)
    with pt.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert pt.is_grad_enabled()
    pt.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        pt.set_grad_enabled(True)


def test_inference_mode():
    x = leaf(1.0)
    with pt.inference_mode():
        assert pt.is_inference_mode_enabled()
        assert not (x * 2).requires_grad
    assert not pt.is_inference_mode_enabled()


def test_tensor_hook_modifies_grad():
    x = leaf(1.0, 2.0)
    h = x.register_hook(lambda g: g * 10)
    (x * 1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [10.0, 10.0])
    h.remove()
    x.grad = None
    (x * 1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.0])


def test_nonleaf_hook_and_retain_grad():
    x = leaf(1.0, 2.0)
    h = x * 2
    h.retain_grad()
    seen = []
    h.register_hook(lambda g: seen.append(g.numpy().copy()))
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), [4.0, 8.0])
    np.testing.assert_allclose(seen[0], [4.0, 8.0])
    np.testing.assert_allclose(x.grad.numpy(), [8.0, 16.0])


def test_grads_do_not_alias_between_leaves():
    a = leaf(1.0, 2.0)
    b = leaf(3.0, 4.0)
    (a.reshape(2) + b).sum().backward()
    a.grad.mul_(5)
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 1.0])


def test_user_gradient_not_aliased_into_grad():
    x = leaf(1.0, 2.0)
    g = pt.tensor([1.0, 1.0], dtype=pt.float64)
    (x + 0).backward(g)
    x.grad.mul_(3)
    np.testing.assert_allclose(g.numpy(), [1.0, 1.0])


def test_custom_function_instance_style():
    class Cube(Function):
        def forward(self, x):
            self.save_for_backward(x)
            return x ** 3

        def backward(self, gy):
            x, = self.saved_tensors
            return gy * 3 * x * x

    x = leaf(2.0)
    y = Cube.apply(x)
    assert repr(y.grad_fn) == "<CubeBackward>"
    y.sum().backward()
    assert x.grad.item() == 12.0
    assert pt.autograd.gradcheck(lambda t: Cube.apply(t), (leaf(0.3, -1.2),))
    assert pt.autograd.gradgradcheck(lambda t: Cube.apply(t),
                                     (leaf(0.3, -1.2),))


def test_custom_function_pytorch_static_style():
    class MulConst(Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, gy):
            assert ctx.needs_input_grad == (True, False)
            return gy * ctx.k, None

    x = leaf(1.0, 2.0)
    MulConst.apply(x, 4.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 4.0])


def test_wrong_number_of_gradients_is_clear():
    class Bad(Function):
        def forward(self, a, b):
            return a + b

        def backward(self, gy):
            return gy

    a, b = leaf(1.0), leaf(2.0)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(a, b).sum().backward()


def test_gradcheck_reports_worst_element():
    class Wrong(Function):
        def forward(self, x):
            return x * 2

        def backward(self, gy):
            return gy * 3

    x = leaf(0.5, 1.5)
    with pytest.raises(pt.autograd.GradcheckError) as e:
        pt.autograd.gradcheck(lambda t: Wrong.apply(t), (x,))
    assert "numerical 2 vs analytical 3" in str(e.value)
    assert not pt.autograd.gradcheck(lambda t: Wrong.apply(t), (x,),
                                     raise_exception=False)


def test_leaf_inplace_error_and_no_grad_update():
    w = leaf(1.0, 2.0)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.add_(1)
    with pt.no_grad():
        w.add_(1)
    np.testing.assert_allclose(w.detach().numpy(), [2.0, 3.0])
    assert w._version == 1


def test_inplace_on_saved_tensor_names_op_and_line():
    x = leaf(0.5, 1.0)
    y = x.exp()                    # saves its output
    y.mul_(2)                      # the in-place op on a saved tensor
    with pytest.raises(RuntimeError) as e:
        y.sum().backward()
    msg = str(e.value)
    assert "modified by an inplace operation" in msg
    assert "mul_" in msg and "test_engine.py" in msg and "y.mul_(2)" in msg


def test_inplace_on_nonleaf_rebases_history():
    x = leaf(1.0, 2.0)
    y = x * 1
    y.mul_(3)                      # mul by a number saves nothing stale
    y.add_(x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 4.0])
    assert repr(y.grad_fn) == "<AddBackward>"


def test_inplace_mul_keeps_old_value_for_other_gradient():
    torch = require_torch()
    xv, wv = np.array([1.0, -2.0]), np.array([3.0, 0.5])
    x, w = pt.tensor(xv, requires_grad=True), pt.tensor(wv, requires_grad=True)
    y = x * 1
    y.mul_(w)
    (y * y).sum().backward()
    xt = torch.tensor(xv, requires_grad=True)
    wt = torch.tensor(wv, requires_grad=True)
    yt = xt * 1
    yt.mul_(wt)
    (yt * yt).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy())
    np.testing.assert_allclose(w.grad.numpy(), wt.grad.numpy())


def test_inplace_through_view_reaches_base_gradient():
    torch = require_torch()
    av = np.arange(6.0).reshape(2, 3)
    a = pt.tensor(av, requires_grad=True)
    b = a * 1
    v = b.t()                      # a view of b
    v.mul_(pt.tensor([[1.0, 2.0]], dtype=pt.float64))
    (b * b).sum().backward()
    at = torch.tensor(av, requires_grad=True)
    bt = at * 1
    vt = bt.t()
    vt.mul_(torch.tensor([[1.0, 2.0]], dtype=torch.float64))
    (bt * bt).sum().backward()
    np.testing.assert_allclose(b.detach().numpy(), bt.detach().numpy())
    np.testing.assert_allclose(a.grad.numpy(), at.grad.numpy())


def test_view_shares_storage_and_version():
    a = pt.zeros(2, 3)
    v = a.view(3, 2)
    v.add_(1)
    assert a.sum().item() == 6.0
    assert a._version == v._version == 1


def test_expanded_inplace_is_an_error():
    a = pt.zeros(3, 1).expand(3, 4)
    with pytest.raises(RuntimeError, match="more than one element"):
        a.add_(1)


def test_inplace_dtype_rules():
    x = pt.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        x.add_(1.5)
    y = pt.zeros(3)
    with pytest.raises(RuntimeError,
                       match="doesn't match the broadcast shape"):
        y.add_(pt.ones(2, 3))


def test_freed_graph_after_backward_is_released():
    x = leaf(1.0)
    y = x.exp()
    node = y.grad_fn
    y.sum().backward()
    assert node._saved is None


def test_op_error_in_backward_names_node():
    class Boom(Function):
        def forward(self, x):
            return x * 1

        def backward(self, gy):
            raise ValueError("boom")

    x = leaf(1.0)
    with pytest.raises(ValueError) as e:
        Boom.apply(x).sum().backward()
    assert any("backward of boom" in n
               for n in getattr(e.value, "__notes__", []))


def test_zero_dim_gradients_stay_arrays_in_fast_mode():
    # 0-d NumPy arithmetic returns scalars; the engine must keep arrays.
    x = pt.tensor(3.0, requires_grad=True)
    y = x * x * 2 + x
    y.backward()
    assert x.grad.item() == 13.0 and x.grad.shape == ()
    (g,) = grad(x ** 3, x, create_graph=True)
    (h,) = grad(g, x)
    assert h.item() == pytest.approx(18.0)
