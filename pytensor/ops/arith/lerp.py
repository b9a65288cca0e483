"""``lerp``: linear interpolation ``start + weight * (end - start)``."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.autograd.inplace import inplace
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import broadcast_error
from pytensor.tensor import Tensor

__all__ = ["lerp"]


class Lerp(Function):
    """Gradients: start ``gy * (1 - w)``, end ``gy * w``, weight
    ``gy * (end - start)``."""

    def forward(self, start, end, weight):
        self.save_for_backward(start, end, weight)
        dt = start.dtype                # lerp() checked end and weight
        diff = end - start
        # PyTorch's kernel: fma(w, diff, start) where |w| < 0.5, else
        # fma(w - 1, diff, end); each form is exact at its end point.
        if isinstance(weight, (int, float)):
            w = dt.type(weight)
            small = abs(w) < 0.5
            coeff = w if small else w - dt.type(1)
            base = start if small else end
        else:
            small = np.less(np.abs(weight), 0.5)
            coeff = np.where(small, weight, weight - 1).astype(dt,
                                                               copy=False)
            base = np.where(small, start, end)
        if dt.itemsize <= 4:
            # A product of two float32 numbers is exact in float64, so one
            # rounding from float64 reproduces the fused multiply-add.
            out = base.astype(np.float64) + np.multiply(
                coeff, diff, dtype=np.float64)
            return out.astype(dt)
        return base + coeff * diff

    def backward(self, gy):
        start, end, weight = self.saved_tensors
        ns, ne, nw = self.needs_input_grad
        return (gy * (1.0 - weight) if ns else None,
                gy * weight if ne else None,
                gy * (end - start) if nw else None)


@tensor_method("lerp")
def lerp(input, end, weight):
    """Linear interpolation ``input + weight * (end - input)``, elementwise
    and broadcasting.

    Args:
        input (Tensor): the start points (floating point).
        end (Tensor): the end points, same dtype as ``input``.
        weight (float or Tensor): the interpolation weight; a tensor must
            have the dtype of ``input``.

    Shape:
        Broadcast of the shapes of ``input``, ``end`` and ``weight``.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> pytensor.lerp(pytensor.tensor([0.0, 10.0]),
        ...               pytensor.tensor([1.0, 20.0]), 0.25)
        tensor([ 0.2500, 12.5000])
    """
    if not isinstance(input, Tensor) or not isinstance(end, Tensor):
        raise TypeError("lerp: input and end must be Tensors")
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"lerp: not implemented for {input.dtype.name} tensors (expected "
            "a floating point dtype)")
    for name, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t.dtype is not input.dtype:
            raise RuntimeError(
                f"lerp: expected dtype {input.dtype.name} for `{name}` but "
                f"got dtype {t.dtype.name}")
    if not isinstance(weight, Tensor):
        weight = float(weight)
    try:
        return Lerp.apply(input, end, weight)
    except ValueError:
        other = weight if isinstance(weight, Tensor) and (
            end.shape == input.shape) else end
        raise broadcast_error("lerp", input, other) from None


@tensor_method("lerp_")
def lerp_(self, end, weight):
    """In-place :func:`lerp`."""
    return inplace(self, "lerp_", lerp, end, weight)
