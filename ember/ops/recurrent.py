"""Fused recurrent cells as ops: one LSTM or GRU time step, or a whole sequence, as one
autograd node.

Note [Fused recurrent cells]
A recurrent layer loops over time in Python, so what one step costs decides its speed.
Recorded op by op, an LSTM step is about fifteen nodes (matmul, add, four gate
activations, products, tanh); here it is one node. The forward runs over raw arrays in a
few backend calls, keeping the gate activations for backward. The backward evaluates the
step's derivative formulas, written once (``_lstm_gradients``, ``_gru_gradients``) over
whichever "math" it is handed: raw arrays in the usual backward, where no graph is built;
ember tensors when ``create_graph`` is on, after recomputing the gates from the saved inputs
with ember ops, so that the gradients are themselves differentiable (double backward).

Over a padded sequence a layer direction is one node (``lstm_sequence``, ``gru_sequence``,
as torch's CPU LSTM records one): its forward runs the steps in a loop over raw arrays,
keeping each step's parts; its backward runs the step formulas backwards through time in
one loop (``_lstm_through_time``, ``_gru_through_time``), taking what does not depend on
the carried gradient for all steps at once: LSTM's gradient factors (``_lstm_factors``)
before the loop, the recurrent weight's gradient, a sum over the steps of (gate
gradient)^T (hidden state the step started from), after it, as one matrix product. With
``create_graph`` the same two loops run over ember tensors: the forward one to recompute
the steps differentiably, then the backward one. No per-step node is recorded, so a step
costs only its array work.

Packed sequences, whose batch changes from step to step, keep one node per step. A layer
hands each step its input's share of the gates, ``x_t W_ih^T + b``, computed for all time
steps at once by one matrix product, so the step only adds ``h W_hh^T``. One node splits
those gates into the steps (``_LayerSteps``) and one joins the step outputs
(``join_steps``). The recurrent weight's gradient is again one matrix product over all
steps: in the usual backward the splitting node, which receives every step's gate
gradient, takes it (with GRU's ``bias_hh``), the steps keeping only the hidden states they
started from; with ``create_graph`` every step gives its own share, differentiably. A lone
cell step (``lstm_cell``, ``gru_cell``) always gives its own."""

from __future__ import annotations

from ember._tensor import _make
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import needs_grad, record
from ember.ops.elementary import sigmoid, tanh
from ember.ops.joining import cat, stack

__all__ = []

_grad_state = grad_mode.state


class _ArrayMath:
    """The functions the cell formulas call, over raw backend arrays."""

    tanh = staticmethod(_cpu.tanh)

    @staticmethod
    def sigmoid(x):
        return 1 / (1 + _cpu.exp(-x))

    @staticmethod
    def cat(pieces):
        return _cpu.concatenate(pieces, axis=-1)

    stack = staticmethod(_cpu.stack)

    @staticmethod
    def steps(sequence):  # an array indexes its time steps as they are
        return sequence


class _TensorMath:
    """The same functions over ember tensors, recorded in the graph."""

    tanh = staticmethod(tanh)
    sigmoid = staticmethod(sigmoid)

    @staticmethod
    def cat(pieces):
        return cat(pieces, -1)

    stack = staticmethod(stack)

    @staticmethod
    def steps(sequence):
        return sequence.unbind(0)


def _raw(tensor):
    return None if tensor is None else tensor._data


def _transposed(weight):
    """A weight's raw transpose, made contiguous: BLAS multiplies by it much faster than by
    the transposed view, so a layer makes it once for all its steps."""
    return None if weight is None else _cpu.ascontiguousarray(weight._data.T)


def _wrap(arrays, like):
    """Raw results as tensors of ``like``'s dtype and device (None stays None)."""
    return tuple(None if a is None else _make(a, like._dtype, like._device) for a in arrays)


# --- LSTM ------------------------------------------------------------------------------


