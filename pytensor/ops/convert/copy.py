"""``Tensor.copy_(src)``: overwrite a tensor with (broadcast, cast,
transferred) values of another, differentiably w.r.t. ``src``."""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.autograd.grad_mode import state as _state
from pytensor.autograd.inplace import check_inplace, inplace
from pytensor.autograd.tape import tape as _tape, user_frame
from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.tensor import Tensor

__all__ = []


class CopyFrom(Function):
    """``src`` broadcast to ``x``'s shape and cast to its dtype.  The old
    ``x`` gets a zero gradient; ``src`` gets the gradient itself (the engine
    sums it down to ``src``'s shape and casts it to ``src``'s dtype)."""

    name = "copy"

    def forward(self, x, src):
        out = get_xp(x).empty(x.shape, x.dtype)
        out[...] = src
        return out

    def backward(self, gy):
        nx, ns = self.needs_input_grad
        gx = None
        if nx:
            gx = Tensor._make(get_xp(gy._data).zeros(gy.shape,
                                                     gy._data.dtype))
        return gx, (gy if ns else None)


def _copy(x, src):
    return CopyFrom.apply(x, src)


@tensor_method("copy_")
def copy_(self, src, non_blocking=False):
    """Copy the elements of ``src`` into ``self`` in place; returns
    ``self``.

    ``src`` is broadcast to ``self``'s shape, cast to its dtype (any cast,
    as in PyTorch: floats are truncated into integer tensors) and moved to
    its device.  The gradient flows to ``src``; works through views
    (``x[0].copy_(y)`` updates ``x`` and its graph).

    Args:
        src (Tensor): the values.
        non_blocking (bool): accepted for compatibility.

    Raises:
        RuntimeError: if ``src`` does not broadcast to ``self``'s shape, or
            ``self`` is a leaf that requires grad (in grad mode).

    Example:
        >>> import pytensor
        >>> x = pytensor.zeros(2, 3)
        >>> x.copy_(pytensor.tensor([1, 2, 3]))
        tensor([[1., 2., 3.],
                [1., 2., 3.]])
    """
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_: src must be a Tensor, got "
                        f"{type(src).__name__}")
    try:
        ok = np.broadcast_shapes(src.shape, self.shape) == self.shape
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(
            f"copy_: the source of shape {list(src.shape)} cannot be "
            f"broadcast to the destination shape {list(self.shape)}")
    if src.device != self.device:
        src = src.to(self.device)
    needs_graph = _state.enabled and (self._requires_grad or
                                      src._requires_grad)
    if needs_graph or _tape.recording:
        return inplace(self, "copy_", _copy, src)
    check_inplace(self, "copy_")
    try:
        if self._data.__class__ is np.ndarray:
            self._data[...] = src._data
        else:       # on its GPU, refusing expanded targets
            from pytensor.autograd.inplace import _write_device
            _write_device(self._data, src._data)
    except ValueError as e:
        if "read-only" in str(e):
            raise RuntimeError(
                "copy_: unsupported operation: more than one element of the "
                "written-to tensor refers to a single memory location (an "
                "expanded tensor?). Please clone() the tensor before "
                "performing the operation.") from None
        raise
    self._get_vc().bump("copy_", user_frame(2))
    return self
