"""Recurrent layers: RNN, LSTM, GRU and their cells.

A layer runs, for each of its layers and directions, one matrix product that gives every
time step's input share of the gates, then a loop over time in which each step adds the
hidden state's share and applies the gates: for LSTM and GRU over a padded sequence, one
fused op for the whole sequence; over packed sequences, one fused op per step (see Note
[Fused recurrent cells] in ember/ops/recurrent.py); ``tanh``/``relu`` of one ``addmm`` per
step for RNN. Packed sequences run the loop over a batch that shrinks (forward) or grows
(reverse) as sequences end."""

from __future__ import annotations

import math
import numbers
import warnings

import ember
from ember.nn import functional as F
from ember.nn import init
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter
from ember.nn.utils.rnn import PackedSequence
from ember.ops.recurrent import (
    gru_cell,
    gru_layer,
    gru_sequence,
    join_steps,
    lstm_cell,
    lstm_layer,
    lstm_sequence,
    split_steps,
)

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _reset_uniform(module) -> None:
    """torch's initialization of recurrent weights: every parameter, in registration
    order, from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
    bound = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0
    for weight in module.parameters():
        init.uniform_(weight, -bound, bound)


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters of every layer and direction, named and
    ordered as torch's (``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``,
    ``bias_hh_l{k}``, ``weight_hr_l{k}`` for projections, ``_reverse`` for the backward
    direction), the checks of inputs and hidden states, and the run over time.

    ``mode`` is one of ``"LSTM"``, ``"GRU"``, ``"RNN_TANH"``, ``"RNN_RELU"``."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        _check_arguments(hidden_size, num_layers, dropout, proj_size)
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        all_weights = []
        for layer in range(num_layers):
            layer_input_size = input_size if layer == 0 else real_hidden_size * directions
            shapes = {"weight_ih": (gate_size, layer_input_size),
                      "weight_hh": (gate_size, real_hidden_size)}
            if bias:
                shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
            if proj_size > 0:
                shapes["weight_hr"] = (proj_size, hidden_size)
            for suffix in ("", "_reverse")[:directions]:
                names = [f"{kind}_l{layer}{suffix}" for kind in shapes]
                for name, shape in zip(names, shapes.values()):
                    setattr(self, name, Parameter(ember.empty(shape, device=device,
                                                              dtype=dtype)))
                all_weights.append(names)
        self._all_weights = all_weights
        self._flat_weights_names = [name for names in all_weights for name in names]
        self._init_flat_weights()
        self.reset_parameters()

    def _init_flat_weights(self) -> None:
        self._flat_weights = [getattr(self, name, None) for name in self._flat_weights_names]

    def __setattr__(self, name, value) -> None:
        names = self.__dict__.get("_flat_weights_names", ())
        if name in names:  # keep _flat_weights in step with a replaced weight
            self._flat_weights[names.index(name)] = value
        super().__setattr__(name, value)

    def _apply(self, fn, recurse=True):
        result = super()._apply(fn, recurse)
        self._init_flat_weights()
        return result

    def __setstate__(self, state):
        super().__setstate__(state)
        self._init_flat_weights()

    def flatten_parameters(self) -> None:
        """Packs the weights into one buffer for cuDNN; nothing to do on the CPU."""

    @property
    def all_weights(self):
        """The parameters of each layer and direction, as lists."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def reset_parameters(self) -> None:
        _reset_uniform(self)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if self.batch_first is not False:
            text += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            text += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            text += f", bidirectional={self.bidirectional}"
        return text

    # --- checks, named as torch's --------------------------------------------------------

    def check_input(self, input, batch_sizes) -> None:
        weight_dtype = self._flat_weights[0].dtype
        if input.dtype != weight_dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight_dtype}). Convert input: input.to({weight_dtype}), or "
                             f"convert model: model.to({input.dtype})")
        expected_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_dim:
            raise RuntimeError(f"input must have {expected_dim} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def _batch_size(self, input, batch_sizes) -> int:
        if batch_sizes is not None:
            return int(batch_sizes[0])
        return input.size(0) if self.batch_first else input.size(1)

    def get_expected_hidden_size(self, input, batch_sizes) -> tuple:
        directions = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * directions, self._batch_size(input, batch_sizes), size)

    def check_hidden_size(self, hx, expected_hidden_size,
                          msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        return hx if permutation is None else hx.index_select(1, permutation)

    # --- the run -------------------------------------------------------------------------

    def _forward(self, input, hx):
        """The forward of RNN, LSTM and GRU; the hidden state is a tuple inside (``(h,)``,
        or ``(h, c)`` for LSTM) and the layers' own form outside."""
        is_lstm = self.mode == "LSTM"
        packed = isinstance(input, PackedSequence)
        batch_sizes = sorted_indices = unsorted_indices = None
        is_batched = True
        batch_dim = 0 if self.batch_first else 1
        if packed:
            input, batch_sizes, sorted_indices, unsorted_indices = input
        else:
            if input.dim() not in (2, 3):
                raise ValueError(self._input_dim_message(input.dim()))
            is_batched = input.dim() == 3
            if not is_batched:
                input = input.unsqueeze(batch_dim)
        if hx is None:
            hx = self._zero_hidden(input, batch_sizes)
        else:
            if not packed:
                hx = self._hidden_for_input(hx, is_batched)
            hx = self.permute_hidden(hx, sorted_indices)
        self.check_forward_args(input, hx, batch_sizes)
        if self.batch_first and not packed:
            input = input.transpose(0, 1)
        if not packed and input.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        output, hidden = self._run_layers(input, hx if is_lstm else (hx,), batch_sizes)
        if self.batch_first and not packed:
            output = output.transpose(0, 1)
        hidden = self.permute_hidden(hidden if is_lstm else hidden[0], unsorted_indices)
        if packed:
            output = PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices)
        elif not is_batched:
            output = output.squeeze(batch_dim)
            hidden = (tuple(h.squeeze(1) for h in hidden) if is_lstm else hidden.squeeze(1))
        return output, hidden

    def _input_dim_message(self, dim) -> str:
        return f"{type(self).__name__}: Expected input to be 2D or 3D, got {dim}D instead"

    def _zero_hidden(self, input, batch_sizes):
        return ember.zeros(self.get_expected_hidden_size(input, batch_sizes),
                           dtype=input.dtype, device=input.device)

    def _hidden_for_input(self, hx, is_batched):
        """``hx`` checked to be 3-D for a batch (2-D, and given a batch of one, for an
        unbatched input)."""
        if is_batched and hx.dim() != 3:
            raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                               f"{hx.dim()}-D tensor")
        if not is_batched and hx.dim() != 2:
            raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                               f"{hx.dim()}-D tensor")
        return hx if is_batched else hx.unsqueeze(1)

    def _run_layers(self, input, hidden, batch_sizes):
        """Every layer and direction over time-major ``input`` ``(T, B, in)`` (or packed
        data ``(N, in)``): the last layer's output and the stacked final states."""
        directions = 2 if self.bidirectional else 1
        sizes = None if batch_sizes is None else batch_sizes.tolist()
        per_group = len(self._flat_weights) // (self.num_layers * directions)
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                weights = self._flat_weights[index * per_group:(index + 1) * per_group]
                output, state = self._run_direction(
                    input, tuple(h[index] for h in hidden), weights, sizes, direction == 1)
                outputs.append(output)
                finals.append(state)
            input = outputs[0] if directions == 1 else ember.cat(outputs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                input = F.dropout(input, self.dropout, True)
        return input, tuple(ember.stack([state[k] for state in finals])
                            for k in range(len(hidden)))

    def _run_direction(self, input, state, weights, sizes, reverse):
        """One layer in one direction: its output over time and its final state."""
        weight_ih, weight_hh = weights[:2]
        bias_ih, bias_hh = weights[2:4] if self.bias else (None, None)
        weight_hr = weights[-1] if self.proj_size > 0 else None
        if self.mode == "GRU":  # bias_hh lies inside the reset gate's product: per step
            gates_x = F.linear(input, weight_ih, bias_ih)
        else:
            gates_x = F.linear(input, weight_ih, None if bias_ih is None else bias_ih + bias_hh)
        if sizes is None and self.mode == "LSTM":
            output, *state = lstm_sequence(gates_x, *state, weight_hh, weight_hr, reverse)
            return output, tuple(state)
        if sizes is None and self.mode == "GRU":
            output, hy = gru_sequence(gates_x, *state, weight_hh, bias_hh, reverse)
            return output, (hy,)
        step, count = _layer_steps(self.mode, gates_x, sizes, weight_hh, bias_hh, weight_hr)
        outputs, state = _over_time(step, count, state, sizes, reverse)
        return join_steps(outputs, sizes), state


def _check_arguments(hidden_size, num_layers, dropout, proj_size) -> None:
    if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
            or not 0 <= dropout <= 1):
        raise ValueError("dropout should be a number in range [0, 1] representing the "
                         "probability of an element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                      "non-zero dropout expects num_layers greater than 1, but got "
                      f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable "
                         "projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


def _layer_steps(mode, gates_x, sizes, weight_hh, bias_hh, weight_hr):
    """``(step, count)`` for one layer direction over the gate inputs ``gates_x``:
    ``step(t, state) -> state`` runs time step ``t``; ``state[0]`` is the output."""
    if mode == "LSTM":
        lstm_step, count = lstm_layer(gates_x, sizes, weight_hh, weight_hr)
        return (lambda t, state: lstm_step(t, *state)), count
    if mode == "GRU":
        gru_step, count = gru_layer(gates_x, sizes, weight_hh, bias_hh)
        return (lambda t, state: (gru_step(t, *state),)), count
    pieces = split_steps(gates_x, sizes)
    activation = ember.tanh if mode == "RNN_TANH" else ember.relu
    weight_hh_t = weight_hh.t()
    return (lambda t, state: (activation(ember.addmm(pieces[t], state[0], weight_hh_t)),),
            len(pieces))


def _over_time(step, count, state, sizes, reverse):
    """Run ``step`` over ``count`` time steps from ``state``: the outputs in time order and
    the final state.

    With packed ``sizes`` (rows per time step, decreasing) the forward direction drops the
    rows of the sequences that ended, keeping them as those sequences' final state, and the
    reverse direction, starting at the last step, adds the initial state's rows of the
    sequences that start running there."""
    outputs = [None] * count
    if reverse:
        initial = state
        for t in reversed(range(count)):
            running = state[0].shape[0]
            if sizes is not None and sizes[t] != running:
                size = sizes[t]
                state = tuple(s[:size] if size < running else ember.cat([s, i[running:size]])
                              for s, i in zip(state, initial))
            state = step(t, state)
            outputs[t] = state[0]
        return outputs, state
    ended = []
    for t in range(count):
        if sizes is not None and sizes[t] < state[0].shape[0]:
            ended.append(tuple(s[sizes[t]:] for s in state))
            state = tuple(s[:sizes[t]] for s in state)
        state = step(t, state)
        outputs[t] = state[0]
    if ended:  # rows in batch order: the longest sequences first
        state = tuple(ember.cat([s, *(rows[k] for rows in reversed(ended))])
                      for k, s in enumerate(state))
    return outputs, state


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or ``relu``),
    for each layer in turn (the next layer's input is this one's output, with dropout in
    training when ``dropout > 0``).

    Args:
        input_size, hidden_size: features of the input and of the hidden state
        num_layers: stacked layers (default 1)
        nonlinearity: ``'tanh'`` (default) or ``'relu'``
        bias: whether the layers have ``b_ih`` and ``b_hh`` (default True)
        batch_first: input and output as ``(batch, seq, feature)`` (default False)
        dropout: dropout probability on the outputs of all layers but the last
        bidirectional: run a second direction from the end (default False)

    Shape:
        input ``(L, N, H_in)``, ``(N, L, H_in)`` if batch_first, ``(L, H_in)`` unbatched, or
        a PackedSequence; h_0 ``(D * num_layers, N, H_out)``. Returns the output
        ``(L, N, D * H_out)`` and h_n ``(D * num_layers, N, H_out)``.

    Example::

        >>> rnn = ember.nn.RNN(10, 20, 2)
        >>> output, hn = rnn(ember.randn(5, 3, 10), ember.randn(2, 3, 20))
        >>> output.shape
        torch.Size([5, 3, 20])
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device=None, dtype=None,
                 **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"RNN.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if nonlinearity not in modes:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             f"'relu'.")
        super().__init__(modes[nonlinearity], input_size, hidden_size, num_layers, bias,
                         batch_first, dropout, bidirectional, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def _input_dim_message(self, dim) -> str:
        return f"RNN: Expected input to be 2D or 3D, got {dim}D tensor instead"

    def forward(self, input, hx=None):
        return self._forward(input, hx)


class LSTM(RNNBase):
    """Long short-term memory: for each step, gates ``i, f, g, o`` from ``x_t`` and
    ``h_{t-1}``, ``c_t = f * c_{t-1} + i * g``, ``h_t = o * tanh(c_t)`` (projected by
    ``W_hr`` when ``proj_size > 0``). Arguments as ``RNN``'s (no nonlinearity), plus
    ``proj_size``.

    Shape:
        input as ``RNN``'s; ``(h_0, c_0)`` of ``(D * num_layers, N, H_out)`` and
        ``(D * num_layers, N, H_cell)``. Returns ``output, (h_n, c_n)``.

    Example::

        >>> lstm = ember.nn.LSTM(10, 20, 2)
        >>> output, (hn, cn) = lstm(ember.randn(5, 3, 10))
        >>> hn.shape
        torch.Size([2, 3, 20])
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)

    def get_expected_cell_size(self, input, batch_sizes) -> tuple:
        directions = 2 if self.bidirectional else 1
        return (self.num_layers * directions, self._batch_size(input, batch_sizes),
                self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx[0].index_select(1, permutation), hx[1].index_select(1, permutation)

    def _zero_hidden(self, input, batch_sizes):
        options = {"dtype": input.dtype, "device": input.device}
        return (ember.zeros(self.get_expected_hidden_size(input, batch_sizes), **options),
                ember.zeros(self.get_expected_cell_size(input, batch_sizes), **options))

    def _hidden_for_input(self, hx, is_batched):
        dims = hx[0].dim(), hx[1].dim()
        if is_batched and dims != (3, 3):
            raise RuntimeError(f"For batched 3-D input, hx and cx should also be 3-D but got "
                               f"({dims[0]}-D, {dims[1]}-D) tensors")
        if not is_batched and dims != (2, 2):
            raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D but "
                               f"got ({dims[0]}-D, {dims[1]}-D) tensors")
        return hx if is_batched else (hx[0].unsqueeze(1), hx[1].unsqueeze(1))

    def forward(self, input, hx=None):
        return self._forward(input, hx)


class GRU(RNNBase):
    """Gated recurrent unit: reset and update gates ``r, z``, new gate
    ``n = tanh(x_t W_in^T + b_in + r * (h_{t-1} W_hn^T + b_hn))``,
    ``h_t = (1 - z) * n + z * h_{t-1}``. Arguments and shapes as ``RNN``'s (no
    nonlinearity).

    Example::

        >>> gru = ember.nn.GRU(10, 20, 2)
        >>> output, hn = gru(ember.randn(5, 3, 10))
        >>> output.shape
        torch.Size([5, 3, 20])
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device=None, dtype=None, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"GRU.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._forward(input, hx)


