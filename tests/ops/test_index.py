"""Indexing: ``__getitem__`` / ``__setitem__`` / ``index_put`` and the index
ops (gather, scatter, index_select, index_add, masked_*, take, nonzero,
one_hot), against PyTorch 2.13; views, in-place writes through views and
their gradients; errors."""
import numpy as np
import pytest

import pytensor as pt
from tests.conftest import require_torch
from tests.parity import OpCase, define_tests


# --------------------------------------------------------------------------
# __setitem__ rows (functions, so both libraries run the same statements)
def _put_row(T, x, v):
    y = x * 1
    y[0] = v
    return y


def _put_col_number(T, x):
    y = x * 1
    y[:, -1] = 2.5
    return y


def _put_strided_bcast(T, x, v):
    y = x * 1
    y[1:, ::2] = v                  # v broadcasts over the region
    return y


def _put_leading_ones(T, x, v):
    y = x * 1
    y[1] = v                        # v has shape (1, 1, 4): leading 1s drop
    return y


def _put_index_list(T, x, v):
    y = x * 1
    y[[2, 0]] = v
    return y


def _put_mixed(T, x, v):
    y = x * 1
    y[[0, 2], 1:] = v
    return y


def _put_mask(T, x, m):
    y = x * 1
    y[m] = 0.0
    return y


def _put_mask_tensor_value(T, x, m, v):
    y = x * 1
    y[m] = v                        # a 0-d tensor: gets the summed gradient
    return y


def _put_into_int(T):
    y = T.zeros(3, dtype=T.int64)
    y[0] = 1.7                      # truncated, as PyTorch does
    y[1:] = T.tensor([2.9, -3.9])
    return y


def _brief_example(T, a, c):
    b = a * 1
    b[0] = c
    b[:, 1].mul_(3)
    return b


def _view_then_write(T, a, c):
    # A view made before writes through another view and to the base: its
    # values and gradient follow the writes.
    b = a * 1
    v = b[1:]
    b[1, 1:3] = c
    b.mul_(2)
    return b, v * 1


def _write_via_view_of_view(T, a, c):
    b = a * 1
    v = b[:, 1:]
    w = v[0]
    w[1:] = c
    return b, v * 1


def _narrow_select_inplace(T, a, w):
    b = a * 1
    b.narrow(1, 1, 2).mul_(w)
    b.select(0, -1).add_(1)
    return b


def _index_put_acc(T, x, v):
    return x.index_put((T.tensor([0, 2, 0]),), v, accumulate=True)


def _index_put_inplace(T, x, v):
    y = x * 1
    y.index_put_((T.tensor([1, 0]), T.tensor([2, 2])), v)
    return y


def _masked_fill_inplace(T, x, m):
    y = x * 1
    y.masked_fill_(m, -1.0)
    return y


def _scatter_inplace(T, x, s):
    y = x * 1
    y.scatter_(1, T.tensor([[0, 2], [1, 0], [3, 1]]), s)
    return y


def _index_add_inplace(T, x, s):
    y = x * 1
    y.index_add_(0, T.tensor([2, 2]), s, alpha=-1.5)
    return y


