"""default_collate / default_convert against PyTorch 2.13: same structure,
same dtypes (Python floats -> float64), same values."""
import collections

import numpy as np
import pytest

import pytensor
from pytensor.data import default_collate, default_convert

Point = collections.namedtuple("Point", ["x", "y"])


def _same(ours, theirs, torch):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, pytensor.Tensor), type(ours)
        assert ours.dtype.name == str(theirs.dtype)[6:].replace(
            "half", "float16"), (ours.dtype, theirs.dtype)
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        return
    assert type(ours) is type(theirs), (type(ours), type(theirs))
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs)
        for k in theirs:
            _same(ours[k], theirs[k], torch)
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b, torch)
    elif isinstance(theirs, np.ndarray):
        np.testing.assert_array_equal(ours, theirs)
    else:
        assert ours == theirs


def _batches(T):
    """Batches of samples, built with library ``T``."""
    f32 = np.arange(6, dtype=np.float32).reshape(3, 2)
    return {
        "python-floats": [1.5, 2.0, -3.25],
        "python-ints": [1, 2, 3],
        "python-bools": [True, False],
        "strings": ["a", "bc"],
        "bytes": [b"a", b"b"],
        "numpy-scalars-f32": [np.float32(1.5), np.float32(2)],
        "numpy-scalars-i32": [np.int32(1), np.int32(7)],
        "numpy-scalars-bool": [np.bool_(True), np.bool_(False)],
        "numpy-f64-arrays": [np.ones(3), np.zeros(3)],
        "numpy-f32-arrays": [f32, f32 + 1],
        "numpy-0d": [np.array(1.0), np.array(2.0)],
        "numpy-u8": [np.arange(4, dtype=np.uint8)] * 2,
        "tensors": [T.tensor([1.0, 2.0]), T.tensor([3.0, 4.0])],
        "int-tensors": [T.tensor([1, 2]), T.tensor([3, 4])],
        "0d-tensors": [T.tensor(1), T.tensor(2)],
        "tuples": [(T.tensor([1.0]), 0, "a"), (T.tensor([2.0]), 1, "b")],
        "lists": [[1.0, 2], [3.0, 4]],
        "dicts": [{"img": T.zeros(2, 2), "label": 3, "name": "x"},
                  {"img": T.ones(2, 2), "label": 4, "name": "y"}],
        "nested": [{"a": (1, {"b": np.float64(2.0)})},
                   {"a": (3, {"b": np.float64(4.0)})}],
        "namedtuple": [Point(1.0, T.tensor([1])), Point(2.0, T.tensor([2]))],
        "ordered-dict": [collections.OrderedDict(a=1, b=2.0)] * 2,
    }


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(_batches(pytensor)))
def test_default_collate_matches_torch(name, torch):
    from torch.utils.data import default_collate as torch_collate
    ours = default_collate(_batches(pytensor)[name])
    theirs = torch_collate(_batches(torch)[name])
    _same(ours, theirs, torch)


@pytest.mark.torch
@pytest.mark.parametrize("sample", [
    np.arange(3), (np.arange(2), 3, "s"), {"a": np.float32(1.0)},
    [np.zeros(2)], Point(np.ones(1), 2), "text", 5])
def test_default_convert_matches_torch(sample, torch):
    from torch.utils.data import default_convert as torch_convert
    _same(default_convert(sample), torch_convert(sample), torch)


def test_collate_errors():
    with pytest.raises(RuntimeError, match="each element in list of batch "
                       "should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be "
                       r"equal size, but got \[2\] at entry 0 and \[3\] at "
                       "entry 1"):
        default_collate([pytensor.zeros(2), pytensor.zeros(3)])
    with pytest.raises(TypeError, match="default_collate: batch must "
                       "contain tensors, numpy arrays, numbers, dicts or "
                       "lists; found <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(TypeError, match="found <class 'object'>"):
        default_collate([object(), object()])


def test_collate_promotes_dtypes_like_torch_stack():
    out = default_collate([pytensor.tensor([1, 2]),
                           pytensor.tensor([0.5, 1.0])])
    assert out.dtype == pytensor.float32


def test_collate_of_tensors_requiring_grad_keeps_the_graph():
    a = pytensor.ones(2, requires_grad=True)
    out = default_collate([a, a * 2])
    assert out.requires_grad and out.grad_fn is not None