def _lstm_step(math, gates_x, hx, cx, weight_hh_t, weight_hr_t):
    """One LSTM step from the transposed weights: ``(hy, cy, parts)``, ``parts`` being
    what its gradients need."""
    size = cx.shape[1]
    gates = gates_x + hx @ weight_hh_t
    # The sigmoid of all four gates costs fewer calls than three slices; the cell gate's
    # share of it is unused.
    activations = math.sigmoid(gates)
    input_gate = activations[:, :size]
    forget_gate = activations[:, size:2 * size]
    cell_gate = math.tanh(gates[:, 2 * size:3 * size])
    output_gate = activations[:, 3 * size:]
    cy = forget_gate * cx + input_gate * cell_gate
    tanh_cy = math.tanh(cy)
    hidden = output_gate * tanh_cy
    hy = hidden if weight_hr_t is None else hidden @ weight_hr_t
    return hy, cy, (activations, cell_gate, tanh_cy, hidden)


def _lstm_factors(math, parts, cx):
    """What a step's gradients are multiplied by, from its ``parts`` and the cell state it
    started from (of one step, or of all steps stacked: a layer takes them at once):
    ``(gate_factors, cell_factor, forget_gate)``, the factors by which the gates'
    pre-activations gain from the cell state's gradient (the output gate's from the
    hidden state's) and by which the cell state gains from the hidden state's."""
    activations, cell_gate, tanh_cy, _ = parts
    size = cell_gate.shape[-1]
    slopes = activations * (1 - activations)
    input_gate = activations[..., :size]
    output_gate = activations[..., 3 * size:]
    gate_factors = math.cat([slopes[..., :size] * cell_gate, slopes[..., size:2 * size] * cx,
                             (1 - cell_gate * cell_gate) * input_gate,
                             slopes[..., 3 * size:] * tanh_cy])
    cell_factor = output_gate * (1 - tanh_cy * tanh_cy)
    return gate_factors, cell_factor, activations[..., size:2 * size]


def _lstm_gradients(math, grad_hy, grad_cy, factors, hidden, hx, weight_hh, weight_hr,
                    with_weight_hh=True):
    """Gradients of one LSTM step for (gates_x, hx, cx, weight_hh, weight_hr), from its
    ``_lstm_factors`` and the ``hidden`` state of its parts."""
    gate_factors, cell_factor, forget_gate = factors
    grad_weight_hr = None
    if weight_hr is not None:
        grad_weight_hr = grad_hy.T @ hidden
        grad_hy = grad_hy @ weight_hr
    grad_cy = grad_cy + grad_hy * cell_factor
    grad_gates = gate_factors * math.cat([grad_cy, grad_cy, grad_cy, grad_hy])
    grad_weight_hh = grad_gates.T @ hx if with_weight_hh else None
    return (grad_gates, grad_gates @ weight_hh, grad_cy * forget_gate, grad_weight_hh,
            grad_weight_hr)


def _lstm_forward(gates_x, hx, cx, weight_hh, weight_hr, transposed, layer=None, where=None):
    """The step's node; ``layer``: the layer's whole gates_x, of which ``gates_x`` is the
    share ``where``, or None for a lone cell (see Note [Fused recurrent cells])."""
    hy, cy, parts = _lstm_step(_ArrayMath, gates_x._data, hx._data, cx._data, *transposed)
    dtype, device = gates_x._dtype, gates_x._device
    hy, cy = _make(hy, dtype, device), _make(cy, dtype, device)
    inputs = (gates_x, hx, cx, weight_hh, weight_hr)
    if needs_grad(*inputs):
        record("ThnnFusedLstmCellBackward0", _lstm_cell_backward, inputs, (hy, cy),
               saved=(gates_x if layer is None else layer, hx, cx, weight_hh, weight_hr, parts),
               where=where)
    return hy, cy


def _step_gates(ctx, gates_x):
    """A step's gate inputs for recomputing it in ember ops: read from the layer's gates
    themselves, so that no gradient reaches the step's piece but through the step (the
    splitting node counts on it)."""
    return gates_x if ctx.where is None else gates_x[ctx.where]


