"""Fused recurrent cells as ops: one LSTM or GRU time step as one autograd node.

Note [Fused recurrent cells]
A recurrent layer loops over time in Python, so what one step costs decides its speed.
Recorded op by op, an LSTM step is about fifteen nodes (matmul, add, four gate
activations, products, tanh); here it is one node. The forward runs over raw arrays in a
few backend calls, keeping the gate activations for backward. The backward evaluates the
step's derivative formulas, written once (``_lstm_gradients``, ``_gru_gradients``) over
whichever "math" it is handed: raw arrays in the usual backward, where no graph is built;
ember tensors when ``create_graph`` is on, after recomputing the gates from the saved inputs
with ember ops, so that the gradients are themselves differentiable (double backward).

The layers hand each step its input's share of the gates, ``x_t W_ih^T + b``, computed for
all time steps at once by one matrix product (so the step only adds ``h W_hh^T``), split
into steps and the step outputs joined again by one node each (``split_steps``,
``join_steps``)."""

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
        return _cpu.concatenate(pieces, axis=1)


class _TensorMath:
    """The same functions over ember tensors, recorded in the graph."""

    tanh = staticmethod(tanh)
    sigmoid = staticmethod(sigmoid)

    @staticmethod
    def cat(pieces):
        return cat(pieces, 1)


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
    # each gate's derivative with respect to its pre-activation, in gate order
    slopes = activations * (1 - activations)
    slopes = math.cat([slopes[:, :2 * size], 1 - cell_gate * cell_gate, slopes[:, 3 * size:]])
    return hy, cy, (input_gate, forget_gate, cell_gate, output_gate, tanh_cy, hidden, slopes)


def _lstm_gradients(math, grad_hy, grad_cy, parts, hx, cx, weight_hh, weight_hr):
    """Gradients of one LSTM step for (gates_x, hx, cx, weight_hh, weight_hr)."""
    input_gate, forget_gate, cell_gate, output_gate, tanh_cy, hidden, slopes = parts
    grad_weight_hr = None
    if weight_hr is not None:
        grad_weight_hr = grad_hy.T @ hidden
        grad_hy = grad_hy @ weight_hr
    grad_cy = grad_cy + grad_hy * output_gate * (1 - tanh_cy * tanh_cy)
    grad_gates = slopes * math.cat([grad_cy * cell_gate, grad_cy * cx, grad_cy * input_gate,
                                    grad_hy * tanh_cy])
    return (grad_gates, grad_gates @ weight_hh, grad_cy * forget_gate, grad_gates.T @ hx,
            grad_weight_hr)


def lstm_step_function(weight_hh, weight_hr=None):
    """The LSTM time step of one layer direction (see Note [Fused recurrent cells]):
    ``step(gates_x, hx, cx) -> (hy, cy)``, one node per call.

    Args:
        weight_hh: ``(4 * hidden, proj or hidden)``; weight_hr: ``(proj, hidden)`` or None
    The step takes ``gates_x`` ``(batch, 4 * hidden)``, the input's share of the gates with
    both biases, ``hx`` ``(batch, proj or hidden)`` and ``cx`` ``(batch, hidden)``."""
    transposed = _transposed(weight_hh), _transposed(weight_hr)

    def step(gates_x, hx, cx):
        hy, cy, parts = _lstm_step(_ArrayMath, gates_x._data, hx._data, cx._data, *transposed)
        hy, cy = _wrap((hy, cy), gates_x)
        inputs = (gates_x, hx, cx, weight_hh, weight_hr)
        if needs_grad(*inputs):
            record("ThnnFusedLstmCellBackward0", _lstm_cell_backward, inputs, (hy, cy),
                   saved=(*inputs, *parts))
        return hy, cy

    return step


def _lstm_cell_backward(ctx, grad_hy, grad_cy):
    gates_x, hx, cx, weight_hh, weight_hr, *parts = ctx.saved_tensors
    if _grad_state.enabled:
        _, _, parts = _lstm_step(_TensorMath, gates_x, hx, cx, weight_hh.T,
                                 None if weight_hr is None else weight_hr.T)
        return _lstm_gradients(_TensorMath, grad_hy, grad_cy, parts, hx, cx, weight_hh,
                               weight_hr)
    grads = _lstm_gradients(_ArrayMath, grad_hy._data, grad_cy._data, parts, hx._data,
                            cx._data, weight_hh._data, _raw(weight_hr))
    return _wrap(grads, grad_hy)


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


