"""``meshgrid``: coordinate grids as expanded views of 1-d tensors."""
import warnings

from pytensor._errors import user_stacklevel
from pytensor.tensor import Tensor

__all__ = ["meshgrid"]


def meshgrid(*tensors, indexing=None):
    """Grids of coordinates from 1-d (or 0-d) tensors.

    With ``indexing="ij"`` output ``i`` has shape ``(len(t0), len(t1),
    ...)`` and varies along dim ``i``; with ``"xy"`` the first two dims are
    swapped (the Cartesian convention of NumPy and MATLAB).  The outputs are
    expanded views of the inputs (read-only for in-place ops).

    Args:
        *tensors (Tensor): 0-d or 1-d tensors (or one sequence of them).
        indexing (str): ``"ij"`` (the default; PyTorch warns when it is not
            given) or ``"xy"``.

    Returns:
        tuple of Tensor

    Example:
        >>> import pytensor
        >>> gx, gy = pytensor.meshgrid(pytensor.tensor([1, 2, 3]),
        ...                            pytensor.tensor([4, 5]), indexing="xy")
        >>> gx
        tensor([[1, 2, 3],
                [1, 2, 3]])
        >>> gy
        tensor([[4, 4, 4],
                [5, 5, 5]])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "meshgrid: in an upcoming release, it will be required to pass "
            "the indexing argument.", UserWarning,
            stacklevel=user_stacklevel())
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be one of \"xy\" or "
                         f"\"ij\", but received: {indexing}")
    if not tensors:
        raise RuntimeError("meshgrid: expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"meshgrid: expected Tensor as element {i}, got "
                            f"{type(t).__name__}")
        if t._data.ndim > 1:
            raise RuntimeError(
                f"meshgrid: Expected 0D or 1D tensor in the tensor list but "
                f"got: {list(t.shape)} (element {i})")
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError(
                "meshgrid: expects all tensors to have the same dtype (got "
                f"{tensors[0].dtype} and {t.dtype})")
        if t.device != tensors[0].device:
            raise RuntimeError(
                "meshgrid: expects all tensors to have the same device (got "
                f"{tensors[0].device} and {t.device})")
    ts = list(tensors)
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    sizes = tuple(t._data.size for t in ts)
    n = len(ts)
    out = []
    for i, t in enumerate(ts):
        view = [1] * n
        view[i] = -1
        out.append(t.reshape(view).expand(sizes))
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)
