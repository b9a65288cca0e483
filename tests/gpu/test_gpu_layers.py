"""Whole ``nn`` layers on a real GPU against the same layer on the CPU.

The op tables (``test_gpu_ops.py``) run every op on CUDA; layers add their
own device paths on top (the LSTM's whole-sequence kernels, the fused
cells, convolution through im2col, pooling, the norms, attention), so each
row here builds a layer on the CPU, copies it to ``cuda``, feeds both the
same input and compares the output, the input's gradient and every
parameter's gradient.  Skipped without a GPU (marker ``gpu``); runs on the
fake GPU with ``PYTENSOR_FAKE_GPU=1``.
"""
import copy

import numpy as np
import pytest

import pytensor
from pytensor import nn
import pytensor.nn.functional as F

pytestmark = pytest.mark.gpu

TOL = {"float64": dict(rtol=1e-9, atol=1e-10),
       "float32": dict(rtol=2e-4, atol=2e-5)}


def _lstm():
    return nn.LSTM(6, 9, num_layers=2, bidirectional=True, batch_first=True)


def _rnn_out(m, x):
    out, state = m(x)
    flat = state if isinstance(state, tuple) else (state,)
    return out.sum() + sum((s * s).sum() for s in flat)


# name: (layer factory, input shape, how the layer's output becomes a loss)
LAYERS = {
    "lstm_bidir_2layer": (_lstm, (3, 5, 6), _rnn_out),
    "lstm_seq_first": (lambda: nn.LSTM(4, 8), (4, 2, 4), _rnn_out),
    "gru_bidir": (lambda: nn.GRU(5, 7, bidirectional=True), (4, 3, 5),
                  _rnn_out),
    "rnn_relu": (lambda: nn.RNN(5, 6, nonlinearity="relu", num_layers=2),
                 (4, 3, 5), _rnn_out),
    "conv2d": (lambda: nn.Conv2d(3, 4, 3, stride=2, padding=1), (2, 3, 9, 8),
               None),
    "conv2d_groups_dilation": (
        lambda: nn.Conv2d(4, 6, 3, padding=2, dilation=2, groups=2),
        (2, 4, 7, 7), None),
    "conv1d": (lambda: nn.Conv1d(3, 5, 4, padding=1), (2, 3, 11), None),
    "conv_transpose2d": (lambda: nn.ConvTranspose2d(3, 2, 3, stride=2),
                         (2, 3, 5, 4), None),
    "maxpool2d": (lambda: nn.MaxPool2d(3, stride=2, padding=1),
                  (2, 3, 9, 8), None),
    "avgpool2d": (lambda: nn.AvgPool2d(2), (2, 3, 8, 6), None),
    "adaptive_avgpool2d": (lambda: nn.AdaptiveAvgPool2d((3, 2)),
                           (2, 3, 7, 5), None),
    "batchnorm2d": (lambda: nn.BatchNorm2d(3), (4, 3, 5, 5), None),
    "layernorm": (lambda: nn.LayerNorm(7), (3, 4, 7), None),
    "groupnorm": (lambda: nn.GroupNorm(2, 4), (3, 4, 5), None),
    "mha": (lambda: nn.MultiheadAttention(8, 2, batch_first=True),
            (2, 5, 8), lambda m, x: m(x, x, x)[0].sum()),
    "transformer_encoder": (
        lambda: nn.TransformerEncoderLayer(8, 2, dim_feedforward=16,
                                           dropout=0.0, batch_first=True),
        (2, 5, 8), None),
}


def _weights(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


def _host(t):
    return t.detach().cpu().numpy()


def _run(m, x_np, loss_of, device, dtype):
    x = pytensor.tensor(x_np.astype(dtype), device=device,
                        requires_grad=True)
    if loss_of is None:
        out = m(x)
        # A fixed random weighting, so every output element's gradient
        # differs (a plain sum hides transposed or shifted gradients).
        w = pytensor.tensor(_weights(tuple(out.shape), 1).astype(dtype),
                            device=device)
        loss = (out * w).sum()
    else:
        loss = loss_of(m, x)
    loss.backward()
    grads = [p.grad for p in m.parameters()]
    return [loss, x.grad] + grads


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_on_gpu_matches_cpu(name, dtype):
    factory, shape, loss_of = LAYERS[name]
    pytensor.manual_seed(0)
    cpu = factory()
    cpu = cpu.double() if dtype == "float64" else cpu.float()
    gpu = copy.deepcopy(cpu).to("cuda")
    assert all(p.is_cuda for p in gpu.parameters())
    x = _weights(shape, 0)
    want = _run(cpu, x, loss_of, "cpu", dtype)
    got = _run(gpu, x, loss_of, "cuda", dtype)
    for i, (g, w) in enumerate(zip(got, want)):
        assert (g is None) == (w is None), f"{name}: gradient {i}"
        if g is None:
            continue
        assert g.is_cuda and str(g.dtype).endswith(dtype), (name, i, g.dtype)
        np.testing.assert_allclose(_host(g), _host(w), **TOL[dtype],
                                   err_msg=f"{name}: result {i}")


def test_cross_entropy_and_embedding_on_gpu_match_cpu():
    pytensor.manual_seed(0)
    emb = nn.Embedding(11, 6).double()
    head = nn.Linear(6, 5).double()
    idx = np.array([[1, 4, 4, 10], [0, 3, 4, 1]])
    target = np.array([[1, 4, 2, 0], [3, 3, 1, 2]])
    results = []
    for device in ("cpu", "cuda"):
        e, h = copy.deepcopy(emb).to(device), copy.deepcopy(head).to(device)
        logits = h(e(pytensor.tensor(idx, device=device)))
        loss = F.cross_entropy(logits.reshape(-1, 5),
                               pytensor.tensor(target.reshape(-1),
                                               device=device),
                               label_smoothing=0.1)
        loss.backward()
        results.append([loss, e.weight.grad, h.weight.grad, h.bias.grad])
    for g, w in zip(results[1], results[0]):
        np.testing.assert_allclose(_host(g), _host(w), **TOL["float64"])