# --------------------------------------------------------------------------
GETITEM = [
    OpCase("int", lambda T, x: x[1], [((3, 4),), ((3,),)]),
    OpCase("int_neg", lambda T, x: x[-1], [((3, 4),), ((2, 3, 4),)]),
    OpCase("int_pair_0d", lambda T, x: x[1, -2], [((3, 4),)]),
    OpCase("slice", lambda T, x: x[1:], [((3, 4),), ((0, 4),)]),
    OpCase("slice_step", lambda T, x: x[::2, 1::2], [((3, 4),), ((5, 5),)]),
    OpCase("slice_out_of_range", lambda T, x: x[-100:100, 5:1],
           [((3, 4),)]),
    OpCase("col", lambda T, x: x[:, 0], [((3, 4),), ((2, 3, 4),)]),
    OpCase("ellipsis", lambda T, x: x[..., 1], [((3, 4),), ((2, 3, 4),)]),
    OpCase("none", lambda T, x: x[None, :, None], [((3, 4),), ((3,),)]),
    OpCase("none_0d", lambda T, x: x[None, ..., None], [((),)]),
    OpCase("empty_tuple", lambda T, x: x[()], [((3, 4),), ((),)]),
    OpCase("bool_true", lambda T, x: x[True], [((3, 4),), ((),)]),
    OpCase("bool_false", lambda T, x: x[None, False], [((3, 4),)]),
    OpCase("int_0d_tensor", lambda T, x: x[T.tensor(2)], [((3, 4),)]),
    OpCase("list", lambda T, x: x[[0, 0, 2]], [((3, 4),), ((3,),)]),
    OpCase("list_neg", lambda T, x: x[[2, -1, -3]], [((3, 4),)]),
    OpCase("list_empty", lambda T, x: x[[]], [((3, 4),)]),
    OpCase("numpy_index", lambda T, x: x[:, np.array([[1, 1], [0, 3]])],
           [((3, 4),)]),
    OpCase("col_list", lambda T, x: x[:, [1, 1, 0]], [((3, 4),),
                                                      ((2, 3, 4),)]),
    OpCase("two_lists", lambda T, x: x[[0, 2, 2], [1, 3, 3]], [((3, 4),)]),
    OpCase("broadcast_lists", lambda T, x: x[[[0], [2]], [1, 3, 0]],
           [((3, 4),), ((3, 4, 2),)]),
    OpCase("nonadjacent", lambda T, x: x[[0, 1], :, [3, 3]],
           [((2, 3, 4),)]),
    OpCase("int_with_list", lambda T, x: x[0, :, [0, 1, 1]],
           [((2, 3, 4),)]),
    OpCase("slice_list_none", lambda T, x: x[1:, [0, 2], None],
           [((2, 3, 4),)]),
    OpCase("none_between_lists", lambda T, x: x[[1, 0], None, [2, 2]],
           [((2, 3, 4),)]),
    OpCase("list_ellipsis_list", lambda T, x: x[[1, 0], ..., [2, 2]],
           [((2, 3, 4),)]),
    OpCase("index_tensor", lambda T, x, i: x[i],
           [((3, 4), (5,)), ((3, 4), (2, 3)), ((3,), ()), ((3, 4), (0,))],
           int_inputs=(1,), int_domain=(-3, 3)),
    OpCase("index_tensor_dim1", lambda T, x, i: x[:, i],
           [((3, 4), (6,)), ((2, 3, 4), (2, 2))], int_inputs=(1,),
           int_domain=(-3, 3)),
    OpCase("index_tensors_bcast", lambda T, x, i, j: x[i, j],
           [((3, 4), (4, 1), (5,))], int_inputs=(1, 2), int_domain=(0, 3)),
    OpCase("index_int32", lambda T, x: x[T.tensor([2, 0, 2],
                                                  dtype=T.int32)],
           [((3, 4),)]),
    OpCase("mask_full", lambda T, x, m: x[m], [((3, 4), (3, 4)),
                                               ((3,), (3,))],
           bool_inputs=(1,)),
    OpCase("mask_rows", lambda T, x, m: x[m], [((3, 4), (3,))],
           bool_inputs=(1,)),
    OpCase("mask_cols", lambda T, x, m: x[:, m], [((3, 4), (4,)),
                                                  ((2, 4, 2), (4,))],
           bool_inputs=(1,)),
    OpCase("mask_all_false", lambda T, x: x[x > 100], [((3, 4),)]),
    OpCase("mask_true_list", lambda T, x: x[T.tensor([True, False, True]),
                                            [3, 0]], [((3, 4),)]),
    OpCase("chained", lambda T, x: x[1:][:, [0, 0]][0], [((3, 4),)]),
]

