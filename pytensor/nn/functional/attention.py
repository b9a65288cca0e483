"""Attention functionals: ``scaled_dot_product_attention`` (the op lives in
``pytensor.ops.nn.attention``) and ``multi_head_attention_forward``."""
import math
import warnings

from pytensor import creation as _creation
from pytensor.ops.nn.attention import scaled_dot_product_attention

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _fmt(shape):
    """A shape as PyTorch prints ``torch.Size`` in these messages."""
    return str(tuple(int(s) for s in shape))


def _canonical_mask(mask, mask_name, other_type, other_name, target_type,
                    check_other=True):
    """PyTorch's ``_canonical_mask``: a bool mask (True = masked out) becomes
    an additive float mask (``-inf`` where True); float masks pass."""
    if mask is None:
        return None
    kind = mask._data.dtype.kind
    if kind != "b" and kind != "f":
        raise AssertionError(
            f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(
            f"Support for mismatched {mask_name} and {other_name} is "
            "deprecated. Use same type for both instead.", stacklevel=4)
    if kind == "b":
        z = _creation.zeros(*mask.shape, dtype=target_type,
                            device=mask.device)
        return z.masked_fill(mask, -math.inf)
    return mask


def _none_or_dtype(t):
    return None if t is None else t.dtype


def _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """PyTorch's ``_mha_shape_check``: returns whether the input is
    batched."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key` and `value` to be "
                f"3-D but found {key.dim()}-D and {value.dim()}-D tensors "
                "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key_padding_mask` to be "
                f"`None` or 2-D but found {key_padding_mask.dim()}-D tensor "
                "instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(
                "For batched (3-D) `query`, expected `attn_mask` to be "
                f"`None`, 2-D or 3-D but found {attn_mask.dim()}-D tensor "
                "instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key` and `value` to "
                f"be 2-D but found {key.dim()}-D and {value.dim()}-D tensors "
                "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key_padding_mask` to "
                f"be `None` or 1-D but found {key_padding_mask.dim()}-D "
                "tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(
                    "For unbatched (2-D) `query`, expected `attn_mask` to be "
                    f"`None`, 2-D or 3-D but found {attn_mask.dim()}-D "
                    "tensor instead")
            if attn_mask.dim() == 3:
                want = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != want:
                    raise AssertionError(
                        f"Expected `attn_mask` shape to be {_fmt(want)} but "
                        f"got {_fmt(attn_mask.shape)}")
        return False
    raise AssertionError(
        "query should be unbatched 2D or batched 3D tensor but received "
        f"{query.dim()}-D query tensor")


def _linear(x, w, b):
    from pytensor.nn.functional.linear import linear
    return linear(x, w, b)


def _heads(t, num_heads):
    """``(N, S, E)`` -> ``(N, H, S, E / H)`` (a view when possible)."""
    N, S, E = t.shape
    return t.reshape(N, S, num_heads, E // num_heads).permute(0, 2, 1, 3)


def _pad_col(mask):
    """Append one zero column to the last dim of a float mask."""
    from pytensor.ops import cat
    z = _creation.zeros(*(tuple(mask.shape[:-1]) + (1,)), dtype=mask.dtype,
                        device=mask.device)
    return cat([mask, z], -1)


def multi_head_attention_forward(
        query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
        in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p,
        out_proj_weight, out_proj_bias, training=True, key_padding_mask=None,
        need_weights=True, attn_mask=None, use_separate_proj_weight=False,
        q_proj_weight=None, k_proj_weight=None, v_proj_weight=None,
        static_k=None, static_v=None, average_attn_weights=True,
        is_causal=False, batch_first=False):
    """Multi-head attention, PyTorch's functional form.

    ``query`` is ``(L, N, E)`` (``(N, L, E)`` with ``batch_first``, a
    pytensor extension the module uses to skip two transposes) or
    unbatched ``(L, E)``; ``key``/``value`` likewise with ``S`` positions.
    ``key_padding_mask`` ``(N, S)`` and ``attn_mask`` ``(L, S)`` or
    ``(N * num_heads, L, S)`` are bool (True = masked out) or additive
    float masks.  Returns ``(output, weights)``, the weights averaged over
    the heads (``(N, L, S)``) or per head (``(N, H, L, S)``) when
    ``need_weights``, else None.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> x = pytensor.randn(5, 2, 4)
        >>> w, b = pytensor.randn(12, 4), pytensor.zeros(12)
        >>> out, attn = F.multi_head_attention_forward(
        ...     x, x, x, 4, 2, w, b, None, None, False, 0.0,
        ...     pytensor.randn(4, 4), pytensor.zeros(4))
        >>> out.shape, attn.shape
        ((5, 2, 4), (2, 5, 5))
    """
    from pytensor.ops import cat, softmax
    is_batched = _shape_check(query, key, value, key_padding_mask, attn_mask,
                              num_heads)
    same_kv = key is value
    same_qk = query is key
    if not is_batched:
        query, key, value = (t.unsqueeze(0) for t in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    elif not batch_first:
        query, key, value = (t.transpose(0, 1) for t in (query, key, value))
    # From here on everything is batch first: (N, L, E).
    bsz, tgt_len, embed_dim = query.shape
    src_len = key.shape[1]
    key_padding_mask = _canonical_mask(
        key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask),
        "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use "
            "the Transformer module method `generate_square_subsequent_mask`"
            " to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None        # SDPA applies the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "",
                                    query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of "
                             f"{embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(
            f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(
                f"key's sequence and batch dims {_fmt(key.shape[:2])} do not "
                f"match value's {_fmt(value.shape[:2])}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {_fmt(key.shape)} does not match "
                             f"value shape {_fmt(value.shape)}")

    # --- in-projection -------------------------------------------------------
    E = embed_dim
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but "
                                 "in_proj_weight is None")
        b_q = b_k = b_v = None
        if same_kv and same_qk:
            # Self-attention: one GEMM, q/k/v as views of its output.
            proj = _linear(query, in_proj_weight, in_proj_bias)
            qkv = proj.reshape(bsz, tgt_len, 3, num_heads, head_dim).permute(
                2, 0, 3, 1, 4)
            q, k, v = qkv.unbind(0)
            heads_done = True
        else:
            heads_done = False
            w_q, w_k, w_v = in_proj_weight.chunk(3)
            if in_proj_bias is not None:
                b_q, b_k, b_v = in_proj_bias.chunk(3)
            q = _linear(query, w_q, b_q)
            if same_kv:
                kv = _linear(key, in_proj_weight[E:],
                             None if in_proj_bias is None
                             else in_proj_bias[E:])
                k, v = kv.chunk(2, -1)
            else:
                k = _linear(key, w_k, b_k)
                v = _linear(value, w_v, b_v)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight),
                        ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but "
                                     f"{name}_proj_weight is None")
        b_q = b_k = b_v = None
        if in_proj_bias is not None:
            b_q, b_k, b_v = in_proj_bias.chunk(3)
        q = _linear(query, q_proj_weight, b_q)
        k = _linear(key, k_proj_weight, b_k)
        v = _linear(value, v_proj_weight, b_v)
        heads_done = False

    # --- masks ---------------------------------------------------------------
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            want = (tgt_len, src_len)
            if tuple(attn_mask.shape) != want:
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is "
                    f"{_fmt(attn_mask.shape)}, but should be {_fmt(want)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            want = (bsz * num_heads, tgt_len, src_len)
            if tuple(attn_mask.shape) != want:
                raise RuntimeError(
                    f"The shape of the 3D attn_mask is "
                    f"{_fmt(attn_mask.shape)}, but should be {_fmt(want)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is "
                               "not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        if heads_done:
            k = k.permute(0, 2, 1, 3).reshape(bsz, src_len, E)
            v = v.permute(0, 2, 1, 3).reshape(bsz, src_len, E)
            heads_done = False
        k = cat([k, bias_k.reshape(1, 1, E).expand(bsz, 1, E)], 1)
        v = cat([v, bias_v.reshape(1, 1, E).expand(bsz, 1, E)], 1)
        if attn_mask is not None:
            attn_mask = _pad_col(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_col(key_padding_mask)
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    # --- heads: (N, H, S, head_dim) ------------------------------------------
    if not heads_done:
        q = _heads(q, num_heads)
        k = _heads(k, num_heads)
        v = _heads(v, num_heads)
    for name, st in (("k", static_k), ("v", static_v)):
        if st is None:
            continue
        if st.size(0) != bsz * num_heads:
            raise AssertionError(f"expecting static_{name}.size(0) of "
                                 f"{bsz * num_heads}, but got {st.size(0)}")
        if st.size(2) != head_dim:
            raise AssertionError(f"expecting static_{name}.size(2) of "
                                 f"{head_dim}, but got {st.size(2)}")
        st = st.reshape(bsz, num_heads, st.size(1), head_dim)
        if name == "k":
            k = st
        else:
            v = st
    if add_zero_attn:
        z = _creation.zeros(bsz, num_heads, 1, head_dim, dtype=k.dtype,
                            device=k.device)
        k = cat([k, z], 2)
        v = cat([v, z], 2)
        if attn_mask is not None:
            attn_mask = _pad_col(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_col(key_padding_mask)
    src_len = k.shape[2]
    # One additive mask broadcastable to (N, H, L, S).
    if attn_mask is not None:
        attn_mask = attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1 else \
            attn_mask.reshape(bsz, num_heads, tgt_len, src_len)
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(
                f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(
                f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                f"{key_padding_mask.shape[1]}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0

    if need_weights:
        if is_causal and attn_mask is None:
            raise AssertionError(
                "FIXME: is_causal not implemented for need_weights")
        scores = (q * math.sqrt(1.0 / float(head_dim))).matmul(
            k.transpose(-2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = softmax(scores, -1)
        if dropout_p > 0.0:
            from pytensor.nn.functional.dropout import dropout
            weights = dropout(weights, p=dropout_p)
        out = weights.matmul(v)
        if average_attn_weights:
            weights = weights.mean(1)
    else:
        weights = None
        out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p,
                                           is_causal)
    out = out.permute(0, 2, 1, 3).reshape(bsz, tgt_len, E)
    out = _linear(out, out_proj_weight, out_proj_bias)
    if not is_batched:
        out = out.squeeze(0)
        if weights is not None:
            weights = weights.squeeze(0)
    elif not batch_first:
        out = out.transpose(0, 1)
    return out, weights
