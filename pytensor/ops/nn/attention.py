"""``scaled_dot_product_attention``: ``softmax(q @ k.T * scale + mask) @ v``
as one node."""
import math

import numpy as np

from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.ops.nn._blas import loop_blas
from pytensor.ops.nn._common import check_tensor, fmt_shape
from pytensor.tensor import Tensor
from pytensor_ext import kernels_for

__all__ = []        # functional only (pytensor.nn.functional)


def _t(a):
    return a.swapaxes(-1, -2)


class ScaledDotProductAttention(Function):
    """Attention over the last two dims with broadcast batch dims.

    ``forward(q, k, v, mask, keep)``: ``mask`` is None, a bool array (True
    takes part) or a float array added to the scores; ``keep`` is None or
    the dropout multiplier (0 or ``1 / (1 - p)``) of the probabilities.
    Rows whose every score is ``-inf`` get zero probabilities (PyTorch's
    safe softmax) instead of NaN.  The probabilities are saved, so the
    array backward is four matrix products and one softmax backward;
    ``backward`` recomputes them with differentiable ops.
    """

    kernel = "softmax_fwd"

    def __init__(self, scale, causal):
        self.scale = scale
        self.causal = causal

    def _scores(self, q, k, mask):
        xp = get_xp(q)
        s = q @ _t(k)
        s *= s.dtype.type(self.scale)
        masked = False
        if self.causal:
            L, S = s.shape[-2:]
            xp.copyto(s, -np.inf, where=~xp.tri(L, S, dtype=bool))
            masked = True
        if mask is not None:
            if mask.dtype == np.bool_:
                full = np.broadcast_shapes(s.shape, mask.shape)
                if full != s.shape:
                    s = xp.broadcast_to(s, full).copy()
                xp.copyto(s, -np.inf, where=~mask)
            elif np.broadcast_shapes(s.shape, mask.shape) != s.shape:
                s = s + mask
            else:
                s += mask
            masked = True
        return s, masked

    def forward(self, q, k, v, mask, keep):
        # Small per-head products: one BLAS thread only on an
        # oversubscribed machine (see ops/nn/_blas.py).
        with loop_blas(q):
            s, masked = self._scores(q, k, mask)
            p = kernels_for(s).softmax_fwd(s, -1)
            if masked:
                dead = (s == -np.inf).all(axis=-1)
                if s.__class__ is not np.ndarray:     # no host read on a GPU
                    get_xp(s).copyto(p, 0, where=dead[..., None])
                elif dead.any():
                    p[dead] = 0
            pd = p if keep is None else p * keep
            out = pd @ v
        self.save_for_backward(q, k, v, mask, keep, p)
        return out

    def backward_arrays(self, go):
        q, k, v, mask, keep, p = self.saved_arrays
        with loop_blas(q):
            return self._backward_arrays(go, q, k, v, keep, p)

    def _backward_arrays(self, go, q, k, v, keep, p):
        need = self.needs_input_grad
        pd = p if keep is None else p * keep
        dv = _t(pd) @ go if need[2] else None
        dq = dk = dmask = None
        if need[0] or need[1] or need[3]:
            dp = go @ _t(v)
            if keep is not None:
                dp *= keep
            ds = kernels_for(p).softmax_bwd(p, dp, -1)
            if need[3]:
                dmask = ds
            sc = ds.dtype.type(self.scale)
            if need[0]:
                dq = ds @ k
                dq *= sc
            if need[1]:
                dk = _t(ds) @ q
                dk *= sc
        return dq, dk, dv, dmask, None

    def backward(self, go):
        from pytensor import ops
        q, k, v, mask, keep, _ = self.saved_tensors
        need = self.needs_input_grad
        s = q.matmul(k.transpose(-2, -1)) * self.scale
        if self.causal:
            L, S = s.shape[-2:]
            tri = Tensor._make(get_xp(s._data).tri(L, S, dtype=bool))
            s = s.masked_fill(tri.logical_not(), -math.inf)
        if mask is not None:
            if mask._data.dtype == np.bool_:
                s = s.masked_fill(mask.logical_not(), -math.inf)
            else:
                s = s + mask
        p = ops.softmax(s, -1)
        if self.causal or mask is not None:
            dead = (s._data == -np.inf).all(axis=-1, keepdims=True)
            dead = Tensor._make(dead)
            p = p.masked_fill(dead, 0.0)
        pd = p if keep is None else p * keep
        dv = pd.transpose(-2, -1).matmul(go) if need[2] else None
        dq = dk = dmask = None
        if need[0] or need[1] or need[3]:
            dp = go.matmul(v.transpose(-2, -1))
            if keep is not None:
                dp = dp * keep
            ds = p * (dp - (dp * p).sum(-1, keepdim=True))
            dmask = ds if need[3] else None
            if need[0]:
                dq = ds.matmul(k) * self.scale
            if need[1]:
                dk = ds.transpose(-2, -1).matmul(q) * self.scale
        return dq, dk, dv, dmask, None


def _dropout_keep(q, shape, p, dtype):
    """The dropout multiplier of the attention probabilities: 0 with
    probability ``p``, else ``1 / (1 - p)``."""
    from pytensor.random import _draw
    if p >= 1.0:
        return Tensor._make(get_xp(q._data).zeros(shape, dtype))
    keep_p = 1.0 - p
    udt = np.float64 if dtype == np.float64 else np.float32

    def draw(g):
        m = (g.random(shape, dtype=udt) < keep_p).astype(dtype)
        m *= dtype.type(1.0 / keep_p)
        return m
    return Tensor._make(_draw(q.device, None, draw))


