"""``DataLoader`` (PyTorch 2.13's ``torch.utils.data.DataLoader``).

Batches are assembled exactly as PyTorch assembles them: the same
samplers, the same ``BatchSampler`` grouping (``drop_last``), the same
``default_collate``, so the same index order gives the same batches.

``num_workers > 0`` runs the fetching and collation of batches in that many
**threads** (not processes: pytensor tensors are not pickled, and NumPy
releases the GIL in its heavy loops).  Batches still come out in sampler
order (unless ``in_order=False``), ``worker_init_fn(worker_id)`` runs once
in each thread and :func:`get_worker_info` works inside them; an exception
in a worker is re-raised in the training loop.  Iterable-style datasets
are loaded in the main thread only (``num_workers`` must be 0): a shared
iterator cannot be split between threads the way PyTorch splits per-process
dataset copies.
"""
import concurrent.futures
import itertools
import math
import threading
import warnings

import numpy as np

from pytensor._errors import user_stacklevel
from pytensor import backend as _backend
from pytensor import random as _random
from pytensor.data.collate import default_collate, default_convert
from pytensor.data.dataset import IterableDataset, Subset, TensorDataset
from pytensor.data.sampler import (BatchSampler, RandomSampler,
                                   SequentialSampler)
from pytensor.tensor import Tensor

__all__ = ["DataLoader", "get_worker_info", "WorkerInfo"]

_worker_local = threading.local()


class WorkerInfo:
    """What :func:`get_worker_info` returns inside a worker thread.

    Attributes:
        id (int): the worker's number, ``0 .. num_workers - 1``.
        num_workers (int): the number of workers.
        seed (int): a per-worker seed (``base_seed + id``).
        dataset: the DataLoader's dataset (shared, not a copy).
    """

    def __init__(self, id, num_workers, seed, dataset):
        self.id = id
        self.num_workers = num_workers
        self.seed = seed
        self.dataset = dataset

    def __repr__(self):
        return (f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, "
                f"seed={self.seed}, dataset={self.dataset!r})")


def get_worker_info():
    """The :class:`WorkerInfo` of the calling DataLoader worker thread, or
    None in the main thread."""
    return getattr(_worker_local, "info", None)


def _tensor_batch_source(dataset):
    """``(tensors, index_map)`` when ``dataset`` is a TensorDataset (or a
    chain of Subsets of one) whose tensors need no grad, so a batch can be
    gathered with one fancy index per tensor; else None."""
    maps = []
    while type(dataset) is Subset:
        maps.append(dataset.indices)
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset or any(
            t._requires_grad for t in dataset.tensors):
        return None
    return dataset.tensors, maps[::-1]


