"""The 8x8 handwritten digits bundled with scikit-learn (1797 images of
the digits 0-9, from the UCI optical recognition data set)."""
import functools

import numpy as np

from pytensor.data.dataset import TensorDataset
from pytensor.tensor import Tensor

__all__ = ["load_digits"]

_INSTALL_HINT = (
    "pytensor.data.datasets.load_digits reads the 8x8 digits that "
    "scikit-learn ships; install it with: pip install 'pytensor-tape[data]' "
    "(or: pip install scikit-learn)")


@functools.lru_cache(maxsize=1)
def _raw():
    try:
        from sklearn.datasets import load_digits as _sk_load_digits
    except ImportError as e:
        raise ImportError(_INSTALL_HINT) from e
    d = _sk_load_digits()
    images = np.asarray(d.images, dtype=np.float32)      # (N, 8, 8), 0..16
    labels = np.asarray(d.target, dtype=np.int64)
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


def _split_indices(labels, test_fraction, seed):
    """A stratified split: each class contributes ``round(test_fraction *
    count)`` of its images, picked by a seeded permutation, to the test
    set.  Indices come back sorted (the original order)."""
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        n_test = int(round(test_fraction * len(idx)))
        test.append(rng.permutation(idx)[:n_test])
    test = np.sort(np.concatenate(test))
    train = np.setdiff1d(np.arange(len(labels)), test)
    return train, test


def load_digits(split="train", test_fraction=0.2, seed=0, normalize=True):
    """The 8x8 digits as a :class:`~pytensor.data.TensorDataset`.

    Read offline from scikit-learn's bundled copy (the ``[data]`` extra).
    The train/test split is stratified by class and deterministic: the same
    ``test_fraction`` and ``seed`` always give the same split, and the two
    splits partition the 1797 images.

    Args:
        split (str): ``"train"``, ``"test"`` or ``"all"``.
        test_fraction (float): the share of each class held out for the
            test split, in [0, 1) (default 0.2).
        seed (int): the seed of the split (default 0).
        normalize (bool): scale pixels from 0..16 to [0, 1] (default True).

    Returns:
        TensorDataset of ``(image, label)``: images ``(N, 1, 8, 8)`` float32,
        labels ``(N,)`` int64 in 0..9.

    Raises:
        ImportError: scikit-learn is not installed (the message says how to
            install it).
        ValueError: an unknown split or a test_fraction outside [0, 1).

    Example:
        >>> from pytensor.data.datasets import load_digits
        >>> train = load_digits("train")
        >>> test = load_digits("test")
        >>> len(train), len(test)
        (1438, 359)
        >>> image, label = train[0]
        >>> image.shape, image.dtype, label.dtype
        ((1, 8, 8), pytensor.float32, pytensor.int64)
    """
    if split not in ("train", "test", "all"):
        raise ValueError(f"load_digits: split must be 'train', 'test' or "
                         f"'all', got {split!r}")
    if not 0 <= test_fraction < 1:
        raise ValueError(f"load_digits: test_fraction must be in [0, 1), got "
                         f"{test_fraction}")
    images, labels = _raw()
    if split == "all":
        idx = np.arange(len(labels))
    else:
        train, test = _split_indices(labels, test_fraction, seed)
        idx = train if split == "train" else test
    x = images[idx].reshape(len(idx), 1, 8, 8)          # a fresh copy
    if normalize:
        x /= np.float32(16)
    return TensorDataset(Tensor._make(x), Tensor._make(labels[idx].copy()))
