"""``cross_entropy`` (log-softmax and NLL fused in one op) and
``nll_loss``.

Shapes: input ``(N, C)``, ``(C,)`` or ``(N, C, d1, ...)`` (classes on dim
1); target class indices ``(N,)`` / ``()`` / ``(N, d1, ...)`` or class
probabilities of the input's shape.

With class indices, per element ``i`` with target ``y = t_i`` not equal to
``ignore_index`` and class weights ``w`` (ones when not given), smoothing
``e`` and ``C`` classes::

    loss_i = (1 - e) * -w[y] * logp[i, y]  +  (e / C) * -sum_c w[c] logp[i, c]

``mean`` divides the sum by ``sum_i w[t_i]`` over non-ignored elements
(PyTorch's weighted mean; NaN when every target is ignored).  The input
gradient is ``g_i * (A_i * softmax_i - B_i)`` with ``A_i = (1 - e) w[y] +
(e / C) sum(w)`` and ``B_i = (1 - e) w[y] onehot(y) + (e / C) w``, so one
pass over the logits does the forward and one the backward.

With probabilities ``t`` (smoothed to ``t (1 - e) + e / C``), ``loss_i =
-sum_c w[c] t[i, c] logp[i, c]`` and ``mean`` divides by the number of
elements ``N * d1 * ...``; the target gets a gradient too.

Backward runs on arrays unless ``create_graph=True``; then the same formula
is written with differentiable ops (softmax composed from exp/log/sum with
a constant shift), which is the "composite path" for double backward.
"""
import numpy as np

from pytensor.autograd.function import Function
from pytensor.nn.functional._util import (check_reduction,
                                          check_tensor, fmt_shape,
                                          legacy_reduction)
from pytensor.ops._util import on_input_device
from pytensor.tensor import Tensor
from pytensor_ext import kernels_for

__all__ = ["cross_entropy", "nll_loss"]

_make = Tensor._make


def _xp(a):
    if type(a) is np.ndarray:
        return np
    from pytensor.backend import get_xp
    return get_xp(a)


class _Targets:
    """Class-index targets prepared once: the safe indices (ignored ones set
    to 0), the keep mask, per-element weights ``w[t_i]`` (0 where ignored)
    and the mean's denominator."""

    __slots__ = ("idx", "keep", "w_t", "denom", "gdenom", "weight")

    def __init__(self, target, weight, ignore_index, dtype, xp):
        keep = target != ignore_index
        self.keep = keep
        self.idx = xp.where(keep, target, 0)
        if weight is None:
            self.w_t = keep.astype(dtype)
        else:
            self.w_t = weight[self.idx] * keep
        self.weight = weight
        self.denom = self.w_t.sum()
        # Every coefficient is 0 when all targets are ignored: the loss is
        # NaN (0/0) but the gradient 0, as in PyTorch (not 0 * inf).
        if xp is np:
            self.gdenom = self.denom if bool(self.denom != 0) else float("inf")
        else:           # chosen on the device: no read-back
            self.gdenom = xp.where(self.denom != 0, self.denom, np.inf)


def _expand_class(a, ndim):
    """Per-element array ``(N, d...)`` -> ``(N, 1, d...)`` to broadcast
    against ``(N, C, d...)``."""
    return a.reshape(a.shape[:1] + (1,) + a.shape[1:]) if ndim > 1 else a


def _class_weights(weight, ndim, C):
    """``(C,)`` -> broadcastable against the input (classes on dim 1)."""
    if ndim <= 1:
        return weight
    return weight.reshape((1, C) + (1,) * (ndim - 2))


def _pick(a, idx, cdim):
    """``a[i, idx[i], ...]`` along the class dim (``a`` has it, ``idx``
    doesn't)."""
    xp = _xp(a)
    e = xp.expand_dims(idx, cdim)
    return xp.take_along_axis(a, e, axis=cdim).squeeze(cdim)


def _scale_of(gy, reduction, denom, ndim):
    """The upstream gradient per element, broadcastable against the input:
    ``gy`` (none), ``gy`` (sum) or ``gy / denom`` (mean)."""
    if reduction == "none":
        return _expand_class(gy, ndim)
    if reduction == "sum":
        return gy
    return gy / denom


