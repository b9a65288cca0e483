"""Recurrent layers as single graph nodes: one direction of one LSTM, GRU or
Elman RNN layer over a whole sequence, and the one-step cells.

A sequence of ``T`` steps written with per-step ops would leave about 15
nodes per step on the graph and pay Python overhead for each of them in
the forward and again in the backward.  Here the input projection of every
step is one matrix product, each step is one matrix product plus one fused
pointwise kernel (``lstm_cell_fwd`` / ``gru_cell_fwd``), and the backward
through time is the mirror loop on arrays followed by one matrix product
per weight (``backward_arrays``).

``backward`` (used with ``create_graph=True``) recomputes the layer with
differentiable ops and differentiates that, so gradients of gradients are
exact.

Layout: ``x`` is ``(T, B, I)`` (any strides), states are ``(B, H)``; the
weights are PyTorch's (``w_ih (G * H, I)``, ``w_hh (G * H, H)`` with
``G`` = 4 gates (i, f, g, o) for the LSTM, 3 (r, z, n) for the GRU, 1 for
the RNN).  The hidden states live in one ``(T + 1, B, H)`` buffer whose
``T`` rows in time order are the output, so nothing is stacked or copied.
"""
from pytensor.autograd.function import Function
from pytensor.autograd.grad_mode import enable_grad
from pytensor.backend import get_xp
from pytensor.ops.nn._blas import loop_blas, seq_threads, single_threaded
from pytensor.ops.nn._common import check_tensor, fmt_shape
from pytensor_ext import kernels_for
from pytensor_ext.reference import (
    lstm_seq_loop_bwd, lstm_seq_loop_fwd, seq_rows)

__all__ = ["lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell"]


def _input_projection(x, w_ih, bias):
    """``x @ w_ih.T + bias`` for every step at once: ``(T, B, G * H)``."""
    xp = get_xp(x)
    T, B, n_in = x.shape
    xc = xp.ascontiguousarray(x)
    g = xc.reshape(T * B, n_in) @ w_ih.T
    if bias is not None:
        g += bias
    return xc, g.reshape(T, B, w_ih.shape[0])


def _bias_sum(b_ih, b_hh):
    if b_ih is None:
        return b_hh
    if b_hh is None:
        return b_ih
    return b_ih + b_hh


def _weight_grads(need, dG, xc, w_ih, Hs, prev, T):
    """The gradients of ``x``, ``w_ih``, ``w_hh`` and the biases from the
    pre-activation gradients ``dG`` of every step (one GEMM each)."""
    TB = dG.shape[0] * dG.shape[1]
    dG2 = dG.reshape(TB, dG.shape[2])
    dx = (dG2 @ w_ih).reshape(xc.shape) if need[0] else None
    dw_ih = dG2.T @ xc.reshape(TB, xc.shape[2]) if need[1] else None
    dw_hh = None
    if need[2]:
        hp = Hs[prev:prev + T]
        dw_hh = dG2.T @ hp.reshape(TB, hp.shape[2])
    db = dG2.sum(axis=0) if need[3] else None
    return dx, dw_ih, dw_hh, db


def _grad_through(fn, inputs, outputs, grads):
    """Differentiate a differentiable recomputation (``outputs``) of
    ``fn``'s outputs w.r.t. its ``inputs`` (the ``create_graph`` path)."""
    from pytensor.autograd.engine import grad
    need = fn.needs_input_grad
    wanted = [t for t, n in zip(inputs, need) if n and t is not None]
    pairs = [(o, g) for o, g in zip(outputs, grads) if g is not None]
    got = iter(grad([o for o, _ in pairs], wanted, [g for _, g in pairs],
                    create_graph=True, allow_unused=True,
                    materialize_grads=True))
    return tuple(next(got) if n and t is not None else None
                 for t, n in zip(inputs, need))


