"""RNN, LSTM, GRU and their cells: parity with PyTorch 2.13 (outputs, final
states, input/state/parameter gradients; float32 and float64; layers,
directions, batch_first, biases, initial states, unbatched input),
parameter names/reprs/initialisation, inter-layer dropout, double
backward, the fused layer nodes against their differentiable composition,
and errors."""
import numpy as np
import pytest

import pytensor
from pytensor import nn
from pytensor.autograd import gradcheck, gradgradcheck
from pytensor.ops.nn import recurrent as rec
from tests.nn._multi import check_multi

DTYPES = ["float32", "float64"]
T, B, I, H = 4, 3, 5, 6


def _rand(shape, dtype, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * scale).astype(dtype)


def _pair(torch, cls, *args, **kw):
    torch.manual_seed(0)
    th = getattr(torch.nn, cls)(*args, **kw)
    pt = getattr(nn, cls)(*args, **kw)
    return th, pt


CONFIGS = [
    dict(),
    dict(num_layers=2),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True, batch_first=True),
    dict(batch_first=True, bias=False),
]
KINDS = [("LSTM", {}), ("GRU", {}), ("RNN", {}),
         ("RNN", {"nonlinearity": "relu"})]


def _ids(v):
    return ",".join(f"{k}={x}" for k, x in v.items()) or "default"


@pytest.mark.torch
@pytest.mark.parametrize("dtype,with_state", [("float32", False),
                                              ("float64", True)])
@pytest.mark.parametrize("cfg", CONFIGS, ids=_ids)
@pytest.mark.parametrize("kind,extra", KINDS, ids=["LSTM", "GRU", "RNN",
                                                   "RNN-relu"])
def test_parity(torch, kind, extra, cfg, dtype, with_state, monkeypatch):
    if kind == "LSTM":
        # The whole-sequence kernel with the units split over two threads
        # (the sizes here are below its own threshold for threads).
        monkeypatch.setattr(rec, "seq_threads", lambda a: 2)
    th, pt = _pair(torch, kind, I, H, **extra, **cfg)
    layers = cfg.get("num_layers", 1) * (2 if cfg.get("bidirectional")
                                         else 1)
    shape = (B, T, I) if cfg.get("batch_first") else (T, B, I)
    x = _rand(shape, dtype, 1)
    args = [x]
    if with_state:
        h0 = _rand((layers, B, H), dtype, 2, 0.5)
        if kind == "LSTM":
            args.append((h0, _rand((layers, B, H), dtype, 3, 0.5)))
        else:
            args.append(h0)
    out, _ = check_multi(torch, th, pt, args, dtype)
    # The output layout is torch's too (a transposed view for batch_first).
    assert out[0].shape == tuple(shape[:-1]) + (
        H * (2 if cfg.get("bidirectional") else 1),)


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_unbatched_input(torch, kind):
    th, pt = _pair(torch, kind, I, H, num_layers=2)
    x = _rand((T, I), "float64", 4)
    h0 = _rand((2, H), "float64", 5)
    state = (h0, _rand((2, H), "float64", 6)) if kind == "LSTM" else h0
    check_multi(torch, th, pt, [x, state], "float64")
    check_multi(torch, th, pt, [x], "float64")


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind,kw", [("LSTMCell", {}), ("GRUCell", {}),
                                     ("RNNCell", {}),
                                     ("RNNCell", {"nonlinearity": "relu"}),
                                     ("GRUCell", {"bias": False})],
                         ids=["lstm", "gru", "rnn", "rnn-relu", "gru-nobias"])
@pytest.mark.parametrize("batched", [True, False])
def test_cells(torch, kind, kw, dtype, batched):
    th, pt = _pair(torch, kind, I, H, **kw)
    lead = (B,) if batched else ()
    x = _rand(lead + (I,), dtype, 7)
    h = _rand(lead + (H,), dtype, 8)
    state = (h, _rand(lead + (H,), dtype, 9)) if kind == "LSTMCell" else h
    check_multi(torch, th, pt, [x, state], dtype)
    check_multi(torch, th, pt, [x], dtype)


@pytest.mark.torch
def test_cells_over_a_sequence_match_the_layer(torch):
    """LSTMCell stepped by hand equals LSTM (same weights)."""
    lstm = nn.LSTM(I, H)
    cell = nn.LSTMCell(I, H)
    with pytensor.no_grad():
        for a, b in (("weight_ih", "weight_ih_l0"), ("weight_hh",
                                                     "weight_hh_l0"),
                     ("bias_ih", "bias_ih_l0"), ("bias_hh", "bias_hh_l0")):
            getattr(cell, a).copy_(getattr(lstm, b))
    x = pytensor.randn(T, B, I)
    out, (h, c) = lstm(x)
    hc = None
    for t in range(T):
        hc = cell(x[t], hc)
        np.testing.assert_allclose(hc[0].detach().numpy(),
                                   out[t].detach().numpy(), rtol=1e-5,
                                   atol=1e-6)