def _lstm_cell_backward(ctx, grad_hy, grad_cy):
    gates_x, hx, cx, weight_hh, weight_hr, parts = ctx.saved_tensors
    if _grad_state.enabled:
        _, _, parts = _lstm_step(_TensorMath, _step_gates(ctx, gates_x), hx, cx, weight_hh.T,
                                 None if weight_hr is None else weight_hr.T)
        return _lstm_gradients(_TensorMath, grad_hy, grad_cy,
                               _lstm_factors(_TensorMath, parts, cx), parts[3], hx, weight_hh,
                               weight_hr)
    grads = _lstm_gradients(_ArrayMath, grad_hy._data, grad_cy._data,
                            _lstm_factors(_ArrayMath, parts, cx._data), parts[3], hx._data,
                            weight_hh._data, _raw(weight_hr),
                            ctx.where is None and ctx.needs_input_grad[3])
    return _wrap(grads, grad_hy)


def lstm_cell(gates_x, hx, cx, weight_hh, weight_hr=None):
    """One LSTM time step (see Note [Fused recurrent cells]) as one node: ``(hy, cy)``.

    Args:
        gates_x: ``(batch, 4 * hidden)``, the input's share of the gates with both biases
        hx: ``(batch, proj or hidden)``; cx: ``(batch, hidden)``
        weight_hh: ``(4 * hidden, proj or hidden)``; weight_hr: ``(proj, hidden)`` or None
    """
    transposed = _transposed(weight_hh), _transposed(weight_hr)
    return _lstm_forward(gates_x, hx, cx, weight_hh, weight_hr, transposed)


def lstm_layer(gates_x, sizes, weight_hh, weight_hr=None):
    """The time steps of one LSTM layer direction: ``(step, count)``, ``step(t, hx, cx)``
    giving ``(hy, cy)`` of step ``t`` (see ``_LayerSteps`` for ``gates_x`` and ``sizes``)."""
    steps = _LayerSteps(gates_x, sizes, (weight_hh,))
    transposed = _transposed(weight_hh), _transposed(weight_hr)
    pieces, starts, wheres = steps.pieces, steps.starts, steps.wheres

    def step(t, hx, cx):
        starts[t] = hx._data
        return _lstm_forward(pieces[t], hx, cx, weight_hh, weight_hr, transposed, gates_x,
                             wheres[t])

    return step, len(pieces)


# --- GRU -------------------------------------------------------------------------------


def _gru_step(math, gates_x, hx, weight_hh_t, bias_hh):
    """One GRU step from the transposed weight: ``(hy, parts)``, ``parts`` being what its
    gradients need."""
    size = hx.shape[1]
    gates_h = hx @ weight_hh_t
    if bias_hh is not None:
        gates_h = gates_h + bias_hh
    reset_update = math.sigmoid(gates_x[:, :2 * size] + gates_h[:, :2 * size])
    reset_gate = reset_update[:, :size]
    update_gate = reset_update[:, size:]
    hidden_new = gates_h[:, 2 * size:]
    new_gate = math.tanh(gates_x[:, 2 * size:] + reset_gate * hidden_new)
    hy = (hx - new_gate) * update_gate + new_gate
    return hy, (reset_gate, update_gate, new_gate, hidden_new)


def _gru_gradients(math, grad_hy, parts, hx, weight_hh):
    """Gradients of one GRU step for (gates_x, hx), and the gradient of the hidden state's
    share of the gates, from which ``_gru_weight_gradients`` gives the weights'."""
    reset_gate, update_gate, new_gate, hidden_new = parts
    grad_new = grad_hy * (1 - update_gate) * (1 - new_gate * new_gate)
    grad_update = grad_hy * (hx - new_gate) * update_gate * (1 - update_gate)
    grad_reset = grad_new * hidden_new * reset_gate * (1 - reset_gate)
    grad_gates_x = math.cat([grad_reset, grad_update, grad_new])
    grad_gates_h = math.cat([grad_reset, grad_update, grad_new * reset_gate])
    return grad_gates_x, grad_hy * update_gate + grad_gates_h @ weight_hh, grad_gates_h


