"""Recurrent layers and cells against torch (see module_oracle): initialization, outputs,
final states and every gradient over a grid of configurations, packed input, dropout
masks in training, the fused cells' double backward, and torch's errors and warnings."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.ops.recurrent import gru_cell, gru_sequence, lstm_cell, lstm_sequence
from tests.nn.module_oracle import build_pair, check_module

# torch's own notice, raised inside its LSTM kernel when projections are on
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported")

RNG = np.random.default_rng(0)
SEQ, BATCH, INPUT, HIDDEN, PROJ = 4, 3, 5, 6, 3

MODES = {
    "LSTM": lambda nn, **kw: nn.LSTM(INPUT, HIDDEN, **kw),
    "GRU": lambda nn, **kw: nn.GRU(INPUT, HIDDEN, **kw),
    "RNN_TANH": lambda nn, **kw: nn.RNN(INPUT, HIDDEN, **kw),
    "RNN_RELU": lambda nn, **kw: nn.RNN(INPUT, HIDDEN, nonlinearity="relu", **kw),
}

CONFIGS = {
    "default": {},
    "two_layers_bidirectional": {"num_layers": 2, "bidirectional": True},
    "batch_first_no_bias": {"batch_first": True, "bias": False},
    "dropout_training": {"num_layers": 2, "dropout": 0.5},
}


def _hidden_arrays(mode, layers, batch, size=HIDDEN, proj=0):
    """Initial states for ``mode``: h0 (and c0 for LSTM) of shape (layers, *batch, size)."""
    h0 = RNG.standard_normal((layers, *batch, proj or size))
    return [h0, RNG.standard_normal((layers, *batch, size))] if mode == "LSTM" else [h0]


def _call_with_hidden(mode):
    """forward(module, x, *hidden): the hidden tensors given as the layer takes them."""
    if mode == "LSTM":
        return lambda module, x, h, c: module(x, (h, c))
    return lambda module, x, h: module(x, h)


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("mode", MODES)
def test_layers_match_torch(mode, config):
    options = CONFIGS[config]
    batch_first = options.get("batch_first", False)
    x = RNG.standard_normal((BATCH, SEQ, INPUT) if batch_first else (SEQ, BATCH, INPUT))
    check_module(lambda nn: MODES[mode](nn, **options), x, dtype="float64")


@pytest.mark.parametrize("mode", MODES)
def test_layers_with_initial_state(mode):
    layers = 2 * 2
    hidden = _hidden_arrays(mode, layers, (BATCH,))
    check_module(lambda nn: MODES[mode](nn, num_layers=2, bidirectional=True),
                 RNG.standard_normal((SEQ, BATCH, INPUT)), *hidden,
                 forward=_call_with_hidden(mode))


@pytest.mark.parametrize("with_hidden, batch_first", [(False, False), (True, True)])
@pytest.mark.parametrize("mode", MODES)
def test_unbatched_input(mode, with_hidden, batch_first):
    hidden = _hidden_arrays(mode, 2, ()) if with_hidden else []
    forward = _call_with_hidden(mode) if with_hidden else None
    check_module(lambda nn: MODES[mode](nn, bidirectional=True, batch_first=batch_first),
                 RNG.standard_normal((SEQ, INPUT)), *hidden, forward=forward, dtype="float64")


@pytest.mark.parametrize("batch_first", [False, True])
def test_lstm_projections(batch_first):
    hidden = _hidden_arrays("LSTM", 4, (BATCH,), proj=PROJ)
    x = RNG.standard_normal((BATCH, SEQ, INPUT) if batch_first else (SEQ, BATCH, INPUT))
    check_module(lambda nn: nn.LSTM(INPUT, HIDDEN, num_layers=2, bidirectional=True,
                                    proj_size=PROJ, batch_first=batch_first),
                 x, *hidden, forward=_call_with_hidden("LSTM"), dtype="float64")


def test_float32_lstm_and_eval_mode_without_dropout():
    check_module(lambda nn: nn.LSTM(INPUT, HIDDEN, num_layers=2, dropout=0.3),
                 RNG.standard_normal((SEQ, BATCH, INPUT)), training=False)


# --- packed sequences -------------------------------------------------------------------


def _rnn_utils(tensor):
    return torch.nn.utils.rnn if isinstance(tensor, torch.Tensor) else ember.nn.utils.rnn


def _packed_forward(lengths, enforce_sorted, mode):
    """forward(module, x, *hidden) that packs x, runs the layer, and pads the output."""

    def forward(module, x, *hidden):
        utils = _rnn_utils(x)
        packed = utils.pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
        if hidden:
            hidden = tuple(hidden) if mode == "LSTM" else hidden[0]
            output, state = module(packed, hidden)
        else:
            output, state = module(packed)
        assert isinstance(output, utils.PackedSequence)
        padded, output_lengths = utils.pad_packed_sequence(output)
        return padded, state, output.data

    return forward


@pytest.mark.parametrize("with_hidden", [False, True])
@pytest.mark.parametrize("lengths, enforce_sorted", [([4, 3, 1], True), ([2, 4, 1], False)])
@pytest.mark.parametrize("mode", MODES)
def test_packed_input(mode, lengths, enforce_sorted, with_hidden):
    hidden = _hidden_arrays(mode, 4, (BATCH,)) if with_hidden else []
    check_module(lambda nn: MODES[mode](nn, num_layers=2, bidirectional=True),
                 RNG.standard_normal((SEQ, BATCH, INPUT)), *hidden,
                 forward=_packed_forward(lengths, enforce_sorted, mode), dtype="float64")


def test_packed_lstm_projections_with_dropout():
    check_module(lambda nn: nn.LSTM(INPUT, HIDDEN, num_layers=2, bidirectional=True,
                                    proj_size=PROJ, dropout=0.4),
                 RNG.standard_normal((SEQ, BATCH, INPUT)),
                 forward=_packed_forward([3, 4, 2], False, "LSTM"), dtype="float64")


# --- cells ------------------------------------------------------------------------------

CELLS = {
    "RNNCell": lambda nn, **kw: nn.RNNCell(INPUT, HIDDEN, **kw),
    "RNNCell_relu": lambda nn, **kw: nn.RNNCell(INPUT, HIDDEN, nonlinearity="relu", **kw),
    "LSTMCell": lambda nn, **kw: nn.LSTMCell(INPUT, HIDDEN, **kw),
    "GRUCell": lambda nn, **kw: nn.GRUCell(INPUT, HIDDEN, **kw),
}


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batch", [(BATCH,), ()])
@pytest.mark.parametrize("with_hidden", [False, True])
@pytest.mark.parametrize("cell", CELLS)
def test_cells_match_torch(cell, with_hidden, batch, bias):
    x = RNG.standard_normal((*batch, INPUT))
    forward = None
    hidden = []
    if with_hidden:
        hidden = [RNG.standard_normal((*batch, HIDDEN))]
        if cell == "LSTMCell":
            hidden.append(RNG.standard_normal((*batch, HIDDEN)))
            forward = lambda module, x, h, c: module(x, (h, c))  # noqa: E731
    check_module(lambda nn: CELLS[cell](nn, bias=bias), x, *hidden, forward=forward,
                 dtype="float64")


def test_cell_steps_over_a_sequence():
    """A cell stepped by hand through a sequence backpropagates through every step."""

    def forward(module, x):
        h, c = None, None
        outputs = []
        for step in x.unbind(0):
            h, c = module(step, None if h is None else (h, c))
            outputs.append(h)
        return outputs

    check_module(lambda nn: nn.LSTMCell(INPUT, HIDDEN), RNG.standard_normal((SEQ, 2, INPUT)),
                 forward=forward)


# --- double backward of the fused steps -------------------------------------------------


def _double(*shape):
    return ember.tensor(RNG.standard_normal(shape), dtype=ember.float64, requires_grad=True)


@pytest.mark.parametrize("projected", [False, True])
def test_lstm_step_gradcheck_and_gradgradcheck(projected):
    size, state = 3, 2 if projected else 3
    inputs = [_double(2, 4 * size), _double(2, state), _double(2, size), _double(4 * size, state)]
    if projected:
        inputs.append(_double(state, size))

    assert ember.autograd.gradcheck(lstm_cell, inputs)
    assert ember.autograd.gradgradcheck(lstm_cell, inputs)


@pytest.mark.parametrize("bias", [False, True])
def test_gru_step_gradcheck_and_gradgradcheck(bias):
    size = 3
    inputs = [_double(2, 3 * size), _double(2, size), _double(3 * size, size)]
    if bias:
        inputs.append(_double(3 * size))

    assert ember.autograd.gradcheck(gru_cell, inputs)
    assert ember.autograd.gradgradcheck(gru_cell, inputs)


@pytest.mark.parametrize("projected, reverse", [(False, False), (True, True)])
def test_lstm_sequence_gradcheck_and_gradgradcheck(projected, reverse):
    """The whole-sequence node: its array backward (gradcheck) and, under create_graph,
    its backward in ember ops (gradgradcheck)."""
    size, state = 3, 2 if projected else 3
    inputs = [_double(3, 2, 4 * size), _double(2, state), _double(2, size),
              _double(4 * size, state)]
    if projected:
        inputs.append(_double(state, size))

    def run(*inputs):
        return lstm_sequence(*inputs, reverse=reverse)

    assert ember.autograd.gradcheck(run, inputs)
    assert ember.autograd.gradgradcheck(run, inputs)


@pytest.mark.parametrize("bias, reverse", [(False, True), (True, False)])
def test_gru_sequence_gradcheck_and_gradgradcheck(bias, reverse):
    size = 3
    inputs = [_double(3, 2, 3 * size), _double(2, size), _double(3 * size, size)]
    if bias:
        inputs.append(_double(3 * size))

    def run(*inputs):
        return gru_sequence(*inputs, reverse=reverse)

    assert ember.autograd.gradcheck(run, inputs)
    assert ember.autograd.gradgradcheck(run, inputs)


@pytest.mark.parametrize("make", [
    lambda nn: nn.LSTM(3, 4, bidirectional=True, proj_size=2),
    lambda nn: nn.GRU(3, 4, num_layers=2, bidirectional=True),
], ids=["LSTM", "GRU"])
def test_layer_double_backward_matches_torch(make):
    """A gradient penalty through a layer: the weights' gradients of the squared norm of the
    input's gradient, as torch gives them."""
    x_array = RNG.standard_normal((4, 2, 3))
    grads = {}
    for lib in (torch, ember):
        lib.manual_seed(0)
        module = make(lib.nn).double()
        x = lib.tensor(x_array, requires_grad=True)
        output, _ = module(x)
        (grad_x,) = lib.autograd.grad((output ** 2).sum(), x, create_graph=True)
        (grad_x ** 2).sum().backward()
        grads[lib] = [grad_x.detach(), *(w.grad for w in module.parameters())]
    for actual, expected in zip(grads[ember], grads[torch], strict=True):
        np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_layer_gradgradcheck_through_packing(mode):
    module = getattr(ember.nn, mode)(2, 2, bidirectional=True).double()
    x = _double(3, 2, 2)
    h0 = _double(2, 2, 2)

    def run(x, h0):
        packed = ember.nn.utils.rnn.pack_padded_sequence(x, [3, 1])
        hidden = (h0, h0 * 2) if mode == "LSTM" else h0
        output, _ = module(packed, hidden)
        return output.data

    assert ember.autograd.gradcheck(run, (x, h0))
    assert ember.autograd.gradgradcheck(run, (x, h0))


