"""Shape ops against PyTorch 2.13: repeat/tile, cat/stack family,
split/chunk/tensor_split/unbind, narrow/select, flip/roll, tril/triu,
meshgrid; which of them are views; errors."""
import numpy as np
import pytest

import pytensor as pt
from tests.conftest import require_torch
from tests.parity import OpCase, define_tests


def _split_mul(T, x):
    # Use one output twice and skip another: the multi-output node gets a
    # None gradient for it (materialized as zeros).
    a, b, c = x.split([1, 2, 1], 1)
    return a * 2 + c * 3


def _chunk_inplace_no_grad(T, x):
    y = x * 1
    with T.no_grad():
        y.chunk(2)[1].mul_(0)
    return y


CASES = [
    OpCase("repeat", lambda T, x: x.repeat(2, 3), [((3, 4),), ((0, 2),)]),
    OpCase("repeat_lead", lambda T, x: x.repeat(2, 1, 3), [((3, 4),),
                                                           ((3,),)]),
    OpCase("repeat_0d", lambda T, x: x.repeat(3), [((),)]),
    OpCase("repeat_zero", lambda T, x: x.repeat(0, 2), [((3, 4),)]),
    OpCase("tile", lambda T, x: T.tile(x, (2,)), [((3, 4),), ((3,),)]),
    OpCase("tile_more", lambda T, x: x.tile((2, 1, 2)), [((3, 4),)]),
    OpCase("cat", lambda T, a, b: T.cat([a, b]), [((2, 3), (1, 3)),
                                                  ((0, 3), (2, 3)),
                                                  ((2,), (0,))]),
    OpCase("cat_dim", lambda T, a, b, c: T.cat((a, b, c), dim=-1),
           [((2, 3), (2, 1), (2, 0)), ((2, 1, 3), (2, 1, 2), (2, 1, 1))]),
    OpCase("cat_skip_empty", lambda T, a, b: T.cat([a, b], 1),
           [((2, 3), (0,)), ((0,), (2, 3))]),
    OpCase("cat_single", lambda T, a: T.cat([a]), [((2, 3),)]),
    OpCase("concat", lambda T, a, b: T.concat([a, b], 0), [((1, 3),
                                                            (2, 3))]),
    OpCase("concatenate", lambda T, a, b: T.concatenate([a, b], 1),
           [((2, 1), (2, 2))]),
    OpCase("cat_promote", lambda T, a, b: T.cat([a, b.double()]),
           [((2, 3), (1, 3))], dtypes=("float32",)),
    OpCase("stack", lambda T, a, b: T.stack([a, b]), [((2, 3), (2, 3)),
                                                      ((), ()),
                                                      ((0, 2), (0, 2))]),
    OpCase("stack_last", lambda T, a, b, c: T.stack([a, b, c], -1),
           [((2, 3), (2, 3), (2, 3))]),
    OpCase("hstack", lambda T, a, b: T.hstack([a, b]), [((3,), (2,)),
                                                        ((2, 3), (2, 1)),
                                                        ((), (2,))]),
    OpCase("vstack", lambda T, a, b: T.vstack([a, b]), [((3,), (2, 3)),
                                                        ((1, 2), (3, 2))]),
    OpCase("row_stack", lambda T, a, b: T.row_stack([a, b]),
           [((3,), (3,))]),
    OpCase("dstack", lambda T, a, b: T.dstack([a, b]), [((3,), (1, 3)),
                                                        ((2, 3), (2, 3, 2))]),
    OpCase("column_stack", lambda T, a, b: T.column_stack([a, b]),
           [((3,), (3, 2)), ((), ())]),
    OpCase("atleast_2d", lambda T, a: T.atleast_2d(a) * 1, [((),), ((3,),),
                                                            ((2, 3),)]),
    OpCase("atleast_3d", lambda T, a, b: T.atleast_3d(a, b),
           [((3,), (2, 3))]),
    OpCase("split_size", lambda T, x: x.split(2, 1), [((3, 5),), ((3, 4),),
                                                      ((0, 2),)]),
    OpCase("split_sizes", lambda T, x: T.split(x, [1, 0, 2], 0),
           [((3, 4),)]),
    OpCase("split_unused", _split_mul, [((3, 4),)]),
    OpCase("chunk", lambda T, x: x.chunk(3, -1), [((3, 5),), ((3, 6),),
                                                  ((2, 2),)]),
    OpCase("chunk_empty", lambda T, x: x.chunk(3), [((0, 2),)]),
    OpCase("tensor_split", lambda T, x: x.tensor_split(3, 1),
           [((2, 7),), ((2, 2),)]),
    OpCase("tensor_split_idx", lambda T, x: T.tensor_split(x, [1, 7, 3], 1),
           [((2, 5),)]),
    OpCase("tensor_split_overlap", lambda T, x: x.tensor_split([3, 1]),
           [((5, 2),)]),
    OpCase("unbind", lambda T, x: x.unbind(1), [((3, 4),), ((2, 0),)]),
    OpCase("unbind_0d", lambda T, x: T.unbind(x), [((3,),)]),
    # Untracked (no_grad) writes are invisible to autograd, as in PyTorch,
    # so finite differences disagree by design: parity only.
    OpCase("chunk_inplace_no_grad", _chunk_inplace_no_grad, [((4, 3),)],
           gradcheck=False),
    OpCase("narrow", lambda T, x: x.narrow(1, 1, 2), [((3, 4),)]),
    OpCase("narrow_neg", lambda T, x: T.narrow(x, 0, -2, 2), [((3, 4),),
                                                              ((2,),)]),
    OpCase("narrow_tensor_start", lambda T, x: x.narrow(0, T.tensor(1), 1),
           [((3, 4),)]),
    OpCase("select", lambda T, x: x.select(1, -1), [((3, 4),),
                                                    ((2, 3, 4),)]),
    OpCase("select_0d", lambda T, x: T.select(x, 0, 2), [((3,),)]),
    OpCase("flip", lambda T, x: x.flip(0, 1), [((3, 4),), ((0, 2),)]),
    OpCase("flip_list", lambda T, x: T.flip(x, [-1]), [((2, 3, 4),),
                                                       ((3,),)]),
    OpCase("flip_0d", lambda T, x: x.flip(0), [((),)]),
    OpCase("fliplr", lambda T, x: T.fliplr(x), [((3, 4),), ((2, 3, 4),)]),
    OpCase("flipud", lambda T, x: x.flipud(), [((3, 4),), ((3,),)]),
    OpCase("roll_flat", lambda T, x: x.roll(5), [((3, 4),), ((),),
                                                 ((0, 3),)]),
    OpCase("roll_dims", lambda T, x: T.roll(x, (1, -2), (0, 1)),
           [((3, 4),)]),
    OpCase("roll_one_dim", lambda T, x: x.roll(-7, -1), [((3, 4),),
                                                         ((2, 3, 4),)]),
    OpCase("tril", lambda T, x: x.tril(), [((3, 4),), ((2, 3, 3),),
                                           ((0, 3),)]),
    OpCase("tril_k", lambda T, x: T.tril(x, -1), [((3, 4),), ((4, 2),)]),
    OpCase("triu", lambda T, x: x.triu(1), [((3, 4),), ((2, 3, 3),)]),
    OpCase("triu_neg", lambda T, x: T.triu(x, diagonal=-2), [((4, 4),)]),
    OpCase("tril_inplace", lambda T, x: (x * 1).tril_(1), [((3, 4),)]),
    OpCase("triu_inplace", lambda T, x: (x * 1).triu_(), [((3, 4),)]),
    OpCase("meshgrid_ij", lambda T, a, b: T.meshgrid(a, b, indexing="ij"),
           [((3,), (4,)), ((), (2,))]),
    OpCase("meshgrid_xy", lambda T, a, b, c: T.meshgrid([a, b, c],
                                                        indexing="xy"),
           [((3,), (2,), (4,))]),
]

