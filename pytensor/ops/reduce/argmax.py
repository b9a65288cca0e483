"""``argmax``/``argmin``: int64 indices of the first extreme (of the first
NaN, if any), over one dim or the flattened tensor."""
import numpy as np

from pytensor.backend import get_xp
from pytensor.ops._registry import tensor_method
from pytensor.ops._util import on_input_device
from pytensor.ops.reduce._common import one_dim, require_nonempty
from pytensor.tensor import Tensor

__all__ = ["argmax", "argmin"]


@on_input_device
def _arg(op, input, dim, keepdim):
    x = input._data
    xp = get_xp(x)
    if x.dtype == np.bool_:
        raise RuntimeError(f"{op}(): does not support bool input (convert "
                           "it with .to(pytensor.uint8) or .long() first)")
    if dim is None:
        if x.size == 0:
            # An IndexError here, unlike max()'s RuntimeError: PyTorch's.
            raise IndexError(f"{op}(): Expected reduction dim to be "
                             "specified for input.numel() == 0.")
        r = getattr(x, op)()
        if keepdim:
            r = xp.reshape(r, (1,) * x.ndim)
    else:
        d = one_dim(input, dim, op)
        if x.ndim == 0:
            r = xp.zeros((), np.int64)
        else:
            require_nonempty(op, x.shape, (d,), False)
            r = getattr(x, op)(axis=d, keepdims=bool(keepdim))
    return Tensor._make(xp.asarray(r, dtype=np.int64))


@tensor_method("argmax")
def argmax(input, dim=None, keepdim=False):
    """Indices of the maximum along ``dim`` (of the flattened tensor when
    ``dim`` is None).  Ties give the first occurrence; a NaN counts as the
    maximum.

    Args:
        input (Tensor): any dtype.
        dim (int, optional): the dim to reduce.
        keepdim (bool): keep the reduced dim(s) with size 1 (with
            ``dim=None``: every dim).

    Returns:
        int64 Tensor (never requires grad).

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([[1, 9, 3], [7, 2, 7]])
        >>> x.argmax(), x.argmax(1), x.argmax(0, keepdim=True)
        (tensor(1), tensor([1, 0]), tensor([[1, 0, 1]]))
    """
    return _arg("argmax", input, dim, keepdim)


@tensor_method("argmin")
def argmin(input, dim=None, keepdim=False):
    """Indices of the minimum along ``dim`` (see :func:`argmax`).

    Example:
        >>> import pytensor
        >>> pytensor.tensor([[1.0, 0.5], [-3.0, 2.0]]).argmin(1)
        tensor([1, 0])
    """
    return _arg("argmin", input, dim, keepdim)