def _repeat_heads(t, rep):
    """``t.repeat_interleave(rep, dim=-3)`` by expand + reshape."""
    shape = t.shape
    h = shape[-3]
    e = t.unsqueeze(-3).expand(shape[:-2] + (rep,) + shape[-2:])
    return e.reshape(shape[:-3] + (h * rep,) + shape[-2:])


def scaled_dot_product_attention(query, key, value, attn_mask=None,
                                 dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """Attention ``softmax(query @ key.T * scale + mask) @ value``.

    Args:
        query (Tensor): ``(*, L, E)``.
        key (Tensor): ``(*, S, E)``.
        value (Tensor): ``(*, S, Ev)``.
        attn_mask (Tensor, optional): broadcastable to ``(*, L, S)``; a bool
            mask says which positions take part (True), a float mask is
            added to the scores.
        dropout_p (float): dropout probability of the attention weights.
        is_causal (bool): position ``i`` attends to ``j <= i`` only (a
            lower-triangular ``(L, S)`` mask); not with ``attn_mask``.
        scale (float, optional): defaults to ``1 / sqrt(E)``.
        enable_gqa (bool): grouped-query attention: ``key``/``value`` with
            fewer heads (dim -3) than ``query`` are shared by consecutive
            query heads.

    Rows in which every position is masked give zeros (not NaN).

    Shape:
        Output: ``(*, L, Ev)`` (the batch dims broadcast).

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> q = pytensor.tensor([[[1.0, 0.0]]])
        >>> k = pytensor.tensor([[[1.0, 0.0], [0.0, 1.0]]])
        >>> v = pytensor.tensor([[[1.0, 2.0], [3.0, 4.0]]])
        >>> F.scaled_dot_product_attention(q, k, v, scale=0.0)
        tensor([[[2., 3.]]])
    """
    op = "scaled_dot_product_attention"
    for name, t in (("query", query), ("key", key), ("value", value)):
        check_tensor(op, name, t)
        if t._data.ndim < 2:
            raise RuntimeError(f"{op}: {name} must have at least 2 dims, got "
                               f"shape {fmt_shape(t._data.shape)}")
    dts = {query._data.dtype, key._data.dtype, value._data.dtype}
    if len(dts) != 1 or query._data.dtype.kind != "f":
        raise RuntimeError(
            f"{op}: Expected query, key, and value to have the same floating "
            f"point dtype, but got query.dtype: {query.dtype}, key.dtype: "
            f"{key.dtype} and value.dtype: {value.dtype} instead.")
    qs, ks, vs = query._data.shape, key._data.shape, value._data.shape
    if enable_gqa and len(qs) >= 3 and len(ks) >= 3 and qs[-3] != ks[-3]:
        if ks[-3] != vs[-3] or ks[-3] == 0 or qs[-3] % ks[-3]:
            raise RuntimeError(
                f"{op}: with enable_gqa the number of query heads ({qs[-3]})"
                f" must be a multiple of the key/value heads (key "
                f"{ks[-3]}, value {vs[-3]})")
        key = _repeat_heads(key, qs[-3] // ks[-3])
        value = _repeat_heads(value, qs[-3] // vs[-3])
        ks, vs = key._data.shape, value._data.shape
    if qs[-1] != ks[-1]:
        raise RuntimeError(
            f"{op}: query and key must have the same embedding size (last "
            f"dim), got query {fmt_shape(qs)} and key {fmt_shape(ks)}")
    if ks[-2] != vs[-2]:
        raise RuntimeError(
            f"{op}: key and value must have the same sequence length (dim "
            f"-2), got key {fmt_shape(ks)} and value {fmt_shape(vs)}")
    try:
        batch = np.broadcast_shapes(qs[:-2], ks[:-2], vs[:-2])
    except ValueError:
        raise RuntimeError(
            f"{op}: the batch dims of query {fmt_shape(qs)}, key "
            f"{fmt_shape(ks)} and value {fmt_shape(vs)} do not "
            "broadcast") from None
    L, S = qs[-2], ks[-2]
    scores = batch + (L, S)
    if attn_mask is not None:
        check_tensor(op, "attn_mask", attn_mask)
        if is_causal:
            raise RuntimeError(
                f"{op}: Explicit attn_mask should not be set when "
                "is_causal=True")
        md = attn_mask._data.dtype
        if md != np.bool_ and md != query._data.dtype:
            raise RuntimeError(
                f"{op}: Expected attn_mask dtype to be bool or float or to "
                f"match query dtype, got attn_mask.dtype: {attn_mask.dtype} "
                f"and query.dtype: {query.dtype} instead.")
        try:
            scores = np.broadcast_shapes(scores, attn_mask._data.shape)
        except ValueError:
            raise RuntimeError(
                f"{op}: attn_mask of shape {fmt_shape(attn_mask.shape)} does "
                f"not broadcast to the attention scores of shape "
                f"{fmt_shape(batch + (L, S))}") from None
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 "
                         f"and 1, but got {dropout_p}")
    if scale is None:
        scale = 1.0 / math.sqrt(qs[-1]) if qs[-1] else math.inf
    keep = None
    if dropout_p > 0.0:
        keep = _dropout_keep(query, scores, dropout_p, query._data.dtype)
    fn = ScaledDotProductAttention(float(scale), bool(is_causal))
    return fn.apply(query, key, value, attn_mask, keep)