define_tests(CASES, globals())


# --------------------------------------------------------------------------
# Views and copies.
def _shares(a, b):
    return np.shares_memory(a._data, b._data)


def _base():
    return pt.arange(24.0).reshape(4, 6).clone()


@pytest.mark.parametrize("make", [
    lambda x: x.narrow(1, 2, 3),
    lambda x: x.select(0, 1),
    lambda x: x.split(2)[1],
    lambda x: x.split([1, 5], 1)[1],
    lambda x: x.chunk(3, 1)[2],
    lambda x: x.tensor_split(3)[0],
    lambda x: x.unbind(1)[4],
], ids=["narrow", "select", "split", "split_sizes", "chunk", "tensor_split",
        "unbind"])
def test_views_share_storage_and_version(make):
    x = _base()
    v = make(x)
    assert v._base is x and _shares(v, x)
    with pt.no_grad():
        v.add_(100)
    assert x._version == v._version == 1
    assert (x.numpy() >= 100).sum() == v.numel()


@pytest.mark.parametrize("make", [
    lambda x: x.repeat(1, 1), lambda x: x.tile((1,)), lambda x: x.flip(0),
    lambda x: x.roll(1), lambda x: pt.cat([x]), lambda x: pt.stack([x]),
    lambda x: x.tril(), lambda x: x.fliplr()],
    ids=["repeat", "tile", "flip", "roll", "cat", "stack", "tril", "fliplr"])
