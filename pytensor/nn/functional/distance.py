"""``normalize``, ``cosine_similarity``, ``pairwise_distance``: composites
of differentiable ops (``norm``, ``clamp_min``), as in PyTorch."""
from pytensor.nn.functional._util import check_tensor

__all__ = ["normalize", "cosine_similarity", "pairwise_distance"]


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``.

    Args:
        input (Tensor): any shape.
        p (float): the norm's exponent.
        dim (int): the dim normalized.
        eps (float): lower bound of the divisor (avoids division by zero).
        out: not supported (must be None).

    Returns:
        Tensor of the input's shape.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.normalize(pytensor.tensor([[3.0, 4.0]]))
        tensor([[0.6000, 0.8000]])
    """
    check_tensor("normalize", "input", input)
    if out is not None:
        raise TypeError("normalize: out= is not supported")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps)
    return input / denom


def _clamped_norm(x, dim, eps):
    """``||x||_2`` along ``dim`` whose *value* is clamped at ``eps`` while
    its gradient stays the norm's: PyTorch clamps the norm in place under
    no_grad inside ``cosine_similarity``."""
    n = x.norm(2, dim, keepdim=True)
    nd = n.detach()
    return n + (nd.clamp_min(eps) - nd)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim``:
    ``sum(x1/|x1| * x2/|x2|)`` with each norm at least ``eps``.

    Args:
        x1, x2 (Tensor): broadcastable shapes.
        dim (int): the dim of the vectors.
        eps (float): lower bound of each norm.

    Returns:
        Tensor: the broadcast shape without ``dim``.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.cosine_similarity(pytensor.tensor([[1.0, 0.0]]),
        ...                     pytensor.tensor([[1.0, 1.0]]))
        tensor([0.7071])
    """
    check_tensor("cosine_similarity", "x1", x1)
    check_tensor("cosine_similarity", "x2", x2)
    if not eps >= 0:                    # NaN too
        raise RuntimeError(
            f"cosine_similarity: eps must be non-negative, got {eps}")
    from pytensor import broadcast_tensors
    if x1.shape != x2.shape:
        x1, x2 = broadcast_tensors(x1, x2)
    if x1.dtype.is_floating_point is False:
        x1 = x1.to(x1.dtype if x2.dtype.is_floating_point is False
                   else x2.dtype)
    n1 = _clamped_norm(x1, dim, eps)
    n2 = _clamped_norm(x2, dim, eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``||x1 - x2 + eps||_p`` along the last dim.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.pairwise_distance(pytensor.tensor([[0.0, 0.0]]),
        ...                     pytensor.tensor([[3.0, 4.0]]), eps=0.0)
        tensor([5.])
    """
    check_tensor("pairwise_distance", "x1", x1)
    check_tensor("pairwise_distance", "x2", x2)
    output_dim = max(x1.ndim, x2.ndim)
    return (x1 - x2 + eps).norm(p, output_dim - 1, keepdim=keepdim)