SETITEM = [
    OpCase("set_row", _put_row, [((3, 4), (4,)), ((3, 4), ()),
                                 ((3, 4), (1,))]),
    OpCase("set_col_number", _put_col_number, [((3, 4),)]),
    OpCase("set_strided_bcast", _put_strided_bcast, [((3, 4), (2,))]),
    OpCase("set_leading_ones", _put_leading_ones, [((3, 4), (1, 1, 4))]),
    OpCase("set_index_list", _put_index_list, [((3, 4), (2, 4)),
                                               ((3, 4), (4,))]),
    OpCase("set_mixed", _put_mixed, [((3, 4), (2, 3)), ((3, 4), (3,))]),
    OpCase("set_mask", _put_mask, [((3, 4), (3, 4)), ((3, 4), (3,))],
           bool_inputs=(1,)),
    OpCase("set_mask_tensor_value", _put_mask_tensor_value,
           [((3, 4), (3, 4), ())], bool_inputs=(1,)),
    OpCase("set_into_int", _put_into_int, [()], grad=False,
           dtypes=("float64",), layouts=("contiguous",)),
    OpCase("brief_example", _brief_example, [((3, 4), (4,))]),
    OpCase("view_then_write", _view_then_write, [((3, 4), (2,))]),
    OpCase("write_via_view_of_view", _write_via_view_of_view,
           [((3, 4), (2,))]),
    OpCase("narrow_select_inplace", _narrow_select_inplace,
           [((3, 4), (3, 2)), ((3, 4), (2,))]),
    OpCase("index_put_accumulate", _index_put_acc, [((3, 4), (4,)),
                                                    ((3, 4), (3, 4))]),
    OpCase("index_put_inplace", _index_put_inplace, [((3, 4), (2,)),
                                                     ((3, 4), ())]),
    OpCase("masked_fill_inplace", _masked_fill_inplace,
           [((3, 4), (3, 4)), ((3, 4), (4,))], bool_inputs=(1,)),
    OpCase("scatter_inplace", _scatter_inplace, [((3, 4), (3, 2))]),
    OpCase("index_add_inplace", _index_add_inplace, [((3, 4), (2, 4))]),
]

