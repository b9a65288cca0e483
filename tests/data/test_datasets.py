"""The bundled 8x8 digits dataset."""
import sys

import numpy as np
import pytest

import pytensor
from pytensor.data import DataLoader, TensorDataset
from pytensor.data.datasets import digits, load_digits

pytest.importorskip("sklearn")


def test_shapes_dtypes_and_ranges():
    train, test = load_digits("train"), load_digits("test")
    assert isinstance(train, TensorDataset)
    assert len(train) + len(test) == 1797
    x, y = train.tensors
    assert x.shape == (len(train), 1, 8, 8) and x.dtype == pytensor.float32
    assert y.shape == (len(train),) and y.dtype == pytensor.int64
    assert 0.0 <= x.numpy().min() and x.numpy().max() == 1.0
    assert set(y.tolist()) == set(range(10))
    raw = load_digits("all", normalize=False).tensors[0].numpy()
    assert raw.max() == 16.0 and len(raw) == 1797


def test_split_is_stratified_deterministic_and_disjoint():
    a, b = load_digits("test"), load_digits("test")
    np.testing.assert_array_equal(a.tensors[0].numpy(), b.tensors[0].numpy())
    counts = np.bincount(a.tensors[1].numpy(), minlength=10)
    total = np.bincount(load_digits("all").tensors[1].numpy())
    assert np.all(np.abs(counts - 0.2 * total) <= 0.5 + 1e-9)
    other = load_digits("test", seed=1)
    assert not np.array_equal(other.tensors[0].numpy(), a.tensors[0].numpy())
    # train and test partition the data
    tr, te = digits._split_indices(digits._raw()[1], 0.2, 0)
    assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == 1797
    assert len(load_digits("test", test_fraction=0.5)) in range(890, 910)
    assert len(load_digits("test", test_fraction=0.0)) == 0


def test_fresh_tensors_each_call():
    a = load_digits("train")
    a.tensors[0]._data[0] = 5.0
    assert load_digits("train").tensors[0].numpy().max() == 1.0


def test_errors():
    with pytest.raises(ValueError, match="split must be 'train', 'test' or "
                       "'all', got 'val'"):
        load_digits("val")
    with pytest.raises(ValueError, match=r"test_fraction must be in \[0, 1\)"):
        load_digits(test_fraction=1.0)


def test_missing_scikit_learn_gives_install_hint(monkeypatch):
    digits._raw.cache_clear()
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    try:
        with pytest.raises(ImportError, match=r"pip install "
                           r"'pytensor-tape\[data\]'"):
            load_digits()
    finally:
        digits._raw.cache_clear()


def test_batches_through_a_dataloader():
    loader = DataLoader(load_digits("train"), batch_size=64, shuffle=True)
    x, y = next(iter(loader))
    assert x.shape == (64, 1, 8, 8) and y.shape == (64,)
