"""Reductions: parity with PyTorch 2.13 (forward and backward), float64
gradcheck, and explicit tests for ties, zeros, NaN, empty inputs, integer
dtypes, multi-output return types and errors."""
import math

import numpy as np
import pytest

import pytensor
from pytensor.autograd import gradcheck, gradgradcheck
from tests.parity import OpCase, define_tests

INF = float("inf")
NAN = float("nan")

R = [((3, 4),), ((),), ((0, 3),), ((2, 1, 3),)]      # reduce-all shapes
D2 = [((3, 4),), ((2, 3, 4),)]                        # reduce along dim 1
POS = (0.5, 2.0)


def with_zeros(rng, shape, dtype):
    """Rows holding no zero, one zero and two zeros (along the last dim),
    and other values away from zero."""
    x = rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1, 1], size=shape)
    if x.ndim == 0 or x.size == 0:
        return x
    flat = x.reshape(-1, x.shape[-1])
    n = flat.shape[1]
    for r in range(flat.shape[0]):
        k = r % 3                           # 0, 1, 2 zeros in this row
        cols = rng.permutation(n)[:min(k, n)]
        flat[r, cols] = 0.0
    return flat.reshape(shape)


def one_zero(rng, shape, dtype):
    x = rng.uniform(0.5, 1.5, size=shape)
    x.reshape(-1)[rng.integers(x.size)] = 0.0
    return x


def two_zeros(rng, shape, dtype):
    x = rng.uniform(0.5, 1.5, size=shape)
    x.reshape(-1)[rng.permutation(x.size)[:2]] = 0.0
    return x


def with_nans(rng, shape, dtype):
    x = rng.uniform(-2, 2, size=shape)
    if x.size:
        x.reshape(-1)[::3] = np.nan
    return x


def sparse(rng, shape, dtype):
    """Zeros and non-zeros, for the truth-value reductions."""
    return rng.integers(0, 2, size=shape) * rng.uniform(0.5, 2, size=shape)