# --- API: names, repr, init, state dicts -------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("kind,args,kw", [
    ("LSTM", (3, 4), {}),
    ("GRU", (3, 4), {"num_layers": 2, "bidirectional": True}),
    ("RNN", (3, 4), {"nonlinearity": "relu", "num_layers": 2, "bias": False,
                     "batch_first": True, "dropout": 0.5,
                     "bidirectional": True}),
    ("LSTMCell", (3, 4), {}), ("GRUCell", (3, 4), {"bias": False}),
    ("RNNCell", (3, 4), {"nonlinearity": "relu"}),
])
def test_names_repr_and_init(torch, kind, args, kw):
    th, pt = _pair(torch, kind, *args, **kw)
    assert repr(pt) == repr(th)
    assert [n for n, _ in pt.named_parameters()] == \
        [n for n, _ in th.named_parameters()]
    assert list(pt.state_dict()) == list(th.state_dict())
    k = 1 / np.sqrt(args[1])
    for name, p in pt.named_parameters():
        assert tuple(p.shape) == tuple(dict(th.named_parameters())[name].shape)
        assert (np.abs(p.detach().numpy()) <= k).all(), name
    # U(-k, k) has standard deviation k / sqrt(3).
    every = np.concatenate([p.detach().numpy().ravel()
                            for p in pt.parameters()])
    assert abs(every.std() - k / np.sqrt(3)) < 0.2 * k


def test_rnn_positional_nonlinearity_and_properties():
    rnn = nn.RNN(3, 4, 2, "relu")
    assert rnn.nonlinearity == "relu" and rnn.num_layers == 2
    assert len(rnn.all_weights) == 2 and len(rnn.all_weights[0]) == 4
    rnn.flatten_parameters()


# --- dropout between layers, training vs eval --------------------------------
@pytest.mark.torch
def test_dropout_between_layers(torch):
    th, pt = _pair(torch, "LSTM", I, H, num_layers=2, dropout=0.5)
    x = _rand((T, B, I), "float64", 10)
    # eval: no dropout, identical to torch
    check_multi(torch, th, pt, [x], "float64", train=False)
    # training: the second layer sees zeros and 2x-scaled outputs
    pt.train()
    pytensor.manual_seed(0)
    a = pt(pytensor.tensor(x))[0].detach().numpy()
    pytensor.manual_seed(0)
    b = pt(pytensor.tensor(x))[0].detach().numpy()
    np.testing.assert_array_equal(a, b)
    pytensor.manual_seed(1)
    c = pt(pytensor.tensor(x))[0].detach().numpy()
    assert not np.allclose(a, c)
    # p = 1: the second layer's input is all zeros, as in torch
    th1, pt1 = _pair(torch, "GRU", I, H, num_layers=2, dropout=1.0)
    check_multi(torch, th1, pt1, [x], "float64", train=True)


