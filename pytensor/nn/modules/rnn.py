"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and the cells ``RNNCell``,
``LSTMCell``, ``GRUCell``, with PyTorch's API, parameter names and
initialisation.

Each direction of each layer is one graph node over the whole sequence
(``pytensor.ops.nn.recurrent``): the input projection of all the steps is
one matrix product, each step one matrix product and one fused pointwise
kernel, and the backward through time runs on arrays.
"""
import math
import numbers
import warnings

from pytensor import creation as _creation
from pytensor.autograd.grad_mode import no_grad
from pytensor.nn import functional as F
from pytensor.nn import init
from pytensor.nn.module import Module
from pytensor.nn.parameter import Parameter
from pytensor.ops import cat, stack
from pytensor.ops.nn import recurrent as _rec

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell",
           "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _fmt(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


class RNNBase(Module):
    """Base of :class:`RNN`, :class:`LSTM` and :class:`GRU`: the weights of
    every layer and direction, named as in PyTorch (``weight_ih_l0``,
    ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, ``..._reverse``), and
    the input/state checks."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers",
                     "bias", "batch_first", "dropout", "bidirectional",
                     "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1,
                 bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if (not isinstance(dropout, numbers.Number)
                or isinstance(dropout, bool) or not 0 <= dropout <= 1):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the "
                "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent "
                "layer, so non-zero dropout expects num_layers greater than "
                f"1, but got dropout={dropout} and num_layers={num_layers}",
                stacklevel=3)
        for name, v in (("hidden_size", hidden_size),
                        ("num_layers", num_layers)):
            if not isinstance(v, int) or isinstance(v, bool):
                raise TypeError(f"{name} should be of type int, got: "
                                f"{type(v).__name__}")
            if v <= 0:
                raise ValueError(f"{name} must be greater than 0")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero "
                             "to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, "
                             "not RNN or GRU")
        if proj_size:
            raise NotImplementedError(
                "LSTM: proj_size is not supported by pytensor")
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        kw = dict(device=device, dtype=dtype)
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(directions):
                in_size = input_size if layer == 0 else \
                    hidden_size * directions
                suffix = "_reverse" if direction == 1 else ""
                names = [f"weight_ih_l{layer}{suffix}",
                         f"weight_hh_l{layer}{suffix}"]
                params = [_creation.empty(gate_size, in_size, **kw),
                          _creation.empty(gate_size, hidden_size, **kw)]
                if bias:
                    names += [f"bias_ih_l{layer}{suffix}",
                              f"bias_hh_l{layer}{suffix}"]
                    params += [_creation.empty(gate_size, **kw),
                               _creation.empty(gate_size, **kw)]
                for n, p in zip(names, params):
                    setattr(self, n, Parameter(p))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias from U(-k, k), ``k = 1 / sqrt(hidden)``."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 \
            else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def flatten_parameters(self):
        """A no-op (PyTorch compacts cuDNN weights here)."""

    @property
    def _flat_weights(self):
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        """Per layer and direction, ``[w_ih, w_hh, b_ih, b_hh]``."""
        return [[getattr(self, n) for n in names]
                for names in self._all_weights]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # --- checks (PyTorch's messages) -----------------------------------------
    def check_input(self, input, batch_sizes=None):
        w = self._flat_weights[0]
        if input.dtype != w.dtype:
            raise ValueError(f"input must have the type {w.dtype}, got type "
                             f"{input.dtype}")
        if input.dim() != 3:
            raise RuntimeError(
                f"input must have 3 dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {input.size(-1)} (input shape "
                f"{_fmt(input.shape)})")

    def get_expected_hidden_size(self, input, batch_sizes=None):
        mini_batch = input.size(0) if self.batch_first else input.size(1)
        directions = 2 if self.bidirectional else 1
        return (self.num_layers * directions, mini_batch, self.hidden_size)

    def check_hidden_size(self, hx, expected_hidden_size,
                          msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size,
                                          list(hx.shape)))

    def check_forward_args(self, input, hidden, batch_sizes=None):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden,
                               self.get_expected_hidden_size(input))

    def permute_hidden(self, hx, permutation):
        return hx

    # --- the stack of layers -------------------------------------------------
    def _prepare(self, input, hx, n_states):
        """Validate ``input``/``hx``; returns ``(x (T, B, I) time-major,
        is_batched, [initial state tensors])``."""
        name = type(self).__name__
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got "
                             f"{input.dim()}D instead")
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
        states = list(hx) if n_states == 2 and hx is not None else (
            [hx] if hx is not None else None)
        if states is not None:
            want = 3 if is_batched else 2
            if any(h.dim() != want for h in states):
                dims = ", ".join(f"{h.dim()}-D" for h in states)
                kind = "batched 3-D" if is_batched else "unbatched 2-D"
                if n_states == 2:
                    raise RuntimeError(
                        f"For {kind} input, hx and cx should also be {want}-D "
                        f"but got ({dims}) tensors")
                raise RuntimeError(f"For {kind} input, hx should also be "
                                   f"{want}-D but got {dims} tensor")
            if not is_batched:
                states = [h.unsqueeze(1) for h in states]
        self.check_input(input)
        if input.size(1 if self.batch_first else 0) == 0:
            raise RuntimeError(
                "Expected sequence length to be larger than 0 in RNN")
        expected = self.get_expected_hidden_size(input)
        if states is None:
            with no_grad():
                z = _creation.zeros(*expected, dtype=input.dtype,
                                    device=input.device)
            states = [z] * n_states
        else:
            labels = ["Expected hidden[0] size {}, got {}",
                      "Expected hidden[1] size {}, got {}"] \
                if n_states == 2 else ["Expected hidden size {}, got {}"]
            for h, msg in zip(states, labels):
                self.check_hidden_size(h, expected, msg)
                if h.dtype != input.dtype:
                    raise ValueError(f"hx must have the type {input.dtype}, "
                                     f"got type {h.dtype}")
        x = input.transpose(0, 1) if self.batch_first else input
        return x, is_batched, states

    def _run_stack(self, x, states, run_layer):
        """Every layer and direction in order; ``run_layer(x, [h0, ...],
        params, reverse) -> (out, [h_n, ...])``.  Returns the last layer's
        output and the final states, each stacked over layers *
        directions."""
        directions = 2 if self.bidirectional else 1
        finals = [[] for _ in states]
        weights = self.all_weights
        for layer in range(self.num_layers):
            outs = []
            for d in range(directions):
                idx = layer * directions + d
                params = list(weights[idx])
                if not self.bias:
                    params += [None, None]
                init_states = [s[idx] for s in states]
                out, last = run_layer(x, init_states, params, d == 1)
                outs.append(out)
                for f, v in zip(finals, last):
                    f.append(v)
            x = outs[0] if directions == 1 else cat(outs, -1)
            if self.dropout and self.training and \
                    layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        hs = [f[0].unsqueeze(0) if len(f) == 1 else stack(f, 0)
              for f in finals]
        return x, hs

    def _finish(self, out, hs, is_batched):
        if self.batch_first:
            out = out.transpose(0, 1)
        if not is_batched:
            out = out.squeeze(0 if self.batch_first else 1)
            hs = [h.squeeze(1) for h in hs]
        return out, hs


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t @ W_ih.T + b_ih + h_{t-1} @ W_hh.T +
    b_hh)`` (or ``relu``), stacked ``num_layers`` deep.

    Args:
        input_size (int), hidden_size (int).
        num_layers (int): stacked layers (default 1).
        nonlinearity (str): ``'tanh'`` or ``'relu'``.
        bias (bool): learn ``b_ih`` and ``b_hh``.
        batch_first (bool): input and output are ``(B, T, *)``.
        dropout (float): dropout on the outputs of all but the last layer.
        bidirectional (bool): also run each layer backwards in time.

    Shape:
        Input ``(T, B, input_size)`` (``(B, T, ...)`` with ``batch_first``)
        or unbatched ``(T, input_size)``; ``h_0`` ``(D * num_layers, B,
        hidden_size)``.  Output ``(T, B, D * hidden_size)`` and ``h_n``.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> rnn = nn.RNN(4, 8, num_layers=2, batch_first=True)
        >>> rnn
        RNN(4, 8, num_layers=2, batch_first=True)
        >>> out, h = rnn(pytensor.randn(3, 5, 4))
        >>> out.shape, h.shape
        ((3, 5, 8), (2, 3, 8))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, "
                             "not RNN or GRU")
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. "
                             "Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        x, is_batched, states = self._prepare(input, hx, 1)

        def run(x, init_states, p, reverse):
            out, hn = _rec.RNNLayer(self.nonlinearity, reverse).apply(
                x, init_states[0], *p)
            return out, [hn]
        out, hs = self._run_stack(x, states, run)
        out, hs = self._finish(out, hs, is_batched)
        return out, hs[0]


