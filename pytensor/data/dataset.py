"""Datasets (PyTorch 2.13's ``torch.utils.data.dataset``): the map-style
:class:`Dataset` and :class:`IterableDataset` protocols, and the wrappers
``TensorDataset``, ``Subset``, ``ConcatDataset``, ``ChainDataset``, plus
:func:`random_split`."""
import bisect
import itertools
import math
import warnings

import numpy as np

from pytensor import backend as _backend
from pytensor import random as _random
from pytensor.tensor import Tensor

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset",
           "ConcatDataset", "ChainDataset", "random_split"]


class Dataset:
    """A map-style dataset: subclasses implement ``__getitem__(index)`` and
    usually ``__len__``.  ``a + b`` concatenates two datasets.

    A subclass may also implement ``__getitems__(indices)`` returning a list
    of samples, which the DataLoader then uses to fetch a batch at once.
    """

    def __getitem__(self, index):
        raise NotImplementedError(
            "Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset that is a stream: subclasses implement ``__iter__``.
    ``a + b`` chains two streams."""

    def __iter__(self):
        raise NotImplementedError(
            "Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other):
        return ChainDataset([self, other])


def _is_basic_index(index):
    if isinstance(index, (int, np.integer, slice)) or index is Ellipsis:
        return True
    if isinstance(index, tuple):
        return all(_is_basic_index(i) or i is None for i in index)
    return False


def _take(t, index):
    """``t[index]`` for a dataset sample.

    A tensor that requires grad goes through the differentiable indexing
    op.  Otherwise the storage is indexed directly (the per-sample op
    overhead would dominate data loading); a basic index gives a view that
    shares the tensor's version counter, as PyTorch's view does.
    """
    if t._requires_grad:
        return t[index]
    if isinstance(index, Tensor):
        index = index._data
    # A trailing Ellipsis makes NumPy return a 0-d view, not a scalar.
    if isinstance(index, (int, np.integer)):
        arr = t._data[index, ...]
    elif isinstance(index, tuple) and not any(i is Ellipsis for i in index):
        arr = t._data[index + (Ellipsis,)]
    else:
        arr = t._data[index]
        if not hasattr(arr, "shape") or arr.__class__ is not t._data.__class__:
            arr = _backend.get_xp(t._data).asarray(arr)
    out = Tensor._make(arr)
    if _is_basic_index(index):
        out._vc = t._get_vc()
    return out


class TensorDataset(Dataset):
    """Samples are slices of tensors along their first dimension.

    Args:
        *tensors (Tensor): tensors with the same first dimension.

    Example:
        >>> import pytensor
        >>> from pytensor.data import TensorDataset
        >>> ds = TensorDataset(pytensor.arange(6).reshape(3, 2),
        ...                    pytensor.tensor([0, 1, 0]))
        >>> len(ds)
        3
        >>> ds[1]
        (tensor([2, 3]), tensor(1))
    """

    def __init__(self, *tensors):
        if any(tensors[0].size(0) != t.size(0) for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(_take(t, index) for t in self.tensors)

    def __len__(self):
        return self.tensors[0].size(0)


class ConcatDataset(Dataset):
    """The concatenation of map-style datasets.

    Args:
        datasets (iterable): the datasets, in order.
    """

    @staticmethod
    def cumsum(sequence):
        r, s = [], 0
        for e in sequence:
            s += len(e)
            r.append(s)
        return r

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError(
                    "ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed "
                                 "dataset length")
            idx = len(self) + idx
        d = bisect.bisect_right(self.cumulative_sizes, idx)
        sample_idx = idx if d == 0 else idx - self.cumulative_sizes[d - 1]
        return self.datasets[d][sample_idx]


class ChainDataset(IterableDataset):
    """The concatenation of iterable datasets (streams one after another).

    Args:
        datasets (iterable of IterableDataset): the streams.
    """

    def __init__(self, datasets):
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError(
                    "ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self):
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError(
                    "ChainDataset only supports IterableDataset")
            total += len(d)
        return total


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``.

    Args:
        dataset (Dataset): the whole dataset.
        indices (sequence of int): the indices selected.
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return getitems([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """Split a dataset into non-overlapping random subsets.

    Args:
        dataset (Dataset): the dataset.
        lengths (sequence): the subsets' lengths, or fractions summing to 1
            (the remainder of the floors is spread round-robin).
        generator (Generator): the source of randomness (default: the
            global generator, so ``pytensor.manual_seed`` makes it
            reproducible).

    Returns:
        list[Subset]

    Example:
        >>> import pytensor
        >>> from pytensor.data import random_split
        >>> parts = random_split(range(10), [0.7, 0.3],
        ...                      generator=pytensor.Generator().manual_seed(0))
        >>> [len(p) for p in parts]
        [7, 3]
        >>> sorted(parts[0].indices + parts[1].indices) == list(range(10))
        True
    """
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        subset_lengths = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(
                    f"Fraction at index {i} is not between 0 and 1")
            subset_lengths.append(math.floor(len(dataset) * frac))
        remainder = len(dataset) - sum(subset_lengths)
        for i in range(remainder):
            subset_lengths[i % len(subset_lengths)] += 1
        lengths = subset_lengths
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(f"Length of split at index {i} is 0. This "
                              "might result in an empty dataset.",
                              stacklevel=2)
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of "
                         "the input dataset!")
    gen = generator if generator is not None else _random.default_generator
    indices = _random.randperm(sum(lengths), generator=gen).tolist()
    return [Subset(dataset, indices[offset - length:offset])
            for offset, length in zip(itertools.accumulate(lengths),
                                      lengths)]
