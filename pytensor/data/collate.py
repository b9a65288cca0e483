"""Batch assembly (PyTorch 2.13's ``torch.utils.data._utils.collate``).

:func:`default_collate` turns a list of samples into a batch with
PyTorch's rules: tensors are stacked along a new first dimension; NumPy
arrays become tensors and are stacked (keeping their dtype); Python floats
become a **float64** tensor and Python ints an int64 tensor (bools a bool
tensor), as ``torch.tensor(batch)`` gives; NumPy scalars keep their dtype;
strings and bytes are left as lists; dicts, named tuples and sequences are
collated field by field (tuples and lists come back as lists).
"""
import collections.abc
import copy
import functools
import re

import numpy as np

from pytensor import backend as _backend
from pytensor import dtypes as _dt
from pytensor.autograd.grad_mode import state as _grad_state
from pytensor.tensor import Tensor

__all__ = ["default_collate", "default_convert", "collate",
           "default_collate_fn_map"]

np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, "
    "dicts or lists; found {}")


def _stack(tensors):
    """Stack equally-shaped tensors along a new first dimension."""
    first = tensors[0]
    shape = first.shape
    for i, t in enumerate(tensors):
        if t.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got "
                f"{list(shape)} at entry 0 and {list(t.shape)} at entry {i}")
    if _grad_state.enabled and any(t._requires_grad for t in tensors):
        import pytensor
        return pytensor.stack(tensors)          # differentiable
    dev = first.device
    for t in tensors:
        if t.device != dev:
            raise RuntimeError(
                f"stack: expected all tensors to be on the same device, but "
                f"found at least two devices: {dev} and {t.device}")
    dtype = functools.reduce(_dt.promote_types, {t.dtype for t in tensors})
    xp = _backend.get_xp(first._data)
    arrays = [t._data if t._data.dtype == dtype.np else
              t._data.astype(dtype.np) for t in tensors]
    return Tensor._make(xp.stack(arrays))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    return _stack(batch)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    shape = elem.shape
    if all(b.shape == shape and b.dtype == elem.dtype for b in batch):
        _dt.from_numpy_dtype(elem.dtype)        # a clear error if unsupported
        return Tensor._make(np.stack(batch))
    from pytensor.creation import as_tensor
    return collate([as_tensor(b) for b in batch],
                   collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    from pytensor.creation import as_tensor
    return as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    from pytensor.creation import tensor
    return tensor(batch, dtype=_dt.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    from pytensor.creation import tensor
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def collate(batch, *, collate_fn_map=None):
    """Collate ``batch`` by the element type's function in
    ``collate_fn_map`` (exact type first, then ``isinstance``), recursing
    into mappings and sequences.

    Args:
        batch (list): the samples.
        collate_fn_map (dict): ``type or tuple of types -> fn(batch, *,
            collate_fn_map)``.
    """
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch,
                                             collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](
                    batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        fields = {key: collate([d[key] for d in batch],
                               collate_fn_map=collate_fn_map)
                  for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(fields)
                return clone
            return elem_type(fields)
        except TypeError:
            return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):   # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map)
                           for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError(
                "each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [collate(samples, collate_fn_map=collate_fn_map)
                    for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = collate(samples, collate_fn_map=collate_fn_map)
                return clone
            return elem_type([collate(samples, collate_fn_map=collate_fn_map)
                              for samples in transposed])
        except TypeError:
            return [collate(samples, collate_fn_map=collate_fn_map)
                    for samples in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def default_collate(batch):
    """Collate a list of samples into a batch with PyTorch's rules.

    Args:
        batch (list): samples from a dataset.

    Returns:
        The batch: a Tensor, or the samples' structure with stacked leaves.

    Example:
        >>> import pytensor
        >>> from pytensor.data import default_collate
        >>> default_collate([1.5, 2.0])        # Python floats -> float64
        tensor([1.5000, 2.0000], dtype=pytensor.float64)
        >>> default_collate([(pytensor.tensor([1, 2]), 0),
        ...                  (pytensor.tensor([3, 4]), 1)])
        [tensor([[1, 2],
                [3, 4]]), tensor([0, 1])]
        >>> default_collate([{"x": 1.0, "name": "a"}, {"x": 2.0, "name": "b"}])
        {'x': tensor([1., 2.], dtype=pytensor.float64), 'name': ['a', 'b']}
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data):
    """Convert NumPy arrays (and scalars) in ``data`` to tensors, leaving
    the structure; the collate function of a DataLoader without batching
    (``batch_size=None``).

    Example:
        >>> import numpy as np
        >>> from pytensor.data import default_convert
        >>> default_convert((np.array([1, 2]), 3))
        [tensor([1, 2]), 3]
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in (
            "str_", "string_", "bytes_"):
        if elem_type.__name__ == "ndarray" and \
                np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        from pytensor.creation import as_tensor
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        fields = {key: default_convert(data[key]) for key in data}
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update(fields)
                return clone
            return elem_type(fields)
        except TypeError:
            return fields
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(
            data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
