"""The Module API against PyTorch's: registration and attribute routing,
named_* ordering and prefixes, state_dict / load_state_dict (keys, errors,
strict=False, assign, non-persistent buffers), train/eval, to()/double()
keeping Parameter identity, zero_grad, apply, repr and __dir__."""
import collections
import copy

import numpy as np
import pytest

import pytensor
from pytensor import nn


def _both(torch, build):
    """Build the same architecture with both libraries: ``build(nn)``."""
    return build(nn), build(torch.nn)


def _arch_mlp(m):
    return m.Sequential(m.Linear(4, 8), m.ReLU(), m.Linear(8, 1))


def _arch_run(m):
    """An architecture whose forward needs no activation op."""
    return m.Sequential(m.Linear(4, 8), m.Identity(), m.Linear(8, 1))


class _Block:
    """A user-defined module written once for both libraries."""

    @staticmethod
    def build(m, torch_like):
        class Block(m.Module):
            def __init__(self):
                super().__init__()
                self.conv = m.Linear(3, 3)
                self.register_buffer("running", torch_like.zeros(3))
                self.register_buffer("scratch", torch_like.ones(2),
                                     persistent=False)
                self.scale = m.Parameter(torch_like.ones(1))
                self.heads = m.ModuleList([m.Linear(3, 2), m.Linear(3, 2)])
                self.table = m.ModuleDict({"b": m.Linear(2, 2),
                                           "a": m.Identity()})
                self.extra = m.ParameterList([m.Parameter(torch_like.ones(2))])

            def forward(self, x):
                return self.heads[0](self.conv(x) * self.scale)
        return Block()


def _block_pair(torch):
    return (_Block.build(nn, pytensor), _Block.build(torch.nn, torch))


@pytest.mark.torch
def test_named_members_match_torch(torch):
    pt, th = _block_pair(torch)
    for meth in ("named_parameters", "named_buffers", "named_children",
                 "named_modules"):
        a = [n for n, _ in getattr(pt, meth)()]
        b = [n for n, _ in getattr(th, meth)()]
        assert a == b, meth
    assert [n for n, _ in pt.named_parameters(prefix="model")] == \
        [n for n, _ in th.named_parameters(prefix="model")]
    assert [n for n, _ in pt.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in pt.named_modules(prefix="root")][:2] == \
        ["root", "root.conv"]
    assert len(list(pt.parameters())) == len(list(th.parameters()))
    assert len(list(pt.children())) == len(list(th.children()))
    assert len(list(pt.modules())) == len(list(th.modules()))


@pytest.mark.torch
def test_state_dict_keys_match_torch(torch):
    pt, th = _block_pair(torch)
    assert list(pt.state_dict()) == list(th.state_dict())
    assert "scratch" not in pt.state_dict()      # non-persistent buffer
    a, b = _both(torch, _arch_mlp)
    assert list(a.state_dict()) == list(b.state_dict())
    assert list(a.state_dict(prefix="m.")) == list(b.state_dict(prefix="m."))
    ce = nn.CrossEntropyLoss(weight=pytensor.ones(3))
    assert list(ce.state_dict()) == list(
        torch.nn.CrossEntropyLoss(weight=torch.ones(3)).state_dict())


def test_state_dict_shares_storage_and_detaches():
    lin = nn.Linear(2, 2)
    sd = lin.state_dict()
    assert not sd["weight"].requires_grad
    assert sd["weight"].data_ptr() == lin.weight.data_ptr()
    assert lin.state_dict(keep_vars=True)["weight"] is lin.weight
    dest = collections.OrderedDict()
    assert lin.state_dict(destination=dest) is dest
    assert sd._metadata[""] == {"version": 1}


@pytest.mark.torch
def test_load_state_dict_round_trip_from_torch(torch):
    pt, th = _block_pair(torch)
    sd = {k: pytensor.from_numpy(v.numpy().copy())
          for k, v in th.state_dict().items()}
    w = pt.conv.weight
    res = pt.load_state_dict(sd)
    assert repr(res) == "<All keys matched successfully>"
    assert pt.conv.weight is w                      # copied in place
    np.testing.assert_array_equal(pt.conv.weight.detach().numpy(),
                                  th.conv.weight.detach().numpy())
    # NumPy arrays (and CPU torch tensors) are accepted as values too.
    pt.load_state_dict({k: v.numpy() for k, v in th.state_dict().items()})