CASES = [
    # sum / mean (existing ops: 0-d with a dim, empty, negative dims)
    OpCase("sum_0d_dim", lambda T, a: a.sum(0), [((),)]),
    OpCase("sum_neg_keep", lambda T, a: a.sum(-1, keepdim=True),
           [((3, 4),), ((2, 0),)]),
    OpCase("mean_0d_dim", lambda T, a: a.mean(-1, keepdim=True), [((),)]),
    OpCase("mean_empty", lambda T, a: a.mean(), [((0, 3),)],
           gradcheck=False),
    OpCase("mean_empty_dim", lambda T, a: a.mean(0), [((0, 3),)]),
    OpCase("nansum", lambda T, a: a.nansum(1), D2, domain=with_nans),
    OpCase("nansum_all", lambda T, a: T.nansum(a), R, domain=with_nans),
    OpCase("nanmean", lambda T, a: a.nanmean(-1, keepdim=True), D2,
           domain=with_nans),
    # prod
    OpCase("prod_all", lambda T, a: a.prod(), R),
    OpCase("prod_dim", lambda T, a: a.prod(1), D2 + [((0, 3),), ((3, 0),)]),
    OpCase("prod_dim_keep", lambda T, a: T.prod(a, -1, keepdim=True),
           [((3, 4),), ((),)]),
    OpCase("prod_zeros_dim", lambda T, a: a.prod(-1),
           [((6, 4),), ((2, 3, 5),)], domain=with_zeros),
    OpCase("prod_zeros_dim0", lambda T, a: a.prod(0), [((6, 4),)],
           domain=lambda r, s, d: np.ascontiguousarray(
               with_zeros(r, s[::-1], d).T)),
    OpCase("prod_one_zero", lambda T, a: a.prod(), [((3, 4),), ((5,),)],
           domain=one_zero),
    OpCase("prod_two_zeros", lambda T, a: a.prod(), [((3, 4),), ((5,),)],
           domain=two_zeros),
    OpCase("prod_single", lambda T, a: a.prod(1), [((3, 1),)]),
    # cumsum / cumprod
    OpCase("cumsum", lambda T, a: a.cumsum(1), D2),
    OpCase("cumsum_neg", lambda T, a: T.cumsum(a, dim=-1),
           [((5,),), ((),), ((0, 3),), ((2, 0),)]),
    OpCase("cumsum_dim0", lambda T, a: a.cumsum(0), [((3, 4),)]),
    OpCase("cumprod", lambda T, a: a.cumprod(1), D2),
    OpCase("cumprod_neg", lambda T, a: T.cumprod(a, -1),
           [((5,),), ((),), ((0, 3),)]),
    OpCase("cumprod_zeros", lambda T, a: a.cumprod(-1),
           [((6, 5),), ((3, 2, 4),)], domain=with_zeros),
    OpCase("cumprod_zeros_dim0", lambda T, a: a.cumprod(0), [((5, 6),)],
           domain=lambda r, s, d: np.ascontiguousarray(
               with_zeros(r, s[::-1], d).T)),
    # max / min / amax / amin (random inputs: no ties)
    OpCase("max_all", lambda T, a: a.max(), R[:2] + R[3:]),
    OpCase("min_all", lambda T, a: T.min(a), R[:2] + R[3:]),
    OpCase("max_dim", lambda T, a: a.max(1), D2 + [((0, 3),)]),
    OpCase("max_dim_keep", lambda T, a: T.max(a, -1, keepdim=True),
           [((3, 4),), ((),), ((4,),)]),
    OpCase("min_dim", lambda T, a: a.min(dim=0), D2),
    OpCase("min_dim_keep", lambda T, a: a.min(-2, True), D2),
    OpCase("max_values", lambda T, a: a.max(1).values * 2, D2),
    OpCase("amax", lambda T, a: a.amax(), R[:2] + R[3:]),
    OpCase("amax_dims", lambda T, a: a.amax((0, 2)), [((2, 3, 4),)]),
    OpCase("amax_neg_keep", lambda T, a: T.amax(a, -1, keepdim=True),
           [((3, 4),), ((),), ((0, 3),)]),
    OpCase("amin_dims", lambda T, a: T.amin(a, (-1, 0)), [((2, 3, 4),)]),
    OpCase("amin", lambda T, a: a.amin(1), D2),
    OpCase("aminmax", lambda T, a: T.aminmax(a, dim=1), D2),
    OpCase("aminmax_all", lambda T, a: T.aminmax(a), [((3, 4),)]),
    # argmax / argmin
    OpCase("argmax", lambda T, a: a.argmax(), R[:2] + R[3:], grad=False),
    OpCase("argmax_dim", lambda T, a: a.argmax(1), D2 + [((0, 3),)],
           grad=False),
    OpCase("argmax_keep", lambda T, a: T.argmax(a, -1, keepdim=True),
           [((3, 4),), ((),)], grad=False),
    OpCase("argmax_none_keep", lambda T, a: a.argmax(keepdim=True),
           [((3, 4),)], grad=False),
    OpCase("argmin", lambda T, a: T.argmin(a, 0), D2, grad=False),
    # var / std
    OpCase("var_all", lambda T, a: a.var(), [((3, 4),), ((2, 1, 3),)]),
    OpCase("var_dim", lambda T, a: a.var(1), D2),
    OpCase("var_dims_keep", lambda T, a: T.var(a, (0, 2), keepdim=True),
           [((2, 3, 4),)]),
    OpCase("var_correction0", lambda T, a: a.var(-1, correction=0),
           D2 + [((),)]),
    OpCase("var_correction2", lambda T, a: a.var(dim=1, correction=2),
           [((3, 5),)]),
    OpCase("var_unbiased_pos", lambda T, a: T.var(a, 1, False, True), D2),
    OpCase("var_unbiased_only", lambda T, a: a.var(False), [((3, 4),)]),
    OpCase("var_unbiased_kw", lambda T, a: a.var(unbiased=False),
           [((3, 4),)]),
    OpCase("std_all", lambda T, a: a.std(), [((3, 4),), ((2, 1, 3),)]),
    OpCase("std_dim", lambda T, a: T.std(a, -1, keepdim=True), D2),
    OpCase("std_correction", lambda T, a: a.std((0, 1), correction=0),
           [((2, 3, 4),)]),
    OpCase("var_mean", lambda T, a: T.var_mean(a, 1), D2),
    OpCase("std_mean", lambda T, a: T.std_mean(a, correction=0),
           [((3, 4),)]),
    # logsumexp
    OpCase("logsumexp", lambda T, a: a.logsumexp(1), D2),
    OpCase("logsumexp_dims", lambda T, a: T.logsumexp(a, (0, -1), True),
           [((2, 3, 4),), ((0, 3, 2),)]),
    OpCase("logsumexp_big", lambda T, a: (a * 500).logsumexp(-1),
           [((3, 4),)]),
    OpCase("logsumexp_0d", lambda T, a: a.logsumexp(0), [((),)]),
    # norm
    OpCase("norm_fro", lambda T, a: a.norm(), R),
    OpCase("norm_dim", lambda T, a: a.norm(dim=1), D2),
    OpCase("norm_1", lambda T, a: a.norm(1), R[:2] + R[3:]),
    OpCase("norm_3_dims", lambda T, a: T.norm(a, 3, (0, 2), True),
           [((2, 3, 4),)]),
    OpCase("norm_half", lambda T, a: a.norm(0.5, dim=-1), D2),
    OpCase("norm_1p5", lambda T, a: a.norm(1.5, 1), D2),
    OpCase("norm_neg1", lambda T, a: a.norm(-1.0, 1), D2),
    OpCase("norm_inf", lambda T, a: a.norm(INF, 1), D2),
    OpCase("norm_neginf", lambda T, a: a.norm(-INF), [((3, 4),)]),
    OpCase("norm_0", lambda T, a: a.norm(0, 1), D2, domain=sparse,
           gradcheck=False),
    OpCase("norm_fro_dims", lambda T, a: a.norm("fro", (0, 1)),
           [((2, 3, 4),)]),
    # order statistics
    OpCase("median_odd", lambda T, a: a.median(), [((3, 5),), ((1,),)]),
    OpCase("median_even", lambda T, a: T.median(a), [((3, 4),)]),
    OpCase("median_dim", lambda T, a: a.median(1), D2 + [((2, 1),)]),
    OpCase("median_dim_keep", lambda T, a: a.median(-1, keepdim=True),
           [((3, 4),), ((),)]),
    OpCase("kthvalue", lambda T, a: a.kthvalue(2), D2),
    OpCase("kthvalue_dim", lambda T, a: T.kthvalue(a, 3, 0, True),
           [((4, 3),)]),
    OpCase("topk", lambda T, a: a.topk(2), D2),
    OpCase("topk_smallest", lambda T, a: T.topk(a, 3, 0, largest=False),
           [((4, 3),)]),
    OpCase("topk_partition", lambda T, a: a.topk(3, dim=-1), [((3, 40),)]),
    OpCase("topk_partition_small", lambda T, a: a.topk(2, largest=False),
           [((2, 40),)]),
    OpCase("topk_0d_zero_k", lambda T, a: a.topk(0), [((3, 4),)]),
    OpCase("sort", lambda T, a: a.sort(), D2 + [((),), ((0, 3),)]),
    OpCase("sort_desc", lambda T, a: T.sort(a, 0, descending=True), D2),
    OpCase("sort_stable", lambda T, a: a.sort(dim=1, stable=True), D2),
    OpCase("argsort", lambda T, a: a.argsort(1, descending=True), D2,
           grad=False),
    OpCase("argsort_default", lambda T, a: T.argsort(a), D2 + [((),)],
           grad=False),
    # truth values
    OpCase("all", lambda T, a: a.all(), R, domain=sparse, grad=False),
    OpCase("all_dim", lambda T, a: a.all(1), D2, domain=sparse,
           grad=False),
    OpCase("any_dims_keep", lambda T, a: T.any(a, (0, 2), True),
           [((2, 3, 4),)], domain=sparse, grad=False),
    OpCase("count_nonzero", lambda T, a: a.count_nonzero(), R,
           domain=sparse, grad=False),
    OpCase("count_nonzero_dim", lambda T, a: T.count_nonzero(a, dim=(0, 1)),
           [((2, 3, 4),)], domain=sparse, grad=False),
    # integer inputs (dtype checks)
    OpCase("int_sum", lambda T, a: a.sum(1), D2, int_inputs=(0,),
           grad=False, int_domain=(-3, 4)),
    OpCase("int_prod", lambda T, a: a.prod(), R, int_inputs=(0,),
           grad=False, int_domain=(-3, 4)),
    OpCase("int_cumsum", lambda T, a: a.cumsum(-1), D2, int_inputs=(0,),
           grad=False),
    OpCase("int_cumprod", lambda T, a: a.cumprod(0), D2, int_inputs=(0,),
           grad=False),
    OpCase("int_max", lambda T, a: a.max(1), D2, int_inputs=(0,),
           grad=False, int_domain=(0, 100)),
    OpCase("int_amax", lambda T, a: a.amax(), D2, int_inputs=(0,),
           grad=False),
    OpCase("int_argmin", lambda T, a: a.argmin(-1), D2, int_inputs=(0,),
           grad=False, int_domain=(0, 1000)),
    OpCase("int_logsumexp", lambda T, a: a.logsumexp(1), D2, int_inputs=(0,),
           grad=False),
    OpCase("int_median", lambda T, a: a.median(), [((3, 5),)],
           int_inputs=(0,), grad=False),
    OpCase("int_sort", lambda T, a: a.sort(1), [((3, 5),)],
           int_inputs=(0,), grad=False, int_domain=(0, 1000)),
    OpCase("int_all", lambda T, a: a.any(0), D2, int_inputs=(0,),
           grad=False),
]

