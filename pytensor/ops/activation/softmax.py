"""``softmax``, ``log_softmax`` (fused kernels ``softmax_fwd/_bwd``,
``log_softmax_fwd/_bwd``) and ``softmin``.

Both forwards subtract the maximum along ``dim`` first, so large inputs do
not overflow; ``-inf`` entries get probability 0 (log-probability
``-inf``), and a slice that is all ``-inf`` gives NaN, as in PyTorch.  The
backward ops are differentiable themselves, so double backward works.
"""
import warnings

from pytensor._errors import user_stacklevel
from pytensor.autograd.function import Function
from pytensor.ops._kernel import run_along
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import canonical_dim, float_only

__all__ = ["softmax", "log_softmax", "softmin"]


def _sum(t, dim):
    """Sum along ``dim`` keeping it (a 0-d tensor is its own sum)."""
    return t if t.ndim == 0 else t.sum(dim, keepdim=True)


class Softmax(Function):
    kernel = "softmax_fwd"

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        y = run_along("softmax_fwd", self.dim, x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        y, = self.saved_tensors
        return SoftmaxGrad(self.dim).apply(y, gy)

    def backward_arrays(self, gy):
        y, = self.saved_arrays
        return run_along("softmax_bwd", self.dim, y, gy)


class SoftmaxGrad(Function):
    """``y * (gy - sum(gy * y))`` along ``dim``.

    Double backward: the map is symmetric in ``gy`` (so d/dgy is this same
    op applied to the incoming gradient), and
    d/dy = gg * (gy - sum(gy * y)) - gy * sum(gg * y).
    """

    kernel = "softmax_bwd"
    name = "softmax_backward"

    def __init__(self, dim):
        self.dim = dim

    def forward(self, y, gy):
        self.save_for_backward(y, gy)
        return run_along("softmax_bwd", self.dim, y, gy)

    def backward(self, gg):
        y, gy = self.saved_tensors
        ny, ngy = self.needs_input_grad
        d = self.dim
        g_y = g_gy = None
        if ny:
            g_y = gg * (gy - _sum(gy * y, d)) - gy * _sum(gg * y, d)
        if ngy:
            g_gy = SoftmaxGrad(d).apply(y, gg)
        return g_y, g_gy


class LogSoftmax(Function):
    kernel = "log_softmax_fwd"

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        y = run_along("log_softmax_fwd", self.dim, x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        y, = self.saved_tensors
        return LogSoftmaxGrad(self.dim).apply(y, gy)

    def backward_arrays(self, gy):
        y, = self.saved_arrays
        return run_along("log_softmax_bwd", self.dim, y, gy)


class LogSoftmaxGrad(Function):
    """``gy - exp(y) * sum(gy)`` along ``dim``.

    Double backward: d/dgy = gg - sum(gg * exp(y)) and
    d/dy = -gg * exp(y) * sum(gy).
    """

    kernel = "log_softmax_bwd"
    name = "log_softmax_backward"

    def __init__(self, dim):
        self.dim = dim

    def forward(self, y, gy):
        self.save_for_backward(y, gy)
        return run_along("log_softmax_bwd", self.dim, y, gy)

    def backward(self, gg):
        y, gy = self.saved_tensors
        ny, ngy = self.needs_input_grad
        d = self.dim
        p = y.exp()
        g_y = -(gg * p) * _sum(gy, d) if ny else None
        g_gy = gg - _sum(gg * p, d) if ngy else None
        return g_y, g_gy


def _implicit_dim(op, ndim):
    warnings.warn(
        f"Implicit dimension choice for {op} has been deprecated. Change the "
        "call to include dim=X as an argument.", UserWarning,
        stacklevel=user_stacklevel())
    return 0 if ndim in (0, 1, 3) else 1


def _prepare(op, input, dim, dtype):
    if dtype is not None:
        input = input.to(dtype)
    float_only(op, input)
    n = input._data.ndim
    if dim is None:
        dim = _implicit_dim(op, n)
    return input, canonical_dim(dim, n, op)


@tensor_method("softmax")
def softmax(input, dim=None, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably.

    Args:
        input (Tensor): the input (floating point, or pass ``dtype``).
        dim (int): the dimension that sums to 1.  Omitting it picks one as
            PyTorch's deprecated implicit rule does, with a warning.
        dtype (optional): cast the input to this dtype first.

    Shape:
        Same as the input.

    Returns:
        Tensor of values in [0, 1] summing to 1 along ``dim``.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, -float("inf")]])
        >>> pytensor.softmax(x, dim=1)
        tensor([[0.0900, 0.2447, 0.6652],
                [0.5000, 0.5000, 0.0000]])
    """
    x, d = _prepare("softmax", input, dim, dtype)
    return Softmax(d).apply(x)


@tensor_method("log_softmax")
def log_softmax(input, dim=None, dtype=None):
    """``x - log(sum(exp(x)))`` along ``dim``: the log of :func:`softmax`,
    computed without overflow or underflow.

    Args:
        input (Tensor): the input (floating point, or pass ``dtype``).
        dim (int): the dimension normalized over.
        dtype (optional): cast the input to this dtype first.

    Returns:
        Tensor of the input's shape.

    Example:
        >>> import pytensor
        >>> pytensor.log_softmax(pytensor.tensor([1000.0, 0.0]), dim=0)
        tensor([    0., -1000.])
    """
    x, d = _prepare("log_softmax", input, dim, dtype)
    return LogSoftmax(d).apply(x)


def softmin(input, dim=None, dtype=None):
    """``softmax(-input)`` along ``dim``.

    Example:
        >>> import pytensor
        >>> pytensor.softmin(pytensor.tensor([1.0, 2.0]), dim=0)
        tensor([0.7311, 0.2689])
    """
    if dtype is not None:
        input = input.to(dtype)
    float_only("softmin", input)
    if dim is None:
        dim = _implicit_dim("softmin", input._data.ndim)
    return softmax(-input, dim)
