"""Linear algebra: einsum, tensordot, outer, addmm & co, diagonal/diag/
diag_embed/trace (and the existing matmul family's edge cases): parity with
PyTorch 2.13, float64 gradcheck, double backward, errors."""
import numpy as np
import pytest

import pytensor
from pytensor.autograd import gradcheck, gradgradcheck
from tests.parity import OpCase, define_tests


def ein(eq):
    return lambda T, *xs: T.einsum(eq, *xs)


EINSUM = [
    ("ij,jk->ik", [((2, 3), (3, 4)), ((0, 3), (3, 2)), ((2, 0), (0, 3))]),
    ("bij,bjk->bik", [((2, 2, 3), (2, 3, 4))]),
    ("ii->i", [((3, 3),)]),
    ("ii->", [((3, 3),), ((0, 0),)]),
    ("ii", [((4, 4),)]),
    ("ij->ji", [((2, 3),)]),
    ("ij->", [((2, 3),)]),
    ("ij->j", [((2, 3),)]),
    ("i,i->", [((3,), (3,)), ((3,), (1,))]),
    ("i,j->ij", [((3,), (2,))]),
    ("i,j", [((3,), (2,))]),
    ("bhqd,bhkd->bhqk", [((2, 2, 3, 4), (2, 2, 5, 4))]),
    ("bhqk,bhkd->bhqd", [((1, 2, 3, 5), (1, 2, 5, 4))]),
    ("...ij->...ji", [((2, 3, 4),), ((3, 4),)]),
    ("...ij,...jk->...ik", [((2, 1, 2, 3), (3, 3, 2)), ((2, 3), (3, 2))]),
    ("i...,i...->...", [((2, 5, 3), (2, 3))]),
    ("...ij->ij", [((5, 2, 3),)]),
    ("b...,...", [((2, 3), (4, 1))]),
    ("ij,jk", [((2, 3), (3, 4))]),
    ("ba,c", [((2, 3), (4,))]),
    ("Ba,b", [((2, 3), (4,))]),
    ("ij,ij->ij", [((3, 1), (1, 4)), ((2, 3), (2, 3))]),
    ("ij,kj->", [((2, 3), (4, 3))]),
    ("iij,jk->ik", [((3, 3, 2), (2, 4))]),
    ("iji->j", [((2, 3, 2),)]),
    ("ij,jk,kl->il", [((2, 3), (3, 4), (4, 2))]),
    ("ii,ij,jj->ij", [((3, 3), (3, 3), (3, 3))]),
    ("ab,ab,ab->", [((2, 3), (2, 3), (2, 3))]),
    ("bn,anm,bm->ba", [((2, 3), (4, 3, 5), (2, 5))]),
    ("i j , j k -> i k", [((2, 3), (3, 4))]),
    (",->", [((), ())]),
    ("i,->i", [((3,), ())]),
]