class CrossEntropy(Function):
    """log-softmax + NLL (class indices or probabilities) in one node."""

    kernel = "log_softmax_fwd"

    def __init__(self, reduction, ignore_index, label_smoothing, probs,
                 plain=False):
        self.reduction = reduction
        self.ignore_index = ignore_index
        self.eps = label_smoothing
        self.probs = probs
        # plain: (N, C) logits with N > 0, class indices all in range, no
        # weights or smoothing -- the loss of every training loop.
        self.plain = plain

    def forward(self, x, target, weight=None):
        xp = _xp(x)
        cdim = 1 if x.ndim > 1 else 0
        C = x.shape[cdim]
        logp = kernels_for(x).log_softmax_fwd(x, cdim)
        # The backward recomputes softmax(x) in one kernel pass rather than
        # keeping an (N, C) array alive between forward and backward.
        self.save_for_backward(x, target, weight)
        if self.plain:
            picked = logp[xp.arange(x.shape[0]), target]
            if self.reduction == "none":
                return -picked
            total = -picked.sum()
            if self.reduction == "mean":
                total /= x.dtype.type(x.shape[0])
            return xp.asarray(total, dtype=x.dtype)
        e = self.eps
        if self.probs:
            t = target if target.dtype == x.dtype else target.astype(x.dtype)
            if e > 0:
                t = t * (1 - e) + e / C
            wt = t if weight is None else t * _class_weights(weight, x.ndim, C)
            per = -(logp * wt).sum(axis=cdim)
            if self.reduction == "none":
                return per
            total = per.sum()
            if self.reduction == "sum":
                return xp.asarray(total, dtype=x.dtype)
            n = x.size // C if C else 0
            with np.errstate(invalid="ignore", divide="ignore"):
                return xp.asarray(total / x.dtype.type(n), dtype=x.dtype)
        tg = _Targets(target, weight, self.ignore_index, x.dtype, xp)
        per = -_pick(logp, tg.idx, cdim) * tg.w_t
        if e > 0:
            if weight is None:
                smooth = -logp.sum(axis=cdim)
            else:
                smooth = -(logp * _class_weights(weight, x.ndim, C)).sum(
                    axis=cdim)
            per = (1 - e) * per + (e / C) * (smooth * tg.keep)
        per = per.astype(x.dtype, copy=False)
        if self.reduction == "none":
            return per
        total = per.sum()
        if self.reduction == "sum":
            return xp.asarray(total, dtype=x.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):
            return xp.asarray(total / tg.denom, dtype=x.dtype)

    def backward(self, gy):
        x, target, weight = self.saved_tensors
        nx = self.needs_input_grad[0]
        nt = self.probs and self.needs_input_grad[1]
        return self._backward_ops(gy, x, target, weight, nx, nt)

    def backward_arrays(self, g):
        """The fast path: one exp pass over the saved log-probabilities,
        the target correction and one scaling pass, all in place."""
        xa, target, w = self.saved_arrays
        nx = self.needs_input_grad[0]
        k = kernels_for(xa)
        if self.plain:
            if not nx:
                return None, None, None
            xp = _xp(xa)
            n = xa.shape[0]
            out = k.softmax_fwd(xa, 1)
            out[xp.arange(n), target] -= 1
            if self.reduction == "none":
                out *= g[:, None]
            elif self.reduction == "sum":
                out *= g
            else:
                out *= g / xa.dtype.type(n)
            return out, None, None
        nt = self.probs and self.needs_input_grad[1]
        ndim = xa.ndim
        cdim = 1 if ndim > 1 else 0
        C = xa.shape[cdim]
        e = self.eps
        wc = None if w is None else _class_weights(w, ndim, C)
        xp = _xp(xa)
        gx = gt = None
        if self.probs:
            t = target.astype(xa.dtype, copy=False)
            ts = t * (1 - e) + e / C if e > 0 else t
            wt = ts if wc is None else ts * wc
            s = self._scale_probs(g, xa, C)
            if nx:
                p = k.softmax_fwd(xa, cdim)
                gx = ((p * wt.sum(axis=cdim, keepdims=True) - wt)
                      * s).astype(xa.dtype, copy=False)
            if nt:
                lp = k.log_softmax_fwd(xa, cdim)
                d = -lp if wc is None else -lp * wc
                if e > 0:
                    d = d * (1 - e)
                gt = (d * s).astype(xa.dtype, copy=False)
            return gx, gt, None
        if not nx:
            return None, None, None
        tg = _Targets(target, w, self.ignore_index, xa.dtype, xp)
        s = _scale_of(g, self.reduction, tg.gdenom, ndim)
        out = k.softmax_fwd(xa, cdim)
        if e > 0 or w is not None or xp is not np or not bool(
                tg.keep.all()):
            coef = (1 - e) * tg.w_t
            if e > 0:
                wsum = C if w is None else w.sum()
                coef = coef + (e / C) * wsum * tg.keep
            out *= _expand_class(coef, ndim).astype(xa.dtype, copy=False)
        hit = (1 - e) * tg.w_t
        if ndim == 2:                               # the common case
            out[xp.arange(xa.shape[0]), tg.idx] -= hit
        else:
            e_idx = xp.expand_dims(tg.idx, cdim)
            cur = xp.take_along_axis(out, e_idx, axis=cdim)
            xp.put_along_axis(out, e_idx, cur - _expand_class(hit, ndim),
                              axis=cdim)
        if e > 0:
            wcls = 1.0 if wc is None else wc
            out -= (e / C) * wcls * _expand_class(tg.keep, ndim)
        out *= s
        return out.astype(xa.dtype, copy=False), None, None

    def _scale_probs(self, g, xa, C):
        ndim = xa.ndim
        if self.reduction == "none":
            return _expand_class(g, ndim)
        if self.reduction == "sum":
            return g
        n = xa.size // C if C else 0
        return g / xa.dtype.type(n)

    def _backward_ops(self, gy, x, target, weight, nx, nt):
        """The same gradient with differentiable ops (create_graph)."""
        ndim = x.ndim
        cdim = 1 if ndim > 1 else 0
        C = x.shape[cdim]
        e = self.eps
        wc = None if weight is None else _class_weights(weight, ndim, C)
        gx = gt = None
        if self.probs:
            t = target if target.dtype == x.dtype else target.to(x.dtype)
            ts = t * (1 - e) + e / C if e > 0 else t
            wt = ts if wc is None else ts * wc
            if self.reduction == "none":
                s = _expand_class(gy, ndim)
            elif self.reduction == "sum":
                s = gy
            else:
                s = gy / float(x.numel() // C if C else 0)
            if nx:
                gx = (_softmax_ops(x, cdim) * wt.sum(cdim, keepdim=True)
                      - wt) * s
            if nt:
                d = -_log_softmax_ops(x, cdim)
                if wc is not None:
                    d = d * wc
                if e > 0:
                    d = d * (1 - e)
                gt = d * s
            return gx, gt, None
        if not nx:
            return None, None, None
        xa = x._data
        xp = _xp(xa)
        w = None if weight is None else weight._data
        tg = _Targets(target._data, w, self.ignore_index, xa.dtype, xp)
        coef = (1 - e) * tg.w_t
        if e > 0:
            wsum = C if w is None else w.sum()
            coef = coef + (e / C) * wsum * tg.keep
        # B = (1 - e) w[y] onehot(y) + (e / C) w, on kept elements.
        b = xp.zeros(xa.shape, xa.dtype)
        e_idx = xp.expand_dims(tg.idx, cdim)
        xp.put_along_axis(b, e_idx, _expand_class((1 - e) * tg.w_t, ndim),
                          axis=cdim)
        if e > 0:
            wcls = 1.0 if w is None else _class_weights(w, ndim, C)
            b = b + (e / C) * wcls * _expand_class(tg.keep, ndim)
        a_t = _make(_expand_class(coef, ndim).astype(xa.dtype))
        b_t = _make(b.astype(xa.dtype))
        if self.reduction == "none":
            s = _expand_class(gy, ndim) if ndim > 1 else gy
        elif self.reduction == "sum":
            s = gy
        else:
            s = gy / _make(xp.asarray(tg.gdenom, dtype=xa.dtype))
        return (_softmax_ops(x, cdim) * a_t - b_t) * s, None, None


def _shifted(x, cdim):
    """``x - max`` with the max as a constant: the shift cancels exactly in
    softmax, so its derivative is not needed."""
    m = x._data.max(axis=cdim, keepdims=True) if x._data.size else 0
    return x - _make(_xp(x._data).asarray(m, dtype=x._data.dtype))


def _log_softmax_ops(x, cdim):
    s = _shifted(x, cdim)
    return s - s.exp().sum(cdim, keepdim=True).log()


def _softmax_ops(x, cdim):
    return _log_softmax_ops(x, cdim).exp()


def _check_common(op, input, target, weight):
    check_tensor(op, "input", input)
    check_tensor(op, "target", target)
    n = input.ndim
    if n == 0:
        raise ValueError(f"{op}: Expected input to have at least 1 "
                         f"dimension (got a 0-d tensor)")
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point input, got "
                           f"{input.dtype}")
    C = input.shape[1 if n > 1 else 0]
    if weight is not None:
        check_tensor(op, "weight", weight)
        if weight.shape != (C,):
            raise RuntimeError(
                f"{op}: weight tensor should be defined either for all {C} "
                "classes or no classes but got weight tensor of shape: "
                f"{fmt_shape(weight.shape)}")
    return C