def test_copies_do_not_share(make):
    x = _base()
    y = make(x)
    assert y._base is None and not _shares(y, x)


def test_inplace_through_narrow_and_select_reaches_base_gradient():
    torch = require_torch()
    av = np.arange(12.0).reshape(3, 4) / 7
    res = []
    for T in (pt, torch):
        a = T.tensor(av, requires_grad=True)
        b = a * 1
        b.narrow(1, 1, 2).mul_(3)
        s = b.select(0, 2)
        s.mul_(s.detach() + 1)
        v = b.unbind(0)[0]                  # read (not written) is fine
        (b.sum() + (v * v).sum()).backward()
        res.append((b.detach().numpy().copy(), a.grad.numpy().copy()))
    np.testing.assert_allclose(res[0][0], res[1][0])
    np.testing.assert_allclose(res[0][1], res[1][1])


def test_split_unused_outputs_backward():
    # Regression: the engine used ``None in grads_out``, which compared
    # Tensors with ``==`` when a multi-output node missed a gradient.
    x = pt.ones(4, 2, requires_grad=True)
    parts = x.split(1)
    parts[2].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[:, 0], [0, 0, 1, 0])


def test_iterating_a_tensor_yields_views():
    x = _base()
    rows = list(x)
    assert len(rows) == 4 and all(r._base is x for r in rows)
    np.testing.assert_array_equal(rows[2].numpy(), x.numpy()[2])


def test_meshgrid_warns_without_indexing():
    with pytest.warns(UserWarning, match="indexing argument"):
        pt.meshgrid(pt.arange(2), pt.arange(3))


# --------------------------------------------------------------------------
# Errors.
def test_cat_errors():
    with pytest.raises(RuntimeError) as e:
        pt.cat([pt.zeros(2, 3), pt.zeros(2, 4)])
    msg = str(e.value)
    assert msg.startswith("cat:") and "dimension 0" in msg
    assert "Expected size 3 but got size 4 for tensor number 1" in msg
    assert "[2, 3]" in msg and "[2, 4]" in msg
    with pytest.raises(RuntimeError, match=r"cat: Tensors must have same "
                                           r"number of dimensions: got 2 and "
                                           r"3 \(shapes \[2, 3\] and "
                                           r"\[2, 3, 1\]\)"):
        pt.cat([pt.zeros(2, 3), pt.zeros(2, 3, 1)])
    with pytest.raises(ValueError, match="non-empty list"):
        pt.cat([])
    with pytest.raises(RuntimeError, match="zero-dimensional tensor"):
        pt.cat([pt.tensor(1.0), pt.tensor(2.0)])
    with pytest.raises(IndexError, match="Dimension out of range"):
        pt.cat([pt.zeros(2, 3)], dim=2)
    with pytest.raises(TypeError, match="expected a sequence of Tensors"):
        pt.cat(pt.zeros(2, 3))


