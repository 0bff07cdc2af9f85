"""``backward`` and ``grad``: the user-facing entries into the backward engine."""

from __future__ import annotations

from ember.autograd.graph import edge_of, run_backward

__all__ = ["backward", "grad"]


def _as_tuple(values):
    if values is None:
        return None
    if isinstance(values, list | tuple):
        return tuple(values)
    return (values,)


def _root_grads(outputs, grad_outputs, create_graph):
    """The gradient to start from for each output: given, or ones for a scalar output."""
    from ember.ops.creation import ones_like

    grad_outputs = (None,) * len(outputs) if grad_outputs is None else grad_outputs
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad requires one gradient per output: got {len(grad_outputs)} "
                           f"gradients for {len(outputs)} outputs")
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
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    _check_roots(outputs)
    root_grads = _root_grads(outputs, grad_tensors, create_graph)
    if inputs is None:
        run_backward(outputs, root_grads, retain_graph, create_graph)
        return
    for tensor in inputs:
        if not tensor._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    captured = run_backward(outputs, root_grads, retain_graph, create_graph,
                            capture=[edge_of(t) for t in inputs])
    from ember.autograd.graph import AccumulateGrad

    for tensor, grad in zip(inputs, captured):
        if grad is not None:
            AccumulateGrad(tensor)._apply([grad], create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused=None, is_grads_batched: bool = False,
         materialize_grads: bool = False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned, not accumulated."""
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
    captured = run_backward(outputs, root_grads, retain_graph, create_graph,
                            capture=[edge_of(t) for t in inputs_tuple])
    results = []
    for tensor, value in zip(inputs_tuple, captured):
        if value is None:
            if materialize_grads:
                from ember.ops.creation import zeros_like

                value = zeros_like(tensor)
            elif not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been "
                                   "used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
        results.append(value)
    return tuple(results)
