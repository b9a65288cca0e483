"""DataLoader: the same batches as PyTorch's for the same index order,
shuffling reproducible from the seed, iterable datasets, worker threads,
and PyTorch's argument errors."""
import threading
import time

import numpy as np
import pytest

import pytensor
from pytensor.data import (DataLoader, Dataset, IterableDataset, Sampler,
                           TensorDataset, default_collate, get_worker_info,
                           random_split)
from tests.data.test_collate import _same


class Records(Dataset):
    """Samples mixing every collatable type, built with library ``T``."""

    def __init__(self, T, n=11):
        self.T = T
        self.n = n

    def __getitem__(self, i):
        T = self.T
        return {"x": T.tensor([float(i), -float(i)]), "id": i,
                "w": 0.5 * i, "name": f"s{i}",
                "arr": np.full((2, 2), i, dtype=np.float32),
                "pair": (T.tensor(i), np.int32(i))}

    def __len__(self):
        return self.n


class FixedOrder(Sampler):
    def __init__(self, order):
        self.order = order

    def __iter__(self):
        return iter(self.order)

    def __len__(self):
        return len(self.order)


def _batches(loader):
    return list(loader)


ORDER = [7, 2, 9, 0, 4, 10, 1, 3, 8, 6, 5]


@pytest.mark.torch
@pytest.mark.parametrize("kw", [
    dict(batch_size=4), dict(batch_size=4, drop_last=True),
    dict(batch_size=1), dict(batch_size=11), dict(batch_size=20),
    dict(batch_size=None)])
@pytest.mark.parametrize("order", [None, ORDER])
def test_batches_match_torch(kw, order, torch):
    ours_kw = dict(kw)
    theirs_kw = dict(kw)
    if order is not None:
        ours_kw["sampler"] = FixedOrder(order)
        theirs_kw["sampler"] = FixedOrder(order)
    ours = DataLoader(Records(pytensor), **ours_kw)
    theirs = torch.utils.data.DataLoader(Records(torch), **theirs_kw)
    assert len(ours) == len(theirs)
    a, b = _batches(ours), _batches(theirs)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        _same(x, y, torch)


@pytest.mark.torch
def test_batch_sampler_and_custom_collate_match_torch(torch):
    batches = [[0, 1, 2], [10], [5, 3]]
    ours = DataLoader(Records(pytensor), batch_sampler=batches)
    theirs = torch.utils.data.DataLoader(Records(torch),
                                         batch_sampler=batches)
    assert len(ours) == 3
    for x, y in zip(ours, theirs):
        _same(x, y, torch)

    def ids(batch):
        return [s["id"] for s in batch]
    assert list(DataLoader(Records(pytensor), batch_size=5,
                           collate_fn=ids)) == [[0, 1, 2, 3, 4],
                                                [5, 6, 7, 8, 9], [10]]


def _ds(n=23):
    return TensorDataset(pytensor.arange(n * 2.0).reshape(n, 2),
                         pytensor.arange(n))


def _epoch_ids(loader):
    return [int(i) for _, y in loader for i in y.tolist()]


def test_shuffle_is_reproducible_with_manual_seed_and_generator():
    loader = DataLoader(_ds(), batch_size=5, shuffle=True)
    pytensor.manual_seed(0)
    e1, e2 = _epoch_ids(loader), _epoch_ids(loader)
    assert sorted(e1) == list(range(23)) and e1 != e2
    pytensor.manual_seed(0)
    assert _epoch_ids(loader) == e1 and _epoch_ids(loader) == e2
    g = pytensor.Generator().manual_seed(7)
    lg = DataLoader(_ds(), batch_size=5, shuffle=True, generator=g)
    f1 = _epoch_ids(lg)
    g.manual_seed(7)
    assert _epoch_ids(lg) == f1
    assert _epoch_ids(DataLoader(_ds(), batch_size=5)) == list(range(23))


def test_tensor_dataset_fast_path_equals_per_sample_collation():
    ds = _ds()
    train, _ = random_split(ds, [15, 8],
                            generator=pytensor.Generator().manual_seed(0))
    for data in (ds, train):
        fast = list(DataLoader(data, batch_size=4, shuffle=True,
                               generator=pytensor.Generator().manual_seed(1)))
        slow = list(DataLoader(data, batch_size=4, shuffle=True,
                               generator=pytensor.Generator().manual_seed(1),
                               collate_fn=lambda b: default_collate(b)))
        assert len(fast) == len(slow)
        for (a, b), (c, d) in zip(fast, slow):
            assert isinstance(a, pytensor.Tensor)
            np.testing.assert_array_equal(a.numpy(), c.numpy())
            np.testing.assert_array_equal(b.numpy(), d.numpy())
            assert a.dtype == c.dtype and b.dtype == d.dtype
    x, y = next(iter(DataLoader(ds, batch_size=3)))
    assert x.numpy().flags.c_contiguous
    x._data[0, 0] = 99.0                    # a batch is a copy, as in torch
    assert ds.tensors[0]._data[0, 0] == 0.0


