"""``parameters_to_vector`` / ``vector_to_parameters``."""
from pytensor.tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_same_device(param, old):
    dev = param.device
    if old is not None and dev != old:
        raise TypeError("Found two parameters on different devices, this is "
                        "currently not supported.")
    return dev


def parameters_to_vector(parameters):
    """All parameters flattened and concatenated into one vector
    (differentiable: it is ``cat`` of views).

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> nn.utils.parameters_to_vector(nn.Linear(3, 2).parameters()).shape
        (8,)
    """
    from pytensor import cat
    dev = None
    vec = []
    for p in parameters:
        dev = _check_same_device(p, dev)
        vec.append(p.reshape(-1))
    return cat(vec)


def vector_to_parameters(vec, parameters):
    """Make each parameter's data a view of the matching slice of ``vec``
    (as PyTorch: the parameters then share storage with ``vec``)."""
    if not isinstance(vec, Tensor):
        raise TypeError(
            f"expected torch.Tensor, but got: {type(vec).__name__}")
    dev = None
    pointer = 0
    flat = vec._data.reshape(-1)
    for p in parameters:
        dev = _check_same_device(p, dev)
        n = p.numel()
        p.data = Tensor._make(flat[pointer:pointer + n].reshape(p.shape))
        pointer += n