define_tests(CASES, globals())


def t64(v, requires_grad=True):
    return pytensor.tensor(v, dtype=pytensor.float64,
                           requires_grad=requires_grad)


def grads_vs_torch(torch, fn, values, gy=None):
    """Gradient of ``fn`` at ``values`` in both libraries (gy: arange)."""
    x = t64(values)
    tx = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    y, ty = fn(pytensor, x), fn(torch, tx)
    if isinstance(y, tuple):
        y, ty = y[0], ty[0]
    g = np.arange(1, ty.numel() + 1, dtype=np.float64).reshape(ty.shape) \
        if gy is None else gy
    y.backward(pytensor.tensor(g))
    ty.backward(torch.tensor(g))
    return y, x.grad.numpy(), ty, tx.grad.numpy()


def assert_same(a, b):
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, equal_nan=True)


# ----------------------------------------------------------------------
# Ties and NaN: PyTorch's gradient conventions
TIES = [[1.0, 3.0, 3.0], [2.0, 0.0, 3.0]]


@pytest.mark.torch
@pytest.mark.parametrize("expr", [
    lambda T, x: x.max(), lambda T, x: x.min(), lambda T, x: x.amax(),
    lambda T, x: x.amin(), lambda T, x: x.amax(1),
    lambda T, x: T.amin(x, 0, keepdim=True), lambda T, x: x.median(),
    lambda T, x: x.norm(INF), lambda T, x: x.norm(INF, dim=1),
    lambda T, x: x.norm(-INF, dim=0),
])
@pytest.mark.parametrize("values", [
    TIES, [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]], [[-3.0, 3.0, 1.0],
                                               [0.0, -3.0, 3.0]]])