CASES = [OpCase(f"einsum[{eq}]", ein(eq), shapes) for eq, shapes in EINSUM]
CASES += [
    OpCase("einsum_list", lambda T, a, b: T.einsum("ij,jk->ik", [a, b]),
           [((2, 3), (3, 4))]),
    OpCase("tensordot_int", lambda T, a, b: T.tensordot(a, b, 2),
           [((3, 4, 5), (4, 5, 2)), ((2, 3), (2, 3))]),
    OpCase("tensordot_1", lambda T, a, b: T.tensordot(a, b, dims=1),
           [((3, 4), (4, 5)), ((2, 3, 4), (4, 2))]),
    OpCase("tensordot_0", lambda T, a, b: T.tensordot(a, b, 0),
           [((2, 3), (4,))]),
    OpCase("tensordot_lists", lambda T, a, b: T.tensordot(a, b, ([1, 2],
                                                                 [1, 0])),
           [((3, 4, 5), (5, 4, 2))]),
    OpCase("tensordot_neg", lambda T, a, b: T.tensordot(a, b, ([-1], [0])),
           [((3, 4, 5), (5, 2))]),
    OpCase("outer", lambda T, a, b: T.outer(a, b),
           [((3,), (4,)), ((0,), (2,)), ((1,), (1,))]),
    OpCase("ger", lambda T, a, b: a.ger(b), [((3,), (2,))]),
    OpCase("addmm", lambda T, c, a, b: T.addmm(c, a, b),
           [((2, 4), (2, 3), (3, 4)), ((4,), (2, 3), (3, 4)),
            ((), (2, 3), (3, 4)), ((2, 1), (2, 0), (0, 4))]),
    OpCase("addmm_scaled", lambda T, c, a, b: c.addmm(a, b, beta=0.5,
                                                      alpha=-2.0),
           [((2, 4), (2, 3), (3, 4)), ((1, 4), (2, 3), (3, 4))]),
    OpCase("addmm_beta0", lambda T, c, a, b: T.addmm(c, a, b, beta=0),
           [((2, 4), (2, 3), (3, 4))]),
    OpCase("addmv", lambda T, c, a, b: T.addmv(c, a, b, alpha=3),
           [((2,), (2, 3), (3,)), ((), (2, 3), (3,))]),
    OpCase("addr", lambda T, c, a, b: c.addr(a, b, beta=2),
           [((2, 3), (2,), (3,)), ((3,), (2,), (3,))]),
    OpCase("baddbmm", lambda T, c, a, b: T.baddbmm(c, a, b, alpha=0.5),
           [((2, 3, 4), (2, 3, 5), (2, 5, 4)), ((3, 4), (2, 3, 5),
                                                (2, 5, 4))]),
    OpCase("addbmm", lambda T, c, a, b: c.addbmm(a, b, beta=-1),
           [((3, 4), (2, 3, 5), (2, 5, 4))]),
    OpCase("trace", lambda T, a: a.trace(), [((3, 3),), ((2, 4),),
                                             ((4, 2),), ((0, 3),)]),
    OpCase("diag_1d", lambda T, a: T.diag(a), [((3,),), ((1,),), ((0,),)]),
    OpCase("diag_1d_offset", lambda T, a: T.diag(a, 2), [((3,),)]),
    OpCase("diag_1d_neg", lambda T, a: a.diag(-1), [((3,),)]),
    OpCase("diag_2d", lambda T, a: T.diag(a), [((3, 4),), ((4, 2),)]),
    OpCase("diag_2d_offset", lambda T, a: a.diag(1), [((3, 4),), ((2, 2),)]),
    OpCase("diag_2d_past_edge", lambda T, a: a.diag(-5), [((3, 4),)]),
    OpCase("diagonal", lambda T, a: a.diagonal(), [((3, 4),), ((4, 2),),
                                                   ((2, 3, 4),)]),
    OpCase("diagonal_offset", lambda T, a: T.diagonal(a, 1, -1, 0),
           [((3, 4),), ((2, 3, 4),)]),
    OpCase("diagonal_dims", lambda T, a: a.diagonal(-2, 2, 0),
           [((3, 2, 4),)]),
    OpCase("diagonal_times", lambda T, a: a.diagonal(0, 1, 2) * 3,
           [((2, 3, 3),)]),
    OpCase("diag_embed", lambda T, a: a.diag_embed(), [((2, 3),), ((3,),)]),
    OpCase("diag_embed_offset", lambda T, a: T.diag_embed(a, 1, 0, 2),
           [((2, 3),)]),
    OpCase("diag_embed_neg", lambda T, a: T.diag_embed(a, -2, -1, 0),
           [((2, 3),)]),
    # the existing matmul family (empty and 1-d corners)
    OpCase("mm", lambda T, a, b: T.mm(a, b), [((2, 3), (3, 4)),
                                              ((0, 3), (3, 4)),
                                              ((2, 0), (0, 4))]),
    OpCase("bmm", lambda T, a, b: a.bmm(b), [((2, 2, 3), (2, 3, 4))]),
    OpCase("mv", lambda T, a, b: T.mv(a, b), [((2, 3), (3,))]),
    OpCase("dot", lambda T, a, b: T.dot(a, b), [((3,), (3,)),
                                                ((0,), (0,))]),
    OpCase("int_einsum", ein("ij,jk->ik"), [((2, 3), (3, 4))],
           int_inputs=(0, 1), grad=False),
    OpCase("int_trace", lambda T, a: a.trace(), [((3, 3),)],
           int_inputs=(0,), grad=False),
    OpCase("int_tensordot", lambda T, a, b: T.tensordot(a, b, 1),
           [((2, 3), (3, 2))], int_inputs=(0, 1), grad=False),
]

