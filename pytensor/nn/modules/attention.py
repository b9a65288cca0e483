"""``MultiheadAttention``."""
from pytensor import creation as _creation
from pytensor.nn import functional as F
from pytensor.nn import init
from pytensor.nn.functional.attention import _canonical_mask
from pytensor.nn.module import Module
from pytensor.nn.modules.linear import Linear
from pytensor.nn.parameter import Parameter

__all__ = ["MultiheadAttention"]


class NonDynamicallyQuantizableLinear(Linear):
    """The output projection of :class:`MultiheadAttention` (a plain
    ``Linear``; the name is PyTorch's, which its repr shows)."""


class MultiheadAttention(Module):
    """Multi-head attention ``concat(head_1, ..., head_h) @ W_o.T`` with
    ``head_i = softmax(q W_qi (k W_ki).T / sqrt(d) + mask) v W_vi``.

    Args:
        embed_dim (int): model dimension ``E``.
        num_heads (int): heads (must divide ``embed_dim``).
        dropout (float): dropout on the attention weights.
        bias (bool): biases for the input and output projections.
        add_bias_kv (bool): learn ``bias_k``/``bias_v`` appended to the
            keys and values.
        add_zero_attn (bool): append a zero key and value.
        kdim, vdim (int, optional): key/value feature sizes (default
            ``embed_dim``); when they differ the projections are the
            separate ``q_proj_weight``, ``k_proj_weight``,
            ``v_proj_weight`` instead of the packed ``in_proj_weight``.
        batch_first (bool): inputs and output are ``(N, L, E)``.

    Forward:
        ``(query, key, value, key_padding_mask=None, need_weights=True,
        attn_mask=None, average_attn_weights=True, is_causal=False)``;
        masks are bool (True = may not attend) or additive floats;
        ``key_padding_mask`` is ``(N, S)``, ``attn_mask`` ``(L, S)`` or
        ``(N * num_heads, L, S)``.  Returns ``(output, weights)``, weights
        ``(N, L, S)`` (averaged over heads), ``(N, H, L, S)``, or None
        when ``need_weights`` is False.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> mha = nn.MultiheadAttention(8, 2, batch_first=True)
        >>> x = pytensor.randn(3, 5, 8)
        >>> out, w = mha(x, x, x)
        >>> out.shape, w.shape
        ((3, 5, 8), (3, 5, 5))
        >>> [name for name, _ in mha.named_parameters()]
        ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']
    """

    __constants__ = ["batch_first"]

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True,
                 add_bias_kv=False, add_zero_attn=False, kdim=None,
                 vdim=None, batch_first=False, device=None, dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got "
                f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = (self.kdim == embed_dim
                                    and self.vdim == embed_dim)
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(_creation.empty(
                embed_dim, embed_dim, **kw))
            self.k_proj_weight = Parameter(_creation.empty(
                embed_dim, self.kdim, **kw))
            self.v_proj_weight = Parameter(_creation.empty(
                embed_dim, self.vdim, **kw))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(_creation.empty(
                3 * embed_dim, embed_dim, **kw))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(_creation.empty(3 * embed_dim,
                                                          **kw))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(
            embed_dim, embed_dim, bias=bias, **kw)
        if add_bias_kv:
            self.bias_k = Parameter(_creation.empty(1, 1, embed_dim, **kw))
            self.bias_v = Parameter(_creation.empty(1, 1, embed_dim, **kw))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query, key, value, key_padding_mask=None,
                need_weights=True, attn_mask=None, average_attn_weights=True,
                is_causal=False):
        for name, t in (("query", query), ("key", key), ("value", value)):
            if t.dim() not in (2, 3):
                raise AssertionError(
                    f"MultiheadAttention: expected a 2-D or 3-D {name}, got "
                    f"shape {list(t.shape)}")
        is_batched = query.dim() == 3
        key_padding_mask = _canonical_mask(
            key_padding_mask, "key_padding_mask",
            None if attn_mask is None else attn_mask.dtype, "attn_mask",
            query.dtype)
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "",
                                    query.dtype, check_other=False)
        kw = dict(training=self.training, key_padding_mask=key_padding_mask,
                  need_weights=need_weights, attn_mask=attn_mask,
                  average_attn_weights=average_attn_weights,
                  is_causal=is_causal,
                  batch_first=self.batch_first and is_batched)
        if not self._qkv_same_embed_dim:
            kw.update(use_separate_proj_weight=True,
                      q_proj_weight=self.q_proj_weight,
                      k_proj_weight=self.k_proj_weight,
                      v_proj_weight=self.v_proj_weight)
        return F.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads,
            self.in_proj_weight, self.in_proj_bias, self.bias_k, self.bias_v,
            self.add_zero_attn, self.dropout, self.out_proj.weight,
            self.out_proj.bias, **kw)
