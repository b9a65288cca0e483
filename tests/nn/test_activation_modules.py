"""Activation modules: constructor arguments, attributes and repr equal to
PyTorch's; forward and input gradient parity (the ops themselves are tested
in tests/ops); inplace variants."""
import numpy as np
import pytest

import pytensor
from pytensor import nn
from tests.nn._torch import check_module, needs_ops

# (module expression, op the forward needs)
MODULES = [
    ("ReLU()", "relu"), ("ReLU(inplace=True)", "relu"),
    ("LeakyReLU()", "leaky_relu"), ("LeakyReLU(0.2, True)", "leaky_relu"),
    ("ELU()", "elu"), ("ELU(alpha=0.5)", "elu"), ("SELU()", "selu"),
    ("CELU(alpha=1.5)", "celu"), ("GELU()", "gelu"),
    ("GELU(approximate='tanh')", "gelu"), ("SiLU()", "silu"),
    ("Mish()", "mish"), ("Sigmoid()", "sigmoid"), ("Tanh()", "tanh"),
    ("Softplus()", "softplus"), ("Softplus(beta=2, threshold=1)", "softplus"),
    ("Softsign()", "softsign"), ("Hardtanh()", "hardtanh"),
    ("Hardtanh(-2.0, 0.5)", "hardtanh"), ("ReLU6()", "relu6"),
    ("Hardsigmoid()", "hardsigmoid"), ("Hardswish()", "hardswish"),
    ("Softmax(dim=1)", "softmax"), ("LogSoftmax(dim=-1)", "log_softmax"),
    ("Softmin(dim=0)", "softmin"), ("LogSigmoid()", "logsigmoid"),
    ("Tanhshrink()", "tanhshrink"), ("Threshold(0.1, 20.0)", "threshold"),
]


@pytest.mark.torch
@pytest.mark.parametrize("expr,_", MODULES, ids=[m[0] for m in MODULES])
def test_activation_repr_matches_torch(torch, expr, _):
    assert repr(eval("nn." + expr)) == repr(eval("torch.nn." + expr))


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("expr,op", [
    pytest.param(e, o, marks=needs_ops(o)) for e, o in MODULES
    if "inplace" not in e and "True" not in e], ids=lambda v: str(v))
def test_activation_parity(torch, expr, op, dtype):
    x = np.random.default_rng(0).uniform(-3, 3, (4, 5)).astype(dtype)
    check_module(torch, eval("torch.nn." + expr), eval("nn." + expr), [x],
                 dtype)


@needs_ops("relu", "leaky_relu")
def test_inplace_activation_modules_modify_their_input():
    for m in (nn.ReLU(inplace=True), nn.LeakyReLU(0.1, inplace=True)):
        x = pytensor.tensor([-1.0, 2.0])
        h = x * 1.0
        assert m(h) is h
        assert h.tolist()[1] == 2.0 and h.tolist()[0] <= 0


def test_activation_attributes():
    assert nn.LeakyReLU(0.3).negative_slope == 0.3
    assert nn.Softmax().dim is None
    assert nn.GELU("tanh").approximate == "tanh"
    r6 = nn.ReLU6()
    assert (r6.min_val, r6.max_val) == (0.0, 6.0)
    with pytest.raises(AssertionError, match="must be greater than min_val"):
        nn.Hardtanh(1.0, -1.0)
    with pytest.warns(FutureWarning, match="min_value"):
        assert nn.Hardtanh(min_value=-3.0).min_val == -3.0