class LSTM(RNNBase):
    """Long short-term memory, PyTorch's gate order (input, forget, cell,
    output): ``c_t = f * c_{t-1} + i * g``, ``h_t = o * tanh(c_t)``.

    Args:
        input_size (int), hidden_size (int), num_layers (int), bias (bool),
        batch_first (bool), dropout (float), bidirectional (bool): as
        :class:`RNN`.  ``proj_size`` is not supported.

    Shape:
        Input as :class:`RNN`; ``hx = (h_0, c_0)``, each ``(D * num_layers,
        B, hidden_size)``.  Returns ``(output, (h_n, c_n))``.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> lstm = nn.LSTM(4, 8, bidirectional=True)
        >>> [name for name, _ in lstm.named_parameters()][:4]
        ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']
        >>> out, (h, c) = lstm(pytensor.randn(5, 3, 4))
        >>> out.shape, h.shape, c.shape
        ((5, 3, 16), (2, 3, 8), (2, 3, 8))
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def check_forward_args(self, input, hidden, batch_sizes=None):
        self.check_input(input, batch_sizes)
        expected = self.get_expected_hidden_size(input)
        self.check_hidden_size(hidden[0], expected,
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], expected,
                               "Expected hidden[1] size {}, got {}")

    def forward(self, input, hx=None):
        if hx is not None and (not isinstance(hx, (tuple, list))
                               or len(hx) != 2):
            raise TypeError("LSTM: hx must be a tuple (h_0, c_0)")
        x, is_batched, states = self._prepare(input, hx, 2)

        def run(x, init_states, p, reverse):
            out, hn, cn = _rec.LSTMLayer(reverse).apply(
                x, init_states[0], init_states[1], *p)
            return out, [hn, cn]
        out, hs = self._run_stack(x, states, run)
        out, hs = self._finish(out, hs, is_batched)
        return out, (hs[0], hs[1])


class GRU(RNNBase):
    """Gated recurrent unit, PyTorch's gate order (reset, update, new):
    ``n = tanh(x W_in + b_in + r * (h W_hn + b_hn))``,
    ``h_t = (1 - z) * n + z * h_{t-1}``.

    Args and shapes as :class:`RNN`.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> gru = nn.GRU(4, 8)
        >>> gru.weight_ih_l0.shape
        (24, 4)
        >>> out, h = gru(pytensor.randn(5, 3, 4))
        >>> out.shape, h.shape
        ((5, 3, 8), (1, 3, 8))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, "
                             "not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        x, is_batched, states = self._prepare(input, hx, 1)

        def run(x, init_states, p, reverse):
            out, hn = _rec.GRULayer(reverse).apply(x, init_states[0], *p)
            return out, [hn]
        out, hs = self._run_stack(x, states, run)
        out, hs = self._finish(out, hs, is_batched)
        return out, hs[0]


