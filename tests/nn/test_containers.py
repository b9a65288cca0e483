"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict:
indexing, slicing, mutation and naming against PyTorch."""
import collections

import pytest

import pytensor
from pytensor import nn


def _names(m):
    return [n for n, _ in m.named_modules()]


@pytest.mark.torch
def test_sequential_ops_match_torch(torch):
    out = []
    for m in (nn, torch.nn):
        s = m.Sequential(m.Linear(1, 2), m.Identity(), m.Linear(2, 3))
        r = []
        r.append(type(s[0]).__name__)
        r.append(type(s[-1]).__name__ + str(s[-1].out_features))
        r.append(repr(s[1:]))
        r.append(len(s[::2]))
        s.append(m.Linear(3, 4))
        s.insert(1, m.Identity())
        s.extend([m.Identity()])
        r.append(repr(s))
        del s[2]
        r.append(_names(s))
        s[0] = m.Linear(1, 5)
        r.append(repr(s[0]))
        popped = s.pop(1)
        r.append(type(popped).__name__)
        r.append(repr(s + m.Sequential(m.Identity())))
        r.append(len(s * 2))
        r.append([type(x).__name__ for x in s])
        with pytest.raises(IndexError, match="index 10 is out of range"):
            s[10]
        r.append(repr(m.Sequential(collections.OrderedDict(
            a=m.Identity(), b=m.Linear(2, 2)))))
        out.append(r)
    assert out[0] == out[1]


@pytest.mark.torch
def test_module_list_and_dict_match_torch(torch):
    out = []
    for m in (nn, torch.nn):
        ml = m.ModuleList([m.Linear(2, 2), m.Identity()])
        ml.append(m.Linear(2, 3))
        ml.extend([m.Identity(), m.Identity()])
        ml.insert(0, m.Linear(1, 1))
        ml += [m.Identity()]
        r = [repr(ml), repr(ml[1:3]), len(ml)]
        del ml[0]
        r.append(_names(ml))
        r.append(type(ml.pop(-1)).__name__)
        r.append(repr(ml + m.ModuleList([m.Identity()])))
        md = m.ModuleDict({"b": m.Linear(2, 2), "a": m.Identity()})
        md.update([("c", m.Identity())])
        md["d"] = m.Linear(1, 1)
        r += [list(md.keys()), "a" in md, len(md), repr(md)]
        r.append(type(md.pop("b")).__name__)
        r.append(_names(md))
        md.clear()
        r.append(len(md))
        out.append(r)
    assert out[0] == out[1]


def test_sequential_forward_and_slicing_shares_modules():
    lin = nn.Linear(2, 2)
    s = nn.Sequential(lin, nn.Identity())
    assert s[:1][0] is lin
    x = pytensor.ones(3, 2)
    assert s(x).tolist() == lin(x).tolist()
    assert nn.Sequential()(x) is x


def test_parameter_list_and_dict():
    pl = nn.ParameterList([pytensor.ones(2)])
    pl.append(nn.Parameter(pytensor.zeros(3)))
    pl.extend([pytensor.ones(1)])
    assert len(pl) == 3 and all(isinstance(p, nn.Parameter) for p in pl)
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    assert len(pl[1:]) == 2
    pl[0] = pytensor.zeros(4)
    assert pl[0].shape == (4,)
    with pytest.raises(TypeError, match="iterable"):
        pl.extend(pytensor.ones(2))
    with pytest.raises(RuntimeError, match="should not be called"):
        pl(1)
    pd = nn.ParameterDict({"b": pytensor.ones(1), "a": pytensor.ones(2)})
    assert list(pd.keys()) == ["a", "b"]        # plain dicts: sorted
    pd.update(collections.OrderedDict(z=pytensor.ones(1),
                                      y=pytensor.ones(1)))
    assert list(pd) == ["a", "b", "z", "y"]
    assert isinstance(pd["a"], nn.Parameter) and "z" in pd
    assert pd.pop("z").shape == (1,) and "z" not in pd
    assert pd.get("nope") is None
    merged = pd | nn.ParameterDict({"q": pytensor.ones(1)})
    assert list(merged) == ["a", "b", "y", "q"]
    assert list(pd.state_dict()) == ["a", "b", "y"]
    with pytest.raises(TypeError, match="not a string"):
        pd[1] = pytensor.ones(1)
    m = nn.Module()
    m.params = pd
    assert [n for n, _ in m.named_parameters()] == ["params.a", "params.b",
                                                    "params.y"]