OPS = [
    OpCase("gather", lambda T, x, i: x.gather(0, i),
           [((3, 4), (2, 4)), ((3, 4), (5, 3)), ((3,), (4,)),
            ((3, 4), (0, 4))], int_inputs=(1,), int_domain=(0, 3)),
    OpCase("gather_dim1", lambda T, x, i: T.gather(x, -1, i),
           [((3, 4), (3, 6)), ((2, 3, 4), (2, 2, 2))], int_inputs=(1,),
           int_domain=(0, 4)),
    OpCase("gather_0d", lambda T, x: x.gather(0, T.tensor(0)), [((),)]),
    OpCase("take_along_dim", lambda T, x, i: T.take_along_dim(x, i, dim=1),
           [((3, 4), (3, 2)), ((3, 4), (1, 5)), ((3, 1), (3, 1))],
           int_inputs=(1,), int_domain=(-1, 1)),
    OpCase("take_along_dim_flat", lambda T, x, i: T.take_along_dim(x, i),
           [((3, 4), (7,))], int_inputs=(1,), int_domain=(0, 12),
           layouts=("contiguous",)),
    OpCase("scatter_src", lambda T, x, s: x.scatter(
        0, T.tensor([[2, 0, 1, 0], [0, 1, 2, 2]]), s),
        [((3, 4), (2, 4))]),
    OpCase("scatter_value", lambda T, x: x.scatter(
        1, T.tensor([[3], [0], [1]]), -1.0), [((3, 4),)]),
    OpCase("scatter_add", lambda T, x, i, s: x.scatter_add(0, i, s),
           [((3, 4), (5, 4), (5, 4)), ((3,), (6,), (6,))], int_inputs=(1,),
           int_domain=(0, 3)),
    OpCase("scatter_add_fn", lambda T, x, i, s: T.scatter_add(x, 1, i, s),
           [((3, 4), (3, 7), (3, 7))], int_inputs=(1,), int_domain=(0, 4)),
    OpCase("index_select", lambda T, x, i: x.index_select(0, i),
           [((3, 4), (5,)), ((3,), (2,)), ((3, 4), (0,))],
           int_inputs=(1,), int_domain=(0, 3)),
    OpCase("index_select_dim1", lambda T, x, i: T.index_select(x, 1, i),
           [((3, 4), (6,)), ((2, 4, 3), ())], int_inputs=(1,),
           int_domain=(0, 3)),
    OpCase("index_add", lambda T, x, i, s: x.index_add(1, i, s),
           [((3, 4), (5,), (3, 5))], int_inputs=(1,), int_domain=(0, 4)),
    OpCase("index_add_alpha", lambda T, x, s: T.index_add(
        x, 0, T.tensor([1, 1, 0]), s, alpha=2.5), [((3, 4), (3, 4))]),
    OpCase("index_copy", lambda T, x, s: x.index_copy(
        1, T.tensor([3, 0]), s), [((3, 4), (3, 2))]),
    OpCase("index_fill", lambda T, x: x.index_fill(
        1, T.tensor([0, -1, 0]), -2.0), [((3, 4),), ((2, 4, 3),)]),
    OpCase("index_fill_tensor", lambda T, x, v: x.index_fill(
        0, T.tensor([2, 2, 0]), v), [((3, 4), ())]),
    OpCase("masked_fill", lambda T, x, m: x.masked_fill(m, 3.0),
           [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)), ((), ())],
           bool_inputs=(1,)),
    OpCase("masked_fill_tensor", lambda T, x, m, v: x.masked_fill(m, v),
           [((3, 4), (3, 4), ()), ((3, 4), (1, 4), ())], bool_inputs=(1,)),
    OpCase("masked_select", lambda T, x, m: x.masked_select(m),
           [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (2, 4)), ((), ())],
           bool_inputs=(1,)),
    OpCase("masked_scatter", lambda T, x, m, s: x.masked_scatter(m, s),
           [((3, 4), (3, 4), (3, 5)), ((3, 4), (4,), (13,))],
           bool_inputs=(1,)),
    OpCase("take", lambda T, x, i: x.take(i), [((3, 4), (2, 3)),
                                               ((3,), (5,)), ((3, 4), (0,))],
           int_inputs=(1,), int_domain=(-3, 3)),
    OpCase("nonzero", lambda T, x: x.nonzero(), [((3, 4),), ((4,),), ((),),
                                                 ((0, 3),)],
           grad=False, domain=lambda rng, s, d: rng.integers(0, 2, s)),
    OpCase("nonzero_tuple", lambda T, x: x.nonzero(as_tuple=True),
           [((3, 4),), ((5,),)], grad=False,
           domain=lambda rng, s, d: rng.integers(0, 2, s)),
    OpCase("argwhere", lambda T, x: T.argwhere(x), [((2, 3),)], grad=False,
           domain=lambda rng, s, d: rng.integers(0, 2, s)),
    OpCase("one_hot", lambda T, i: _one_hot(T)(i, 5), [((2, 3),), ((0,),)],
           grad=False, int_inputs=(0,), int_domain=(0, 5),
           dtypes=("float64",)),
    OpCase("one_hot_infer", lambda T, i: _one_hot(T)(i), [((4,),)],
           grad=False, int_inputs=(0,), int_domain=(0, 3),
           dtypes=("float64",)),
]


def _one_hot(T):
    if T is pt:
        return pt.one_hot
    return T.nn.functional.one_hot


define_tests(GETITEM + SETITEM + OPS, globals())


