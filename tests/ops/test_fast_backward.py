"""Ops with a ``backward_arrays`` fast path (used by the engine when no
graph of the backward is built) must agree with their differentiable
``backward`` (used with ``create_graph=True``), bit for bit."""
import numpy as np
import pytest

import pytensor

P = pytensor
FAST_OPS = [
    ("relu", lambda x, y, z: P.relu(x)),
    ("sigmoid", lambda x, y, z: P.sigmoid(x)),
    ("tanh", lambda x, y, z: P.tanh(x)),
    ("softmax", lambda x, y, z: P.softmax(x, -1)),
    ("log_softmax", lambda x, y, z: P.log_softmax(x, 0)),
    ("gelu", lambda x, y, z: P.gelu(x)),
    ("gelu_tanh", lambda x, y, z: P.gelu(x, approximate="tanh")),
    ("silu", lambda x, y, z: P.silu(x)),
    ("elu", lambda x, y, z: P.elu(x, 0.7)),
    ("selu", lambda x, y, z: P.selu(x)),
    ("softplus", lambda x, y, z: P.softplus(x, 2.0, 1.0)),
    ("leaky_relu", lambda x, y, z: P.leaky_relu(x, 0.2)),
    ("hardtanh", lambda x, y, z: P.hardtanh(x, -0.5, 0.5)),
    ("maximum", lambda x, y, z: P.maximum(x, y.round())),
    ("minimum", lambda x, y, z: P.minimum(x.round(), y)),
    ("clamp_tensors", lambda x, y, z: P.clamp(x, y, z)),
    ("clamp_scalars", lambda x, y, z: P.clamp(x.round(), -1.0, 1.0)),
    ("abs", lambda x, y, z: P.abs(x)),
    ("sqrt", lambda x, y, z: P.sqrt(x.abs())),
    ("square", lambda x, y, z: P.square(x)),
    ("reciprocal", lambda x, y, z: P.reciprocal(x)),
]


@pytest.mark.parametrize("shape", [(3, 4), ()], ids=["2d", "0d"])
@pytest.mark.parametrize("name,fn", FAST_OPS, ids=[f[0] for f in FAST_OPS])
def test_fast_path_agrees_with_backward(name, fn, shape):
    rng = np.random.default_rng(2)
    vals = [np.round(rng.uniform(-2, 2, size=shape), 1) for _ in range(3)]
    w = rng.standard_normal(shape)
    grads = []
    for create_graph in (False, True):
        xs = [pytensor.tensor(v, requires_grad=True) for v in vals]
        out = fn(*xs) * pytensor.tensor(w)
        gs = pytensor.autograd.grad(out.sum(), xs, allow_unused=True,
                                    create_graph=create_graph)
        grads.append([None if g is None else g.detach().numpy() for g in gs])
    for a, b in zip(*grads):
        assert (a is None) == (b is None)
        if a is not None:
            assert type(a) is np.ndarray and a.shape == shape
            np.testing.assert_array_equal(a, b)
