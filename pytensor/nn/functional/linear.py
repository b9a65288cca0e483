"""``linear`` (one fused op: ``x @ W.T + b``) and ``bilinear``."""
import math

from pytensor.autograd.function import Function
from pytensor.nn.functional._util import check_tensor, fmt_shape
from pytensor.tensor import Tensor

__all__ = ["linear", "bilinear"]

_make = Tensor._make


def _2d(a):
    """``a`` as a matrix: leading dims folded (no copy when contiguous).
    Explicit sizes, so a zero-sized last dim still reshapes."""
    if a.ndim == 2:
        return a
    return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])


class Linear(Function):
    """``y = x @ W.T + b`` over any leading batch dims, as one node.

    Batch dims are folded into one matrix dimension so the forward and both
    weight products are single BLAS calls: ``dW = gy2.T @ x2`` sums over
    every batch element in the GEMM itself.  ``backward_arrays`` is the
    engine's fast path (the hot path of every MLP); ``backward`` takes the
    same products with differentiable ops (``create_graph=True``).
    """

    def forward(self, x, w, b=None):
        if x.ndim <= 2:
            self.save_for_backward(x, w, None)
            y = x @ w.T
        else:
            # Folding a batch that is not contiguous (a batch-first
            # recurrent output, a transposed attention output) copies it:
            # the fold is kept for the weight gradient, which would copy
            # again (where it is a view, keeping it costs nothing).
            x2 = _2d(x)
            self.save_for_backward(x, w, x2)
            y = (x2 @ w.T).reshape(x.shape[:-1] + (w.shape[0],))
        if b is not None:
            y += b
        return y

    def backward_arrays(self, gy):
        x, w, x2 = self.saved_arrays
        need = self.needs_input_grad
        g2 = _2d(gy)
        gx = (g2 @ w).reshape(x.shape) if need[0] else None
        gw = g2.T @ (_2d(x) if x2 is None else x2) if need[1] else None
        if len(need) > 2:
            return gx, gw, (g2.sum(0) if need[2] else None)
        return gx, gw

    def backward(self, gy):
        x, w, _ = self.saved_tensors
        need = self.needs_input_grad
        g2 = gy.reshape(math.prod(gy.shape[:-1]), gy.shape[-1])
        gx = g2.matmul(w).reshape(x.shape) if need[0] else None
        gw = g2.t().matmul(x.reshape(math.prod(x.shape[:-1]), x.shape[-1])) \
            if need[1] else None
        if len(need) > 2:
            return gx, gw, (g2.sum(0) if need[2] else None)
        return gx, gw


def linear(input, weight, bias=None):
    """Affine map ``y = input @ weight.T + bias``.

    Args:
        input (Tensor): ``(*, in_features)``.
        weight (Tensor): ``(out_features, in_features)``.
        bias (Tensor, optional): ``(out_features,)``.

    Shape:
        Output: ``(*, out_features)``.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.tensor([[1.0, 2.0]])
        >>> w = pytensor.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
        >>> F.linear(x, w, pytensor.tensor([0.5, 0.5, 0.5]))
        tensor([[1.5000, 3.5000, 4.5000]])
    """
    check_tensor("linear", "input", input)
    check_tensor("linear", "weight", weight)
    xs, ws = input._data.shape, weight._data.shape
    if len(ws) != 2:
        raise RuntimeError(f"linear: weight must be 2-D (out_features, "
                           f"in_features), got shape {fmt_shape(ws)}")
    if not xs:
        raise RuntimeError("linear: input must have at least 1 dimension, "
                           "got a 0-d tensor")
    if xs[-1] != ws[1]:
        raise RuntimeError(
            f"linear: expected input with last dimension {ws[1]}, got shape "
            f"{fmt_shape(xs)} (weight shape {fmt_shape(ws)})")
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(
            f"linear: expected input and weight to have the same dtype, but "
            f"got {input.dtype} and {weight.dtype}")
    if bias is None:
        return Linear.apply(input, weight)
    check_tensor("linear", "bias", bias)
    if bias._data.dtype != weight._data.dtype:
        raise RuntimeError(
            f"linear: expected bias and weight to have the same dtype, but "
            f"got {bias.dtype} and {weight.dtype}")
    bs = bias._data.shape
    if len(bs) > 1 or (bs and bs[0] not in (1, ws[0])):
        raise RuntimeError(
            f"linear: bias of shape {fmt_shape(bs)} does not match "
            f"out_features={ws[0]}")
    return Linear.apply(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """Bilinear map ``y_k = input1 @ weight[k] @ input2 + bias[k]``.

    Written with differentiable ops (one GEMM does the heavy part), so
    every order of derivative works.

    Args:
        input1 (Tensor): ``(*, in1_features)``.
        input2 (Tensor): ``(*, in2_features)`` (same leading dims).
        weight (Tensor): ``(out_features, in1_features, in2_features)``.
        bias (Tensor, optional): ``(out_features,)``.

    Returns:
        Tensor of shape ``(*, out_features)``.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> w = pytensor.ones(1, 2, 2)
        >>> F.bilinear(pytensor.tensor([[1.0, 2.0]]),
        ...            pytensor.tensor([[3.0, 4.0]]), w)
        tensor([[21.]])
    """
    for name, t in (("input1", input1), ("input2", input2),
                    ("weight", weight)):
        check_tensor("bilinear", name, t)
    s1, s2, ws = input1.shape, input2.shape, weight.shape
    if len(ws) != 3:
        raise RuntimeError(f"bilinear: weight must be 3-D, got shape "
                           f"{fmt_shape(ws)}")
    if not s1 or not s2 or s1[:-1] != s2[:-1]:
        raise RuntimeError(
            f"bilinear: input1 and input2 must have the same leading "
            f"dimensions, got {fmt_shape(s1)} and {fmt_shape(s2)}")
    if s1[-1] != ws[1] or s2[-1] != ws[2]:
        raise RuntimeError(
            f"bilinear: expected inputs with last dimensions {ws[1]} and "
            f"{ws[2]}, got shapes {fmt_shape(s1)} and {fmt_shape(s2)}")
    out, in1, in2 = ws
    lead = s1[:-1]
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    # (n, in1) @ (in1, out * in2) -> (n, out, in2), then contract with x2.
    wf = weight.permute(1, 0, 2).reshape(in1, out * in2)
    t = x1.matmul(wf).reshape(-1, out, in2)
    y = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (out,))