# --------------------------------------------------------------------------
# Views: storage sharing, versions, in-place through views.
def _shares(a, b):
    return np.shares_memory(a._data, b._data)


@pytest.mark.parametrize("key", [0, -1, slice(1, None), (slice(None), 1),
                                 (None, Ellipsis), (), (1, slice(None, None,
                                                                 2))])
def test_basic_indexing_is_a_view(key):
    x = pt.arange(12.0).reshape(3, 4).clone()
    v = x[key]
    assert _shares(v, x) and v._base is x
    before = x._version
    v.add_(1)                                  # reaches the base
    assert x._version == v._version == before + 1
    np.testing.assert_array_equal(x.numpy()[key], v.numpy())


@pytest.mark.parametrize("key", [[0, 2], (slice(None), [1]), True,
                                 "mask"])
def test_advanced_indexing_copies(key):
    x = pt.arange(12.0).reshape(3, 4)
    if key == "mask":
        key = x > 5
    y = x[key]
    assert y._base is None and not _shares(y, x)


def test_0d_results_are_views_and_tensors():
    x = pt.arange(6.0).reshape(2, 3)
    s = x[1, 2]
    assert s.shape == () and _shares(s, x)
    s.mul_(10)
    assert x[1, 2].item() == 50.0


def test_setitem_bumps_version_shared_with_views():
    x = pt.zeros(3, 4)
    v = x[1]
    x[1] = 2.0
    assert x._version == v._version == 1
    np.testing.assert_array_equal(v.numpy(), [2.0] * 4)
    x[[0, 2]] = pt.ones(4)
    assert v._version == 2


def test_setitem_on_leaf_requiring_grad():
    w = pt.randn(3, 4, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires "
                                           "grad"):
        w[0] = 1.0
    with pytest.raises(RuntimeError, match="leaf Variable that requires "
                                           "grad"):
        w[[0, 1]] = 1.0
    with pt.no_grad():              # init code
        w[0] = 1.0
        w[:, -1] = pt.tensor([5.0, 6.0, 7.0])
        w[w > 100] = 0.0
    assert w.requires_grad and w.is_leaf and w._version == 3
    np.testing.assert_array_equal(w.detach().numpy()[0, :3], [1.0] * 3)
    (w * 2).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.full((3, 4), 2.0))


def test_setitem_value_requires_grad_into_plain_tensor():
    torch = require_torch()
    cv = np.array([1.0, 2.0, 3.0])
    c = pt.tensor(cv, requires_grad=True)
    ct = torch.tensor(cv, requires_grad=True)
    out, out_t = pt.zeros(2, 3), torch.zeros(2, 3)
    out[1] = c * c
    out_t[1] = ct * ct
    out[0, [0, 2]] = c[:2].float()
    out_t[0, [0, 2]] = ct[:2].float()
    assert out.requires_grad and out.grad_fn is not None
    (out * pt.tensor([[1.0, 2.0, 3.0]])).sum().backward()
    (out_t * torch.tensor([[1.0, 2.0, 3.0]])).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), out_t.detach().numpy())
    np.testing.assert_allclose(c.grad.numpy(), ct.grad.numpy())


def test_unbind_views_inplace():
    torch = require_torch()
    x = pt.zeros(3, 4)
    x.unbind(0)[1].add_(1)                     # nothing requires grad
    x.split(2, 1)[1][0].mul_(0)                # a view of a split view
    xt = torch.zeros(3, 4)
    xt.unbind(0)[1].add_(1)
    xt.split(2, 1)[1][0].mul_(0)
    np.testing.assert_array_equal(x.numpy(), xt.numpy())
    a = pt.randn(3, 4, requires_grad=True)
    b = a * 1
    for views in (b.unbind(0), b.split(1), b.chunk(2, 1)):
        with pytest.raises(RuntimeError, match="Output 1 of .* is a view "
                                               "and is being modified"):
            views[1].add_(1)
    with pytest.raises(RuntimeError, match="returns multiple views"):
        b.unbind(0)[1][0] = pt.tensor(1.0, requires_grad=True)
    with pt.no_grad():                         # allowed, as in PyTorch
        b.unbind(0)[1].add_(1)
    r = b.unbind(0)[1].clone()
    r.add_(1)                                  # a clone is not a view