# --- cells ----------------------------------------------------------------------------


class RNNCellBase(Module):
    """What the cells share: ``weight_ih``, ``weight_hh`` (and ``bias_ih``, ``bias_hh``)
    for ``num_chunks`` gates, and the checks of their inputs."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        options = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(ember.empty((num_chunks * hidden_size, input_size),
                                               **options))
        self.weight_hh = Parameter(ember.empty((num_chunks * hidden_size, hidden_size),
                                               **options))
        if bias:
            self.bias_ih = Parameter(ember.empty(num_chunks * hidden_size, **options))
            self.bias_hh = Parameter(ember.empty(num_chunks * hidden_size, **options))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        nonlinearity = self.__dict__.get("nonlinearity", "tanh")
        if nonlinearity != "tanh":
            text += f", nonlinearity={nonlinearity}"
        return text

    def reset_parameters(self) -> None:
        _reset_uniform(self)

    def _prepared(self, input, hidden):
        """``input`` and the hidden tensors as batches (a missing state as zeros), checked
        as torch's cells check them; and whether ``input`` came as a batch."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                             f"instead")
        for label, h in hidden:
            if h is not None and h.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {h.dim()}D "
                                 f"instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} "
                               f"expected {self.input_size}")
        states = []
        for number, (_, h) in enumerate(hidden):
            if h is None:
                h = ember.zeros(input.size(0), self.hidden_size, dtype=input.dtype,
                                device=input.device)
            elif not is_batched:
                h = h.unsqueeze(0)
            if input.size(0) != h.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match "
                                   f"hidden{number} batch size {h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{number} has inconsistent hidden_size: got "
                                   f"{h.size(1)}, expected {self.hidden_size}")
            states.append(h)
        return input, states, is_batched

    def _summed_bias(self):
        return None if self.bias_ih is None else self.bias_ih + self.bias_hh