def test_tie_gradients_split_evenly(torch, expr, values):
    y, g, ty, tg = grads_vs_torch(torch, expr, values)
    assert_same(y.detach().numpy(), ty.detach().numpy())
    assert_same(g, tg)


@pytest.mark.torch
@pytest.mark.parametrize("expr", [
    lambda T, x: x.max(1), lambda T, x: x.min(1),
    lambda T, x: x.max(0, keepdim=True), lambda T, x: x.median(1)])
def test_tie_gradient_goes_to_first_index(torch, expr):
    vals = [[1.0, 3.0, 3.0], [0.0, 0.0, 0.0], [2.0, 2.0, 5.0]]
    y, g, ty, tg = grads_vs_torch(torch, expr, vals)
    assert_same(g, tg)
    # One position per slice receives the whole gradient.
    assert (g != 0).sum() == y.numel()


@pytest.mark.torch
def test_nan_conventions(torch):
    vals = [[1.0, NAN, 3.0], [NAN, 0.0, NAN]]
    for expr in (lambda T, x: x.max(), lambda T, x: x.amax(1),
                 lambda T, x: x.max(1), lambda T, x: x.min(0),
                 lambda T, x: x.median(), lambda T, x: x.median(1),
                 lambda T, x: x.sort(1, descending=True),
                 lambda T, x: x.sort(0), lambda T, x: x.topk(2),
                 lambda T, x: x.logsumexp(1), lambda T, x: x.norm(dim=1)):
        y, g, ty, tg = grads_vs_torch(torch, expr, vals)
        assert_same(y.detach().numpy(), ty.detach().numpy())
        assert_same(g, tg)
    x = pytensor.tensor(vals)
    tx = torch.tensor(vals)
    np.testing.assert_array_equal(x.max(1).indices.numpy(),
                                  tx.max(1).indices.numpy())
    np.testing.assert_array_equal(x.sort(1).indices.numpy(),
                                  tx.sort(1).indices.numpy())
    np.testing.assert_array_equal(x.median(1).indices.numpy(),
                                  tx.median(1).indices.numpy())


@pytest.mark.torch
def test_sort_is_stable_with_ties(torch):
    vals = [[2.0, 1.0, 2.0, 1.0, 2.0], [0.0, 0.0, 0.0, 0.0, 0.0]]
    x, tx = pytensor.tensor(vals), torch.tensor(vals)
    for desc in (False, True):
        r = x.sort(1, descending=desc)
        tr = tx.sort(dim=1, descending=desc, stable=True)
        np.testing.assert_array_equal(r.indices.numpy(), tr.indices.numpy())
        np.testing.assert_array_equal(r.values.numpy(), tr.values.numpy())
        np.testing.assert_array_equal(
            x.argsort(1, descending=desc).numpy(), tr.indices.numpy())