@pytest.mark.torch
def test_load_state_dict_errors_match_torch(torch):
    pt, th = _both(torch, _arch_mlp)
    bad_pt = dict(pt.state_dict())
    bad_th = dict(th.state_dict())
    for d, T in ((bad_pt, pytensor), (bad_th, torch)):
        del d["2.bias"]
        d["3.weight"] = T.zeros(1)
        d["0.weight"] = T.zeros(8, 5)
    with pytest.raises(RuntimeError) as e_pt:
        pt.load_state_dict(bad_pt)
    with pytest.raises(RuntimeError) as e_th:
        th.load_state_dict(bad_th)
    msg_th = str(e_th.value).replace("torch.Size(", "").replace(")", "")
    msg_pt = str(e_pt.value).replace(")", "")
    assert msg_pt == msg_th
    assert str(e_pt.value).startswith(
        "Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in "
        'state_dict: "2.bias". \n\tUnexpected key(s) in state_dict: '
        '"3.weight". \n\tsize mismatch for 0.weight: copying a param with '
        "shape [8, 5] from checkpoint, the shape in current model is [8, 4].")


@pytest.mark.torch
def test_load_state_dict_non_strict(torch):
    pt, th = _both(torch, _arch_mlp)
    for m, T in ((pt, pytensor), (th, torch)):
        sd = dict(m.state_dict())
        del sd["0.bias"]
        sd["extra.weight"] = T.zeros(1)
        res = m.load_state_dict(sd, strict=False)
        assert res.missing_keys == ["0.bias"]
        assert res.unexpected_keys == ["extra.weight"]
    a = pt.load_state_dict({}, strict=False)
    b = th.load_state_dict({}, strict=False)
    assert a.missing_keys == b.missing_keys
    assert repr(a) == repr(b)


def test_load_state_dict_misc():
    lin = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="dict-like"):
        lin.load_state_dict([("weight", 1)])
    with pytest.raises(RuntimeError, match='expected pytensor.Tensor'):
        lin.load_state_dict({"weight": "nope", "bias": lin.bias})
    # dtype is converted, the parameter keeps its own
    lin.load_state_dict({"weight": pytensor.ones(2, 2,
                                                 dtype=pytensor.float64),
                         "bias": pytensor.zeros(2)})
    assert lin.weight.dtype is pytensor.float32
    assert lin.weight.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    # assign=True takes the checkpoint tensors, keeping requires_grad
    src = pytensor.full((2, 2), 3.0)
    lin.load_state_dict({"weight": src, "bias": pytensor.zeros(2)},
                        assign=True)
    assert isinstance(lin.weight, nn.Parameter) and lin.weight.requires_grad
    assert lin.weight.data_ptr() == src.data_ptr()


def test_non_persistent_buffer_and_buffer_marker():
    m = nn.Module()
    m.register_buffer("a", pytensor.ones(2))
    m.register_buffer("b", pytensor.ones(2), persistent=False)
    m.c = nn.Buffer(pytensor.zeros(1), persistent=False)
    m.d = nn.Buffer(pytensor.zeros(1))
    assert [n for n, _ in m.named_buffers()] == ["a", "b", "c", "d"]
    assert list(m.state_dict()) == ["a", "d"]
    assert type(m.c) is pytensor.Tensor
    m.register_buffer("none", None)
    assert m.none is None and "none" not in m.state_dict()
    # Re-assigning a buffer name keeps it a (non-persistent) buffer.
    m.b = pytensor.zeros(3)
    assert m._buffers["b"].shape == (3,) and "b" not in m.state_dict()


def test_setattr_routing_and_errors():
    m = nn.Module()
    p = nn.Parameter(pytensor.ones(2))
    m.w = p
    assert m._parameters["w"] is p and "w" not in m.__dict__
    with pytest.raises(TypeError, match=r"cannot assign 'pytensor.Tensor' as "
                       r"parameter 'w' \(pytensor.nn.Parameter or None "
                       r"expected\)"):
        m.w = pytensor.ones(2)
    m.w = None
    assert m.w is None and "w" in m._parameters
    sub = nn.Linear(1, 1)
    m.sub = sub
    assert m._modules["sub"] is sub and sub._tape_name == "sub"
    with pytest.raises(TypeError, match="as child module 'sub'"):
        m.sub = 3
    m.sub = None
    assert m.sub is None
    # A parameter name only takes Parameters (or None), as in PyTorch; a
    # parameter assigned over a plain attribute or a module replaces it.
    m.x = nn.Parameter(pytensor.ones(1))
    with pytest.raises(TypeError, match="as parameter 'x'"):
        m.x = nn.Identity()
    m.y = nn.Identity()
    m.y = nn.Parameter(pytensor.ones(1))
    assert "y" in m._parameters and "y" not in m._modules
    m.plain = 5
    assert m.__dict__["plain"] == 5
    del m.x, m.y, m.plain
    assert not hasattr(m, "x") and not hasattr(m, "plain")
    with pytest.raises(AttributeError, match="'Module' object has no "
                       "attribute 'missing'"):
        m.missing