def test_scatter_src_larger_than_index_gradient():
    # PyTorch's own backward rejects this case (its gradient has the
    # index's shape); ours pads it: the unused part of src gets zero.
    x = pt.zeros(3, 4, requires_grad=True)
    s = pt.arange(15.0).reshape(3, 5).requires_grad_()
    idx = pt.tensor([[2, 0, 1, 0], [0, 1, 2, 2]])
    y = x.scatter(0, idx, s)
    assert y[2, 0].item() == 0.0 and y[0, 1].item() == 1.0
    g = pt.arange(12.0).reshape(3, 4)
    (y * g).sum().backward()
    want = np.zeros((3, 5))
    want[:2, :4] = g.numpy()[idx.numpy(), np.arange(4)]
    np.testing.assert_array_equal(s.grad.numpy(), want)
    y2 = x.scatter_add(0, idx, s)
    (y2 * g).sum().backward()
    np.testing.assert_array_equal(s.grad.numpy(), 2 * want)


def test_advanced_setitem_dtype_rules():
    x = pt.zeros(3, 4)
    with pytest.raises(RuntimeError, match="Index put requires the source "
                                           "and destination dtypes match"):
        x[[0, 1]] = pt.ones(4, dtype=pt.float64)
    x[x == 0] = pt.tensor(2.0, dtype=pt.float64)    # 0-d value with a mask
    x[0] = pt.ones(4, dtype=pt.float64)             # basic: cast
    assert x.dtype is pt.float32 and x.sum().item() == 4 + 16


def test_repeated_indices_accumulate_in_backward():
    x = pt.ones(3, requires_grad=True)
    x[[0, 0, 0, 2]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 0.0, 1.0])
    y = pt.ones(2, 3, requires_grad=True)
    y[[1, 1], [2, 2]].sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [[0, 0, 0], [0, 0, 2]])


def test_index_double_backward():
    torch = require_torch()
    xv = np.array([0.5, -1.0, 2.0])
    x = pt.tensor(xv, requires_grad=True)
    xt = torch.tensor(xv, requires_grad=True)
    for T, t in ((pt, x), (torch, xt)):
        y = (t[[0, 2, 2]] ** 3).sum()
        (g,) = T.autograd.grad(y, t, create_graph=True)
        (g * g).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy())


def test_nonzero_ordering_and_where():
    x = pt.tensor([[0, 3], [4, 0]])
    np.testing.assert_array_equal(x.nonzero().numpy(), [[0, 1], [1, 0]])
    rows, cols = pt.where(x > 0)
    np.testing.assert_array_equal(x[rows, cols].numpy(), [3, 4])


def test_one_hot_from_ops_namespace():
    from pytensor import ops
    assert ops.one_hot is pt.one_hot
    out = pt.one_hot(pt.tensor([[1], [0]]), 2)
    assert out.dtype is pt.int64 and out.shape == (2, 1, 2)