define_tests(CASES, globals())


def r64(*shape, seed=0):
    return pytensor.tensor(
        np.random.default_rng(seed).uniform(-1, 1, shape),
        dtype=pytensor.float64, requires_grad=True)


@pytest.mark.parametrize("eq,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 2)]), ("ii->i", [(3, 3)]),
    ("ii->", [(3, 3)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("i,i->", [(3,), (1,)]), ("...ij,...jk", [(2, 2, 3), (3, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]), ("iij,jk->ik",
                                                 [(2, 2, 3), (3, 2)]),
])
def test_einsum_double_backward(eq, shapes):
    xs = tuple(r64(*s, seed=i) for i, s in enumerate(shapes))
    assert gradgradcheck(lambda *a: pytensor.einsum(eq, *a), xs)


@pytest.mark.parametrize("fn,shapes", [
    (lambda c, a, b: pytensor.addmm(c, a, b, beta=0.5, alpha=2),
     [(2, 1), (2, 3), (3, 2)]),
    (lambda a: a.diagonal(1), [(3, 4)]),
    (lambda a: pytensor.diag_embed(a, -1), [(2, 3)]),
    (lambda a: a.trace(), [(3, 3)]),
    (lambda a, b: pytensor.tensordot(a, b, ([0], [1])), [(3, 2), (2, 3)]),
    (lambda a, b: pytensor.outer(a, b) ** 2, [(3,), (2,)]),
])
def test_double_backward(fn, shapes):
    xs = tuple(r64(*s, seed=i) for i, s in enumerate(shapes))
    assert gradgradcheck(fn, xs)


def test_einsum_matches_numpy_on_a_larger_chain():
    """A 4-operand contraction contracted pairwise along numpy's path."""
    rng = np.random.default_rng(2)
    shapes = ((3, 4), (4, 5), (5, 6, 2), (2, 3))
    arrs = [rng.standard_normal(s) for s in shapes]
    r = pytensor.einsum("ab,bc,cde,ea->d", *map(pytensor.tensor, arrs))
    np.testing.assert_allclose(r.numpy(),
                               np.einsum("ab,bc,cde,ea->d", *arrs),
                               rtol=1e-12)
    xs = tuple(pytensor.tensor(a, requires_grad=True) for a in arrs)
    assert gradcheck(lambda *a: pytensor.einsum("ab,bc,cde,ea->d", *a), xs)


def test_einsum_result_owns_its_storage():
    x = pytensor.ones(2, 3)
    for eq in ("ij->ij", "ij->ji"):
        y = pytensor.einsum(eq, x)
        y._data[...] = 7
        assert (x.numpy() == 1).all()


@pytest.mark.parametrize("eq,shapes,msg", [
    ("ij,jk->ik", [(2, 3)], r"^einsum\(\): fewer operands were provided"),
    ("ij->ij", [(2, 3), (3, 2)], r"^einsum\(\): more operands were "),
    ("ij,jk->ik", [(2, 3), (4, 4)], r"^einsum\(\): subscript j has size 4 "
     r"for operand 1 which does not broadcast with previously seen size 3"),
    ("ii->i", [(3, 4)], r"^einsum\(\): subscript i is repeated for operand 0 "
     r"but the sizes don't match, 4 != 3"),
    ("ij->ij", [(2, 3, 4)], r"^einsum\(\): the number of subscripts in the "
     r"equation \(2\) does not match the number of dimensions \(3\) for "
     r"operand 0 and no ellipsis was given"),
    ("ijk...->", [(2, 3)], r"^einsum\(\): the number of subscripts in the "
     r"equation \(3\) is more than the number of dimensions \(2\)"),
    ("i1,jk->ik", [(3, 2), (2, 4)], r"^einsum\(\): invalid subscript given "
     r"at index 1 in the equation string, subscripts must be in \[a-zA-Z\]"),
    ("i.j->", [(3, 2)], r"^einsum\(\): found '.' for operand 0 that is not"),
    ("ij->ik", [(2, 3)], r"^einsum\(\): output subscript k does not appear"),
    ("ij->iij", [(2, 3)], r"^einsum\(\): output subscript i appears more "
     "than once"),
    ("...i,...i", [(2, 3), (4, 3)], r"^einsum\(\): subscript \.\.\. has size "
     r"4 for operand 1"),
])
def test_einsum_errors(eq, shapes, msg):
    with pytest.raises(RuntimeError, match=msg):
        pytensor.einsum(eq, *[pytensor.ones(*s) for s in shapes])


def test_einsum_type_errors():
    with pytest.raises(RuntimeError, match=r"^einsum\(\): operands must have "
                       "the same dtype, but operand 0 is float32 and operand 1"
                       " is float64"):
        pytensor.einsum("i,i", pytensor.ones(2),
                        pytensor.ones(2, dtype=pytensor.float64))
    with pytest.raises(TypeError, match=r"^einsum\(\): operand 1 must be a "
                       "Tensor"):
        pytensor.einsum("i,i", pytensor.ones(2), [1.0, 2.0])
    with pytest.raises(TypeError, match=r"^einsum\(\): the equation must be"):
        pytensor.einsum(3, pytensor.ones(2))


def test_einsum_too_many_letters():
    x = pytensor.ones(*([1] * 53))
    with pytest.raises(RuntimeError,
                       match=r"^einsum\(\): too many subscripts"):
        pytensor.einsum("...->", x)


@pytest.mark.parametrize("call,exc,msg", [
    (lambda: pytensor.tensordot(pytensor.ones(3, 4, 5), pytensor.ones(5, 4),
                                3), RuntimeError,
     r"^tensordot: dims=3 is larger than the number of dims"),
    (lambda: pytensor.tensordot(pytensor.ones(3, 4), pytensor.ones(5, 4), 1),
     RuntimeError, r"^tensordot: contracted dimensions need to match, but "
     r"first has size 4 in dim 1 and second has size 5 in dim 0"),
    (lambda: pytensor.tensordot(pytensor.ones(3), pytensor.ones(3), -1),
     RuntimeError, r"^tensordot expects dims >= 0, but got dims=-1"),
    (lambda: pytensor.tensordot(pytensor.ones(3), pytensor.ones(3),
                                ([0], [0, 0])), RuntimeError,
     r"^tensordot: both dimension lists should have same length"),
    (lambda: pytensor.tensordot(pytensor.ones(3), pytensor.ones(3),
                                ([2], [0])), IndexError,
     r"^tensordot: Dimension out of range"),
    (lambda: pytensor.outer(pytensor.ones(3), pytensor.ones(2, 2)),
     RuntimeError, r"^outer: Expected 1-D argument vec2, but got 2-D"),
    (lambda: pytensor.addmm(pytensor.ones(4), pytensor.ones(2, 3),
                            pytensor.ones(3, 3)), RuntimeError,
     r"^addmm: The expanded size of the tensor \(3\) must match the existing "
     r"size \(4\) at non-singleton dimension 1.  Target sizes: \[2, 3\].  "
     r"Tensor sizes: \[4\]"),
    (lambda: pytensor.addmm(pytensor.ones(2, 3), pytensor.ones(2, 3),
                            pytensor.ones(4, 3)), RuntimeError,
     r"^mm: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x3\)"),
    (lambda: pytensor.addmm(pytensor.ones(1, 2, 3), pytensor.ones(2, 3),
                            pytensor.ones(3, 3)), RuntimeError,
     r"^addmm: the input of shape \[1, 2, 3\] cannot be broadcast"),
    (lambda: pytensor.baddbmm(pytensor.ones(2, 3, 3), pytensor.ones(2, 3, 4),
                              pytensor.ones(3, 4, 3)), RuntimeError,
     r"^bmm: batch1 and batch2 must have the same batch size"),
    (lambda: pytensor.diag(pytensor.ones(2, 3, 4)), RuntimeError,
     r"^diag\(\): Supports 1D or 2D tensors. Got 3D"),
    (lambda: pytensor.diag(pytensor.tensor(3.0)), RuntimeError,
     r"^diag\(\): Supports 1D or 2D tensors. Got 0D"),
    (lambda: pytensor.ones(2, 3).diagonal(0, 0, 0), RuntimeError,
     r"^diagonal: diagonal dimensions cannot be identical 0, 0"),
    (lambda: pytensor.ones(2, 3).diagonal(0, 0, 2), IndexError,
     r"^diagonal: Dimension out of range \(expected to be in range of "
     r"\[-2, 1\], but got 2\)"),
    (lambda: pytensor.ones(3).diagonal(), IndexError,
     r"^diagonal: Dimension out of range"),
    (lambda: pytensor.ones(3).diag_embed(0, 0, 0), RuntimeError,
     r"^diag_embed: diagonal dimensions cannot be identical"),
    (lambda: pytensor.ones(3, 3, 3).trace(), RuntimeError,
     r"^trace: expected a matrix, but got tensor with dim 3"),
])
def test_errors(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


def test_diagonal_is_a_writable_view():
    x = pytensor.zeros(3, 4)
    d = x.diagonal(1)
    assert d._base is x
    d._data[...] = 5          # the same memory
    np.testing.assert_array_equal(x.numpy()[[0, 1, 2], [1, 2, 3]], [5, 5, 5])


def test_inplace_through_diagonal_view_reaches_base_gradient():
    if not hasattr(pytensor.Tensor, "mul_"):
        pytest.skip("in-place mul_ not available")
    a = r64(3, 3)
    b = a * 1.0
    b.diagonal().mul_(3.0)
    b.sum().backward()
    expect = np.ones((3, 3))
    np.fill_diagonal(expect, 3.0)
    np.testing.assert_allclose(a.grad.numpy(), expect)


def test_diag_2d_is_a_copy():
    x = pytensor.ones(2, 2)
    d = pytensor.diag(x)
    d._data[...] = 3
    assert (x.numpy() == 1).all()


def test_addmm_beta_zero_ignores_nan():
    c = pytensor.tensor([[float("nan"), 1.0]], requires_grad=True)
    a, b = pytensor.ones(2, 3), pytensor.ones(3, 2)
    r = pytensor.addmm(c, a, b, beta=0)
    np.testing.assert_array_equal(r.detach().numpy(), [[3, 3], [3, 3]])
    r.sum().backward()
    np.testing.assert_array_equal(c.grad.numpy(), [[0, 0]])


def test_tensor_methods_exist():
    x = pytensor.ones(3, 3)
    for name in ("trace", "diag", "diagonal", "diag_embed", "addmm", "addmv",
                 "addr", "baddbmm", "addbmm", "outer", "ger"):
        assert callable(getattr(x, name)), name