def test_dropout_with_one_layer_warns():
    with pytest.warns(UserWarning, match="non-zero dropout expects "
                      "num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.2)


# --- autograd details --------------------------------------------------------
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("layer", ["lstm", "gru", "rnn", "rnn_relu"])
def test_layer_gradcheck_and_gradgradcheck(layer, reverse):
    rng = np.random.default_rng(11)
    t_, b_, i_, h_ = 3, 2, 2, 2
    g = {"lstm": 4, "gru": 3}.get(layer, 1)

    def p(*s):
        return pytensor.tensor(rng.standard_normal(s) * 0.5,
                               requires_grad=True)
    if layer == "lstm":
        args = (p(t_, b_, i_), p(b_, h_), p(b_, h_), p(g * h_, i_),
                p(g * h_, h_), p(g * h_), p(g * h_))

        def f(*a):
            return rec.LSTMLayer(reverse).apply(*a)
    else:
        args = (p(t_, b_, i_), p(b_, h_), p(g * h_, i_), p(g * h_, h_),
                p(g * h_), p(g * h_))

        def f(*a):
            if layer == "gru":
                return rec.GRULayer(reverse).apply(*a)
            nl = "relu" if layer == "rnn_relu" else "tanh"
            return rec.RNNLayer(nl, reverse).apply(*a)
    assert gradcheck(f, args)
    assert gradgradcheck(f, args)


@pytest.mark.parametrize("layer", ["lstm", "gru", "rnn"])
def test_fused_layer_matches_composition(layer):
    """The fused node (array fast path) against the per-step
    differentiable composition it falls back to under create_graph."""
    rng = np.random.default_rng(12)
    g = {"lstm": 4, "gru": 3, "rnn": 1}[layer]
    shapes = [(5, 3, 4), (3, 6)] + ([(3, 6)] if layer == "lstm" else []) + \
        [(g * 6, 4), (g * 6, 6), (g * 6,), (g * 6,)]
    arrays = [rng.standard_normal(s) * 0.5 for s in shapes]
    fused = {"lstm": rec.LSTMLayer, "gru": rec.GRULayer,
             "rnn": lambda r: rec.RNNLayer("tanh", r)}[layer]
    comp = {"lstm": rec.lstm_composite, "gru": rec.gru_composite,
            "rnn": rec.rnn_composite}[layer]
    for reverse in (False, True):
        res = []
        for fn in (lambda *a: fused(reverse).apply(*a),
                   lambda *a: comp(*a, reverse=reverse)):
            xs = [pytensor.tensor(a, requires_grad=True) for a in arrays]
            outs = fn(*xs)
            loss = sum(((o * o) * (k + 1)).sum() for k, o in enumerate(outs))
            loss.backward()
            res.append([o.detach().numpy() for o in outs]
                       + [x.grad.numpy() for x in xs])
        for a, b in zip(*res):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.torch
def test_double_backward_matches_torch(torch):
    """d/dW of |dL/dx|^2 through the module (create_graph path)."""
    th, pt = _pair(torch, "LSTM", 3, 4, num_layers=2)
    th.double()
    pt.double()
    from tests.nn._torch import copy_state
    copy_state(th, pt)
    x = _rand((4, 2, 3), "float64", 13)
    res = []
    for lib, mod in ((torch, th), (pytensor, pt)):
        xt = (torch.from_numpy(x.copy()) if lib is torch
              else pytensor.from_numpy(x.copy())).requires_grad_(True)
        out, _ = mod(xt)
        gx, = lib.autograd.grad((out * out).sum(), xt, create_graph=True)
        w = mod.weight_hh_l0
        gw, = lib.autograd.grad((gx * gx).sum(), w)
        res.append(gw.detach().numpy())
    np.testing.assert_allclose(res[1], res[0], rtol=1e-8, atol=1e-10)


def test_modifying_the_output_in_place_is_caught():
    """The output is saved for the backward (it holds the hidden states):
    an in-place change is detected, as in PyTorch."""
    lstm = nn.LSTM(3, 4)
    out, _ = lstm(pytensor.randn(2, 1, 3))
    out.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace"):
        out.sum().backward()


# --- errors ------------------------------------------------------------------
def test_errors_name_the_layer_and_shapes():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(5, 6)

        def forward(self, x):
            return self.lstm(x)

    model = Model()
    with pytest.raises(RuntimeError, match=r"model\.lstm \(LSTM\(5, 6\)\): "
                       r"input\.size\(-1\) must be equal to input_size\. "
                       r"Expected 5, got 4"):
        model(pytensor.randn(3, 2, 4))
    lstm = nn.LSTM(5, 6, num_layers=2)
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size "
                       r"\(2, 2, 6\), got \[1, 2, 6\]"):
        lstm(pytensor.randn(3, 2, 5), (pytensor.zeros(1, 2, 6),
                                       pytensor.zeros(2, 2, 6)))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size"):
        lstm(pytensor.randn(3, 2, 5), (pytensor.zeros(2, 2, 6),
                                       pytensor.zeros(2, 3, 6)))
    gru = nn.GRU(5, 6)
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 2, 6\)"
                       r", got \[1, 2, 7\]"):
        gru(pytensor.randn(3, 2, 5), pytensor.zeros(1, 2, 7))
    with pytest.raises(RuntimeError, match="hx should also be 3-D"):
        gru(pytensor.randn(3, 2, 5), pytensor.zeros(2, 6))
    with pytest.raises(ValueError, match="Expected input to be 2D or 3D, "
                       "got 4D"):
        gru(pytensor.randn(1, 3, 2, 5))
    with pytest.raises(RuntimeError, match="sequence length to be larger "
                       "than 0"):
        gru(pytensor.randn(0, 2, 5))
    with pytest.raises(ValueError, match="input must have the type"):
        gru(pytensor.randn(3, 2, 5, dtype=pytensor.float64))
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(NotImplementedError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="proj_size argument is only "
                       "supported for LSTM"):
        nn.GRU(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="dropout should be a number"):
        nn.GRU(3, 4, dropout=1.5)
    cell = nn.LSTMCell(5, 6)
    with pytest.raises(RuntimeError, match="lstm_cell: input has "
                       "inconsistent input_size: got 4 expected 5"):
        cell(pytensor.randn(2, 4))
    with pytest.raises(RuntimeError, match="hidden0 has inconsistent "
                       "hidden_size: got 5, expected 6"):
        cell(pytensor.randn(2, 5), (pytensor.zeros(2, 5),
                                    pytensor.zeros(2, 6)))
    with pytest.raises(ValueError, match="Expected input to be 1D or 2D"):
        nn.GRUCell(5, 6)(pytensor.randn(1, 2, 5))