# --------------------------------------------------------------------------
# Errors.
def test_getitem_int_out_of_range():
    x = pt.zeros(3, 4)
    with pytest.raises(IndexError, match=r"^index 5 is out of bounds for "
                                         r"dimension 0 with size 3$"):
        x[5]
    with pytest.raises(IndexError, match="index -4 is out of bounds for "
                                         "dimension 0 with size 3"):
        x[-4]
    with pytest.raises(IndexError, match="index 4 is out of bounds for "
                                         "dimension 1 with size 4"):
        x[:, 4]
    with pytest.raises(IndexError, match="dimension 1 with size 3"):
        x[None, 3]
    with pytest.raises(IndexError, match="too many indices for tensor of "
                                         "dimension 2"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        pt.tensor(1.0)[0]


def test_getitem_index_tensor_out_of_range():
    x = pt.zeros(3, 4)
    with pytest.raises(IndexError, match="index 5 is out of bounds for "
                                         "dimension 0 with size 3"):
        x[pt.tensor([0, 5])]
    with pytest.raises(IndexError, match="index -5 is out of bounds for "
                                         "dimension 1 with size 4"):
        x[:, [1, -5]]
    with pytest.raises(IndexError, match="out of bounds"):
        x[[0], [7]]


def test_getitem_bad_index_types():
    x = pt.zeros(3, 4)
    with pytest.raises(IndexError, match="tensors used as indices must be "
                                         "long, int, byte or bool tensors"):
        x[pt.tensor([0.0, 1.0])]
    with pytest.raises(IndexError, match="tensors used as indices must be"):
        x[[0.5, 1.0]]
    with pytest.raises(IndexError, match=r"valid indices \(got float\)"):
        x[1.5]
    with pytest.raises(IndexError, match="valid indices"):
        x["a"]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        x[::-1]
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        x[::0]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., 0, ...]


def test_getitem_mask_and_broadcast_errors():
    x = pt.zeros(2, 3, 4)
    with pytest.raises(IndexError, match=r"The shape of the mask \[3\] at "
                                         r"index 0 does not match the shape "
                                         r"of the indexed tensor \[2, 3, 4\] "
                                         r"at index 0"):
        x[pt.tensor([True, False, True])]
    with pytest.raises(IndexError, match=r"shape mismatch: indexing tensors "
                                         r"could not be broadcast together "
                                         r"with shapes \[2\], \[3\]"):
        x[[0, 1], [0, 1, 2]]


def test_setitem_errors():
    x = pt.zeros(3, 4)
    with pytest.raises(RuntimeError, match=r"index_put_: shape mismatch: "
                                           r"value tensor of shape \[5\] "
                                           r"cannot be broadcast to indexing "
                                           r"result of shape \[4\]"):
        x[0] = pt.ones(5)
    with pytest.raises(RuntimeError, match="shape mismatch"):
        x[[0, 1]] = pt.ones(3, 4)
    with pytest.raises(IndexError, match="out of bounds"):
        x[3] = 1.0
    with pytest.raises(IndexError, match="index 3 is out of bounds for "
                                         "dimension 0 with size 3"):
        x[[0, 3]] = 1.0
    y = pt.zeros(3, 4, requires_grad=True) * 1
    with pytest.raises(IndexError, match="index -4 is out of bounds for "
                                         "dimension 0 with size 3"):
        y[pt.tensor([-4])] = pt.ones(4, requires_grad=True)
    with pytest.raises(IndexError, match="index 9 is out of bounds"):
        y.index_put_((pt.tensor([9]),), pt.tensor(1.0), accumulate=True)
    assert x.sum().item() == 0.0 and y.sum().item() == 0.0
    e = pt.zeros(3, 1).expand(3, 4)
    with pytest.raises(RuntimeError, match="more than one element"):
        e[0] = 1.0


