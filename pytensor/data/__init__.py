"""``pytensor.data`` (also importable as ``pytensor.utils.data``): datasets,
samplers, ``DataLoader`` and ``default_collate`` with PyTorch 2.13's API
and batching rules, a progress bar, and real bundled datasets
(:mod:`pytensor.data.datasets`).

Example:
    >>> import pytensor
    >>> from pytensor.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(pytensor.arange(8.0).reshape(4, 2))
    >>> pytensor.manual_seed(0)
    <pytensor.Generator seed=0 device=cpu>
    >>> [b[0].shape for b in DataLoader(ds, batch_size=3, shuffle=True)]
    [(3, 2), (1, 2)]
"""
from pytensor.data.dataset import (ChainDataset, ConcatDataset, Dataset,
                                   IterableDataset, Subset, TensorDataset,
                                   random_split)
from pytensor.data.sampler import (BatchSampler, RandomSampler, Sampler,
                                   SequentialSampler, SubsetRandomSampler,
                                   WeightedRandomSampler)
from pytensor.data.collate import default_collate, default_convert
from pytensor.data.dataloader import DataLoader, WorkerInfo, get_worker_info
from pytensor.data.progress import progress
from pytensor.data import datasets

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset",
           "ConcatDataset", "ChainDataset", "random_split", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler", "DataLoader",
           "default_collate", "default_convert", "get_worker_info",
           "WorkerInfo", "progress", "datasets"]

# Constructors report bad arguments named after the class, see
# pytensor/_errors.py.
from pytensor._errors import wrap_classes as _wrap_classes  # noqa: E402

_wrap_classes(globals(), __all__)
