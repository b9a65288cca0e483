"""``TransformerEncoderLayer`` and ``TransformerEncoder``."""
import copy

from pytensor import creation as _creation
from pytensor.nn import functional as F
from pytensor.nn.functional.attention import _canonical_mask
from pytensor.nn.module import Module
from pytensor.nn.modules.attention import MultiheadAttention
from pytensor.nn.modules.container import ModuleList
from pytensor.nn.modules.dropout import Dropout
from pytensor.nn.modules.linear import Linear
from pytensor.nn.modules.normalization import LayerNorm

__all__ = ["TransformerEncoderLayer", "TransformerEncoder"]


def _get_activation_fn(activation):
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _generate_square_subsequent_mask(sz, device=None, dtype=None):
    """``(sz, sz)`` float mask: ``-inf`` above the diagonal, 0 elsewhere."""
    full = _creation.full((sz, sz), float("-inf"), dtype=dtype,
                          device=device)
    return full.triu(1)


def _detect_is_causal_mask(mask, is_causal=None, size=None):
    """PyTorch's check: with ``is_causal`` None, a mask equal to the
    square subsequent mask is taken as causal."""
    make_causal = is_causal is True
    if is_causal is None and mask is not None:
        sz = size if size is not None else mask.size(-2)
        causal = _generate_square_subsequent_mask(sz, device=mask.device,
                                                  dtype=mask.dtype)
        if tuple(mask.shape) == tuple(causal.shape):
            make_causal = bool((mask == causal).all())
        else:
            make_causal = False
    return make_causal


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward block, each with a residual
    connection and layer normalization (after the block, or before it with
    ``norm_first``), as in PyTorch.

    Args:
        d_model (int): model dimension.
        nhead (int): attention heads.
        dim_feedforward (int): hidden size of the feed-forward block.
        dropout (float): dropout after attention, in the feed-forward block
            and on the attention weights.
        activation (str or callable): ``"relu"``, ``"gelu"`` or a function
            or module.
        layer_norm_eps (float): the layer norms' eps.
        batch_first (bool): ``(N, L, E)`` instead of ``(L, N, E)``.
        norm_first (bool): pre-norm instead of post-norm.
        bias (bool): biases in the linear and layer-norm layers.

    Forward:
        ``(src, src_mask=None, src_key_padding_mask=None,
        is_causal=False)``.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0,
        ...                                    batch_first=True)
        >>> layer(pytensor.randn(3, 5, 8)).shape
        (3, 5, 8)
    """

    __constants__ = ["norm_first"]

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1,
                 activation=F.relu, layer_norm_eps=1e-5, batch_first=False,
                 norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                            bias=bias,
                                            batch_first=batch_first, **kw)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if isinstance(activation, str):
            activation = _get_activation_fn(activation)
        self.activation = activation

    def forward(self, src, src_mask=None, src_key_padding_mask=None,
                is_causal=False):
        src_key_padding_mask = _canonical_mask(
            src_key_padding_mask, "src_key_padding_mask",
            None if src_mask is None else src_mask.dtype, "src_mask",
            src.dtype)
        src_mask = _canonical_mask(src_mask, "src_mask", None, "", src.dtype,
                                   check_other=False)
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask,
                                   src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask,
                                              src_key_padding_mask,
                                              is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask,
                           key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerEncoder(Module):
    """A stack of ``num_layers`` copies of ``encoder_layer`` and an optional
    final ``norm``.

    Args:
        encoder_layer (TransformerEncoderLayer): the layer to copy.
        num_layers (int): how many.
        norm (Module, optional): applied to the output.
        enable_nested_tensor (bool): accepted and ignored (pytensor has no
            nested tensors).
        mask_check (bool): accepted and ignored.

    Forward:
        ``(src, mask=None, src_key_padding_mask=None, is_causal=None)``; a
        ``mask`` equal to the square subsequent mask is detected as causal
        when ``is_causal`` is None.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
        >>> enc = nn.TransformerEncoder(layer, num_layers=2)
        >>> len(enc.layers), enc(pytensor.randn(3, 5, 8)).shape
        (2, (3, 5, 8))
    """

    __constants__ = ["norm"]

    def __init__(self, encoder_layer, num_layers, norm=None,
                 enable_nested_tensor=True, mask_check=True):
        super().__init__()
        # Checked before copying it num_layers times (a Tensor passed by
        # mistake with a huge count would copy until memory runs out).
        if not isinstance(encoder_layer, Module):
            raise TypeError("TransformerEncoder: encoder_layer must be a "
                            f"Module, got {type(encoder_layer).__name__}")
        self.layers = ModuleList([copy.deepcopy(encoder_layer)
                                  for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = False
        self.mask_check = mask_check

    def forward(self, src, mask=None, src_key_padding_mask=None,
                is_causal=None):
        src_key_padding_mask = _canonical_mask(
            src_key_padding_mask, "src_key_padding_mask",
            None if mask is None else mask.dtype, "mask", src.dtype)
        mask = _canonical_mask(mask, "mask", None, "", src.dtype,
                               check_other=False)
        first = self.layers[0] if len(self.layers) else None
        batch_first = first is not None and first.self_attn.batch_first
        seq_len = None
        if src.dim() == 3:
            seq_len = src.shape[1] if batch_first else src.shape[0]
        is_causal = _detect_is_causal_mask(mask, is_causal, seq_len)
        output = src
        for mod in self.layers:
            output = mod(output, src_mask=mask, is_causal=is_causal,
                         src_key_padding_mask=src_key_padding_mask)
        if self.norm is not None:
            output = self.norm(output)
        return output
