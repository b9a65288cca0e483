"""``Parameter`` and ``Buffer``: the tensors a :class:`~pytensor.nn.Module`
owns.

A Parameter is a Tensor that a Module registers as learnable state when it
is assigned as an attribute; it requires grad by default.  A Buffer is a
marker: assigning one registers a (non-learnable) buffer, as
``register_buffer`` does.
"""
from pytensor._tensor_base import init_fields
from pytensor.tensor import Tensor

__all__ = ["Parameter", "Buffer"]


def _storage_of(data, who):
    if data is None:
        from pytensor.creation import empty
        return empty(0)._data
    if isinstance(data, Tensor):
        return data._data
    raise TypeError(f"{who}: expected a Tensor as data, got "
                    f"{type(data).__name__}")


class Parameter(Tensor):
    """A Tensor that is a module parameter.

    Assigning a Parameter as a Module attribute registers it: it then shows
    up in ``parameters()`` and ``state_dict()``.  The Parameter shares
    storage with ``data`` (no copy), as in PyTorch.

    Args:
        data (Tensor): the initial value (an empty tensor when None).
        requires_grad (bool): default True.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> p = nn.Parameter(pytensor.ones(2))
        >>> p
        Parameter containing:
        tensor([1., 1.], requires_grad=True)
        >>> (p * 3).sum().backward()
        >>> p.grad
        tensor([3., 3.])
    """

    # No __slots__: a __dict__ lets users and libraries tag parameters
    # (``p.is_shared = True``), as they do in PyTorch.

    def __init__(self, data=None, requires_grad=True):
        # Share the storage of ``data`` (Tensor.__init__ would copy it).
        init_fields(self, _storage_of(data, "Parameter"))
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        arr = self._data.copy()
        p = Parameter._make(arr)
        p._requires_grad = self._requires_grad
        if self._grad is not None:
            p._grad = Tensor._make(self._grad._data.copy())
        p.__dict__.update(self.__dict__)
        memo[id(self)] = p
        return p


class Buffer(Tensor):
    """A marker for tensors to register as module buffers.

    ``module.x = nn.Buffer(t)`` is ``module.register_buffer("x", t)``; with
    ``persistent=False`` the buffer is left out of ``state_dict()``.  Once
    registered, the module stores the plain tensor ``data``.

    Args:
        data (Tensor): the buffer's value.
        persistent (bool): whether it is part of the state dict.
    """

    def __init__(self, data=None, *, persistent=True):
        init_fields(self, _storage_of(data, "Buffer"))
        if isinstance(data, Tensor) and data._requires_grad:
            self._requires_grad = True
        self.persistent = bool(persistent)