def test_stack_errors():
    with pytest.raises(RuntimeError, match=r"stack: stack expects each "
                                           r"tensor to be equal size, but got "
                                           r"\[2, 3\] at entry 0 and \[2, 4\] "
                                           r"at entry 1"):
        pt.stack([pt.zeros(2, 3), pt.zeros(2, 4)])
    with pytest.raises(RuntimeError, match="non-empty"):
        pt.stack([])


def test_split_errors():
    x = pt.zeros(3)
    with pytest.raises(RuntimeError, match=r"split_with_sizes expects "
                                           r"split_sizes to sum exactly to 3 "
                                           r"\(input tensor's size at "
                                           r"dimension 0\), but got "
                                           r"split_sizes=\[1, 1\]"):
        x.split([1, 1])
    with pytest.raises(RuntimeError, match="non-negative"):
        x.split(-1)
    with pytest.raises(RuntimeError, match="split_size can only be 0"):
        x.split(0)
    with pytest.raises(RuntimeError, match="greater than 0"):
        x.chunk(0)
    with pytest.raises(IndexError, match="no dimensions"):
        pt.tensor(1.0).unbind()
    with pytest.raises(RuntimeError, match="larger than 0"):
        x.tensor_split(0)


def test_narrow_select_errors():
    x = pt.zeros(3, 4)
    with pytest.raises(IndexError, match=r"start out of range \(expected to "
                                         r"be in range of \[-3, 3\], but got "
                                         r"4\)"):
        x.narrow(0, 4, 1)
    with pytest.raises(RuntimeError, match=r"start \(1\) \+ length \(3\) "
                                           r"exceeds dimension size \(3\)"):
        x.narrow(0, 1, 3)
    with pytest.raises(RuntimeError, match="length must be non-negative"):
        x.narrow(0, 1, -1)
    with pytest.raises(IndexError, match=r"select\(\): index 3 out of range "
                                         r"for tensor of size \[3, 4\] at "
                                         r"dimension 0"):
        x.select(0, 3)
    with pytest.raises(IndexError, match="cannot be applied to a 0-dim"):
        pt.tensor(1.0).select(0, 0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.select(2, 0)


def test_repeat_flip_roll_tril_errors():
    x = pt.zeros(2, 3)
    with pytest.raises(RuntimeError, match="repeat: Number of dimensions of "
                                           "repeat dims"):
        x.repeat(2)
    with pytest.raises(RuntimeError, match="negative dimension"):
        x.repeat(-1, 1)
    with pytest.raises(RuntimeError, match="appears multiple times"):
        x.flip(0, 0)
    with pytest.raises(RuntimeError, match="fliplr: Input must be >= 2-d"):
        pt.zeros(3).fliplr()
    with pytest.raises(RuntimeError, match="shifts and dimensions must "
                                           "align"):
        x.roll((1, 1), (0,))
    with pytest.raises(RuntimeError, match="tril: input tensor must have at "
                                           "least 2 dimensions"):
        pt.zeros(3).tril()
    with pytest.raises(ValueError, match="indexing must be one of"):
        pt.meshgrid(pt.zeros(2), indexing="ji")
    with pytest.raises(RuntimeError, match="0D or 1D"):
        pt.meshgrid(pt.zeros(2, 2), indexing="ij")
