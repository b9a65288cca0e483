"""``matmul`` (``@``) and its special cases ``mm``, ``bmm``, ``mv``,
``dot``.  Products go to BLAS through ``numpy.matmul`` (cuBLAS through
``cupy.matmul`` on a GPU)."""
from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import promote

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot"]


class MatMul(Function):
    """NumPy ``matmul`` semantics (which PyTorch shares): 1-d operands are
    promoted to matrices and the added dim removed; batch dims broadcast.
    The engine reduces broadcast batch gradients back to each input."""

    kernel = None
    name = "matmul"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        # cupy.matmul (cuBLAS) by name: np.matmul is a generalized ufunc,
        # which CuPy's __array_ufunc__ does not accept in every version.
        return get_xp(a).matmul(a, b)

    def backward(self, gy):
        a, b = self.saved_tensors
        na, nb = self.needs_input_grad
        ga = gb = None
        a_nd, b_nd = a.ndim, b.ndim
        if a_nd == 1 and b_nd == 1:           # dot product: gy is 0-d
            return (gy * b if na else None), (gy * a if nb else None)
        if a_nd == 1:                         # (k) @ (..., k, n) -> (..., n)
            g2 = gy.unsqueeze(-2)             # (..., 1, n)
            if na:
                ga = matmul(g2, b.mT).squeeze(-2)
            if nb:
                gb = matmul(a.unsqueeze(-1), g2)      # (k,1)@(...,1,n)
            return ga, gb
        if b_nd == 1:                         # (..., m, k) @ (k) -> (..., m)
            g2 = gy.unsqueeze(-1)             # (..., m, 1)
            if na:
                ga = matmul(g2, b.unsqueeze(-2))      # (...,m,1)@(1,k)
            if nb:
                gb = matmul(a.mT, g2).squeeze(-1)
            return ga, gb
        if na:
            ga = matmul(gy, b.mT)
        if nb:
            gb = matmul(a.mT, gy)
        return ga, gb

    def backward_arrays(self, gy):
        a, b = self.saved_arrays
        if a.ndim < 2 or b.ndim < 2:
            return NotImplemented   # rare 1-d cases: use the Tensor path
        na, nb = self.needs_input_grad
        mm = get_xp(gy).matmul       # cuBLAS on a GPU (np.matmul is a gufunc)
        return (mm(gy, b.swapaxes(-1, -2)) if na else None,
                mm(a.swapaxes(-1, -2), gy) if nb else None)


def _check(op, a, b):
    sa, sb = a._data.shape, b._data.shape
    if a._data.ndim == 0 or b._data.ndim == 0:
        raise RuntimeError(
            f"{op}: both arguments need at least 1 dimension, but got "
            f"{a._data.ndim}D and {b._data.ndim}D tensors")
    ka = sa[-1]
    kb = sb[-2] if len(sb) >= 2 else sb[0]
    if ka != kb:
        if len(sa) == 2 and len(sb) == 2:
            raise RuntimeError(
                f"{op}: mat1 and mat2 shapes cannot be multiplied "
                f"({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})")
        raise RuntimeError(
            f"{op}: inner dimensions differ: {list(sa)} @ {list(sb)} "
            f"({ka} != {kb})")


@tensor_method("matmul", "__matmul__")
def matmul(input, other):
    """Matrix product with NumPy/PyTorch broadcasting semantics.

    Args:
        input (Tensor): (..., n, k) or (k,).
        other (Tensor): (..., k, m) or (k,).

    Returns:
        Tensor of shape broadcast(...) + (n, m), with 1-d dims removed.

    Example:
        >>> import pytensor
        >>> a = pytensor.ones(2, 3)
        >>> (a @ pytensor.ones(3, 4)).shape, (a @ pytensor.ones(3)).shape
        ((2, 4), (2,))
    """
    a, b = promote("matmul", input, other)
    if not hasattr(a, "_data") or not hasattr(b, "_data"):
        raise TypeError("matmul: both operands must be Tensors")
    _check("matmul", a, b)
    try:
        return MatMul.apply(a, b)
    except ValueError as e:
        raise RuntimeError(f"matmul: {e} (shapes {list(a.shape)} and "
                           f"{list(b.shape)})") from None


@tensor_method("__rmatmul__")
def _rmatmul(self, other):
    return matmul(other, self)


def _ndim(op, t, n, name):
    if t._data.ndim != n:
        raise RuntimeError(f"{op}: {name} must be a {n}D tensor, got "
                           f"{t._data.ndim}D with shape {list(t.shape)}")


@tensor_method("mm")
def mm(input, mat2):
    """Product of two matrices (no broadcasting)."""
    _ndim("mm", input, 2, "self")
    _ndim("mm", mat2, 2, "mat2")
    _check("mm", input, mat2)
    return matmul(input, mat2)


@tensor_method("bmm")
def bmm(input, mat2):
    """Batched product of (b, n, k) and (b, k, m) (no broadcasting)."""
    _ndim("bmm", input, 3, "batch1")
    _ndim("bmm", mat2, 3, "batch2")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(
            f"bmm: batch1 and batch2 must have the same batch size, got "
            f"{input.shape[0]} and {mat2.shape[0]}")
    _check("bmm", input, mat2)
    return matmul(input, mat2)


@tensor_method("mv")
def mv(input, vec):
    """Matrix-vector product."""
    _ndim("mv", input, 2, "self")
    _ndim("mv", vec, 1, "vec")
    _check("mv", input, vec)
    return matmul(input, vec)


@tensor_method("dot", "inner")
def dot(input, other):
    """Dot product of two 1-d tensors."""
    _ndim("dot", input, 1, "self")
    _ndim("dot", other, 1, "tensor")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(
            "dot: inconsistent tensor size, expected tensor "
            f"[{input.shape[0]}] and src [{other.shape[0]}] to have the "
            "same number of elements, but got different sizes")
    return matmul(input, other)


vdot = dot