class DataLoader:
    """Iterate over a dataset in batches.

    Args:
        dataset (Dataset): map-style (``__getitem__``/``__len__``) or
            iterable-style (``IterableDataset``).
        batch_size (int): samples per batch (default 1); None disables
            batching (samples are only converted by ``default_convert``).
        shuffle (bool): reshuffle the order every epoch (map-style only).
        sampler (Sampler or iterable): the index order (exclusive with
            ``shuffle``).
        batch_sampler (Sampler or iterable): yields lists of indices
            (exclusive with batch_size, shuffle, sampler and drop_last).
        num_workers (int): worker threads (0: load in the main thread).
        collate_fn (callable): list of samples -> batch (default
            :func:`default_collate`).
        pin_memory (bool): accepted; pinned host memory is not implemented.
        drop_last (bool): drop the last incomplete batch.
        timeout (float): seconds to wait for a worker's batch (0: forever).
        worker_init_fn (callable): called with the worker id in each worker.
        multiprocessing_context: must be None (workers are threads).
        generator (Generator): the stream of the default ``RandomSampler``.
        prefetch_factor (int): batches in flight per worker (default 2).
        persistent_workers (bool): keep the worker threads between epochs.
        in_order (bool): yield batches in sampler order (default True).

    Example:
        >>> import pytensor
        >>> from pytensor.data import DataLoader, TensorDataset
        >>> ds = TensorDataset(pytensor.arange(10).reshape(5, 2),
        ...                    pytensor.tensor([0, 1, 0, 1, 1]))
        >>> loader = DataLoader(ds, batch_size=2)
        >>> len(loader)
        3
        >>> for x, y in loader:
        ...     print(x.tolist(), y.tolist())
        [[0, 1], [2, 3]] [0, 1]
        [[4, 5], [6, 7]] [0, 1]
        [[8, 9]] [1]
    """

    _initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None,
                 batch_sampler=None, num_workers=0, collate_fn=None,
                 pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None,
                 generator=None, *, prefetch_factor=None,
                 persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use "
                             "num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in "
                "multiprocessing.let num_workers > 0 to enable "
                "multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None:
            raise ValueError(
                "DataLoader: multiprocessing_context is not supported: "
                "pytensor's DataLoader workers are threads, not processes")
        if pin_memory:
            warnings.warn(
                "DataLoader: 'pin_memory' is set but pytensor does not "
                "implement pinned host memory; it is ignored.",
                stacklevel=user_stacklevel())

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._iterable = True
            if shuffle not in (False, None):
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified "
                    f"shuffle option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified "
                    f"sampler option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified "
                    f"batch_sampler option, but got batch_sampler="
                    f"{batch_sampler}")
            if num_workers > 0:
                raise ValueError(
                    "DataLoader with IterableDataset: num_workers must be 0 "
                    "(pytensor's workers are threads sharing one dataset "
                    "object, so a stream cannot be split between them)")
        else:
            self._iterable = False
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError(
                "sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with "
                    "batch_size, shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None:
            if drop_last:
                raise ValueError(
                    "batch_size=None option disables auto-batching and is "
                    "mutually exclusive with drop_last")
        if sampler is None and not self._iterable:
            if shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and \
                not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = (default_collate if batch_size is not None
                          or batch_sampler is not None else default_convert)
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._executor = None
        self._initialized = True

    def __setattr__(self, attr, val):
        if self._initialized and attr in ("batch_size", "batch_sampler",
                                          "sampler", "drop_last", "dataset",
                                          "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_size is not None or self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self.batch_sampler is not None \
            else self.sampler

    def __len__(self):
        if self._iterable:
            length = len(self.dataset)
            if self.batch_size is not None:
                length = (length // self.batch_size if self.drop_last
                          else math.ceil(length / self.batch_size))
            return length
        return len(self._index_sampler)

    def __iter__(self):
        if self._iterable:
            return _IterableIter(self)
        if self.num_workers == 0:
            return _MapIter(self)
        return _ThreadedIter(self)

    # --- fetching a batch (also called from worker threads) ------------------
    def _fetch(self, index):
        """The collated batch for a list of indices (or one sample's index
        when batching is off)."""
        ds = self.dataset
        if not self._auto_collation:
            return self.collate_fn(ds[index])
        if self.collate_fn is default_collate:
            src = _tensor_batch_source(ds)
            if src is not None:
                return self._gather(src, index)
        getitems = getattr(ds, "__getitems__", None)
        if callable(getitems):
            data = getitems(index)
        else:
            data = [ds[i] for i in index]
        return self.collate_fn(data)

    @staticmethod
    def _gather(src, index):
        # default_collate of TensorDataset samples is a list of stacked
        # tensors: one fancy index per tensor gives the same result.
        tensors, maps = src
        idx = np.asarray(index, dtype=np.int64)
        for m in maps:
            idx = np.asarray(m, dtype=np.int64)[idx]
        out = []
        for t in tensors:
            arr = t._data
            i = idx if arr.__class__ is np.ndarray else \
                _backend.get_xp(arr).asarray(idx)
            out.append(Tensor._make(arr[i]))
        return out

    def _shutdown(self):
        ex = self._executor
        if ex is not None:
            object.__setattr__(self, "_executor", None)
            ex.shutdown(wait=False, cancel_futures=True)

    def __del__(self):
        try:
            self._shutdown()
        except Exception:
            pass


class _BaseIter:
    def __init__(self, loader):
        self._loader = loader
        self._num_yielded = 0

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._loader)


class _MapIter(_BaseIter):
    def __init__(self, loader):
        super().__init__(loader)
        self._indices = iter(loader._index_sampler)

    def __next__(self):
        index = next(self._indices)
        self._num_yielded += 1
        return self._loader._fetch(index)


class _IterableIter(_BaseIter):
    def __init__(self, loader):
        super().__init__(loader)
        self._it = iter(loader.dataset)

    def __next__(self):
        loader = self._loader
        if not loader._auto_collation:
            data = next(self._it)
        else:
            data = list(itertools.islice(self._it, loader.batch_size))
            if not data or (loader.drop_last
                            and len(data) < loader.batch_size):
                raise StopIteration
        self._num_yielded += 1
        return loader.collate_fn(data)


class _ThreadedIter(_BaseIter):
    """Batches fetched by a pool of threads, ``prefetch_factor`` per
    worker in flight."""

    def __init__(self, loader):
        super().__init__(loader)
        self._indices = iter(loader._index_sampler)
        self._executor = loader._executor
        if self._executor is None:
            self._executor = self._start(loader)
            if loader.persistent_workers:
                object.__setattr__(loader, "_executor", self._executor)
        self._owns = not loader.persistent_workers
        self._pending = []
        self._in_flight = loader.num_workers * max(loader.prefetch_factor, 1)
        self._exhausted = False
        self._fill()

    @staticmethod
    def _start(loader):
        base_seed = int(_random.default_generator.numpy_generator().integers(
            0, 2 ** 63 - 1 - loader.num_workers))
        counter = itertools.count()
        lock = threading.Lock()

        def init():
            with lock:
                wid = next(counter)
            _worker_local.info = WorkerInfo(wid, loader.num_workers,
                                            base_seed + wid, loader.dataset)
            if loader.worker_init_fn is not None:
                loader.worker_init_fn(wid)

        return concurrent.futures.ThreadPoolExecutor(
            max_workers=loader.num_workers, initializer=init,
            thread_name_prefix="pytensor-DataLoader")

    def _fill(self):
        while not self._exhausted and len(self._pending) < self._in_flight:
            try:
                index = next(self._indices)
            except StopIteration:
                self._exhausted = True
                break
            self._pending.append(self._executor.submit(self._work, index))

    def _work(self, index):
        try:
            return self._loader._fetch(index)
        except BaseException as e:
            info = get_worker_info()
            if hasattr(e, "add_note") and info is not None:
                e.add_note(f"(raised in DataLoader worker thread {info.id})")
            raise

    def __next__(self):
        if not self._pending:
            self._close()
            raise StopIteration
        timeout = self._loader.timeout or None
        if self._loader.in_order:
            fut = self._pending.pop(0)
        else:
            done, _ = concurrent.futures.wait(
                self._pending, timeout=timeout,
                return_when=concurrent.futures.FIRST_COMPLETED)
            fut = next(iter(done)) if done else self._pending[0]
            self._pending.remove(fut)
        try:
            batch = fut.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            self._close()
            raise RuntimeError(f"DataLoader timed out after {timeout} "
                               "seconds") from None
        except BaseException:
            self._close()
            raise
        self._fill()
        self._num_yielded += 1
        return batch

    def _close(self):
        for f in self._pending:
            f.cancel()
        self._pending = []
        if self._owns and self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def __del__(self):
        try:
            self._close()
        except Exception:
            pass