@pytest.mark.torch
def test_logsumexp_infinite_rows(torch):
    vals = [[-INF, -INF], [1.0, 2.0], [INF, 1.0], [INF, -INF]]
    y, g, ty, tg = grads_vs_torch(torch, lambda T, x: x.logsumexp(1), vals)
    assert_same(y.detach().numpy(), ty.detach().numpy())
    assert_same(g, tg)


@pytest.mark.torch
def test_norm_gradient_at_zero(torch):
    for p in (2, "fro", 1, 3, 1.5, 0.5, INF):
        y, g, ty, tg = grads_vs_torch(
            torch, lambda T, x: x.norm(p, dim=1), [[0.0, 0.0], [3.0, 0.0]])
        assert_same(g, tg)
        assert np.isfinite(g).all()
        assert (g[0] == 0).all()


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:.*degrees of freedom")
@pytest.mark.parametrize("kw", [dict(), dict(dim=0), dict(correction=3),
                                dict(dim=0, correction=3),
                                dict(dim=0, correction=2)])
@pytest.mark.parametrize("op", ["var", "std"])
@pytest.mark.parametrize("vals", [[5.0, 6.0], [5.0, 5.0], [4.0]])
def test_var_std_degenerate(torch, kw, op, vals):
    """Too few elements for the correction: PyTorch's NaN/inf forward and
    gradient formulas; std's gradient is 0 where std is 0."""
    y, g, ty, tg = grads_vs_torch(
        torch, lambda T, x: getattr(x, op)(**kw), vals)
    assert_same(y.detach().numpy(), ty.detach().numpy())
    assert_same(g, tg)


# ----------------------------------------------------------------------
# Zeros: exact gradients, and double backward
@pytest.mark.parametrize("fn,vals", [
    (lambda x: x.prod(), [2.0, 0.0, 3.0]),
    (lambda x: x.prod(), [2.0, 0.0, 0.0]),
    (lambda x: x.prod(1), [[2.0, 0.0, 3.0], [0.0, 0.0, 2.0], [1.5, 2.0, 3.0]]),
    (lambda x: x.cumprod(1), [[2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 2.0, 2.0],
                              [1.0, 2.0, 3.0, 0.5], [0.5, 2.0, 3.0, 0.0]]),
])
def test_zero_inputs_double_backward(fn, vals):
    x = t64(vals)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_prod_zero_gradients_values():
    x = t64([[2.0, 0.0, 3.0], [0.0, 0.0, 2.0], [1.0, 2.0, 3.0]])
    x.prod(1).sum().backward()
    np.testing.assert_array_equal(
        x.grad.numpy(), [[0, 6, 0], [0, 0, 0], [6, 3, 2]])
    y = t64([1.0, 2.0, 0.0, 4.0])
    y.cumprod(0).backward(pytensor.ones(4, dtype=pytensor.float64))
    # d/dx_0 = 1 + x1 (+0 +0); d/dx_2 = x0 x1 (1 + x3); after: 0
    np.testing.assert_array_equal(y.grad.numpy(), [3, 1, 10, 0])


@pytest.mark.parametrize("fn", [
    lambda x: x.max(1).values, lambda x: x.amax((0, 1)), lambda x: x.var(1),
    lambda x: x.std(0, correction=0), lambda x: x.logsumexp(1),
    lambda x: x.norm(dim=1), lambda x: x.norm(3), lambda x: x.norm(1.5, 0),
    lambda x: x.norm(0.5), lambda x: x.sort(1).values,
    lambda x: x.topk(2).values, lambda x: x.median(0).values,
    lambda x: x.cumsum(1), lambda x: x.prod(0),
    lambda x: pytensor.nanmean(x, 1), lambda x: x.kthvalue(2, 0).values,
    lambda x: x.max(), lambda x: x.median(), lambda x: x.amin(1),
    lambda x: x.cumprod(1), lambda x: x.norm(1, 1),
    lambda x: x.norm(float("inf"), 1),
])
def test_double_backward(fn):
    x = pytensor.tensor(np.random.default_rng(3).uniform(-2, 2, (3, 4)),
                        dtype=pytensor.float64, requires_grad=True)
    assert gradgradcheck(fn, (x,))