def _check_indices(op, input, target, C, ignore_index):
    t = target._data
    if t.dtype.kind not in "iu":
        raise RuntimeError(
            f"{op}: expected target of an integer dtype (class indices) or a "
            f"floating target of the input's shape (class probabilities); "
            f"got {target.dtype} target of shape {fmt_shape(target.shape)} "
            f"for input of shape {fmt_shape(input.shape)}")
    xs = input.shape
    want = xs[:1] + xs[2:] if len(xs) > 1 else ()
    if t.shape != want:
        if len(xs) > 1 and t.ndim >= 1 and t.shape[0] != xs[0]:
            raise ValueError(
                f"{op}: Expected input batch_size ({xs[0]}) to match target "
                f"batch_size ({t.shape[0]}).")
        raise RuntimeError(
            f"{op}: Expected target size {fmt_shape(want)}, got "
            f"{fmt_shape(t.shape)} (input shape {fmt_shape(xs)})")
    if not t.size:
        return False
    if type(t) is not np.ndarray:
        # On a GPU: every check in one read-back (PyTorch asserts on the
        # device instead).
        from pytensor.backend import get_xp
        xp = get_xp(t)
        ign = t == ignore_index
        bad = ~ign & ((t < 0) | (t >= C))
        nbad, nign = (int(v) for v in xp.stack(
            [bad.sum(), ign.sum()]).get())
        if nbad:
            v = int(t[bad].reshape(-1)[0])
            raise IndexError(f"{op}: Target {v} is out of bounds.")
        return nign == 0
    lo, hi = int(t.min()), int(t.max())
    if lo >= 0 and hi < C:
        # Every target is a class; some may still equal ignore_index.
        return not (lo <= ignore_index <= hi and bool(
            (t == ignore_index).any()))
    bad = (t != ignore_index) & ((t < 0) | (t >= C))
    if bool(bad.any()):
        v = int(t[bad].reshape(-1)[0])
        raise IndexError(f"{op}: Target {v} is out of bounds.")
    return False