def _gru_weight_gradients(grad_gates_h, hx, bias_hh):
    """Gradients of (weight_hh, bias_hh) from the rows of the hidden share of the gate
    gradients and the hidden states they started from (one step's, or all steps' stacked)."""
    return grad_gates_h.T @ hx, None if bias_hh is None else grad_gates_h.sum(0)


def _gru_forward(gates_x, hx, weight_hh, bias_hh, weight_hh_t, layer=None, where=None):
    """The step's node and its reset gate; ``layer`` and ``where`` as ``_lstm_forward``'s."""
    hy, parts = _gru_step(_ArrayMath, gates_x._data, hx._data, weight_hh_t, _raw(bias_hh))
    hy = _make(hy, gates_x._dtype, gates_x._device)
    inputs = (gates_x, hx, weight_hh, bias_hh)
    if needs_grad(*inputs):
        record("ThnnFusedGruCellBackward0", _gru_cell_backward, inputs, (hy,),
               saved=(gates_x if layer is None else layer, hx, weight_hh, bias_hh, parts),
               where=where)
    return hy, parts[0]


def _gru_cell_backward(ctx, grad_hy):
    gates_x, hx, weight_hh, bias_hh, parts = ctx.saved_tensors
    if _grad_state.enabled:
        _, parts = _gru_step(_TensorMath, _step_gates(ctx, gates_x), hx, weight_hh.T, bias_hh)
        grads = _gru_gradients(_TensorMath, grad_hy, parts, hx, weight_hh)
        return grads[:2] + _gru_weight_gradients(grads[2], hx, bias_hh)
    needs = ctx.needs_input_grad
    grad_gates_x, grad_hx, grad_gates_h = _gru_gradients(
        _ArrayMath, grad_hy._data, parts, hx._data, weight_hh._data)
    weight_grads = (None, None)
    if ctx.where is None and (needs[2] or needs[3]):
        weight_grads = _gru_weight_gradients(grad_gates_h, hx._data, _raw(bias_hh))
    return _wrap((grad_gates_x, grad_hx, *weight_grads), grad_hy)


def gru_cell(gates_x, hx, weight_hh, bias_hh=None):
    """One GRU time step (see Note [Fused recurrent cells]) as one node: ``hy``.

    Args:
        gates_x: ``(batch, 3 * hidden)``, the input's share of the gates with ``bias_ih``
        hx: ``(batch, hidden)``; weight_hh: ``(3 * hidden, hidden)``; bias_hh: or None
    """
    return _gru_forward(gates_x, hx, weight_hh, bias_hh, _transposed(weight_hh))[0]


def gru_layer(gates_x, sizes, weight_hh, bias_hh=None):
    """The time steps of one GRU layer direction: ``(step, count)``, ``step(t, hx)`` giving
    ``hy`` of step ``t`` (see ``_LayerSteps`` for ``gates_x`` and ``sizes``)."""
    steps = _LayerSteps(gates_x, sizes, (weight_hh, bias_hh))
    weight_hh_t = _transposed(weight_hh)
    pieces, starts, resets, wheres = steps.pieces, steps.starts, steps.resets, steps.wheres

    def step(t, hx):
        starts[t] = hx._data
        hy, resets[t] = _gru_forward(pieces[t], hx, weight_hh, bias_hh, weight_hh_t, gates_x,
                                     wheres[t])
        return hy

    return step, len(pieces)


# --- whole sequences -------------------------------------------------------------------


def _time_order(count, reverse):
    return range(count - 1, -1, -1) if reverse else range(count)


def _lstm_run(math, gates_x, hx, cx, weight_hh_t, weight_hr_t, reverse):
    """The steps of ``_lstm_step`` over the time steps of ``gates_x``: the outputs in time
    order, the final ``(hy, cy)``, and each step's record ``(hx, cx, parts)``."""
    steps = math.steps(gates_x)
    outputs, records = [None] * len(steps), [None] * len(steps)
    for t in _time_order(len(steps), reverse):
        hy, cy, parts = _lstm_step(math, steps[t], hx, cx, weight_hh_t, weight_hr_t)
        records[t] = hx, cx, parts
        outputs[t] = hx = hy
        cx = cy
    return outputs, hx, cx, records