# --- cells -------------------------------------------------------------------
class RNNCellBase(Module):
    """Base of the cells: ``weight_ih``, ``weight_hh``, ``bias_ih``,
    ``bias_hh`` (``num_chunks * hidden_size`` rows), U(-k, k) with
    ``k = 1 / sqrt(hidden_size)``."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks,
                 device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        kw = dict(device=device, dtype=dtype)
        self.weight_ih = Parameter(_creation.empty(
            num_chunks * hidden_size, input_size, **kw))
        self.weight_hh = Parameter(_creation.empty(
            num_chunks * hidden_size, hidden_size, **kw))
        if bias:
            self.bias_ih = Parameter(_creation.empty(num_chunks * hidden_size,
                                                     **kw))
            self.bias_hh = Parameter(_creation.empty(num_chunks * hidden_size,
                                                     **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 \
            else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nl = self.__dict__.get("nonlinearity", "tanh")
        if nl != "tanh":
            s += f", nonlinearity={nl}"
        return s

    def _batch(self, input, hx, n_states):
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got "
                             f"{input.dim()}D instead")
        states = None if hx is None else (
            list(hx) if n_states == 2 else [hx])
        if states is not None:
            for i, h in enumerate(states):
                if h.dim() not in (1, 2):
                    what = f"hx[{i}]" if n_states == 2 else "hidden"
                    raise ValueError(f"{name}: Expected {what} to be 1D or "
                                     f"2D, got {h.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if states is None:
            with no_grad():
                z = _creation.zeros(input.size(0), self.hidden_size,
                                    dtype=input.dtype, device=input.device)
            states = [z] * n_states
        elif not is_batched:
            states = [h.unsqueeze(0) for h in states]
        return input, states, is_batched

    def _params(self):
        return (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)


class RNNCell(RNNCellBase):
    """One Elman RNN step ``h' = tanh(x @ W_ih.T + b_ih + h @ W_hh.T +
    b_hh)`` (or ``relu``).

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> cell = nn.RNNCell(4, 8, nonlinearity="relu")
        >>> cell
        RNNCell(4, 8, nonlinearity=relu)
        >>> cell(pytensor.randn(3, 4)).shape
        (3, 8)
    """

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size, hidden_size, bias=True,
                 nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        x, (h,), is_batched = self._batch(input, hx, 1)
        if self.nonlinearity == "tanh":
            ret = _rec.rnn_tanh_cell(x, h, *self._params())
        elif self.nonlinearity == "relu":
            ret = _rec.rnn_relu_cell(x, h, *self._params())
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return ret if is_batched else ret.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns ``(h', c')``.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> cell = nn.LSTMCell(4, 8)
        >>> h, c = cell(pytensor.randn(3, 4))
        >>> h.shape, c.shape
        ((3, 8), (3, 8))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        x, (h, c), is_batched = self._batch(input, hx, 2)
        h1, c1 = _rec.lstm_cell(x, (h, c), *self._params())
        if not is_batched:
            return h1.squeeze(0), c1.squeeze(0)
        return h1, c1


class GRUCell(RNNCellBase):
    """One GRU step.

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> nn.GRUCell(4, 8)(pytensor.randn(4)).shape
        (8,)
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        x, (h,), is_batched = self._batch(input, hx, 1)
        ret = _rec.gru_cell(x, h, *self._params())
        return ret if is_batched else ret.squeeze(0)