@pytest.mark.parametrize("packed", [False, True])
@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN"])
def test_layer_weight_gradients_twice(mode, packed):
    """gradcheck and gradgradcheck with respect to every weight of a layer, which the
    layer's split node and the steps share between them (see Note [Fused recurrent
    cells])."""
    module = getattr(ember.nn, mode)(2, 2).double()
    x = _double(3, 2, 2)
    weights = [_double(*w.shape) for w in module._flat_weights]

    def run(x, *weights):
        module._flat_weights = list(weights)  # the forward reads the weights from here
        input = ember.nn.utils.rnn.pack_padded_sequence(x, [3, 2]) if packed else x
        output, hidden = module(input)
        return output.data if packed else output

    assert ember.autograd.gradcheck(run, (x, *weights))
    assert ember.autograd.gradgradcheck(run, (x, *weights))


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_autograd_grad_of_single_inputs(mode):
    """Gradients asked for one input at a time: the recurrent weight's (which the layer's
    split node gives), the initial state's (for which that node is not needed), a bias's
    and the input's."""
    x_array, h_array = RNG.standard_normal((5, 2, 3)), RNG.standard_normal((1, 2, 4))
    grads = {}
    for lib in (torch, ember):
        lib.manual_seed(0)
        module = getattr(lib.nn, mode)(3, 4).double()
        x = lib.tensor(x_array, requires_grad=True)
        h = lib.tensor(h_array, requires_grad=True)
        output, _ = module(x, (h, h * 2) if mode == "LSTM" else h)
        loss = (output ** 2).sum()
        grads[lib] = [lib.autograd.grad(loss, wrt, retain_graph=True)[0]
                      for wrt in (module.weight_hh_l0, h, module.bias_hh_l0, x)]
    for a, e in zip(grads[ember], grads[torch]):
        np.testing.assert_allclose(a.numpy(), e.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_frozen_layer_passes_gradients_to_input_and_initial_state(mode):
    x_array, h_array = RNG.standard_normal((5, 2, 3)), RNG.standard_normal((2, 2, 4))
    grads = {}
    for lib in (torch, ember):
        lib.manual_seed(0)
        module = getattr(lib.nn, mode)(3, 4, bidirectional=True).double().requires_grad_(False)
        x = lib.tensor(x_array, requires_grad=True)
        h = lib.tensor(h_array, requires_grad=True)
        output, _ = module(x, (h, h * 2) if mode == "LSTM" else h)
        output[-1].sum().backward()
        grads[lib] = [x.grad, h.grad]
        assert all(w.grad is None for w in module.parameters())
    for actual, expected in zip(grads[ember], grads[torch], strict=True):
        np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=1e-9, atol=1e-12)


