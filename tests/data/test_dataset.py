"""Datasets, random_split and samplers."""
import pytest

import pytensor
from pytensor.data import (BatchSampler, ChainDataset, ConcatDataset,
                           Dataset, IterableDataset, RandomSampler,
                           SequentialSampler, Subset, SubsetRandomSampler,
                           TensorDataset, WeightedRandomSampler, random_split)


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i * i

    def __len__(self):
        return self.n


class Stream(IterableDataset):
    def __init__(self, items):
        self.items = items

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def test_tensor_dataset():
    x = pytensor.arange(12.0).reshape(4, 3)
    y = pytensor.tensor([0, 1, 2, 3])
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    a, b = ds[2]
    assert a.tolist() == [6.0, 7.0, 8.0] and b.item() == 2
    assert b.shape == () and b.dtype == pytensor.int64
    a2, _ = ds[-1]
    assert a2.tolist() == [9.0, 10.0, 11.0]
    # Samples are views sharing the version counter, as in PyTorch.
    v = x._version
    x._bump_version("test")
    assert a._version == v + 1
    s = ds[1:3]
    assert s[0].shape == (2, 3)
    with pytest.raises(AssertionError, match="Size mismatch between "
                       "tensors"):
        TensorDataset(x, pytensor.zeros(3))
    with pytest.raises(IndexError):
        ds[4]


def test_tensor_dataset_with_grad_uses_the_indexing_op():
    x = pytensor.ones(3, 2, requires_grad=True)
    a, = TensorDataset(x)[1]
    assert a.requires_grad and a.grad_fn is not None


def test_concat_subset_chain_and_operators():
    a, b = Squares(3), Squares(2)
    cat = a + b
    assert isinstance(cat, ConcatDataset) and len(cat) == 5
    assert [cat[i] for i in range(5)] == [0, 1, 4, 0, 1]
    assert cat[-1] == 1 and cat.cumulative_sizes == [3, 5]
    with pytest.raises(ValueError, match="absolute value of index should "
                       "not exceed dataset length"):
        cat[-6]
    with pytest.raises(AssertionError, match="datasets should not be an "
                       "empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="does not support "
                       "IterableDataset"):
        ConcatDataset([Stream([1])])
    sub = Subset(Squares(10), [9, 2, 5])
    assert [sub[i] for i in range(3)] == [81, 4, 25]
    assert sub.__getitems__([2, 0]) == [25, 81]
    chained = Stream([1, 2]) + Stream([3])
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [1, 2, 3] and len(chained) == 3


@pytest.mark.torch
@pytest.mark.parametrize("n,lengths", [
    (10, [3, 7]), (10, [0.3, 0.7]), (10, [0.33, 0.33, 0.34]),
    (11, [0.5, 0.5]), (7, [0.1, 0.2, 0.3, 0.4]), (100, [0.8, 0.1, 0.1])])
def test_random_split_sizes_match_torch(n, lengths, torch):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = random_split(range(n), lengths)
        theirs = torch.utils.data.random_split(range(n), lengths)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    flat = sorted(i for s in ours for i in s.indices)
    assert flat == list(range(n))


def test_random_split_is_reproducible_and_checks_lengths():
    a = random_split(range(20), [5, 15],
                     generator=pytensor.Generator().manual_seed(3))
    b = random_split(range(20), [5, 15],
                     generator=pytensor.Generator().manual_seed(3))
    assert a[0].indices == b[0].indices
    pytensor.manual_seed(1)
    c = random_split(range(20), [5, 15])
    pytensor.manual_seed(1)
    d = random_split(range(20), [5, 15])
    assert c[1].indices == d[1].indices
    with pytest.raises(ValueError, match="Sum of input lengths does not "
                       "equal the length of the input dataset!"):
        random_split(range(5), [2, 2])
    with pytest.raises(ValueError, match="Fraction at index 1 is not "
                       "between 0 and 1"):
        random_split(range(5), [0.5, 1.5, -1.0])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(2), [0.9, 0.1])


@pytest.mark.torch
@pytest.mark.parametrize("bs,drop", [(1, False), (3, False), (3, True),
                                     (10, False), (10, True), (4, True)])
def test_batch_sampler_matches_torch(bs, drop, torch):
    ours = list(BatchSampler(SequentialSampler(range(10)), bs, drop))
    theirs = list(torch.utils.data.BatchSampler(
        torch.utils.data.SequentialSampler(range(10)), bs, drop))
    assert ours == theirs
    assert len(BatchSampler(range(10), bs, drop)) == len(theirs)


def test_random_sampler():
    g = pytensor.Generator().manual_seed(0)
    s = RandomSampler(range(10), generator=g)
    epoch1, epoch2 = list(s), list(s)
    assert sorted(epoch1) == list(range(10)) and epoch1 != epoch2
    g.manual_seed(0)
    assert list(s) == epoch1
    # Without a generator: a fresh stream per epoch, seeded from the
    # global generator.
    pytensor.manual_seed(5)
    a = list(RandomSampler(range(10)))
    pytensor.manual_seed(5)
    assert list(RandomSampler(range(10))) == a
    s = RandomSampler(range(4), num_samples=10)
    out = list(s)
    assert len(out) == len(s) == 10
    assert sorted(out[:8]) == [0, 0, 1, 1, 2, 2, 3, 3]
    r = list(RandomSampler(range(3), replacement=True, num_samples=70))
    assert len(r) == 70 and set(r) == {0, 1, 2}
    with pytest.raises(ValueError, match="num_samples should be a positive "
                       "integer value, but got num_samples=0"):
        RandomSampler(range(0))
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        RandomSampler(range(3), replacement=1)


def test_subset_and_weighted_samplers():
    idx = [3, 8, 1, 6]
    out = list(SubsetRandomSampler(idx,
                                   generator=pytensor.Generator().manual_seed(
                                       0)))
    assert sorted(out) == sorted(idx) and len(SubsetRandomSampler(idx)) == 4
    w = WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 200)
    draws = list(w)
    assert len(draws) == 200 and set(draws) <= {1, 3}
    assert draws.count(3) > draws.count(1)
    u = list(WeightedRandomSampler([1, 1, 1, 1], 4, replacement=False))
    assert sorted(u) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[1.0]], 1)
    with pytest.raises(ValueError, match="num_samples should be a positive "
                       "integer value"):
        WeightedRandomSampler([1.0], True)
    with pytest.raises(ValueError, match="batch_size should be a positive "
                       "integer value, but got batch_size=0"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean"):
        BatchSampler(range(3), 2, 0)