@on_input_device
def cross_entropy(input, target, weight=None, size_average=None,
                  ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """Cross entropy between logits and targets (log-softmax + NLL, fused).

    Args:
        input (Tensor): unnormalized logits, ``(N, C)``, ``(C,)`` or
            ``(N, C, d1, ...)``.
        target (Tensor): class indices (integer, ``(N,)``, ``()`` or
            ``(N, d1, ...)``) or class probabilities (float, the input's
            shape).
        weight (Tensor, optional): ``(C,)`` per-class weights.
        ignore_index (int): targets equal to it contribute nothing (class
            indices only).
        reduction (str): ``'none'``, ``'mean'`` (weighted mean) or
            ``'sum'``.
        label_smoothing (float): in [0, 1]; mixes the target with the
            uniform distribution.
        size_average, reduce: deprecated; use ``reduction``.

    Returns:
        Tensor: 0-d, or per element for ``'none'``.

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> logits = pytensor.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
        ...                          requires_grad=True)
        >>> loss = F.cross_entropy(logits, pytensor.tensor([0, 2]))
        >>> loss
        tensor(0.6691, grad_fn=<CrossEntropyBackward>)
        >>> loss.backward()
        >>> logits.grad
        tensor([[-0.1065,  0.0533,  0.0533],
                [ 0.1667,  0.1667, -0.3333]])
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    C = _check_common("cross_entropy", input, target, weight)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(
            f"cross_entropy: label_smoothing must be between 0.0 and 1.0. "
            f"Got: {label_smoothing}")
    probs = target._data.dtype.kind == "f"
    if probs:
        if target.shape != input.shape:
            raise RuntimeError(
                f"cross_entropy: a floating target holds class probabilities "
                f"and must have the input's shape {fmt_shape(input.shape)}, "
                f"got {fmt_shape(target.shape)} (class indices must be "
                "integers)")
        plain = False
    else:
        # True when every target is a valid class (none ignored).
        all_valid = _check_indices("cross_entropy", input, target, C,
                                   ignore_index)
        plain = (all_valid and input.ndim == 2 and weight is None
                 and label_smoothing == 0.0)
    # weight may be None: a non-Tensor argument, so the node always has
    # three inputs (and backward three gradients).
    return CrossEntropy(reduction, ignore_index, label_smoothing, probs,
                        plain).apply(input, target, weight)


class NLLLoss(Function):
    """``-w[t_i] * input[i, t_i]`` with PyTorch's reductions."""

    def __init__(self, reduction, ignore_index):
        self.reduction = reduction
        self.ignore_index = ignore_index

    def forward(self, x, target, weight=None):
        xp = _xp(x)
        cdim = 1 if x.ndim > 1 else 0
        tg = _Targets(target, weight, self.ignore_index, x.dtype, xp)
        self.save_for_backward(target, weight)
        self.in_shape = x.shape
        per = (-_pick(x, tg.idx, cdim) * tg.w_t).astype(x.dtype, copy=False)
        if self.reduction == "none":
            return per
        total = per.sum()
        if self.reduction == "sum":
            return xp.asarray(total, dtype=x.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):
            return xp.asarray(total / tg.denom, dtype=x.dtype)

    def _onehot(self, target, weight, dtype):
        """``-w[t_i]`` at the target classes, zeros elsewhere."""
        shape = self.in_shape
        ndim = len(shape)
        cdim = 1 if ndim > 1 else 0
        xp = _xp(target)
        tg = _Targets(target, weight, self.ignore_index, dtype, xp)
        b = xp.zeros(shape, dtype)
        xp.put_along_axis(b, xp.expand_dims(tg.idx, cdim),
                          _expand_class(-tg.w_t, ndim).astype(dtype),
                          axis=cdim)
        return b, tg.gdenom

    def backward_arrays(self, g):
        if not self.needs_input_grad[0]:
            return None, None, None
        target, weight = self.saved_arrays
        b, denom = self._onehot(target, weight, g.dtype)
        ndim = b.ndim
        b *= (_expand_class(g, ndim) if self.reduction == "none" else
              g if self.reduction == "sum" else g / denom)
        return b, None, None

    def backward(self, gy):
        # Linear in the input: the gradient depends on gy only.
        if not self.needs_input_grad[0]:
            return None, None, None
        target, weight = self.saved_tensors
        b, denom = self._onehot(target._data, None if weight is None else
                                weight._data, gy._data.dtype)
        if self.reduction == "none":
            s = _expand_class(gy, b.ndim)
        elif self.reduction == "sum":
            s = gy
        else:
            s = gy / _make(_xp(b).asarray(denom, dtype=b.dtype))
        return s * _make(b), None, None


@on_input_device
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100,
             reduce=None, reduction="mean"):
    """Negative log likelihood of log-probabilities ``input`` at the target
    classes: ``-weight[t] * input[i, t]``, reduced like
    :func:`cross_entropy`.

    Args:
        input (Tensor): log-probabilities, ``(N, C)``, ``(C,)`` or
            ``(N, C, d1, ...)``.
        target (Tensor): integer class indices, ``(N,)``, ``()`` or
            ``(N, d1, ...)``.
        weight (Tensor, optional): ``(C,)`` class weights.
        ignore_index (int): targets to skip.
        reduction (str): ``'none'``, ``'mean'`` (weighted) or ``'sum'``.

    Returns:
        Tensor

    Example:
        >>> import pytensor
        >>> import pytensor.nn.functional as F
        >>> logp = pytensor.tensor([[-0.5, -1.0], [-2.0, -0.1]])
        >>> F.nll_loss(logp, pytensor.tensor([1, 1]))
        tensor(0.5500)
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    C = _check_common("nll_loss", input, target, weight)
    _check_indices("nll_loss", input, target, C, ignore_index)
    return NLLLoss(reduction, ignore_index).apply(input, target, weight)
