"""Helpers shared by the functional ops: reductions, legacy loss
arguments, argument checks."""
import warnings

from pytensor._errors import user_stacklevel
from pytensor.tensor import Tensor

_REDUCTIONS = ("none", "mean", "sum")


def legacy_reduction(size_average, reduce, reduction, stacklevel=3):
    """PyTorch's ``_Reduction.legacy_get_string``: the deprecated
    ``size_average``/``reduce`` pair, when given, overrides ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please "
                  "use reduction='{}' instead.".format(
                      _legacy(size_average, reduce)), UserWarning,
                  stacklevel=user_stacklevel())
    return _legacy(size_average, reduce)


def _legacy(size_average, reduce):
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def check_reduction(reduction, extra=()):
    if reduction not in _REDUCTIONS + tuple(extra):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def reduce(loss, reduction):
    """Apply ``none``/``mean``/``sum`` to an elementwise loss."""
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def weighted_reduce(loss, weight, reduction, weighted_mean=True):
    """Elementwise ``weight`` (same size as the input), then the reduction.
    ``mean`` is the weighted mean ``sum(w * l) / sum(w)`` for PyTorch
    2.13's ``mse_loss``/``l1_loss`` and the plain mean of ``w * l`` for its
    ``huber_loss`` (``weighted_mean=False``)."""
    if weight is None:
        return reduce(loss, reduction)
    check_reduction(reduction)
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / weight.sum() if weighted_mean else loss.mean()


def check_tensor(op, name, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: argument '{name}' must be a Tensor, not "
                        f"{type(x).__name__}")


def fmt_shape(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


def size_warning(op, input, target, stacklevel=3):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"Using a target size ({fmt_shape(target.shape)}) that is "
            f"different to the input size ({fmt_shape(input.shape)}). This "
            "will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", UserWarning,
            stacklevel=user_stacklevel())
