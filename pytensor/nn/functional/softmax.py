"""``softmax``, ``log_softmax``, ``softmin`` with ``torch.nn.functional``'s
signature (``_stacklevel`` is the third positional argument there); the
ops themselves are ``pytensor.softmax`` etc."""

__all__ = ["softmax", "log_softmax", "softmin"]


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``pytensor.softmax(input, dim, dtype=dtype)``; see there.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.softmax(pytensor.tensor([0.0, 0.0]), dim=0)
        tensor([0.5000, 0.5000])
    """
    from pytensor import ops
    return ops.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``pytensor.log_softmax(input, dim, dtype=dtype)``; see there."""
    from pytensor import ops
    return ops.log_softmax(input, dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``pytensor.softmin(input, dim, dtype=dtype)``; see there."""
    from pytensor import ops
    return ops.softmin(input, dim, dtype=dtype)
