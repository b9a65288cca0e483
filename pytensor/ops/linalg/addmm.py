"""``addmm``, ``addmv``, ``addr``, ``baddbmm``, ``addbmm``:
``beta * input + alpha * product``.

With ``beta == 0`` the input is ignored (a NaN in it does not propagate),
as in PyTorch; it must still broadcast to the product's shape.
"""
from pytensor.autograd.function import Function
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import promote
from pytensor.ops.linalg.matmul import bmm, mm, mv
from pytensor.ops.linalg.products import outer
from pytensor.tensor import Tensor

__all__ = ["addmm", "addmv", "addr", "baddbmm", "addbmm"]


class AddScaled(Function):
    """``beta * input + alpha * product``; ``input`` broadcasts to the
    product (the engine sums its gradient back down)."""

    def __init__(self, op, beta, alpha):
        self.name, self.beta, self.alpha = op, beta, alpha

    def forward(self, inp, prod):
        beta, alpha = self.beta, self.alpha
        out = prod if alpha == 1 else prod * alpha
        if beta == 0:
            return out if out is not prod else prod.copy()
        return out + (inp if beta == 1 else inp * beta)

    def backward(self, gy):
        ni, npd = self.needs_input_grad
        gi = gp = None
        if ni:
            gi = gy * self.beta if self.beta != 1 else gy
        if npd:
            gp = gy * self.alpha if self.alpha != 1 else gy
        return gi, gp

    backward_arrays = backward     # the same expressions work on arrays


def _combine(op, input, product, beta, alpha):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got "
                        f"{type(input).__name__}")
    inp, product = promote(op, input, product)
    si, sp = list(inp.shape), list(product.shape)
    if len(si) > len(sp):
        raise RuntimeError(
            f"{op}: the input of shape {si} cannot be broadcast to the "
            f"product's shape {sp}")
    pad = [1] * (len(sp) - len(si)) + si
    for d, (s, t) in enumerate(zip(pad, sp)):
        if s != t and s != 1:
            raise RuntimeError(
                f"{op}: The expanded size of the tensor ({t}) must match the "
                f"existing size ({s}) at non-singleton dimension {d}.  "
                f"Target sizes: {sp}.  Tensor sizes: {si}")
    return AddScaled(op, beta, alpha).apply(inp, product)


@tensor_method("addmm")
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat1 @ mat2)`` for matrices.

    Args:
        input (Tensor): broadcastable to ``(n, p)``.
        mat1 (Tensor): ``(n, m)``.
        mat2 (Tensor): ``(m, p)``.
        beta, alpha (number): scales (``beta=0`` ignores ``input``).

    Returns:
        Tensor of shape ``(n, p)``.

    Example:
        >>> import pytensor
        >>> bias = pytensor.tensor([1.0, 2.0])
        >>> pytensor.addmm(bias, pytensor.ones(3, 4), pytensor.ones(4, 2),
        ...                alpha=0.5)
        tensor([[3., 4.],
                [3., 4.],
                [3., 4.]])
    """
    return _combine("addmm", input, mm(mat1, mat2), beta, alpha)


@tensor_method("addmv")
def addmv(input, mat, vec, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat @ vec)``.

    Example:
        >>> import pytensor
        >>> pytensor.addmv(pytensor.ones(2), pytensor.ones(2, 3),
        ...                pytensor.tensor([1.0, 2.0, 3.0]), beta=2)
        tensor([8., 8.])
    """
    return _combine("addmv", input, mv(mat, vec), beta, alpha)


@tensor_method("addr")
def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """``beta * input + alpha * outer(vec1, vec2)``.

    Example:
        >>> import pytensor
        >>> pytensor.addr(pytensor.zeros(2, 2), pytensor.tensor([1.0, 2.0]),
        ...               pytensor.tensor([3.0, 4.0]))
        tensor([[3., 4.],
                [6., 8.]])
    """
    return _combine("addr", input, outer(vec1, vec2), beta, alpha)


@tensor_method("baddbmm")
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * bmm(batch1, batch2)``: ``(b, n, m)`` and
    ``(b, m, p)`` give ``(b, n, p)``.

    Example:
        >>> import pytensor
        >>> pytensor.baddbmm(pytensor.ones(2, 1, 1), pytensor.ones(2, 1, 3),
        ...                  pytensor.ones(2, 3, 1), alpha=2).shape
        (2, 1, 1)
    """
    return _combine("baddbmm", input, bmm(batch1, batch2), beta, alpha)


@tensor_method("addbmm")
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``.

    Example:
        >>> import pytensor
        >>> pytensor.addbmm(pytensor.zeros(1, 1), pytensor.ones(4, 1, 3),
        ...                 pytensor.ones(4, 3, 1))
        tensor([[12.]])
    """
    return _combine("addbmm", input, bmm(batch1, batch2).sum(0), beta, alpha)