def _lstm_through_time(math, grad_output, grad_hy, grad_cy, records, weight_hh, weight_hr,
                       reverse, with_weight_hh):
    """Backpropagation through the steps ``records`` of ``_lstm_run``: gradients for
    (gates_x, hx, cx, weight_hh, weight_hr)."""
    grad_outputs = math.steps(grad_output)
    stacked = [math.stack(part) for part in zip(*(parts for *_, parts in records))]
    cells = math.stack([record[1] for record in records])
    factors = [math.steps(f) for f in _lstm_factors(math, stacked, cells)]
    grad_gates, grad_weight_hr = [None] * len(records), None
    for t in _time_order(len(records), not reverse):
        hx, _, parts = records[t]
        grad_gates[t], grad_hy, grad_cy, _, grad_step_hr = _lstm_gradients(
            math, grad_hy + grad_outputs[t], grad_cy, [f[t] for f in factors], parts[3], hx,
            weight_hh, weight_hr, with_weight_hh=False)
        if grad_step_hr is not None:
            grad_weight_hr = (grad_step_hr if grad_weight_hr is None
                              else grad_weight_hr + grad_step_hr)
    grad_gates = math.stack(grad_gates)
    grad_weight_hh = None
    if with_weight_hh:
        starts = math.stack([record[0] for record in records])
        grad_weight_hh = (grad_gates.reshape(-1, grad_gates.shape[-1]).T
                          @ starts.reshape(-1, starts.shape[-1]))
    return grad_gates, grad_hy, grad_cy, grad_weight_hh, grad_weight_hr


def lstm_sequence(gates_x, hx, cx, weight_hh, weight_hr=None, reverse=False):
    """One LSTM layer direction over a whole sequence as one node (see Note [Fused
    recurrent cells]): ``(output, hy, cy)``.

    Args:
        gates_x: ``(T, batch, 4 * hidden)``, the input's share of the gates with both biases
        hx, cx, weight_hh, weight_hr: as ``lstm_cell``'s
        reverse: run from the last time step to the first
    """
    outputs, hy, cy, records = _lstm_run(_ArrayMath, gates_x._data, hx._data, cx._data,
                                         _transposed(weight_hh), _transposed(weight_hr), reverse)
    output, hy, cy = _wrap((_cpu.stack(outputs), hy, cy), gates_x)
    inputs = (gates_x, hx, cx, weight_hh, weight_hr)
    if needs_grad(*inputs):
        record("MkldnnRnnLayerBackward0", _lstm_sequence_backward, inputs, (output, hy, cy),
               saved=(gates_x, hx, cx, weight_hh, weight_hr, records), reverse=reverse)
    return output, hy, cy


def _lstm_sequence_backward(ctx, grad_output, grad_hy, grad_cy):
    gates_x, hx, cx, weight_hh, weight_hr, records = ctx.saved_tensors
    if _grad_state.enabled:  # recompute the steps in ember ops, to differentiate the grads
        *_, records = _lstm_run(_TensorMath, gates_x, hx, cx, weight_hh.T,
                                None if weight_hr is None else weight_hr.T, ctx.reverse)
        return _lstm_through_time(_TensorMath, grad_output, grad_hy, grad_cy, records,
                                  weight_hh, weight_hr, ctx.reverse, True)
    grads = _lstm_through_time(_ArrayMath, grad_output._data, grad_hy._data, grad_cy._data, records,
                               weight_hh._data, _raw(weight_hr), ctx.reverse,
                               ctx.needs_input_grad[3])
    return _wrap(grads, grad_hy)


