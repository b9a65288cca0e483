"""MultiheadAttention, TransformerEncoderLayer and TransformerEncoder:
parity with PyTorch 2.13 (outputs, attention weights, input and parameter
gradients; float32/float64; batch_first both ways; bool and float masks,
2-D and 3-D; key padding; kdim/vdim; bias_kv; zero attention; unbatched
input; norm_first; activations), reprs, parameter names and errors."""
import numpy as np
import pytest

import pytensor
from pytensor import nn
from pytensor.nn import functional as F
from tests.nn._multi import check_multi

DTYPES = ["float32", "float64"]
E, H, L, S, N = 8, 2, 4, 5, 3


def _rand(shape, dtype="float64", seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _pair(torch, cls, *args, **kw):
    torch.manual_seed(0)
    th = getattr(torch.nn, cls)(*args, **kw)
    pt = getattr(nn, cls)(*args, **kw)
    with torch.no_grad():           # non-zero biases everywhere
        for name, p in th.named_parameters():
            if "bias" in name:
                p.copy_(torch.randn(p.shape) * 0.1)
    return th, pt


def _kpm(kind, shape=(N, S)):
    m = np.zeros(shape, bool)
    m[0, -2:] = True
    m[-1, 0] = True
    if kind == "float":
        return np.where(m, -1e9, 0.0).astype("float64") + _rand(shape, seed=9)
    return m


def _amask(kind, shape):
    m = np.random.default_rng(3).random(shape) < 0.3
    m[..., 0] = False              # no fully masked row
    if kind == "float":
        return _rand(shape, seed=4)
    return m


def _mha_args(self_attn, batch_first, dtype):
    qshape = (N, L, E) if batch_first else (L, N, E)
    kshape = (N, S, E) if batch_first else (S, N, E)
    if self_attn:
        x = _rand(qshape, dtype, 1)
        return [x, x, x]
    return [_rand(qshape, dtype, 1), _rand(kshape, dtype, 2),
            _rand(kshape, dtype, 3)]


MHA_CASES = [
    # (module kwargs, self-attention, forward kwargs builder)
    (dict(), True, lambda: dict()),
    (dict(batch_first=True), True, lambda: dict(need_weights=False)),
    (dict(batch_first=True), False, lambda: dict(
        key_padding_mask=_kpm("bool"))),
    (dict(), False, lambda: dict(key_padding_mask=_kpm("float"),
                                 average_attn_weights=False)),
    (dict(), False, lambda: dict(attn_mask=_amask("bool", (L, S)))),
    (dict(batch_first=True), False, lambda: dict(
        attn_mask=_amask("float", (N * H, L, S)), need_weights=False)),
    (dict(), False, lambda: dict(attn_mask=_amask("float", (L, S)),
                                 key_padding_mask=_kpm("float"),
                                 need_weights=False)),
    (dict(kdim=3, vdim=6), False, None),
    (dict(add_bias_kv=True), False, lambda: dict(
        key_padding_mask=_kpm("bool"))),
    (dict(add_zero_attn=True, batch_first=True), True, lambda: dict(
        attn_mask=_amask("bool", (L, L)), need_weights=False)),
    (dict(bias=False), True, lambda: dict()),
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", range(len(MHA_CASES)))
def test_multihead_attention(torch, case, dtype):
    kw, self_attn, fwd = MHA_CASES[case]
    th, pt = _pair(torch, "MultiheadAttention", E, H, **kw)
    bf = kw.get("batch_first", False)
    if "kdim" in kw:
        q = _rand((L, N, E), dtype, 1)
        args = [q, _rand((S, N, kw["kdim"]), dtype, 2),
                _rand((S, N, kw["vdim"]), dtype, 3)]
        fkw = dict(key_padding_mask=_kpm("bool"))
    else:
        args = _mha_args(self_attn, bf, dtype)
        fkw = fwd()
        if self_attn and "key_padding_mask" in fkw:
            fkw["key_padding_mask"] = fkw["key_padding_mask"][:, :L]
    fkw = {k: (v.astype(dtype) if isinstance(v, np.ndarray)
               and v.dtype.kind == "f" else v) for k, v in fkw.items()}
    if self_attn:
        # Same tensor for q, k and v (the packed self-attention path).
        check_multi(torch, _SelfAttn(th), _SelfAttn(pt), [args[0]], dtype,
                    kwargs=fkw)
    else:
        check_multi(torch, th, pt, args, dtype, kwargs=fkw)


class _SelfAttn:
    """Calls ``mha(x, x, x, ...)`` with one input tensor; looks like a
    module to ``check_multi`` (parameters, state dict, dtype casts)."""

    def __init__(self, mha):
        self.mha = mha

    def __call__(self, x, **kw):
        return self.mha(x, x, x, **kw)

    def __getattr__(self, name):
        return getattr(self.mha, name)


@pytest.mark.torch
def test_multihead_attention_unbatched_and_eval_dropout(torch):
    th, pt = _pair(torch, "MultiheadAttention", E, H, dropout=0.5)
    x = _rand((L, E), "float64", 5)
    check_multi(torch, _SelfAttn(th), _SelfAttn(pt), [x], "float64",
                train=False)
    kpm = np.array([False, False, True, False])
    check_multi(torch, _SelfAttn(th), _SelfAttn(pt), [x], "float64",
                kwargs=dict(key_padding_mask=kpm), train=False)


def test_multihead_attention_dropout_in_training():
    mha = nn.MultiheadAttention(E, H, dropout=0.5)
    x = pytensor.randn(L, N, E)
    pytensor.manual_seed(0)
    a, wa = mha(x, x, x)
    pytensor.manual_seed(0)
    b, wb = mha(x, x, x)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    mha.eval()
    c, wc = mha(x, x, x)
    assert not np.allclose(a.detach().numpy(), c.detach().numpy())
    np.testing.assert_allclose(wc.detach().numpy().sum(-1), 1.0, rtol=1e-5)


@pytest.mark.torch
def test_fully_padded_rows(torch):
    """All keys of one sample padded: the SDPA path gives zeros (safe
    softmax), the weights path NaN, as torch."""
    th, pt = _pair(torch, "MultiheadAttention", E, H, batch_first=True)
    from tests.nn._torch import copy_state
    copy_state(th, pt)
    x = _rand((N, L, E), "float32", 6)
    kpm = np.zeros((N, L), bool)
    kpm[1] = True
    for need in (False, True):
        a = pt(*(pytensor.from_numpy(x),) * 3,
               key_padding_mask=pytensor.from_numpy(kpm),
               need_weights=need)[0].detach().numpy()
        b = th(*(torch.from_numpy(x),) * 3,
               key_padding_mask=torch.from_numpy(kpm),
               need_weights=need)[0].detach().numpy()
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6,
                                   equal_nan=True)
        assert np.isnan(a[1]).all() == need


# --- transformer -------------------------------------------------------------
TEL_CASES = [
    dict(),
    dict(batch_first=True, norm_first=True),
    dict(activation="gelu", batch_first=True),
    dict(bias=False),
    dict(activation=lambda x: x * 0.5, layer_norm_eps=1e-3),
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype,masks", [
    ("float32", "none"), ("float64", "none"), ("float64", "src_mask"),
    ("float64", "padding"), ("float64", "causal")])
