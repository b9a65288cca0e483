"""``instance_norm``: each sample's channels normalized on their own."""
from pytensor.autograd.grad_mode import no_grad
from pytensor.ops.nn._common import (
    check_float, check_param, check_tensor, fmt_shape, prod)
from pytensor.ops.nn.batch_norm import batch_norm

__all__ = []        # functional only (pytensor.nn.functional.instance_norm)


def _repeat(t, n):
    return None if t is None else t.repeat(n)


def instance_norm(input, running_mean=None, running_var=None, weight=None,
                  bias=None, use_input_stats=True, momentum=0.1, eps=1e-5):
    """Instance normalization: every ``(sample, channel)`` slice of
    ``(N, C, *)`` normalized over its spatial positions.

    As in PyTorch it is batch normalization of the input viewed as
    ``(1, N * C, *)``; the running statistics (when given) are updated with
    the mean over the batch of the per-instance statistics.

    Args:
        input (Tensor): ``(N, C, *)`` with at least one spatial dim.
        running_mean, running_var (Tensor, optional): ``(C,)`` buffers.
        weight, bias (Tensor, optional): ``(C,)``.
        use_input_stats (bool): normalize with the instance statistics
            (else with the running ones).
        momentum (float), eps (float): as in :func:`batch_norm`.

    Returns:
        Tensor of ``input``'s shape.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> F.instance_norm(pytensor.tensor([[[1.0, 3.0], [0.0, 4.0]]]))
        tensor([[[-1.0000,  1.0000],
                 [-1.0000,  1.0000]]])
    """
    op = "instance_norm"
    check_tensor(op, "input", input)
    check_float(op, input)
    shape = input._data.shape
    if len(shape) < 3:
        raise ValueError(
            f"{op}: expected an input of shape (N, C, *) with at least one "
            f"spatial dim, got shape {fmt_shape(shape)}")
    if use_input_stats and prod(shape[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input "
            f"size {fmt_shape(shape)}")
    N, C = shape[0], shape[1]
    for name, t in (("weight", weight), ("bias", bias),
                    ("running_mean", running_mean),
                    ("running_var", running_var)):
        check_param(op, name, t, input, (C,),
                    per_channel=True)
    with no_grad():
        rm = _repeat(running_mean, N)
        rv = _repeat(running_var, N)
    x = input.reshape((1, N * C) + tuple(shape[2:]))
    out = batch_norm(x, rm, rv, _repeat(weight, N), _repeat(bias, N),
                     bool(use_input_stats), momentum, eps)
    for src, dst in ((rm, running_mean), (rv, running_var)):
        if dst is not None:
            # Written in place (the buffers are the caller's), as PyTorch.
            dst._data[...] = src._data.reshape(N, C).mean(axis=0)
            dst._bump_version("instance_norm")
    return out.reshape(shape)