def test_grad_nodes():
    """The nodes behind a layer's output: one per layer direction over a padded sequence
    (torch's CPU LSTM records one too), the join of fused steps over a packed one."""
    lstm, gru = ember.nn.LSTM(2, 3), ember.nn.GRU(2, 3)
    x = ember.randn(4, 1, 2)
    output, (h, c) = lstm(x)
    assert output.grad_fn.name() == "MkldnnRnnLayerBackward0"
    assert h.grad_fn.name() == "StackBackward0"
    assert h.grad_fn.next_functions[0][0] is output.grad_fn
    assert gru(x)[0].grad_fn.name() == "GruLayerBackward0"
    packed = ember.nn.utils.rnn.pack_padded_sequence(x, [4])
    output = lstm(packed)[0].data
    assert output.grad_fn.name() == "CatBackward0"
    assert output.grad_fn.next_functions[0][0].name() == "ThnnFusedLstmCellBackward0"


def test_backward_twice_needs_retain_graph():
    lstm = ember.nn.LSTM(2, 3)
    output, _ = lstm(ember.randn(3, 1, 2))
    loss = output.sum()
    loss.backward(retain_graph=True)
    first = lstm.weight_hh_l0.grad.clone()
    loss.backward()
    np.testing.assert_allclose(lstm.weight_hh_l0.grad.numpy(), 2 * first.numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_weight_modified_in_place_before_backward_is_caught():
    lstm = ember.nn.LSTM(2, 3)
    output, _ = lstm(ember.randn(3, 1, 2))
    with ember.no_grad():
        lstm.weight_hh_l0.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        output.sum().backward()


# --- attributes, initialization, conversion ---------------------------------------------


@pytest.mark.parametrize("options", [{}, {"num_layers": 2, "bidirectional": True,
                                          "proj_size": 2, "bias": False}])
def test_weight_names_and_all_weights(options):
    actual, expected = build_pair(lambda nn: nn.LSTM(INPUT, HIDDEN, **options))
    assert actual._flat_weights_names == expected._flat_weights_names
    assert actual._all_weights == expected._all_weights
    assert [[tuple(w.shape) for w in ws] for ws in actual.all_weights] == [
        [tuple(w.shape) for w in ws] for ws in expected.all_weights]
    assert all(w is getattr(actual, n) for w, n in zip(actual._flat_weights,
                                                      actual._flat_weights_names))


def test_reassigned_weight_and_double_conversion_reach_the_forward():
    actual, expected = build_pair(lambda nn: nn.GRU(INPUT, HIDDEN))
    for lib, module in ((ember, actual), (torch, expected)):
        module.weight_hh_l0 = lib.nn.Parameter(lib.ones(3 * HIDDEN, HIDDEN) * 0.1)
        module.double()
    assert actual._flat_weights[1].dtype == ember.float64
    x = RNG.standard_normal((SEQ, BATCH, INPUT))
    np.testing.assert_allclose(actual(ember.tensor(x))[0].detach().numpy(),
                               expected(torch.tensor(x))[0].detach().numpy(), rtol=1e-10)


def test_copies_and_pickles_keep_flat_weights_in_step():
    import copy
    import pickle

    module = ember.nn.LSTM(INPUT, HIDDEN, num_layers=2)
    x = ember.randn(SEQ, 1, INPUT)
    for clone in (copy.deepcopy(module), pickle.loads(pickle.dumps(module))):
        assert all(w is getattr(clone, n) for w, n in zip(clone._flat_weights,
                                                          clone._flat_weights_names))
        np.testing.assert_array_equal(clone(x)[0].detach().numpy(),
                                      module(x)[0].detach().numpy())


def test_reset_parameters_draws_torch_numbers_again():
    actual, expected = build_pair(lambda nn: nn.LSTM(INPUT, HIDDEN, num_layers=2))
    torch.manual_seed(5)
    expected.reset_parameters()
    ember.manual_seed(5)
    actual.reset_parameters()
    for (name, a), (_, e) in zip(actual.named_parameters(), expected.named_parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), e.detach().numpy(), err_msg=name)