def _gru_run(math, gates_x, hx, weight_hh_t, bias_hh, reverse):
    """The steps of ``_gru_step`` over the time steps of ``gates_x``: the outputs in time
    order, the final ``hy``, and each step's record ``(hx, parts)``."""
    steps = math.steps(gates_x)
    outputs, records = [None] * len(steps), [None] * len(steps)
    for t in _time_order(len(steps), reverse):
        hy, parts = _gru_step(math, steps[t], hx, weight_hh_t, bias_hh)
        records[t] = hx, parts
        outputs[t] = hx = hy
    return outputs, hx, records


def _gru_through_time(math, grad_output, grad_hy, records, weight_hh, bias_hh, reverse,
                      with_weights):
    """Backpropagation through the steps ``records`` of ``_gru_run``: gradients for
    (gates_x, hx, weight_hh, bias_hh)."""
    grad_outputs = math.steps(grad_output)
    grad_gates_x, grad_gates_h = [None] * len(records), [None] * len(records)
    for t in _time_order(len(records), not reverse):
        hx, parts = records[t]
        grad_gates_x[t], grad_hy, grad_gates_h[t] = _gru_gradients(
            math, grad_hy + grad_outputs[t], parts, hx, weight_hh)
    weight_grads = (None, None)
    if with_weights:
        grad_gates_h = math.stack(grad_gates_h)
        starts = math.stack([record[0] for record in records])
        weight_grads = _gru_weight_gradients(grad_gates_h.reshape(-1, grad_gates_h.shape[-1]),
                                             starts.reshape(-1, starts.shape[-1]), bias_hh)
    return (math.stack(grad_gates_x), grad_hy, *weight_grads)


def gru_sequence(gates_x, hx, weight_hh, bias_hh=None, reverse=False):
    """One GRU layer direction over a whole sequence as one node (see Note [Fused
    recurrent cells]): ``(output, hy)``.

    Args:
        gates_x: ``(T, batch, 3 * hidden)``, the input's share of the gates with ``bias_ih``
        hx, weight_hh, bias_hh: as ``gru_cell``'s
        reverse: run from the last time step to the first
    """
    outputs, hy, records = _gru_run(_ArrayMath, gates_x._data, hx._data, _transposed(weight_hh),
                                    _raw(bias_hh), reverse)
    output, hy = _wrap((_cpu.stack(outputs), hy), gates_x)
    inputs = (gates_x, hx, weight_hh, bias_hh)
    if needs_grad(*inputs):
        record("GruLayerBackward0", _gru_sequence_backward, inputs, (output, hy),
               saved=(gates_x, hx, weight_hh, bias_hh, records), reverse=reverse)
    return output, hy


def _gru_sequence_backward(ctx, grad_output, grad_hy):
    gates_x, hx, weight_hh, bias_hh, records = ctx.saved_tensors
    if _grad_state.enabled:  # recompute the steps in ember ops, to differentiate the grads
        *_, records = _gru_run(_TensorMath, gates_x, hx, weight_hh.T, bias_hh, ctx.reverse)
        return _gru_through_time(_TensorMath, grad_output, grad_hy, records, weight_hh,
                                 bias_hh, ctx.reverse, True)
    needs = ctx.needs_input_grad
    grads = _gru_through_time(_ArrayMath, grad_output._data, grad_hy._data, records,
                              weight_hh._data, _raw(bias_hh), ctx.reverse, needs[2] or needs[3])
    return _wrap(grads, grad_hy)


# --- time steps ------------------------------------------------------------------------


def _split_array(data, sizes):
    if sizes is None:
        return list(data)
    bounds = _cpu.cumsum(sizes)[:-1]
    return _cpu.split(data, bounds)


def _join_arrays(arrays, sizes):
    return _cpu.stack(arrays) if sizes is None else _cpu.concatenate(arrays)