# ----------------------------------------------------------------------
# Empty inputs
@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:.*degrees of freedom")
def test_empty_reductions(torch):
    e = pytensor.zeros(0, 3)
    te = torch.zeros(0, 3)
    for f in (lambda x: x.sum(), lambda x: x.prod(), lambda x: x.mean(),
              lambda x: x.prod(0), lambda x: x.sum(0), lambda x: x.mean(0),
              lambda x: x.logsumexp(0), lambda x: x.norm(),
              lambda x: x.norm(1, 0), lambda x: x.var(0), lambda x: x.std(),
              lambda x: x.median(), lambda x: x.amax(1),
              lambda x: x.max(1).values, lambda x: x.cumsum(0),
              lambda x: x.cumprod(1), lambda x: x.all(), lambda x: x.any(0),
              lambda x: x.count_nonzero(), lambda x: x.sort(0).values,
              lambda x: x.topk(0, 0).values, lambda x: x.nansum()):
        a, b = f(e), f(te)
        assert a.shape == tuple(b.shape)
        assert a.dtype.name == str(b.dtype).replace("torch.", "")
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("call,exc,msg", [
    (lambda x: x.max(), RuntimeError,
     r"^max\(\): Expected reduction dim to be specified"),
    (lambda x: x.min(), RuntimeError, r"^min\(\)"),
    (lambda x: x.max(0), IndexError,
     r"^max\(\): Expected reduction dim 0 to have non-zero size"),
    (lambda x: x.amax(), RuntimeError, r"^amax\(\): Expected reduction dim"),
    (lambda x: x.amin(0), IndexError, r"^amin\(\): Expected reduction dim 0"),
    (lambda x: x.argmax(), IndexError, r"^argmax\(\): Expected reduction"),
    (lambda x: x.argmin(0), IndexError, r"^argmin\(\): Expected reduction"),
    (lambda x: x.median(0), IndexError, r"^median\(\): Expected reduction"),
    (lambda x: x.aminmax(), RuntimeError, r"^aminmax\(\)"),
    (lambda x: x.norm(INF), RuntimeError, r"^norm: .*inf norm on an empty"),
    (lambda x: x.norm(-INF, 0), RuntimeError, r"-inf norm on an empty"),
])
def test_empty_without_identity_raises(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call(pytensor.zeros(0, 3))


# ----------------------------------------------------------------------
# Integer and bool inputs
@pytest.mark.torch
def test_integer_dtypes(torch):
    for dt in ("int32", "int16", "uint8", "bool"):
        vals = np.array([[1, 0, 3], [2, 2, 1]]).astype(dt)
        x, tx = pytensor.from_numpy(vals), torch.from_numpy(vals)
        for f in (lambda a: a.sum(), lambda a: a.prod(1),
                  lambda a: a.cumsum(0), lambda a: a.cumprod(1),
                  lambda a: a.max(), lambda a: a.amax(0),
                  lambda a: a.max(1).values, lambda a: a.argmax(1),
                  lambda a: a.all(1), lambda a: a.any(),
                  lambda a: a.count_nonzero(0), lambda a: a.sort(1).values,
                  lambda a: a.median(), lambda a: a.nansum()):
            try:
                b = f(tx)
            except NotImplementedError:
                continue        # no torch kernel for this dtype (median)
            except RuntimeError:
                with pytest.raises(RuntimeError):   # argmax of bool
                    f(x)
                continue
            a = f(x)
            assert a.dtype.name == str(b.dtype).replace("torch.", ""), (
                dt, a.dtype, b.dtype)
            np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("call,msg", [
    (lambda x: x.var(), r"^var\(\): std and var only support floating"),
    (lambda x: x.std(1), r"^std\(\): std and var only support floating"),
    (lambda x: pytensor.var_mean(x), r"^var\(\)"),
    (lambda x: x.norm(), r"^norm: linalg.vector_norm: Expected a floating "
                         r"point or complex tensor as input. Got Long"),
    (lambda x: x.mean(), r"^mean\(\)"),
    (lambda x: x.nanmean(), r"^nanmean\(\)"),
])
def test_float_only_ops_reject_integers(call, msg):
    with pytest.raises(RuntimeError, match=msg):
        call(pytensor.tensor([[1, 2], [3, 4]]))


def test_logsumexp_int_computes_in_default_float():
    r = pytensor.tensor([1, 2]).logsumexp(0)
    assert r.dtype == pytensor.float32
    assert abs(r.item() - math.log(math.e + math.e ** 2)) < 1e-6


# ----------------------------------------------------------------------
# Multi-output return types
def test_return_types():
    x = pytensor.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]],
                        requires_grad=True)
    for name, r in (("max", x.max(1)), ("min", x.min(1)),
                    ("median", x.median(1)), ("kthvalue", x.kthvalue(1)),
                    ("topk", x.topk(2)), ("sort", x.sort())):
        assert isinstance(r, tuple) and len(r) == 2
        assert type(r) is getattr(pytensor.return_types, name)
        values, indices = r
        assert values is r.values and indices is r.indices
        assert r[0] is r.values
        assert indices.dtype == pytensor.int64
        assert not indices.requires_grad and indices.grad_fn is None
        assert values.requires_grad
        assert repr(r).startswith(f"pytensor.return_types.{name}(\nvalues=")
    mm = x.aminmax()
    assert mm.min.item() == 0.0 and mm.max.item() == 7.0
    v, m = pytensor.var_mean(x, 1)
    assert type((v, m)) is tuple