def test_register_errors():
    m = nn.Module()
    with pytest.raises(KeyError, match=r'contain "\."'):
        m.register_parameter("a.b", None)
    with pytest.raises(KeyError, match="empty string"):
        m.register_buffer("", None)
    with pytest.raises(TypeError, match="buffer name should be a string"):
        m.register_buffer(3, None)
    m.attr = 1
    with pytest.raises(KeyError, match="attribute 'attr' already exists"):
        m.register_parameter("attr", None)
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 5)
    with pytest.raises(TypeError, match=r"cannot assign 'pytensor.Tensor' "
                       r"object to parameter 'q'"):
        m.register_parameter("q", pytensor.ones(1))
    x = pytensor.ones(2, requires_grad=True)
    nonleaf = nn.Parameter(pytensor.ones(2))
    nonleaf.grad_fn = (x * 2).grad_fn
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor"):
        m.register_parameter("nl", nonleaf)

    class NoInit(nn.Module):
        def __init__(self):
            self.lin = nn.Linear(1, 1)
    with pytest.raises(AttributeError, match="cannot assign module before "
                       r"Module.__init__\(\) call"):
        NoInit()
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        nn.Module(foo=1)

    class Forgot(nn.Module):
        def __init__(self):
            pass

        def forward(self, x):
            return x
    with pytest.raises(AttributeError, match=r"must call super\(\).__init__"):
        Forgot()(1)


def test_get_submodule_parameter_buffer():
    model = nn.Sequential(collections.OrderedDict(
        enc=nn.Sequential(nn.Linear(2, 3), nn.Tanh()), head=nn.Linear(3, 1)))
    model.enc.register_buffer("stat", pytensor.zeros(1))
    assert model.get_submodule("enc.0") is model.enc[0]
    assert model.get_submodule("") is model
    assert model.get_parameter("enc.0.weight") is model.enc[0].weight
    assert model.get_buffer("enc.stat") is model.enc.stat
    with pytest.raises(AttributeError, match="Sequential has no attribute "
                       "`nope`"):
        model.get_submodule("enc.nope")
    with pytest.raises(AttributeError, match="`weight` is not an nn.Module"):
        model.get_submodule("head.weight")
    with pytest.raises(AttributeError, match="`stat` is not an "
                       "nn.Parameter"):
        model.get_parameter("enc.stat")
    model.set_submodule("head", nn.Linear(3, 2))
    assert model.head.out_features == 2


@pytest.mark.torch
def test_repr_matches_torch(torch):
    for build in (_arch_mlp,
                  lambda m: m.Sequential(m.Sequential(m.Linear(2, 2),
                                                      m.Dropout(0.1)),
                                         m.ModuleList([m.ReLU(), m.ReLU(),
                                                       m.Tanh()]),
                                         m.ModuleDict({"x": m.Identity()})),
                  lambda m: m.ModuleList([m.Linear(2, 2)] * 3 + [m.ReLU()]),
                  lambda m: m.Sequential(),
                  lambda m: m.Embedding(10, 3, padding_idx=0)):
        a, b = _both(torch, build)
        assert repr(a) == repr(b)
    pt, th = _block_pair(torch)
    assert repr(pt).replace("pytensor", "torch") == repr(th)


@pytest.mark.torch
def test_parameter_containers_repr(torch):
    pl = nn.ParameterList([pytensor.zeros(2, 3), pytensor.ones(3)])
    tl = torch.nn.ParameterList([torch.zeros(2, 3), torch.ones(3)])
    assert repr(pl).replace("pytensor", "torch") == repr(tl)
    pd = nn.ParameterDict({"a": pytensor.zeros(2, 3), "b": pytensor.ones(2)})
    td = torch.nn.ParameterDict({"a": torch.zeros(2, 3), "b": torch.ones(2)})
    assert repr(pd).replace("pytensor", "torch") == repr(td)


def test_extra_repr_multiline():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(1, 1)

        def extra_repr(self):
            return "a=1\nb=2"
    assert repr(M()) == ("M(\n  a=1\n  b=2\n  (lin): Linear(in_features=1, "
                         "out_features=1, bias=True)\n)")


def test_dir_includes_members():
    m = nn.Sequential(nn.Linear(2, 2))
    m.register_buffer("buf", pytensor.zeros(1))
    d = dir(m)
    assert "buf" in d and "forward" in d and "0" not in d
    assert "weight" in dir(m[0]) and "bias" in dir(m[0])