# --- LSTM -------------------------------------------------------------------
class LSTMLayer(Function):
    """One direction of one LSTM layer: ``forward(x, h0, c0, w_ih, w_hh,
    b_ih, b_hh) -> (output (T, B, H), h_n, c_n)``."""

    kernel = "lstm_seq_fwd"

    def __init__(self, reverse=False):
        self.reverse = reverse

    def forward(self, x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        xp = get_xp(x)
        T, B, _ = x.shape
        H = w_hh.shape[1]
        # The biases are added by the kernel (one pass less over A).
        xc, A = _input_projection(x, w_ih, None)
        bias = _bias_sum(b_ih, b_hh)
        Hs = xp.empty((T + 1, B, H), x.dtype)
        Cs = xp.empty((T + 1, B, H), x.dtype)
        _, cur, _ = seq_rows(T, self.reverse)
        Hs[T if self.reverse else 0] = h0
        Cs[T if self.reverse else 0] = c0
        # The activated gates overwrite the pre-activations in A.
        k = kernels_for(x)
        threads = seq_threads(x)
        if threads is None:
            lstm_seq_loop_fwd(A, Hs, Cs, w_hh, bias, self.reverse,
                              k.lstm_cell_fwd)
        else:
            # The kernel's threads each call BLAS: one BLAS thread apiece.
            with single_threaded(x):
                k.lstm_seq_fwd(A, Hs, Cs, w_hh, bias, reverse=self.reverse,
                               threads=threads)
        out = Hs[cur:cur + T]
        last = 0 if self.reverse else T
        # The inputs themselves for the create_graph path; ``xc`` is ``x``
        # unless x was not contiguous.
        self.save_for_backward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, xc, A, Hs,
                               Cs, out)
        return out, Hs[last].copy(), Cs[last].copy()

    def backward_arrays(self, g_out, g_hn, g_cn):
        _, _, _, w_ih, w_hh, _, _, xc, A, Hs, Cs, _ = self.saved_arrays
        need = self.needs_input_grad
        xp = get_xp(xc)
        T = A.shape[0]
        _, _, prev = seq_rows(T, self.reverse)
        dG = xp.empty_like(A)
        dh = g_hn.copy()
        dc = g_cn.copy()
        k = kernels_for(xc)
        threads = seq_threads(xc)
        if threads is None:
            lstm_seq_loop_bwd(A, Hs, Cs, w_hh, g_out, dh, dc, dG,
                              self.reverse, k.lstm_cell_bwd)
        else:
            with single_threaded(xc):
                k.lstm_seq_bwd(A, Hs, Cs, w_hh, g_out, dh, dc, dG,
                               reverse=self.reverse, threads=threads)
        dx, dw_ih, dw_hh, db = _weight_grads(
            (need[0], need[3], need[4], need[5] or need[6]), dG, xc, w_ih,
            Hs, prev, T)
        return (dx, dh if need[1] else None, dc if need[2] else None,
                dw_ih, dw_hh, db if need[5] else None,
                db if need[6] else None)

    def backward(self, g_out, g_hn, g_cn):
        inputs = self.saved_tensors[:7]
        with enable_grad():
            outs = lstm_composite(*inputs, reverse=self.reverse)
        return _grad_through(self, inputs, outs, (g_out, g_hn, g_cn))


def lstm_composite(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse=False):
    """The LSTM layer with differentiable per-step ops (the reference the
    fused layer is tested against, and its ``create_graph`` path)."""
    from pytensor import ops
    T = x.shape[0]
    gx = x.matmul(w_ih.t())
    for b in (b_ih, b_hh):
        if b is not None:
            gx = gx + b
    h, c = h0, c0
    outs = [None] * T
    for t in seq_rows(T, reverse)[0]:
        gates = gx[t] + h.matmul(w_hh.t())
        i, f, g, o = gates.chunk(4, 1)
        c = ops.sigmoid(f) * c + ops.sigmoid(i) * ops.tanh(g)
        h = ops.sigmoid(o) * ops.tanh(c)
        outs[t] = h
    return ops.stack(outs), h, c