class RNNCell(RNNCellBase):
    """One Elman RNN step: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ``relu``).

    Shape: input ``(N, H_in)`` or ``(H_in)``; hidden ``(N, H)`` or ``(H)`` (zeros if not
    given); returns ``h'`` of the hidden's shape."""

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, (hx,), is_batched = self._prepared(input, [("hidden", hx)])
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        activation = ember.tanh if self.nonlinearity == "tanh" else ember.relu
        hy = activation(F.linear(input, self.weight_ih, self.bias_ih)
                        + F.linear(hx, self.weight_hh, self.bias_hh))
        return hy if is_batched else hy.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step. Shape: input ``(N, H_in)`` or ``(H_in)``; ``(h, c)`` each ``(N, H)``
    or ``(H)`` (zeros if not given); returns ``(h', c')``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        hx, cx = (None, None) if hx is None else hx
        input, (hx, cx), is_batched = self._prepared(input, [("hx[0]", hx), ("hx[1]", cx)])
        gates_x = F.linear(input, self.weight_ih, self._summed_bias())
        hy, cy = lstm_cell(gates_x, hx, cx, self.weight_hh)
        return (hy, cy) if is_batched else (hy.squeeze(0), cy.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step. Shape: input ``(N, H_in)`` or ``(H_in)``; hidden ``(N, H)`` or ``(H)``
    (zeros if not given); returns ``h'``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        input, (hx,), is_batched = self._prepared(input, [("hidden", hx)])
        gates_x = F.linear(input, self.weight_ih, self.bias_ih)
        hy = gru_cell(gates_x, hx, self.weight_hh, self.bias_hh)
        return hy if is_batched else hy.squeeze(0)