def test_train_eval_propagate():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout()))
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="training mode is expected to be "
                       "boolean"):
        model.train("yes")


def test_to_and_double_keep_parameter_identity():
    model = _arch_run(nn)
    model.register_buffer("steps", pytensor.zeros(1, dtype=pytensor.int64))
    params = list(model.parameters())
    model(pytensor.randn(3, 4)).sum().backward()
    assert model.to(pytensor.float64) is model
    assert list(model.parameters()) == params
    assert all(p is q for p, q in zip(model.parameters(), params))
    assert all(p.dtype is pytensor.float64 for p in params)
    assert all(p.grad.dtype is pytensor.float64 for p in params)
    assert model.steps.dtype is pytensor.int64       # integers untouched
    model.float()
    assert all(p.dtype is pytensor.float32 for p in model.parameters())
    model.half()
    assert params[0].dtype is pytensor.float16
    model.to(dtype=pytensor.float64)
    model.to(pytensor.zeros(1, dtype=pytensor.float32))
    assert params[0].dtype is pytensor.float32
    model.to("cpu")
    model.cpu()
    assert params[0].requires_grad
    with pytest.raises(TypeError, match="only accepts floating point"):
        model.to(pytensor.int64)
    # An optimizer-like holder of the old objects sees the new data.
    model.double()
    assert params[0].dtype is pytensor.float64
    assert model(pytensor.randn(2, 4, dtype=pytensor.float64)).dtype is \
        pytensor.float64


def test_zero_grad_requires_grad_apply():
    model = _arch_run(nn)
    model(pytensor.randn(3, 4)).sum().backward()
    g = model[0].weight.grad
    model.zero_grad(set_to_none=False)
    assert model[0].weight.grad is g and not g.numpy().any()
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    model.requires_grad_()
    seen = []
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "Identity", "Linear", "Sequential"]


def test_deepcopy():
    model = _arch_run(nn)
    clone = copy.deepcopy(model)
    assert clone[0].weight is not model[0].weight
    assert isinstance(clone[0].weight, nn.Parameter)
    np.testing.assert_array_equal(clone[0].weight.detach().numpy(),
                                  model[0].weight.detach().numpy())
    x = pytensor.randn(2, 4)
    np.testing.assert_array_equal(clone(x).detach().numpy(),
                                  model(x).detach().numpy())


def test_shared_parameters_counted_once():
    lin = nn.Linear(2, 2)
    model = nn.Sequential(lin, lin)
    assert len(list(model.parameters())) == 2
    assert len(list(model.named_parameters(remove_duplicate=False))) == 4
    assert [n for n, _ in model.named_modules()] == ["", "0"]
    assert len(list(model.modules(remove_duplicate=False))) == 3
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight",
                                        "1.bias"]


def test_parameter_basics():
    data = pytensor.ones(2)
    p = nn.Parameter(data)
    assert p.requires_grad and p.is_leaf
    assert p.data_ptr() == data.data_ptr()          # shares storage
    assert repr(p) == "Parameter containing:\ntensor([1., 1.], " \
                      "requires_grad=True)"
    q = nn.Parameter(pytensor.ones(1), requires_grad=False)
    assert not q.requires_grad
    assert repr(q) == "Parameter containing:\ntensor([1.])"
    assert nn.Parameter().shape == (0,)
    y = p * 2
    assert type(y) is pytensor.Tensor
    p.tag = "shared"                                # a __dict__, as torch
    assert copy.deepcopy(p).tag == "shared"
    with pytest.raises(TypeError, match="expected a Tensor"):
        nn.Parameter([1.0])


def test_extra_state():
    class WithState(nn.Module):
        def __init__(self):
            super().__init__()
            self.counter = 0

        def get_extra_state(self):
            return {"counter": self.counter}

        def set_extra_state(self, state):
            self.counter = state["counter"]
    a = nn.Sequential(WithState())
    a[0].counter = 7
    sd = a.state_dict()
    assert list(sd) == ["0._extra_state"]
    b = nn.Sequential(WithState())
    b.load_state_dict(sd)
    assert b[0].counter == 7
    with pytest.raises(RuntimeError, match='Missing key.*"0._extra_state"'):
        b.load_state_dict({})
    with pytest.raises(RuntimeError, match='Unexpected key.*_extra_state'):
        nn.Sequential(nn.Identity()).load_state_dict({"0._extra_state": 1})


def test_forward_not_implemented():
    with pytest.raises(NotImplementedError, match='missing the required '
                       '"forward" function'):
        nn.Module()(1)