# --- GRU --------------------------------------------------------------------
class GRULayer(Function):
    """One direction of one GRU layer: ``forward(x, h0, w_ih, w_hh, b_ih,
    b_hh) -> (output (T, B, H), h_n)``."""

    kernel = "gru_cell_fwd"

    def __init__(self, reverse=False):
        self.reverse = reverse

    def forward(self, x, h0, w_ih, w_hh, b_ih, b_hh):
        xp = get_xp(x)
        cell = kernels_for(x).gru_cell_fwd
        T, B, _ = x.shape
        H = w_hh.shape[1]
        xc, Gx = _input_projection(x, w_ih, b_ih)
        Hs = xp.empty((T + 1, B, H), x.dtype)
        WS = xp.empty((T, B, 4 * H), x.dtype)
        steps, cur, prev = seq_rows(T, self.reverse)
        Hs[T if self.reverse else 0] = h0
        gh = xp.empty((B, 3 * H), x.dtype)
        whh_t = w_hh.T
        mm = xp.matmul
        with loop_blas(x):
            for t in steps:
                mm(Hs[t + prev], whh_t, out=gh)
                if b_hh is not None:
                    gh += b_hh
                cell(Gx[t], gh, Hs[t + prev], out=(Hs[t + cur], WS[t]))
        out = Hs[cur:cur + T]
        self.save_for_backward(x, h0, w_ih, w_hh, b_ih, b_hh, xc, WS, Hs,
                               out)
        return out, Hs[0 if self.reverse else T].copy()

    def backward_arrays(self, g_out, g_hn):
        _, _, w_ih, w_hh, _, _, xc, WS, Hs, _ = self.saved_arrays
        need = self.needs_input_grad
        xp = get_xp(xc)
        cell_bwd = kernels_for(xc).gru_cell_bwd
        T, B = WS.shape[0], WS.shape[1]
        H = w_hh.shape[1]
        steps, cur, prev = seq_rows(T, self.reverse)
        dGx = xp.empty((T, B, 3 * H), xc.dtype)
        dGh = xp.empty((T, B, 3 * H), xc.dtype)
        dh = g_hn.copy()
        tmp = xp.empty((B, H), xc.dtype)
        mm = xp.matmul
        with loop_blas(xc):
            for t in reversed(steps):
                dh += g_out[t]
                cell_bwd(WS[t], Hs[t + prev], dh, out=(dGx[t], dGh[t], dh))
                mm(dGh[t], w_hh, out=tmp)
                dh += tmp
        dx, dw_ih, _, db_ih = _weight_grads(
            (need[0], need[2], False, need[4]), dGx, xc, w_ih, Hs, prev, T)
        _, _, dw_hh, db_hh = _weight_grads(
            (False, False, need[3], need[5]), dGh, xc, w_ih, Hs, prev, T)
        return dx, dh if need[1] else None, dw_ih, dw_hh, db_ih, db_hh

    def backward(self, g_out, g_hn):
        inputs = self.saved_tensors[:6]
        with enable_grad():
            outs = gru_composite(*inputs, reverse=self.reverse)
        return _grad_through(self, inputs, outs, (g_out, g_hn))


def gru_composite(x, h0, w_ih, w_hh, b_ih, b_hh, reverse=False):
    """The GRU layer with differentiable per-step ops."""
    from pytensor import ops
    T = x.shape[0]
    gx = x.matmul(w_ih.t())
    if b_ih is not None:
        gx = gx + b_ih
    h = h0
    outs = [None] * T
    for t in seq_rows(T, reverse)[0]:
        gh = h.matmul(w_hh.t())
        if b_hh is not None:
            gh = gh + b_hh
        xr, xz, xn = gx[t].chunk(3, 1)
        hr, hz, hn = gh.chunk(3, 1)
        r = ops.sigmoid(xr + hr)
        z = ops.sigmoid(xz + hz)
        n = ops.tanh(xn + r * hn)
        h = (h - n) * z + n
        outs[t] = h
    return ops.stack(outs), h


# --- Elman RNN --------------------------------------------------------------
class RNNLayer(Function):
    """One direction of one Elman RNN layer (``tanh`` or ``relu``):
    ``forward(x, h0, w_ih, w_hh, b_ih, b_hh) -> (output, h_n)``."""

    def __init__(self, nonlinearity="tanh", reverse=False):
        self.relu = nonlinearity == "relu"
        self.reverse = reverse

    def forward(self, x, h0, w_ih, w_hh, b_ih, b_hh):
        xp = get_xp(x)
        T, B, _ = x.shape
        H = w_hh.shape[1]
        xc, G = _input_projection(x, w_ih, _bias_sum(b_ih, b_hh))
        Hs = xp.empty((T + 1, B, H), x.dtype)
        steps, cur, prev = seq_rows(T, self.reverse)
        Hs[T if self.reverse else 0] = h0
        gh = xp.empty((B, H), x.dtype)
        whh_t = w_hh.T
        mm = xp.matmul
        with loop_blas(x):
            for t in steps:
                mm(Hs[t + prev], whh_t, out=gh)
                gh += G[t]
                if self.relu:
                    # NaN stays NaN (maximum propagates it), as torch.relu.
                    xp.maximum(gh, 0, out=Hs[t + cur])
                else:
                    xp.tanh(gh, out=Hs[t + cur])
        out = Hs[cur:cur + T]
        self.save_for_backward(x, h0, w_ih, w_hh, b_ih, b_hh, xc, Hs, out)
        return out, Hs[0 if self.reverse else T].copy()

    def backward_arrays(self, g_out, g_hn):
        _, _, w_ih, w_hh, _, _, xc, Hs, _ = self.saved_arrays
        need = self.needs_input_grad
        xp = get_xp(xc)
        T = Hs.shape[0] - 1
        B, H = Hs.shape[1], Hs.shape[2]
        steps, cur, prev = seq_rows(T, self.reverse)
        dG = xp.empty((T, B, H), xc.dtype)
        dh = g_hn.copy()
        d = xp.empty((B, H), xc.dtype)
        mm = xp.matmul
        with loop_blas(xc):
            for t in reversed(steps):
                dh += g_out[t]
                h = Hs[t + cur]
                if self.relu:
                    xp.greater(h, 0, out=d)
                else:
                    xp.multiply(h, h, out=d)
                    xp.subtract(1, d, out=d)
                xp.multiply(dh, d, out=dG[t])
                mm(dG[t], w_hh, out=dh)
        dx, dw_ih, dw_hh, db = _weight_grads(
            (need[0], need[2], need[3], need[4] or need[5]), dG, xc, w_ih, Hs,
            prev, T)
        return (dx, dh if need[1] else None, dw_ih, dw_hh,
                db if need[4] else None, db if need[5] else None)

    def backward(self, g_out, g_hn):
        inputs = self.saved_tensors[:6]
        with enable_grad():
            outs = rnn_composite(*inputs, relu=self.relu,
                                 reverse=self.reverse)
        return _grad_through(self, inputs, outs, (g_out, g_hn))


