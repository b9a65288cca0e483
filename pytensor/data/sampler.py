"""Samplers (PyTorch 2.13's ``torch.utils.data.sampler``): which indices a
DataLoader reads, in which order, and how they are grouped into batches.

Random samplers draw from a :class:`pytensor.Generator` (or, by default,
a fresh one seeded from the global generator at each epoch, so
``pytensor.manual_seed`` makes the whole sequence of epochs reproducible).
The streams are pytensor's own: the same seed gives the same order in
pytensor every time, not the order PyTorch would give.
"""
import itertools

import numpy as np

from pytensor import random as _random
from pytensor.tensor import Tensor

__all__ = ["Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler"]


class Sampler:
    """Base class: an iterable of indices (or of lists of indices)."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


def _fresh_generator():
    # PyTorch draws a seed from the default generator for each epoch.
    seed = int(_random.default_generator.numpy_generator().integers(
        0, 2 ** 63 - 1))
    return _random.Generator().manual_seed(seed)


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``.

    Args:
        data_source (Sized): the dataset.
    """

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """Random indices: a permutation per epoch, or draws with replacement.

    Args:
        data_source (Sized): the dataset.
        replacement (bool): draw with replacement.
        num_samples (int): how many indices per epoch (default: the
            dataset's length; without replacement, more than that repeats
            whole permutations).
        generator (Generator): the random stream.

    Example:
        >>> import pytensor
        >>> from pytensor.data import RandomSampler
        >>> g = pytensor.Generator().manual_seed(1)
        >>> order = list(RandomSampler(range(5), generator=g))
        >>> sorted(order)
        [0, 1, 2, 3, 4]
    """

    def __init__(self, data_source, replacement=False, num_samples=None,
                 generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError("replacement should be a boolean value, but got "
                            f"replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value,"
                             f" but got num_samples={self.num_samples}")

    @property
    def num_samples(self):
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        g = self.generator if self.generator is not None else \
            _fresh_generator()
        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield from _random.randint(0, n, (32,), generator=g).tolist()
            yield from _random.randint(0, n, (self.num_samples % 32,),
                                       generator=g).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from _random.randperm(n, generator=g).tolist()
            yield from _random.randperm(n, generator=g).tolist()[
                :self.num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a random order each epoch.

    Args:
        indices (sequence of int): the indices.
        generator (Generator): the random stream (default: global).
    """

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in _random.randperm(len(self.indices),
                                  generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """Indices ``0..len(weights)-1`` drawn with probabilities proportional
    to ``weights``.

    Args:
        weights (sequence of float): non-negative weights.
        num_samples (int): how many draws per epoch.
        replacement (bool): draw with replacement (default True).
        generator (Generator): the random stream (default: global).
    """

    def __init__(self, weights, num_samples, replacement=True,
                 generator=None):
        if (not isinstance(num_samples, int) or isinstance(num_samples, bool)
                or num_samples <= 0):
            raise ValueError("num_samples should be a positive integer value,"
                             f" but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError("replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        arr = weights._data if isinstance(weights, Tensor) else weights
        w = np.asarray(arr, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError("weights should be a 1d sequence but given "
                             f"weights have shape {tuple(w.shape)}")
        self.weights = Tensor._make(w)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        idx = _random.multinomial(self.weights, self.num_samples,
                                  self.replacement, generator=self.generator)
        yield from iter(idx.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Group another sampler's indices into lists of ``batch_size``.

    Args:
        sampler (iterable of int): the indices.
        batch_size (int): the batch size.
        drop_last (bool): drop the last, incomplete batch.

    Example:
        >>> from pytensor.data import BatchSampler, SequentialSampler
        >>> list(BatchSampler(SequentialSampler(range(7)), 3, False))
        [[0, 1, 2], [3, 4, 5], [6]]
        >>> list(BatchSampler(range(7), 3, drop_last=True))
        [[0, 1, 2], [3, 4, 5]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if (not isinstance(batch_size, int) or isinstance(batch_size, bool)
                or batch_size <= 0):
            raise ValueError("batch_size should be a positive integer value, "
                             f"but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError("drop_last should be a boolean value, but got "
                             f"drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        it = iter(self.sampler)
        if self.drop_last:
            for batch in zip(*[it] * self.batch_size):
                yield [*batch]
        else:
            batch = [*itertools.islice(it, self.batch_size)]
            while batch:
                yield batch
                batch = [*itertools.islice(it, self.batch_size)]

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