@pytest.mark.parametrize("make", [
    lambda nn: nn.RNN(3, 4, 2, "relu", False, True, 0.25, True),
    lambda nn: nn.GRU(3, 4, 1, False),
    lambda nn: nn.RNNCell(3, 4, False, "relu"),
    lambda nn: nn.LSTMCell(3, 4, bias=False),
])
def test_positional_arguments_and_repr(make):
    actual, expected = build_pair(make)
    assert repr(actual) == repr(expected)


def test_dropout_with_one_layer_warns():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1, "
                                         "but got dropout=0.5 and num_layers=1"):
        ember.nn.LSTM(10, 20, dropout=0.5)


# --- errors -----------------------------------------------------------------------------

ERRORS = [
    ("LSTM(10, 20)", "m(lib.randn(5, 3, 7))"),
    ("LSTM(10, 20)", "m(lib.randn(5, 3, 10), (lib.zeros(2, 3, 20), lib.zeros(1, 3, 20)))"),
    ("LSTM(10, 20)", "m(lib.randn(5, 3, 10), (lib.zeros(1, 3, 20), lib.zeros(1, 4, 20)))"),
    ("LSTM(10, 20)", "m(lib.randn(5, 3, 10), (lib.zeros(3, 20), lib.zeros(1, 3, 20)))"),
    ("LSTM(10, 20)", "m(lib.randn(5, 10), (lib.zeros(1, 3, 20), lib.zeros(1, 3, 20)))"),
    ("LSTM(10, 20)", "m(lib.randn(5, 3, 10, 1))"),
    ("LSTM(10, 20)", "m(lib.randn(5, 3, 10).double())"),
    ("LSTM(10, 20, batch_first=True)", "m(lib.randn(3, 0, 10))"),
    ("GRU(10, 20)", "m(lib.randn(0, 10))"),
    ("GRU(10, 20)", "m(lib.randn(5, 3, 10), lib.zeros(2, 3, 20))"),
    ("GRU(10, 20)", "m(lib.randn(5, 10), lib.zeros(1, 3, 20))"),
    ("GRU(10, 20)", "m(lib.randn(5, 3, 10), lib.zeros(3, 20))"),
    ("GRU(10, 20)", "m(lib.randn(5))"),
    ("RNN(10, 20)", "m(lib.randn(5, 10, 1, 1))"),
    ("RNN(10, 20, batch_first=True)", "m(lib.randn(3, 5, 10), lib.zeros(1, 5, 20))"),
    ("RNN(10, 20)", "lib.nn.RNN(10, 20, nonlinearity='sigmoid')"),
    ("RNN(10, 20)", "lib.nn.GRU(10, 20, proj_size=3)"),
    ("RNN(10, 20)", "lib.nn.RNN(10, 20, proj_size=3)"),
    ("RNN(10, 20)", "lib.nn.LSTM(10, 20, proj_size=20)"),
    ("RNN(10, 20)", "lib.nn.LSTM(10, 20, proj_size=-1)"),
    ("RNN(10, 20)", "lib.nn.LSTM(10, 0)"),
    ("RNN(10, 20)", "lib.nn.LSTM(10, 2.0)"),
    ("RNN(10, 20)", "lib.nn.LSTM(10, 20, num_layers=0)"),
    ("RNN(10, 20)", "lib.nn.LSTM(10, 20, dropout=1.5)"),
    ("RNN(10, 20)", "lib.nn.LSTM(10, 20, dropout=True)"),
    ("RNN(10, 20)", "lib.nn.RNNBase('FOO', 10, 20)"),
    ("LSTMCell(10, 20)", "m(lib.randn(3, 7))"),
    ("LSTMCell(10, 20)", "m(lib.randn(3, 10), (lib.zeros(4, 20), lib.zeros(3, 20)))"),
    ("LSTMCell(10, 20)", "m(lib.randn(3, 10), (lib.zeros(3, 21), lib.zeros(3, 20)))"),
    ("LSTMCell(10, 20)", "m(lib.randn(3, 10), (lib.zeros(3, 20), lib.zeros(3, 21)))"),
    ("LSTMCell(10, 20)", "m(lib.randn(3, 10), (lib.zeros(3, 20), lib.zeros(4, 20)))"),
    ("LSTMCell(10, 20)", "m(lib.randn(3, 10, 1))"),
    ("LSTMCell(10, 20)", "m(lib.randn(3, 10), (lib.zeros(3, 20, 1), lib.zeros(3, 20)))"),
    ("LSTMCell(10, 20)", "m(lib.randn(3, 10), (lib.zeros(3, 20), lib.zeros(3, 20, 1)))"),
    ("GRUCell(10, 20)", "m(lib.randn(3, 10), lib.zeros(3, 20, 1))"),
    ("GRUCell(10, 20)", "m(lib.randn(3, 10), lib.zeros(4, 20))"),
    ("RNNCell(10, 20)", "m(lib.randn(3, 10, 1))"),
    ("RNNCell(10, 20, nonlinearity='x')", "m(lib.randn(3, 10))"),
]


@pytest.mark.filterwarnings("ignore:dropout option adds dropout")
@pytest.mark.parametrize("make, call", ERRORS)
def test_errors_match_torch(make, call):
    raised = {}
    for lib in (torch, ember):
        with pytest.raises(Exception) as info:
            m = eval(f"lib.nn.{make}")  # noqa: F841  (read by the call)
            eval(call)
        raised[lib] = info.value
    assert type(raised[ember]) is type(raised[torch])
    assert str(raised[ember]) == str(raised[torch])
