"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_``.

The total norm is PyTorch's: the ``norm_type``-norm of the per-tensor
norms (so ``inf`` is the largest absolute value over all gradients), and
gradients are scaled by ``min(1, max_norm / (total_norm + 1e-6))`` in
place.  Everything runs on raw arrays outside autograd.
"""
import types
import warnings

import numpy as np

from pytensor.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_",
           "get_total_norm", "clip_grads_with_norm_"]


def _xp(a):
    if a.__class__ is np.ndarray:
        return np
    from pytensor.backend import get_xp
    return get_xp(a)


def _on(a):
    """A context making ``a``'s GPU current (CuPy computes on the current
    device); a no-op for NumPy arrays."""
    from pytensor.ops._util import on_device_of
    return on_device_of(a)


def _vector_norm(a, p):
    """The p-norm of all elements of ``a``, in ``a``'s dtype (a 0-d
    array: NumPy reductions return scalars)."""
    xp = _xp(a)
    return xp.asarray(_norm(xp, a, p), dtype=a.dtype)


def _norm(xp, a, p):
    if a.size == 0:
        return xp.zeros((), a.dtype)
    if p == 2.0:
        flat = a.reshape(-1)
        return xp.sqrt(xp.dot(flat, flat)).astype(a.dtype)
    absa = xp.abs(a)
    if p == float("inf"):
        return absa.max().astype(a.dtype)
    if p == -float("inf"):
        return absa.min().astype(a.dtype)
    if p == 0.0:
        return xp.asarray((a != 0).sum(), dtype=a.dtype)
    if p == 1.0:
        return absa.sum().astype(a.dtype)
    return (absa ** p).sum().astype(a.dtype) ** a.dtype.type(1.0 / p)


def _as_list(tensors):
    if isinstance(tensors, Tensor):
        return [tensors]
    return list(tensors)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False,
                   foreach=None):
    """The ``norm_type``-norm of all ``tensors`` together (as if they were
    one vector); a 0-d tensor.

    Raises:
        RuntimeError: if ``error_if_nonfinite`` and the norm is NaN or inf.
    """
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        from pytensor.creation import tensor
        return tensor(0.0)
    norms = []
    for t in tensors:
        with _on(t._data):
            norms.append(_vector_norm(t._data, norm_type))
    first = tensors[0]._data
    xp = _xp(first)
    dev = tensors[0].device
    if any(t.device != dev for t in tensors):
        from pytensor.backend import to_device
        norms = [to_device(n, dev) for n in norms]
    dtype = np.result_type(*[n.dtype for n in norms])
    with _on(first):
        stacked = xp.stack([n.astype(dtype) for n in norms])
        total = _vector_norm(stacked, norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from "
            "`parameters` is non-finite, so it cannot be clipped. To disable "
            "this error and scale the gradients by the non-finite norm "
            "anyway, set `error_if_nonfinite=False`")
    return Tensor._make(xp.asarray(total))


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients of ``parameters`` by ``min(1, max_norm /
    (total_norm + 1e-6))``, in place."""
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return
    tn = total_norm._data if isinstance(total_norm, Tensor) else \
        np.asarray(total_norm)
    with _on(tn):
        coef = float(max_norm) / (tn + 1e-6)
        coef = _xp(tn).minimum(coef, 1.0)
    from pytensor.backend import to_device
    for g in grads:
        c = to_device(_xp(tn).asarray(coef), g.device)
        with _on(g._data):
            g._data *= c.astype(g._data.dtype)
        g._bump_version("mul_")


def clip_grad_norm_(parameters, max_norm, norm_type=2.0,
                    error_if_nonfinite=False, foreach=None):
    """Rescale the gradients of ``parameters`` so their total norm is at
    most ``max_norm``; returns the total norm before clipping.

    Args:
        parameters: a Tensor or an iterable of Tensors (their ``.grad`` is
            scaled in place).
        max_norm (float): the largest allowed total norm.
        norm_type (float): the p of the norm (``inf`` for the max norm).
        error_if_nonfinite (bool): raise if the total norm is NaN or inf.
        foreach (bool): accepted for PyTorch compatibility (pytensor loops).

    Returns:
        Tensor: the total norm of the gradients (0-d).

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> p = nn.Parameter(pytensor.zeros(2))
        >>> p.grad = pytensor.tensor([3.0, 4.0])
        >>> nn.utils.clip_grad_norm_([p], max_norm=1.0)
        tensor(5.)
        >>> p.grad
        tensor([0.6000, 0.8000])
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient "
                          "clipping will occur.", stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite,
                                foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0,
                   error_if_nonfinite=False, foreach=None):
    """Deprecated alias of :func:`clip_grad_norm_`."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in "
                  "favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type,
                           error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient of ``parameters`` to ``[-clip_value,
    clip_value]``, in place."""
    parameters = _as_list(parameters)
    clip_value = float(clip_value)
    for p in parameters:
        g = p.grad
        if g is None:
            continue
        xp = _xp(g._data)
        with _on(g._data):
            xp.clip(g._data, -clip_value, clip_value, out=g._data)
        g._bump_version("clamp_")