@pytest.mark.parametrize("case", range(len(TEL_CASES)))
def test_transformer_encoder_layer(torch, case, masks, dtype):
    kw = dict(TEL_CASES[case])
    act = kw.get("activation")
    th_kw, pt_kw = dict(kw), dict(kw)
    if callable(act):
        th_kw["activation"] = pt_kw["activation"] = act
    torch.manual_seed(0)
    th = torch.nn.TransformerEncoderLayer(E, H, 16, dropout=0.0, **th_kw)
    pt = nn.TransformerEncoderLayer(E, H, 16, dropout=0.0, **pt_kw)
    bf = kw.get("batch_first", False)
    x = _rand((N, L, E) if bf else (L, N, E), dtype, 7)
    fkw = {}
    if masks == "src_mask":
        fkw["src_mask"] = _amask("float", (L, L)).astype(dtype)
    elif masks == "padding":
        fkw["src_key_padding_mask"] = _kpm("bool", (N, L))
    elif masks == "causal":
        causal = np.triu(np.full((L, L), -np.inf), 1).astype(dtype)
        fkw.update(src_mask=causal, is_causal=True)
    check_multi(torch, th, pt, [x], dtype, kwargs=fkw)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_transformer_encoder(torch, dtype):
    torch.manual_seed(0)
    th = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(E, H, 16, dropout=0.0,
                                         batch_first=True), 2,
        norm=torch.nn.LayerNorm(E), enable_nested_tensor=False)
    pt = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(E, H, 16, dropout=0.0, batch_first=True),
        2, norm=nn.LayerNorm(E))
    x = _rand((N, L, E), dtype, 8)
    check_multi(torch, th, pt, [x], dtype)
    causal = np.triu(np.full((L, L), -np.inf), 1).astype(dtype)
    check_multi(torch, th, pt, [x], dtype, kwargs=dict(mask=causal))
    check_multi(torch, th, pt, [x], dtype, kwargs=dict(
        src_key_padding_mask=_kpm("bool", (N, L))))