def _gru_gradients(math, grad_hy, parts, hx, weight_hh, bias_hh):
    """Gradients of one GRU step for (gates_x, hx, weight_hh, bias_hh)."""
    reset_gate, update_gate, new_gate, hidden_new = parts
    grad_new = grad_hy * (1 - update_gate) * (1 - new_gate * new_gate)
    grad_update = grad_hy * (hx - new_gate) * update_gate * (1 - update_gate)
    grad_reset = grad_new * hidden_new * reset_gate * (1 - reset_gate)
    grad_gates_x = math.cat([grad_reset, grad_update, grad_new])
    grad_gates_h = math.cat([grad_reset, grad_update, grad_new * reset_gate])
    grad_bias_hh = None if bias_hh is None else grad_gates_h.sum(0)
    return (grad_gates_x, grad_hy * update_gate + grad_gates_h @ weight_hh,
            grad_gates_h.T @ hx, grad_bias_hh)


def gru_step_function(weight_hh, bias_hh=None):
    """The GRU time step of one layer direction (see Note [Fused recurrent cells]):
    ``step(gates_x, hx) -> hy``, one node per call.

    Args:
        weight_hh: ``(3 * hidden, hidden)``; bias_hh: ``(3 * hidden)`` or None
    The step takes ``gates_x`` ``(batch, 3 * hidden)``, the input's share of the gates with
    ``bias_ih``, and ``hx`` ``(batch, hidden)``."""
    weight_hh_t = _transposed(weight_hh)
    bias = _raw(bias_hh)

    def step(gates_x, hx):
        hy, parts = _gru_step(_ArrayMath, gates_x._data, hx._data, weight_hh_t, bias)
        (hy,) = _wrap((hy,), gates_x)
        inputs = (gates_x, hx, weight_hh, bias_hh)
        if needs_grad(*inputs):
            record("ThnnFusedGruCellBackward0", _gru_cell_backward, inputs, (hy,),
                   saved=(*inputs, *parts))
        return hy

    return step


def _gru_cell_backward(ctx, grad_hy):
    gates_x, hx, weight_hh, bias_hh, *parts = ctx.saved_tensors
    if _grad_state.enabled:
        _, parts = _gru_step(_TensorMath, gates_x, hx, weight_hh.T, bias_hh)
        return _gru_gradients(_TensorMath, grad_hy, parts, hx, weight_hh, bias_hh)
    grads = _gru_gradients(_ArrayMath, grad_hy._data, parts, hx._data, weight_hh._data,
                           _raw(bias_hh))
    return _wrap(grads, grad_hy)


# --- time steps ------------------------------------------------------------------------


def _split_array(data, sizes):
    if sizes is None:
        return list(data)
    bounds = _cpu.cumsum(sizes)[:-1]
    return _cpu.split(data, bounds)


def _join_arrays(arrays, sizes):
    return _cpu.stack(arrays) if sizes is None else _cpu.concatenate(arrays)


def split_steps(input, sizes=None):
    """A layer's gate inputs per time step: ``input.unbind(0)`` of a padded ``(T, B, G)``
    input, or ``input.split(sizes)`` of packed rows ``(N, G)``, as one node whose backward
    joins the steps' gradients with one backend call.

    The pieces alias ``input``'s memory without being views of it: they only ever feed the
    layer's steps, which never write to them."""
    pieces = tuple(_make(piece, input._dtype, input._device)
                   for piece in _split_array(input._data, sizes))
    if needs_grad(input):
        name = "UnbindBackward0" if sizes is None else "SplitWithSizesBackward0"
        record(name, _join_backward, (input,), pieces, sizes=sizes)
    return pieces


def _join_backward(ctx, *grads):
    if _grad_state.enabled:
        return stack(grads) if ctx.sizes is None else cat(grads)
    return _wrap((_join_arrays([g._data for g in grads], ctx.sizes),), grads[0])


def join_steps(outputs, sizes=None):
    """The steps' outputs as one tensor: ``stack(outputs)`` (``sizes`` None) or
    ``cat(outputs)`` of packed rows, as one node whose backward splits the gradient."""
    (result,) = _wrap((_join_arrays([o._data for o in outputs], sizes),), outputs[0])
    if needs_grad(*outputs):
        name = "StackBackward0" if sizes is None else "CatBackward0"
        record(name, _split_backward, outputs, (result,), sizes=sizes)
    return result


def _split_backward(ctx, grad):
    if _grad_state.enabled:
        return grad.unbind(0) if ctx.sizes is None else grad.split(ctx.sizes)
    return _wrap(_split_array(grad._data, ctx.sizes), grad)