def test_unused_values_output_gets_no_grad_from_indices():
    x = pytensor.tensor([[1.0, 5.0, 2.0]], requires_grad=True)
    r = x.max(1)
    (r.values * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 3, 0]])


def test_binary_max_min_dispatch():
    from pytensor.ops import arith
    if not hasattr(arith, "maximum"):
        pytest.skip("pytensor.maximum is not merged yet")
    a = pytensor.tensor([1.0, 5.0])
    b = pytensor.tensor([3.0, 2.0])
    np.testing.assert_array_equal(pytensor.max(a, b).numpy(), [3, 5])
    np.testing.assert_array_equal(a.min(b).numpy(), [1, 2])
    np.testing.assert_array_equal(pytensor.max(a, other=b).numpy(), [3, 5])


# ----------------------------------------------------------------------
# Errors
OPS_WITH_DIM = [
    ("sum", lambda x, d: x.sum(d)), ("mean", lambda x, d: x.mean(d)),
    ("prod", lambda x, d: x.prod(d)), ("max", lambda x, d: x.max(d)),
    ("min", lambda x, d: x.min(d)), ("amax", lambda x, d: x.amax(d)),
    ("amin", lambda x, d: x.amin((0, d))),
    ("argmax", lambda x, d: x.argmax(d)), ("argmin", lambda x, d: x.argmin(d)),
    ("var", lambda x, d: x.var(d)), ("std", lambda x, d: x.std(d)),
    ("logsumexp", lambda x, d: x.logsumexp(d)),
    ("norm", lambda x, d: x.norm(dim=d)), ("cumsum", lambda x, d: x.cumsum(d)),
    ("cumprod", lambda x, d: x.cumprod(d)), ("all", lambda x, d: x.all(d)),
    ("any", lambda x, d: x.any(d)),
    ("count_nonzero", lambda x, d: x.count_nonzero(d)),
    ("median", lambda x, d: x.median(d)),
    ("kthvalue", lambda x, d: x.kthvalue(1, d)),
    ("topk", lambda x, d: x.topk(1, d)), ("sort", lambda x, d: x.sort(d)),
    ("argsort", lambda x, d: x.argsort(d)), ("nansum", lambda x, d:
                                             x.nansum(d)),
]


@pytest.mark.parametrize("name,call", OPS_WITH_DIM,
                         ids=[n for n, _ in OPS_WITH_DIM])
@pytest.mark.parametrize("dim", [2, -3])
def test_dim_out_of_range(name, call, dim):
    with pytest.raises(IndexError, match=rf"^{name}\(?\)?: Dimension out of "
                       rf"range \(expected to be in range of \[-2, 1\], but "
                       rf"got {dim}\)"):
        call(pytensor.ones(2, 3), dim)


def test_repeated_dims():
    with pytest.raises(RuntimeError, match=r"^amax: dim \[1, -1\] appears "
                       "multiple times"):
        pytensor.ones(2, 3).amax((1, -1))


@pytest.mark.parametrize("k", [4, -1])
def test_topk_k_out_of_range(k):
    with pytest.raises(RuntimeError, match=r"^topk: selected index k out of "
                       r"range \(k=.*shape \[2, 3\] has size 3\)"):
        pytensor.ones(2, 3).topk(k)


@pytest.mark.parametrize("k", [0, 4])
def test_kthvalue_k_out_of_range(k):
    with pytest.raises(RuntimeError, match=r"^kthvalue\(\): selected number "
                       r"k out of range for dimension 1"):
        pytensor.ones(2, 3).kthvalue(k)


def test_argument_errors():
    x = pytensor.ones(2, 3)
    with pytest.raises(TypeError, match=r"^max\(\): keepdim=True needs a dim"):
        x.max(keepdim=True)
    with pytest.raises(TypeError, match=r"^cumsum\(\): dim must be an int"):
        x.cumsum((0, 1))
    with pytest.raises(RuntimeError, match=r"^var\(\): cannot specify both"):
        x.var(1, unbiased=True, correction=0)
    with pytest.raises(RuntimeError, match=r"^norm: p='nuc'"):
        x.norm("nuc")
    with pytest.raises(RuntimeError, match=r"^norm: unknown norm type"):
        x.norm("abc")
    with pytest.raises(RuntimeError, match=r"^norm: 'fro' norm needs at most"):
        pytensor.ones(2, 3, 4).norm("fro", (0, 1, 2))
    with pytest.raises(TypeError, match=r"^max\(\): argument 'input' must be"):
        pytensor.max([1.0, 2.0])