def rnn_composite(x, h0, w_ih, w_hh, b_ih, b_hh, relu=False, reverse=False):
    """The Elman RNN layer with differentiable per-step ops."""
    from pytensor import ops
    T = x.shape[0]
    gx = x.matmul(w_ih.t())
    for b in (b_ih, b_hh):
        if b is not None:
            gx = gx + b
    h = h0
    outs = [None] * T
    act = ops.relu if relu else ops.tanh
    for t in seq_rows(T, reverse)[0]:
        h = act(gx[t] + h.matmul(w_hh.t()))
        outs[t] = h
    return ops.stack(outs), h


# --- cells ------------------------------------------------------------------
def _check_cell(op, input, hxs, w_ih, w_hh, b_ih, b_hh, gates):
    check_tensor(op, "input", input)
    for name, t in (("w_ih", w_ih), ("w_hh", w_hh)):
        check_tensor(op, name, t)
        if t._data.ndim != 2:
            raise RuntimeError(f"{op}: {name} must be 2-D, got shape "
                               f"{fmt_shape(t._data.shape)}")
    xs = input._data.shape
    if len(xs) != 2:
        raise RuntimeError(f"{op}: expected a 2-D input (batch, "
                           f"input_size), got shape {fmt_shape(xs)}")
    H = w_hh._data.shape[1]
    if w_ih._data.shape[0] != gates * H or w_hh._data.shape[0] != gates * H:
        raise RuntimeError(
            f"{op}: expected w_ih and w_hh with {gates} * hidden_size = "
            f"{gates * H} rows, got {fmt_shape(w_ih._data.shape)} and "
            f"{fmt_shape(w_hh._data.shape)}")
    if xs[1] != w_ih._data.shape[1]:
        raise RuntimeError(
            f"{op}: input has inconsistent input_size: got {xs[1]} expected "
            f"{w_ih._data.shape[1]}")
    for i, h in enumerate(hxs):
        check_tensor(op, f"hx[{i}]", h)
        hs = h._data.shape
        label = "" if len(hxs) == 1 else str(i)
        if len(hs) != 2 or hs[0] != xs[0]:
            raise RuntimeError(
                f"{op}: Input batch size {xs[0]} doesn't match hidden{label} "
                f"batch size {hs[0] if hs else None} (hidden shape "
                f"{fmt_shape(hs)})")
        if hs[1] != H:
            raise RuntimeError(
                f"{op}: hidden{label} has inconsistent hidden_size: got "
                f"{hs[1]}, expected {H}")
    for name, b in (("b_ih", b_ih), ("b_hh", b_hh)):
        if b is not None:
            check_tensor(op, name, b)
            if b._data.shape != (gates * H,):
                raise RuntimeError(
                    f"{op}: expected {name} of shape [{gates * H}], got "
                    f"{fmt_shape(b._data.shape)}")
    dts = {t._data.dtype for t in (input, w_ih, w_hh) + tuple(hxs)
           + tuple(b for b in (b_ih, b_hh) if b is not None)}
    if len(dts) != 1 or input._data.dtype.kind != "f":
        raise RuntimeError(
            f"{op}: expected the input, states and weights to share one "
            f"floating point dtype, got {sorted(str(d) for d in dts)}")


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step: gates ``x @ w_ih.T + b_ih + h @ w_hh.T + b_hh`` in
    PyTorch's order (input, forget, cell, output),
    ``c' = f * c + i * g``, ``h' = o * tanh(c')``.

    Args:
        input (Tensor): ``(B, input_size)``.
        hx (tuple of Tensor): ``(h, c)``, each ``(B, hidden_size)``.
        w_ih (Tensor): ``(4 * hidden_size, input_size)``.
        w_hh (Tensor): ``(4 * hidden_size, hidden_size)``.
        b_ih, b_hh (Tensor, optional): ``(4 * hidden_size,)``.

    Returns:
        ``(h', c')``.

    Example:
        >>> import pytensor
        >>> x, h = pytensor.zeros(1, 2), pytensor.zeros(1, 1)
        >>> c = pytensor.ones(1, 1)
        >>> h1, c1 = pytensor.lstm_cell(x, (h, c), pytensor.zeros(4, 2),
        ...                             pytensor.zeros(4, 1))
        >>> c1       # f * c + i * g = 0.5 * 1 + 0.5 * 0
        tensor([[0.5000]])
    """
    op = "lstm_cell"
    if not isinstance(hx, (tuple, list)) or len(hx) != 2:
        raise TypeError(f"{op}: hx must be a tuple (h, c)")
    _check_cell(op, input, tuple(hx), w_ih, w_hh, b_ih, b_hh, 4)
    _, h, c = LSTMLayer().apply(input.unsqueeze(0), hx[0], hx[1], w_ih, w_hh,
                                b_ih, b_hh)
    return h, c


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step, PyTorch's gate order (reset, update, new):
    ``r = sigmoid(x_r + h_r)``, ``z = sigmoid(x_z + h_z)``,
    ``n = tanh(x_n + r * h_n)``, ``h' = (1 - z) * n + z * h`` where
    ``x_* = x @ w_ih.T + b_ih`` and ``h_* = h @ w_hh.T + b_hh``.

    Args:
        input (Tensor): ``(B, input_size)``.
        hx (Tensor): ``(B, hidden_size)``.
        w_ih (Tensor): ``(3 * hidden_size, input_size)``.
        w_hh (Tensor): ``(3 * hidden_size, hidden_size)``.
        b_ih, b_hh (Tensor, optional): ``(3 * hidden_size,)``.

    Returns:
        Tensor ``h'``.

    Example:
        >>> import pytensor
        >>> h = pytensor.ones(1, 1)
        >>> pytensor.gru_cell(pytensor.zeros(1, 2), h, pytensor.zeros(3, 2),
        ...                   pytensor.zeros(3, 1))   # z = 0.5, n = 0
        tensor([[0.5000]])
    """
    op = "gru_cell"
    _check_cell(op, input, (hx,), w_ih, w_hh, b_ih, b_hh, 3)
    return GRULayer().apply(input.unsqueeze(0), hx, w_ih, w_hh, b_ih,
                            b_hh)[1]


def _rnn_cell(op, nonlinearity, input, hx, w_ih, w_hh, b_ih, b_hh):
    _check_cell(op, input, (hx,), w_ih, w_hh, b_ih, b_hh, 1)
    return RNNLayer(nonlinearity).apply(input.unsqueeze(0), hx, w_ih, w_hh,
                                        b_ih, b_hh)[1]


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman RNN step ``h' = tanh(x @ w_ih.T + b_ih + h @ w_hh.T +
    b_hh)``; shapes as :func:`gru_cell` with one gate.

    Example:
        >>> import pytensor
        >>> pytensor.rnn_tanh_cell(pytensor.ones(1, 1), pytensor.zeros(1, 1),
        ...                        pytensor.ones(1, 1), pytensor.ones(1, 1))
        tensor([[0.7616]])
    """
    return _rnn_cell("rnn_tanh_cell", "tanh", input, hx, w_ih, w_hh, b_ih,
                     b_hh)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman RNN step ``h' = relu(x @ w_ih.T + b_ih + h @ w_hh.T +
    b_hh)``; shapes as :func:`gru_cell` with one gate.

    Example:
        >>> import pytensor
        >>> pytensor.rnn_relu_cell(pytensor.ones(1, 1), pytensor.ones(1, 1),
        ...                        -pytensor.ones(1, 1), pytensor.ones(1, 1))
        tensor([[0.]])
    """
    return _rnn_cell("rnn_relu_cell", "relu", input, hx, w_ih, w_hh, b_ih,
                     b_hh)