class _LayerSteps:
    """A layer direction's gate inputs split into time steps by one node: ``gates_x``
    ``(T, B, G)`` unbound (``sizes`` None) or packed rows ``(N, G)`` split by ``sizes``.
    The node's inputs are ``gates_x`` and ``weights`` (``weight_hh``, and GRU's
    ``bias_hh``), whose gradients it computes from all steps at once (see Note [Fused
    recurrent cells]) from the hidden state each step started from (``starts``) and, for
    GRU, each step's reset gate (``resets``), which the steps record.

    The pieces alias ``gates_x``'s memory without being views of it: they only ever feed
    the layer's steps, which never write to them."""

    def __init__(self, gates_x, sizes, weights):
        self.pieces = tuple(_make(piece, gates_x._dtype, gates_x._device)
                            for piece in _split_array(gates_x._data, sizes))
        if sizes is None:
            self.wheres = range(len(self.pieces))
        else:  # each step's rows of the packed gates
            ends = _cpu.cumsum(sizes).tolist()
            self.wheres = [slice(end - size, end) for end, size in zip(ends, sizes)]
        self.starts = [None] * len(self.pieces)
        self.resets = [None] * len(self.pieces)
        inputs = (gates_x, *(w for w in weights if w is not None))
        if needs_grad(*inputs):
            name = "UnbindBackward0" if sizes is None else "SplitWithSizesBackward0"
            node = record(name, _layer_steps_backward, inputs, self.pieces,
                          saved=(self.starts, self.resets), sizes=sizes)
            node._frees_saved = True  # the recorded arrays go with the graph


def _layer_steps_backward(ctx, *grads):
    starts, resets = ctx.saved_tensors
    sizes = ctx.sizes
    if _grad_state.enabled:  # the steps gave their own weight gradients
        joined = stack(grads) if sizes is None else cat(grads)
        return (joined,) + (None,) * (len(ctx.next_functions) - 1)
    joined = _join_arrays([g._data for g in grads], sizes)
    needs = ctx.needs_input_grad
    if not any(needs[1:]):
        return _wrap((joined,), grads[0]) + (None,) * (len(needs) - 1)
    gates = joined.reshape(-1, joined.shape[-1])
    hidden = _join_arrays(starts, sizes).reshape(gates.shape[0], -1)
    if resets[0] is not None:  # GRU: the new gate's hidden share went through the reset gate
        size = hidden.shape[1]
        gates = gates.copy()
        gates[:, 2 * size:] *= _join_arrays(resets, sizes).reshape(gates.shape[0], size)
    grad_weight = gates.T @ hidden
    grad_bias = gates.sum(0) if len(needs) > 2 else None
    return _wrap((joined, grad_weight, grad_bias)[:len(needs)], grads[0])


def split_steps(input, sizes=None):
    """``input.unbind(0)`` (``sizes`` None) or ``input.split(sizes)``: the time steps of a
    layer direction whose steps are ember ops (RNN), as one node."""
    return _LayerSteps(input, sizes, ()).pieces


def join_steps(outputs, sizes=None):
    """The steps' outputs as one tensor: ``stack(outputs)`` (``sizes`` None) or
    ``cat(outputs)`` of packed rows, as one node whose backward splits the gradient.
    In the usual backward, steps whose share of the gradient is all zero (the usual case
    when only the last output feeds the loss) get none, sparing an addition per step."""
    (result,) = _wrap((_join_arrays([o._data for o in outputs], sizes),), outputs[0])
    if needs_grad(*outputs):
        name = "StackBackward0" if sizes is None else "CatBackward0"
        record(name, _split_backward, outputs, (result,), sizes=sizes)
    return result


def _split_backward(ctx, grad):
    sizes = ctx.sizes
    if _grad_state.enabled:
        return grad.unbind(0) if sizes is None else grad.split(sizes)
    pieces = _split_array(grad._data, sizes)
    if sizes is None:
        nonzero = grad._data.reshape(len(pieces), -1).any(1)
    else:
        rows = grad._data.reshape(grad._data.shape[0], -1).any(1)
        nonzero = _cpu.logical_or.reduceat(rows, _cpu.cumsum([0, *sizes[:-1]]))
    return tuple(_make(piece, grad._dtype, grad._device) if live else None
                 for piece, live in zip(pieces, nonzero.tolist()))