def test_index_op_errors():
    x = pt.zeros(3, 4)
    i = pt.tensor([[0, 5]])
    with pytest.raises(IndexError, match="gather: index 5 is out of bounds "
                                         "for dimension 0 with size 3"):
        x.gather(0, i)
    with pytest.raises(RuntimeError, match="gather: Expected dtype "
                                           "int32/int64 for index"):
        x.gather(0, pt.tensor([[0.0]]))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.gather(0, pt.tensor([0, 1]))
    with pytest.raises(IndexError, match="scatter: index 5 is out of bounds"):
        x.scatter(0, i, 1.0)
    with pytest.raises(RuntimeError, match="Expected self.dtype to be equal "
                                           "to src.dtype"):
        x.scatter(0, pt.tensor([[0]]), pt.ones(1, 1, dtype=pt.float64))
    with pytest.raises(IndexError, match="index_select: index -1 is out of "
                                         "bounds"):
        x.index_select(0, pt.tensor([0, -1]))
    with pytest.raises(IndexError, match="Index is supposed to be a vector"):
        x.index_select(0, pt.tensor([[0]]))
    with pytest.raises(RuntimeError, match=r"Number of indices \(2\) should "
                                           r"be equal to source.size\(dim\)"):
        x.index_add(0, pt.tensor([0, 0]), pt.ones(3, 4))
    with pytest.raises(RuntimeError, match="must have the same scalar type"):
        x.index_add(0, pt.tensor([0]), pt.ones(1, 4, dtype=pt.float64))
    with pytest.raises(IndexError, match=r"take\(\): out of range: tried to "
                                         r"access index 12 on a tensor of 12 "
                                         r"elements"):
        x.take(pt.tensor([12]))
    with pytest.raises(RuntimeError, match="only supports boolean masks"):
        x.masked_fill(pt.ones(3, 4, dtype=pt.int64), 1.0)
    with pytest.raises(RuntimeError, match="only supports a 0-dimensional "
                                           "value tensor"):
        x.masked_fill(x > 0, pt.ones(2))
    with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't "
                                           r"match the broadcast shape"):
        pt.zeros(3).masked_fill_(pt.ones(2, 3, dtype=pt.bool), 1.0)
    with pytest.raises(RuntimeError, match="Number of elements of source"):
        x.masked_scatter(x == 0, pt.ones(5))
    with pytest.raises(RuntimeError, match="Class values must be smaller "
                                           "than num_classes"):
        pt.one_hot(pt.tensor([0, 3]), 3)
    with pytest.raises(RuntimeError, match="non-negative"):
        pt.one_hot(pt.tensor([-1]), 3)
    with pytest.raises(RuntimeError, match="Can not infer total number of "
                                           "classes from empty tensor"):
        pt.one_hot(pt.tensor([], dtype=pt.int64))
    with pytest.raises(RuntimeError, match="LongTensor"):
        pt.one_hot(pt.tensor([1.0]))


def test_index_tensors_written_after_use_do_not_change_gradients():
    x = pt.ones(4, requires_grad=True)
    idx = pt.tensor([0, 0, 1])
    mask = pt.tensor([True, False, False, True])
    ys = [x[idx], x.gather(0, idx), x.index_select(0, idx),
          x.masked_fill(mask, 0.0), x[mask]]
    idx.add_(2)                     # the user reuses the buffers in place
    mask[:] = pt.tensor([False, True, True, False])
    for y, want in zip(ys, ([2, 1, 0, 0], [2, 1, 0, 0], [2, 1, 0, 0],
                            [0, 1, 1, 0], [1, 0, 0, 1])):
        x.grad = None
        y.sum().backward()
        assert x.grad.tolist() == want


def test_stale_view_is_refreshed_as_backward_root_and_input():
    # Core regression: a view made before an in-place op on its base used
    # to keep the old history (silently wrong gradients).
    a = pt.ones(2, 3, requires_grad=True)
    b = a * 1
    v = b[0]
    b.mul_(3)
    v.backward(pt.ones(3))                  # a stale view as the root
    assert a.grad.tolist() == [[3.0] * 3, [0.0] * 3]
    a.grad = None
    b = a * 1
    v = b[:, 1]
    with pt.no_grad():
        b[1] = 5.0                          # untracked write: still stale
    (v * 2).sum().backward()                # a stale view as an input
    assert a.grad.tolist() == [[0.0, 2.0, 0.0], [0.0, 2.0, 0.0]]  # torch
    assert v.tolist() == [1.0, 5.0]