class Count(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


@pytest.mark.torch
@pytest.mark.parametrize("kw", [
    dict(batch_size=3), dict(batch_size=3, drop_last=True),
    dict(batch_size=None), dict(batch_size=10)])
def test_iterable_dataset_matches_torch(kw, torch):
    class TorchCount(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(10))

        def __len__(self):
            return 10

    ours = DataLoader(Count(10), **kw)
    theirs = torch.utils.data.DataLoader(TorchCount(), **kw)
    assert len(ours) == len(theirs)
    a, b = list(ours), list(theirs)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        _same(x, y, torch)


def test_errors_like_torch():
    ds = _ds()
    cases = [
        (dict(shuffle=True, sampler=[0, 1]),
         "sampler option is mutually exclusive with shuffle"),
        (dict(batch_sampler=[[0]], batch_size=2),
         "batch_sampler option is mutually exclusive with batch_size, "
         "shuffle, sampler, and drop_last"),
        (dict(batch_size=None, drop_last=True),
         "batch_size=None option disables auto-batching and is mutually "
         "exclusive with drop_last"),
        (dict(num_workers=-1), "num_workers option should be non-negative"),
        (dict(prefetch_factor=2), "prefetch_factor option could only be "
         "specified in multiprocessing"),
        (dict(persistent_workers=True),
         "persistent_workers option needs num_workers > 0"),
        (dict(timeout=-1), "timeout option should be non-negative"),
        (dict(num_workers=1, multiprocessing_context="spawn"),
         "workers are threads"),
    ]
    for kw, msg in cases:
        with pytest.raises(ValueError, match=msg):
            DataLoader(ds, **kw)
    for kw, msg in [(dict(shuffle=True), "expected unspecified shuffle "
                     "option, but got shuffle=True"),
                    (dict(sampler=[0]), "expected unspecified sampler"),
                    (dict(batch_sampler=[[0]]), "expected unspecified "
                     "batch_sampler"),
                    (dict(num_workers=2), "num_workers must be 0")]:
        with pytest.raises(ValueError, match=msg):
            DataLoader(Count(3), **kw)
    loader = DataLoader(ds)
    with pytest.raises(ValueError, match="batch_size attribute should not be "
                       "set after DataLoader is initialized"):
        loader.batch_size = 3
    loader.num_workers = 0                  # other attributes may change
    with pytest.warns(UserWarning, match="pin_memory"):
        DataLoader(ds, pin_memory=True)


class Slow(Dataset):
    """Records which worker thread fetched each sample."""

    def __init__(self, n=20):
        self.n = n
        self.seen = {}
        self.lock = threading.Lock()

    def __getitem__(self, i):
        info = get_worker_info()
        with self.lock:
            self.seen[i] = None if info is None else info.id
        time.sleep(0.001 * ((i * 7) % 3))   # out-of-order completion
        return pytensor.tensor([float(i)])

    def __len__(self):
        return self.n


def test_worker_threads_keep_order_and_report_worker_info():
    ref = [b.tolist() for b in DataLoader(Slow(), batch_size=3)]
    ds = Slow()
    inits = []
    loader = DataLoader(ds, batch_size=3, num_workers=2,
                        worker_init_fn=inits.append)
    assert [b.tolist() for b in loader] == ref
    assert sorted(inits) == [0, 1]
    assert set(ds.seen.values()) <= {0, 1} and len(ds.seen) == 20
    assert get_worker_info() is None
    unordered = DataLoader(Slow(), batch_size=3, num_workers=3,
                           in_order=False)
    got = sorted(x for b in unordered for x in b.tolist())
    assert got == sorted(x for b in ref for x in b)


def test_worker_exception_is_raised_in_the_loop():
    class Bad(Slow):
        def __getitem__(self, i):
            if i == 7:
                raise KeyError("sample 7 is broken")
            return super().__getitem__(i)

    it = iter(DataLoader(Bad(), batch_size=2, num_workers=2))
    next(it)
    next(it)
    next(it)
    with pytest.raises(KeyError, match="sample 7 is broken") as err:
        next(it)
    assert any("DataLoader worker thread" in n
               for n in getattr(err.value, "__notes__", []))


def test_persistent_workers_are_reused_and_early_break_is_clean():
    loader = DataLoader(Slow(), batch_size=4, num_workers=2,
                        persistent_workers=True)
    list(loader)
    ex = loader._executor
    assert ex is not None
    for i, _ in enumerate(loader):
        if i == 1:
            break
    assert loader._executor is ex
    assert len(list(loader)) == 5
    loader._shutdown()


def test_worker_timeout():
    class Stuck(Dataset):
        def __getitem__(self, i):
            time.sleep(0.5)
            return 0

        def __len__(self):
            return 2

    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.05 "
                       "seconds"):
        next(iter(DataLoader(Stuck(), num_workers=1, timeout=0.05)))


def test_len_of_iterator_and_loader():
    loader = DataLoader(_ds(10), batch_size=4)
    it = iter(loader)
    assert len(it) == len(loader) == 3
    assert len(DataLoader(_ds(10), batch_size=4, drop_last=True)) == 2
    assert len(DataLoader(Count(10), batch_size=4, drop_last=True)) == 2


def test_utils_data_alias():
    import pytensor.utils.data as ud
    from pytensor.utils.data import DataLoader as DL
    from pytensor.utils.data.dataloader import DataLoader as DL2
    assert ud is pytensor.data and DL is DataLoader and DL2 is DataLoader
    assert pytensor.utils.data.TensorDataset is TensorDataset