def test_all_any_empty_dim_tuple_reduces_nothing():
    x = pytensor.tensor([[0.0, 1.0], [2.0, 0.0]])
    assert x.all(dim=()).shape == (2, 2)
    assert x.any(()).numpy().tolist() == [[False, True], [True, False]]


def test_uint8_truth_values_stay_uint8():
    x = pytensor.tensor([1, 0, 2], dtype=pytensor.uint8)
    assert x.all().dtype == pytensor.uint8
    assert x.any(0).dtype == pytensor.uint8


def test_topk_partition_path_matches_full_sort():
    """The O(n) selection used for small k gives the same result as the
    full sort (distinct values, several dims)."""
    rng = np.random.default_rng(1)
    x = pytensor.tensor(rng.permutation(5 * 64).reshape(5, 64) * 1.0)
    for largest in (True, False):
        r = x.topk(3, 1, largest)
        s = x.sort(1, descending=largest)
        np.testing.assert_array_equal(r.values.numpy(),
                                      s.values.numpy()[:, :3])
        np.testing.assert_array_equal(r.indices.numpy(),
                                      s.indices.numpy()[:, :3])
        r0 = x.t().topk(4, 0, largest)
        np.testing.assert_array_equal(r0.values.numpy(),
                                      s.values.numpy()[:, :4].T)


def test_mean_of_empty_is_silent_nan(recwarn):
    assert math.isnan(pytensor.zeros(0).mean().item())
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


GRAD_FNS = [
    lambda x: x.max(1).values, lambda x: x.min(), lambda x: x.amax(0),
    lambda x: x.median(), lambda x: x.median(1, True).values,
    lambda x: x.sort(0, descending=True).values, lambda x: x.topk(2).values,
    lambda x: x.var(1), lambda x: x.var(), lambda x: x.std(0),
    lambda x: x.logsumexp(1), lambda x: x.norm(dim=1), lambda x: x.norm(1),
    lambda x: x.norm(3, 0), lambda x: x.prod(1), lambda x: x.prod(),
    lambda x: x.cumsum(0), lambda x: x.cumprod(1), lambda x: x.nansum(1),
    lambda x: pytensor.einsum("ij,kj->ik", x, x),
    lambda x: pytensor.addmm(x.sum(0), x, x.t(), beta=0.5, alpha=2),
    lambda x: x.diagonal(1), lambda x: pytensor.diag_embed(x),
    lambda x: x.trace(), lambda x: x.amax(1).sum() * x.max(),
]


@pytest.mark.parametrize("fn", GRAD_FNS)
@pytest.mark.parametrize("zeros", [False, True])
def test_fast_and_graph_backward_agree(fn, zeros):
    """The engine's array fast path (``backward_arrays``) and the Tensor
    ``backward`` (used with create_graph=True) give the same gradient."""
    rng = np.random.default_rng(5)
    v = rng.uniform(-2, 2, (4, 4))
    if zeros:
        v[1, 2] = v[3, 0] = v[3, 3] = 0.0
    x = pytensor.tensor(v, dtype=pytensor.float64, requires_grad=True)
    y = fn(x)
    gy = pytensor.tensor(rng.standard_normal(y.shape))
    (fast,) = pytensor.autograd.grad(y, x, gy, retain_graph=True)
    (slow,) = pytensor.autograd.grad(y, x, gy, create_graph=True)
    np.testing.assert_allclose(fast.numpy(), slow.detach().numpy(),
                               rtol=1e-12, atol=1e-12)


def test_median_kthvalue_index_is_stable_order_with_ties():
    """The O(n) selection picks, among tied values, the occurrence a stable
    sort would put at position k (small integer values: many ties)."""
    rng = np.random.default_rng(7)
    for _ in range(100):
        n = int(rng.integers(1, 9))
        v = rng.integers(0, 3, (4, n)).astype(np.float64)
        order = np.argsort(v, axis=1, kind="stable")
        k = int(rng.integers(0, n))
        r = pytensor.tensor(v).kthvalue(k + 1, 1)
        np.testing.assert_array_equal(r.indices.numpy(), order[:, k])
        np.testing.assert_array_equal(r.values.numpy(),
                                      np.sort(v, axis=1)[:, k])
        m = pytensor.tensor(v.T).median(0)
        np.testing.assert_array_equal(m.indices.numpy(),
                                      order[:, (n - 1) // 2])
