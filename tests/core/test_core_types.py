"""The core types behind every Tensor and graph node: ``TensorBase``,
``Node`` and ``Version`` (C fields when compiled, ``__slots__`` / class
defaults in plain Python; see docs/developing.md), and what users' code may
still do with Tensors and ops built on them."""
import copy
import os
import pickle
import subprocess
import sys
import weakref

import numpy as np
import pytest

import pytensor
from pytensor import _compiled
from pytensor._tensor_base import TensorBase, Version, get_vc, make_tensor
from pytensor.autograd import Function
from pytensor.autograd._node import Node, _DEFAULTS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def test_compiled_core_types_are_extension_types():
    """Where the core is compiled, the three classes are extension types
    (not heap types): a build that lost a .pxd fails here."""
    status = _compiled.status()
    for mod, cls in (("pytensor._tensor_base", TensorBase),
                     ("pytensor._tensor_base", Version),
                     ("pytensor.autograd._node", Node)):
        heap = bool(cls.__flags__ & (1 << 9))       # Py_TPFLAGS_HEAPTYPE
        assert heap == (status[mod] != "compiled"), (mod, cls, status[mod])
    if os.environ.get("PYTENSOR_REQUIRE_EXT") == "1":
        assert status["pytensor._tensor_base"] == "compiled"
        assert status["pytensor.autograd._node"] == "compiled"


def test_made_tensor_has_every_field():
    arr = np.arange(3.0)
    t = make_tensor(pytensor.Tensor, arr)
    assert type(t) is pytensor.Tensor and t._data is arr
    assert (t._grad, t.grad_fn, t._vc, t._base, t._view_chain, t._meta) == \
        (None,) * 6
    assert t._requires_grad is False and t._output_nr == 0
    assert pytensor.Tensor._make(arr)._data is arr
    assert not hasattr(t, "__dict__")       # fields only, no per-tensor dict
    t._requires_grad = True                 # plain attribute writes work
    assert t.requires_grad


def test_parameter_keeps_a_dict_and_tensors_take_weakrefs():
    p = pytensor.nn.Parameter(pytensor.ones(2))
    p.tag = "mine"                          # users tag parameters
    assert p.tag == "mine" and p._data.shape == (2,)
    t = pytensor.ones(2)
    r = weakref.ref(t)
    assert r() is t
    del t
    assert r() is None


def test_version_counter():
    t = pytensor.ones(3)
    assert t._vc is None and t._version_value() == 0
    vc = get_vc(t)
    assert vc is get_vc(t) and vc.value == 0 and vc.history is None
    for i in range(20):
        vc.bump(f"op{i}", None)
    assert vc.value == 20 and vc.last_op == "op19"
    assert len(vc.history) == 16 and vc.history[-1][:2] == (20, "op19")
    v = Version()
    assert (v.value, v.last_op, v.last_where, v.history) == \
        (0, None, None, None)
    t.add_(1.0)                             # in-place ops bump it
    assert t._vc.value == 21


def test_node_defaults_and_users_attributes():
    class Scale(Function):
        def __init__(self, k):
            super().__init__()
            self.k = k                      # a user op's own attribute

        def forward(self, x):
            self.seen = x.shape             # set during forward
            return x * self.k

        def backward(self, gy):
            return gy * self.k

    node = Scale(3.0)
    for name, value in _DEFAULTS.items():
        assert getattr(node, name) == value, name
    x = pytensor.ones(2, requires_grad=True)
    y = node.apply(x)
    assert y.grad_fn is node and node.k == 3.0 and node.seen == (2,)
    assert node.needs_input_grad == (True,)
    assert node.next_functions == ((x, -1),)
    assert node._in_meta[0][0] == (2,) and node._seq >= 0
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert node._saved is None              # nothing saved, nothing freed
    assert weakref.ref(node)() is node


def test_static_style_function_and_ctx_fields():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, gy):
            x, = ctx.saved_tensors
            return 2 * x * gy

    x = pytensor.tensor([1.0, -2.0], requires_grad=True)
    y = Square.apply(x)
    assert isinstance(y.grad_fn, Node)
    y.sum().backward()
    assert x.grad.tolist() == [2.0, -4.0]
    with pytest.raises(RuntimeError, match="backward through the graph a "
                                           "second time"):
        y.grad_fn.saved_tensors


def test_retained_output_and_hooks_on_nodes():
    x = pytensor.ones(3, requires_grad=True)
    y = x * 2.0
    y.retain_grad()
    assert isinstance(y.grad_fn._retain, dict)
    calls = []
    y.grad_fn.register_hook(lambda gi, go: calls.append(len(gi)))
    (y * y).sum().backward()
    assert y.grad.tolist() == [4.0] * 3 and calls == [2]


def test_copies_of_tensors_and_no_pickle():
    x = pytensor.tensor([1.0, 2.0], requires_grad=True)
    c = copy.deepcopy(x)
    assert c is not x and c.requires_grad and c.tolist() == [1.0, 2.0]
    p = copy.deepcopy(pytensor.nn.Parameter(pytensor.ones(2)))
    assert isinstance(p, pytensor.nn.Parameter)
    with pytest.raises(TypeError, match="pytensor.save"):
        pickle.dumps(x.detach())        # by design (safetensors instead)


def test_plain_python_core_runs_the_same_step():
    """The sources run as they are when nothing is compiled (a checkout
    without a build): a fresh process with the compiled core refused
    trains W1-like chains and gets the same gradient."""
    code = (
        # A finder that loads every hot module from its .py (as
        # pytensor/_compiled.py's stale guard does), before any import.
        "import importlib.machinery as m, importlib.util as u, os, sys\n"
        f"root = {ROOT!r}\n"
        "src = open(os.path.join(root, 'pytensor', '_compiled.py')).read()\n"
        "i = src.index('MODULES = ('); ns = {}\n"
        "exec(src[i:src.index(')', i) + 1], ns)\n"
        "class Source:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name in ns['MODULES']:\n"
        "            p = os.path.join(root, *name.split('.')) + '.py'\n"
        "            return u.spec_from_file_location(\n"
        "                name, p, loader=m.SourceFileLoader(name, p))\n"
        "sys.meta_path.insert(0, Source())\n"
        "import pytensor\n"
        "from pytensor import _compiled\n"
        "assert 'compiled' not in _compiled.status().values()\n"
        "x = pytensor.ones(4, requires_grad=True)\n"
        "y = x\n"
        "for _ in range(5):\n"
        "    y = (y * 1.5 + 0.5).tanh()\n"
        "y.sum().backward()\n"
        "print(x.grad.tolist())\n")
    env = dict(os.environ, PYTHONPATH=ROOT)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True,
                       text=True, timeout=120, env=env, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    x = pytensor.ones(4, requires_grad=True)
    y = x
    for _ in range(5):
        y = (y * 1.5 + 0.5).tanh()
    y.sum().backward()
    np.testing.assert_allclose(eval(r.stdout.strip().splitlines()[-1]),
                               x.grad.tolist(), rtol=1e-6)