def test_transformer_encoder_copies_the_layer():
    layer = nn.TransformerEncoderLayer(E, H, 16)
    enc = nn.TransformerEncoder(layer, 3)
    ws = [m.linear1.weight for m in enc.layers]
    assert ws[0] is not ws[1] and ws[0] is not layer.linear1.weight
    np.testing.assert_array_equal(ws[0].detach().numpy(),
                                  layer.linear1.weight.detach().numpy())
    assert len(list(enc.parameters())) == 3 * len(list(layer.parameters()))


# --- API ---------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("cls,args,kw", [
    ("MultiheadAttention", (8, 2), {}),
    ("MultiheadAttention", (8, 2), {"kdim": 3, "vdim": 5,
                                    "add_bias_kv": True}),
    ("MultiheadAttention", (8, 4), {"bias": False, "batch_first": True}),
    ("TransformerEncoderLayer", (8, 2, 16), {}),
    ("TransformerEncoderLayer", (8, 2), {"activation": "gelu",
                                         "bias": False}),
])
def test_repr_names_and_init(torch, cls, args, kw):
    th = getattr(torch.nn, cls)(*args, **kw)
    pt = getattr(nn, cls)(*args, **kw)
    assert repr(pt) == repr(th)
    assert list(pt.state_dict()) == list(th.state_dict())
    for name, t in th.state_dict().items():
        p = pt.state_dict()[name]
        assert tuple(p.shape) == tuple(t.shape), name
        if name.endswith(("in_proj_bias", "out_proj.bias")):
            assert not np.any(p.numpy()), name        # zeros, as torch
    if cls == "MultiheadAttention" and "kdim" not in kw:
        w = pt.in_proj_weight.detach().numpy()
        bound = np.sqrt(6.0 / (w.shape[0] + w.shape[1]))   # xavier uniform
        assert np.abs(w).max() <= bound and np.abs(w).max() > bound * 0.8


def test_generate_square_subsequent_mask_detection():
    from pytensor.nn.modules.transformer import (
        _detect_is_causal_mask, _generate_square_subsequent_mask)
    m = _generate_square_subsequent_mask(3)
    assert m.tolist() == [[0.0, -np.inf, -np.inf], [0.0, 0.0, -np.inf],
                          [0.0, 0.0, 0.0]]
    assert _detect_is_causal_mask(m) is True
    assert _detect_is_causal_mask(pytensor.zeros(3, 3)) is False
    assert _detect_is_causal_mask(None, True) is True


# --- errors ------------------------------------------------------------------
def test_errors():
    mha = nn.MultiheadAttention(E, H)
    x = pytensor.randn(L, N, E)
    with pytest.raises(RuntimeError, match=r"The shape of the 2D attn_mask "
                       r"is \(4, 4\), but should be \(4, 5\)\."):
        mha(x, pytensor.randn(S, N, E), pytensor.randn(S, N, E),
            attn_mask=pytensor.zeros(L, L))
    with pytest.raises(RuntimeError, match=r"The shape of the 3D attn_mask "
                       r"is \(2, 4, 4\), but should be \(6, 4, 4\)\."):
        mha(x, x, x, attn_mask=pytensor.zeros(2, L, L))
    with pytest.raises(AssertionError, match=r"Expected key_padded_mask\."
                       r"shape\[1\] to be 4, but got 3"):
        mha(x, x, x, key_padding_mask=pytensor.zeros(N, 3,
                                                     dtype=pytensor.bool))
    with pytest.raises(AssertionError, match="only bool and floating types "
                       "of key_padding_mask are supported"):
        mha(x, x, x, key_padding_mask=pytensor.zeros(N, L,
                                                     dtype=pytensor.int64))
    with pytest.raises(AssertionError, match=r"was expecting embedding "
                       r"dimension of 8, but got 6"):
        y = pytensor.randn(L, N, 6)
        mha(y, y, y)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying "
                       "the is_causal hint"):
        mha(x, x, x, is_causal=True)
    with pytest.raises(AssertionError, match="embed_dim must be divisible "
                       "by num_heads"):
        nn.MultiheadAttention(6, 4)
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, "
                       "not tanh"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)

        def forward(self, x):
            return self.enc(x)
    net = Net()
    with pytest.raises(AssertionError, match=r"net\.enc\.self_attn .*was "
                       r"expecting embedding dimension of 8"):
        net(pytensor.randn(2, 3, 7))
    with pytest.warns(UserWarning, match="mismatched key_padding_mask and "
                      "attn_mask"):
        kpm = pytensor.zeros(N, L, dtype=pytensor.bool)
        mha(x, x, x, key_padding_mask=kpm, attn_mask=pytensor.zeros(L, L))
    assert F.multi_head_attention_forward is not None
