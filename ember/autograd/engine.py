"""``backward`` and ``grad``: the user-facing entries into the backward engine."""

from __future__ import annotations

import threading
import warnings

from ember.autograd.graph import edge_of, run_backward

__all__ = ["backward", "grad"]


def _as_tuple(values):
    if values is None:
        return None
    if hasattr(values, "_requires_grad"):
        return (values,)
    return tuple(values)


def _root_grads(outputs, grad_outputs, create_graph):
    """The gradient to start from for each output: given, or ones for a scalar output."""
    from ember.ops.creation import ones_like

    grad_outputs = (None,) * len(outputs) if grad_outputs is None else grad_outputs
    if len(grad_outputs) < len(outputs):  # extra gradients are ignored, as in PyTorch
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grad_outputs)} gradients")
    grads = []
    for index, (output, grad) in enumerate(zip(outputs, grad_outputs)):
        if grad is None:
            if output._requires_grad and output._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if output._requires_grad and not output._dtype.is_floating_point:
                raise RuntimeError("grad can be implicitly created only for real scalar "
                                   f"outputs but got {output._dtype}")
            grad = ones_like(output)
        elif not hasattr(grad, "_requires_grad"):
            from ember.ops.creation import full_like

            grad = full_like(output, grad)
        elif grad._data.shape != output._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{index}] has a shape of "
                               f"{_size_text(grad)} and output[{index}] has a shape of "
                               f"{_size_text(output)}.")
        grads.append(grad if create_graph else grad.detach())
    return grads


def _size_text(tensor):
    return f"torch.Size({list(tensor._data.shape)})"


def _check_roots(outputs):
    for index, output in enumerate(outputs):
        if not output._requires_grad:
            raise RuntimeError(f"element {index} of tensors does not require grad and does not "
                               "have a grad_fn")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             grad_variables=None, inputs=None) -> None:
    """Accumulate into the ``.grad`` of leaves the gradient of ``tensors``."""
    outputs = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors if grad_tensors is not None else grad_variables)
    if retain_graph is None:
        retain_graph = create_graph
    inputs = _as_tuple(inputs)
    if inputs is not None and not inputs:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    _check_roots(outputs)
    root_grads = _root_grads(outputs, grad_tensors, create_graph)
    if create_graph:
        _warn_create_graph_cycle()
    if inputs is None:
        run_backward(outputs, root_grads, retain_graph, create_graph)
        return
    for tensor in inputs:
        if not tensor._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        # a non-leaf input gets its gradient in .grad as retain_grad() gives it
        tensor.retain_grad()
    captured = _capture_grads(outputs, root_grads, retain_graph, create_graph, inputs)
    from ember.autograd.graph import AccumulateGrad

    for tensor, grad in zip(inputs, captured):
        if grad is not None and tensor._grad_fn is None:
            AccumulateGrad(tensor)._apply([grad], create_graph)


class _CheckpointState(threading.local):
    valid = True


_checkpoint_state = _CheckpointState()


def _is_checkpoint_valid() -> bool:
    """False while a backward pass started by grad() or backward(inputs=...) runs, in this
    thread or around it: such a pass delivers gradients only where the inputs are, which a
    reentrant checkpoint's inner backward cannot reach."""
    return _checkpoint_state.valid


def _capture_grads(outputs, root_grads, retain_graph, create_graph, inputs):
    """The gradients of ``outputs`` that reach ``inputs``, with _is_checkpoint_valid() False
    meanwhile."""
    previous, _checkpoint_state.valid = _checkpoint_state.valid, False
    try:
        return run_backward(outputs, root_grads, retain_graph, create_graph,
                            capture=[edge_of(t) for t in inputs])
    finally:
        _checkpoint_state.valid = previous


_create_graph_warned = False


def _warn_create_graph_cycle():
    global _create_graph_warned
    if not _create_graph_warned:  # once per process, as PyTorch's engine warns
        _create_graph_warned = True
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after "
            "use to break the cycle and avoid the leak.", UserWarning, stacklevel=3)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused=None, is_grads_batched: bool = False,
         materialize_grads: bool = False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned, not accumulated."""
    if is_grads_batched:
        return _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph,
                             allow_unused, materialize_grads)
    outputs = _as_tuple(outputs)
    inputs_tuple = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if retain_graph is None:
        retain_graph = create_graph
    _check_roots(outputs)
    for tensor in inputs_tuple:
        if not tensor._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    root_grads = _root_grads(outputs, _as_tuple(grad_outputs), create_graph)
    captured = _capture_grads(outputs, root_grads, retain_graph, create_graph, inputs_tuple)
    results = []
    for index, (tensor, value) in enumerate(zip(inputs_tuple, captured)):
        if value is None:
            if materialize_grads:
                from ember.ops.creation import zeros_like

                value = zeros_like(tensor)
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {index} appears to not "
                                   "have been used in the graph. Set allow_unused=True if this "
                                   "is the desired behavior.")
        results.append(value)
    return tuple(results)


def _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
                  materialize_grads):
    """``grad`` for each slice along the first dim of every grad_output, stacked."""
    from ember.ops.joining import stack

    grad_outputs = _as_tuple(grad_outputs)
    count = grad_outputs[0]._data.shape[0]
    rows = [grad(outputs, inputs, [g[index] for g in grad_outputs],
                 retain_graph=True if index < count - 1 else retain_graph,
                 create_graph=create_graph, allow_unused=allow_unused,
                 materialize_grads=materialize_grads)
            for index in range(count)]
    return tuple(None if column[0] is None else stack(column) for column in zip(*rows))
