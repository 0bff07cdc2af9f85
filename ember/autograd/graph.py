"""The recorded graph: nodes, edges, saved tensors, and the backward engine.

Note [The autograd graph]
Each op that runs while grad mode is on and some input requires grad records one Node and
makes it the ``grad_fn`` of its outputs. A Node holds edges to the nodes of its inputs
(``next_functions``: the input's grad_fn, or for a leaf its AccumulateGrad node), the tensors
its backward formula needs (SavedTensor, with the version they had), and the formula itself.
References point from outputs to nodes and from nodes to their inputs' nodes, never back:
an output a node saves is stored as an alias that shares its memory and version counter but
not the output itself, and re-attached when unpacked; a Function's ctx drops what it was
asked to save once that is stored so; and a leaf keeps only a weak reference to its
AccumulateGrad node. So a graph is freed by reference counting as soon as its last output
goes away. Backward runs nodes in dependency order (grad mode on only for create_graph, hooks
included), the most recently recorded ready node first, ties (leaves) first in, first out.
Backward frees what nodes saved unless retain_graph; a node that saved a tensor (or what
PyTorch saves as one: a number operand of a binary op, an advanced index) then refuses to run
again, as PyTorch's does.
"""

from __future__ import annotations

import heapq
import itertools
import sys
import threading
import traceback
import warnings
import weakref

from ember._tensor import _make
from ember.autograd import grad_mode
from ember.backends.cpu import ndarray as _ndarray

_sequence = itertools.count()
# Ties in the ready queue (leaves' AccumulateGrad nodes) go first in, first out.
_pushes = itertools.count()
_anomaly = {"enabled": False, "check_nan": True}


class _SavedTensorsHooks(threading.local):
    stack = ()


_saved_tensors_hooks = _SavedTensorsHooks()


class saved_tensors_hooks:
    """Within the block, every tensor saved for backward is stored as ``pack_hook(tensor)``
    and given back to its backward formula as ``unpack_hook(packed)``."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        _saved_tensors_hooks.stack = (*_saved_tensors_hooks.stack,
                                      (self.pack_hook, self.unpack_hook))

    def __exit__(self, *exc_info):
        _saved_tensors_hooks.stack = _saved_tensors_hooks.stack[:-1]


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors kept in CPU memory during the block (ember's tensors already are)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda"):
        super().__init__(lambda tensor: (tensor.device, tensor.cpu()),
                         lambda packed: packed[1].to(packed[0]))


class SavedTensor:
    """A tensor a backward formula needs, with its version at save time; ``output_nr`` is
    its position among the saving node's outputs, None for an input."""

    __slots__ = ("_tensor", "_version", "_output_nr", "_unpack_hook")

    def __init__(self, tensor, output_nr):
        if tensor.is_inference():
            raise RuntimeError(
                "Inference tensors cannot be saved for backward. Please do not use Tensors "
                "created in inference mode in computation tracked by autograd. To work around "
                "this, you can make a clone to get a normal tensor and use it in autograd, or "
                "use `torch.no_grad()` instead of `torch.inference_mode()`.")
        is_output = output_nr is not None
        self._tensor = _untracked_alias(tensor) if is_output else tensor
        self._version = tensor._version
        self._output_nr = output_nr
        self._unpack_hook = None
        if _saved_tensors_hooks.stack:  # the innermost saved_tensors_hooks packs it
            pack, self._unpack_hook = _saved_tensors_hooks.stack[-1]
            self._tensor = pack(self._tensor)

    def unpack(self, node: Node):
        tensor = self._tensor
        if self._unpack_hook is not None:
            tensor = self._unpack_hook(tensor)
        elif tensor._version != self._version:
            raise RuntimeError(self._modified_message(tensor, node))
        if self._output_nr is not None:
            from ember.ops.views import detach

            tensor = detach(tensor)
            tensor._requires_grad = True
            tensor._grad_fn = node
            tensor._output_nr = self._output_nr
        return tensor

    def _modified_message(self, tensor, node):
        # PyTorch names the producing node without "Backward": the saving node for a saved
        # output, the tensor's grad_fn now (after the in-place op) for a saved input.
        is_output = self._output_nr is not None
        if not is_output and tensor._base is not None:
            _refresh_view(tensor)
        producer = node if is_output else tensor._grad_fn
        which = "" if producer is None else (
            f", which is output {self._output_nr if is_output else tensor._output_nr} of "
            f"{_short_name(producer)},")
        hint = ("the backtrace further above shows the operation that failed to compute its "
                "gradient. The variable in question was changed in there or anywhere later. "
                "Good luck!" if _anomaly["enabled"] else
                "enable anomaly detection to find the operation that failed to compute its "
                "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
        return ("one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [torch.{tensor._dtype._legacy_name}Tensor "
                f"{list(tensor._data.shape)}]{which} is at version {tensor._version}; expected "
                f"version {self._version} instead. Hint: {hint}")


def _untracked_alias(tensor):
    """``tensor``'s values and version counter in a tensor that holds no reference to it
    (detach() would keep it as its storage owner: a cycle through the saving node)."""
    from ember._tensor import _make

    alias = _make(tensor._data, tensor._dtype, tensor._device)
    alias._version_counter = tensor._shared_version_counter()
    return alias


def _short_name(node):
    """The node's name as PyTorch's error messages give it (MulBackward0: Mul, TBackward1:
    T1)."""
    return node.name().replace("Backward0", "").replace("Backward", "")


_FREED = ("Trying to backward through the graph a second time (or directly access saved "
          "tensors after they have already been freed). Saved intermediate values of the graph "
          "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True "
          "if you need to backward through the graph a second time or if you need to access "
          "saved tensors after calling backward.")


class Node:
    """A recorded op (a ``grad_fn``): maps gradients of its outputs to gradients of its
    inputs. Built-in ops and ``autograd.Function`` both record this one node type; the node
    is also the ``ctx`` its backward formula receives."""

    # Defaults that most nodes keep: class attributes spare the hot path the writes.
    _saved = ()
    _frees_saved = False
    _released = False
    _output_metadata = ()
    _pre_hooks = None
    _post_hooks = None
    _tensor_hooks = None
    _retained = None
    _materialize_grads = True
    _non_differentiable = ()

    def __init__(self, name: str, backward, inputs, outputs=()):
        self._name = name
        self._backward = backward
        edges, needs, metadata = [], [], []
        for x in inputs:
            requires = getattr(x, "_requires_grad", None)
            if requires is None:  # not a tensor
                edges.append(_NO_EDGE)
                needs.append(False)
                metadata.append(None)
                continue
            if x._base is not None:
                edges.append(edge_of(x))
            elif not requires:
                edges.append(_NO_EDGE)
            elif x._grad_fn is not None:
                edges.append((x._grad_fn, x._output_nr))
            else:
                edges.append((grad_accumulator(x), 0))
            needs.append(requires)
            metadata.append((x._data.shape, x._dtype))
        self.next_functions = tuple(edges)
        self.needs_input_grad = tuple(needs)
        self._input_metadata = tuple(metadata)
        self._sequence_nr = next(_sequence)
        if _anomaly["enabled"]:
            self._forward_trace = "".join(traceback.format_stack()[:-2])

    def name(self) -> str:
        return self._name

    def __repr__(self):
        return f"<{self._name} object at {hex(id(self))}>"

    # --- ctx API -------------------------------------------------------------------------

    def save_for_backward(self, *tensors):
        for index, value in enumerate(tensors):
            if value is not None and not hasattr(value, "_requires_grad"):
                raise TypeError(f"save_for_backward can only save variables, but argument "
                                f"{index} is of type {type(value).__name__}")
        self._to_save = tensors

    @property
    def metadata(self) -> dict:
        """A dict for the user's own notes on this node."""
        if "_metadata" not in self.__dict__:
            self._metadata = {}
        return self._metadata

    def _save(self, values, outputs=()):
        """Keep ``values`` for backward: tensors as SavedTensor, anything else as is."""
        saved = []
        for value in values:
            if hasattr(value, "_requires_grad"):
                output_nr = None
                for index, output in enumerate(outputs):
                    if value is output:
                        output_nr = index
                        break
                value = SavedTensor(value, output_nr)
                self._frees_saved = True
            saved.append(value)
        self._saved = tuple(saved)

    @property
    def saved_tensors(self):
        if self._released:
            raise RuntimeError(_FREED)
        return tuple(v.unpack(self) if v.__class__ is SavedTensor else v for v in self._saved)

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool):
        self._materialize_grads = value

    # --- hooks ---------------------------------------------------------------------------

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node; may return new
        grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = {}
        return _add_hook(self._post_hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return _add_hook(self._pre_hooks, fn)

    def _register_tensor_hook(self, output_nr, fn):
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        return _add_hook(self._tensor_hooks.setdefault(output_nr, {}), fn)

    def _register_retain_grad(self, output_nr, tensor):
        if self._retained is None:
            self._retained = {}
        self._retained[output_nr] = weakref.ref(tensor)

    def __call__(self, *grad_outputs):
        return self._apply(list(grad_outputs), create_graph=grad_mode.state.enabled)

    # --- running ---------------------------------------------------------------------------

    def _apply(self, grad_outputs, create_graph):
        if self._released:
            raise RuntimeError(_FREED)
        if self._materialize_grads:
            for grad in grad_outputs:  # ``None in`` would compare tensors with None by value
                if grad is None:
                    self._materialize(grad_outputs)
                    break
        state = grad_mode.state
        if state.enabled == create_graph:  # as the engine sets it for the whole backward
            grads = self._backward(self, *grad_outputs)
        else:
            previous = state.enabled
            state.enabled = create_graph
            try:
                grads = self._backward(self, *grad_outputs)
            finally:
                state.enabled = previous
        if grads.__class__ is not tuple:
            grads = (grads,)
        expected = len(self.next_functions)
        if len(grads) != expected:
            if len(grads) > expected and all(g is None for g in grads[expected:]):
                grads = grads[:expected]
            else:
                raise RuntimeError(f"function {self._name} returned an incorrect number of "
                                   f"gradients (expected {expected}, got {len(grads)})")
        conformed = []
        for grad, needed, metadata in zip(grads, self.needs_input_grad, self._input_metadata):
            if grad is None or not needed:
                conformed.append(None)
            elif grad._data.shape == metadata[0] and grad._dtype is metadata[1]:
                conformed.append(grad)
            else:
                conformed.append(self._conform(len(conformed), grad))
        return tuple(conformed)

    def _materialize(self, grad_outputs):
        """Zeros for the missing gradients of outputs, in place."""
        from ember.ops.creation import zeros

        for index, grad in enumerate(grad_outputs):
            if grad is None and index < len(self._output_metadata):
                shape, dtype, device = self._output_metadata[index]
                grad_outputs[index] = zeros(shape, dtype=dtype, device=device)

    def _conform(self, index, grad):
        """``grad`` reduced to the shape (undoing broadcasting) and dtype of input
        ``index``, as every backward formula needs."""
        if grad is None or not self.needs_input_grad[index]:
            return None
        shape, dtype = self._input_metadata[index]
        if grad._data.shape != shape:
            grad = _sum_to(grad, shape, self._name, index)
        if grad._dtype is not dtype:
            if grad._dtype.is_complex and not dtype.is_complex:
                grad = grad.real  # a real input's gradient is the real part, as in PyTorch
            grad = grad.to(dtype)
        return grad

    def _release(self):
        if self._frees_saved:
            self._released = True
            self._saved = ()


class AccumulateGrad(Node):
    """The node of a leaf tensor: adds incoming gradients into ``variable.grad``."""

    _name = "torch::autograd::AccumulateGrad"
    next_functions = ()
    needs_input_grad = ()
    _input_metadata = ()
    _sequence_nr = float("inf")  # ready leaves accumulate first

    def __init__(self, variable):
        self.variable = variable
        self._output_metadata = ((variable._data.shape, variable._dtype, variable._device),)

    def _apply(self, grad_outputs, create_graph):
        (grad,) = grad_outputs
        variable = self.variable
        if grad is None:
            return ()
        if variable._grad is None:
            if create_graph and grad._requires_grad:
                variable._grad = _copy_into_grad(grad)
            elif (_CAN_STEAL and not grad_mode.state.enabled
                  and grad._data.strides == variable._data.strides
                  and sys.getrefcount(grad) == _ENGINE_GRAD_REFERENCES
                  and _only_reference(grad)):
                variable._grad = _make(grad._data, grad._dtype, grad._device)
            else:
                variable._grad = _new_grad(grad, variable)
        elif create_graph or grad_mode.state.enabled and variable._grad._requires_grad:
            variable._grad = variable._grad + grad
        else:
            variable._grad.add_(grad.detach())
        hooks = getattr(variable, "_post_accumulate_grad_hooks", None)
        if hooks:
            for hook in list(hooks.values()):
                hook(variable)
        return ()


# Note [Stealing gradients]
# A leaf's first gradient is usually a fresh array that nothing else will ever see (the
# product or sum a backward formula just made): PyTorch then takes it over as ``.grad``
# instead of copying it, and so does AccumulateGrad. It may do so only when no one else can
# reach the memory: not the caller (an engine run holds ``grad`` once in the node's list of
# incoming gradients, plus ``_apply``'s local and getrefcount's argument; the engine drops
# its other references before running a node), not another tensor (a view of the same base,
# an alias sharing the array, as detach() and saved outputs make), not a NumPy view, not a
# storage. Each object that leads to the memory must be referenced only from the others;
# anything more (a hook that kept the gradient, the same gradient flowing into two leaves)
# makes AccumulateGrad copy. tests/autograd/test_accumulate_grad.py checks both directions.
_ENGINE_GRAD_REFERENCES = 3
# the counts hold on CPython 3.10 to 3.13; elsewhere (other reference counting) copy
_CAN_STEAL = sys.implementation.name == "cpython" and sys.version_info < (3, 14)


def _only_reference(grad):
    """Whether ``grad`` (a tensor held only by the engine) is the only way to its memory.
    The counts below include getrefcount's argument and this function's locals."""
    data = grad._data
    owner = data if data.base is None else data.base
    if owner.__class__ is not _ndarray or not owner.flags.owndata:
        return False
    base = grad._base
    if base is None:
        if grad._storage is not None:
            return False
        if data is owner:  # grad._data, data, owner, the argument
            return sys.getrefcount(data) == 4
        # data: grad._data, data, the argument; owner: data.base, owner, the argument
        return sys.getrefcount(data) == 3 and sys.getrefcount(owner) == 3
    base_data = base._data
    if (data is owner or base._storage is not None or grad._storage is not base
            or sys.getrefcount(base) != 4  # grad._base, grad._storage, base, the argument
            or sys.getrefcount(data) != 3):
        return False
    if base_data is owner:  # data.base, base._data, base_data, owner, the argument
        return sys.getrefcount(owner) == 5
    # base_data: base._data, base_data, the argument; owner: both .base, owner, the argument
    return (base_data.base is owner and sys.getrefcount(base_data) == 3
            and sys.getrefcount(owner) == 4)


def _new_grad(grad, variable):
    """A first ``.grad``: a copy of ``grad`` laid out as ``variable`` where that is dense,
    as PyTorch's layout contract for gradients has it."""
    from ember.ops.creation import empty_like

    with grad_mode.no_grad():
        if grad._data.strides == variable._data.strides:
            return grad.detach().clone()
        return empty_like(variable, dtype=grad._dtype).copy_(grad)


def _copy_into_grad(grad):
    """A copy of ``grad`` that stays in its graph: PyTorch copies a first gradient that
    requires grad into a fresh ``.grad``, recorded as CopyBackwards."""
    from ember.ops._autograd import record_op

    with grad_mode.no_grad():
        copy = grad.clone()
    record_op("torch::autograd::CopyBackwards", (lambda incoming: incoming,), (grad,), (copy,))
    return copy


def _add_hook(hooks: dict, fn):
    from ember.utils.hooks import RemovableHandle  # ember.utils builds on autograd

    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return handle


def _sum_to(grad, shape, name, index):
    """Sum ``grad`` over the dims that broadcasting added or expanded to reach its shape."""
    lead = grad._data.ndim - len(shape)
    if lead < 0:
        raise RuntimeError(f"Function {name} returned an invalid gradient at index {index} - "
                           f"got {list(grad._data.shape)} but expected shape compatible with "
                           f"{list(shape)}")
    dims = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad._data.shape[lead + i] != 1)
    for i, n in enumerate(shape):
        if n != 1 and grad._data.shape[lead + i] != n:
            raise RuntimeError(f"Function {name} returned an invalid gradient at index "
                               f"{index} - got {list(grad._data.shape)} but expected shape "
                               f"compatible with {list(shape)}")
    if dims and dims[-1] < lead:  # only leading dims go: the sum has the shape already
        return grad.sum(dims)
    if dims:
        grad = grad.sum(dims, keepdim=True)
    return grad.view(shape) if grad._data.shape != shape else grad


_NO_EDGE = (None, 0)


def edge_of(value):
    """(node, output_nr) through which gradient flows back into ``value``."""
    if getattr(value, "_base", None) is not None:
        _refresh_view(value)
        if value._grad_fn is None and not getattr(value, "_view_version", (0, True))[1]:
            return (None, 0)  # made in no_grad mode: requires grad, yet leads nowhere
    if not getattr(value, "_requires_grad", False):
        return (None, 0)
    node = value._grad_fn
    if node is not None:
        return (node, value._output_nr)
    return (grad_accumulator(value), 0)


def _refresh_view(view):
    from ember.ops._autograd import refresh_view  # see Note [View histories]

    refresh_view(view)


def grad_accumulator(leaf):
    """The leaf's AccumulateGrad node, shared by every op that uses the leaf while alive."""
    reference = leaf._grad_accumulator
    node = reference() if reference is not None else None
    if node is None:
        node = AccumulateGrad(leaf)
        leaf._grad_accumulator = weakref.ref(node)
    return node


def attach(node: Node, outputs) -> None:
    """Make ``node`` the grad_fn of ``outputs`` (the differentiable results of its op)."""
    node._output_metadata = tuple([(t._data.shape, t._dtype, t._device) for t in outputs])
    for output_nr, tensor in enumerate(outputs):
        if tensor._dtype.is_floating_point or tensor._dtype.is_complex:
            tensor._requires_grad = True
            tensor._grad_fn = node
            tensor._output_nr = output_nr


# --- the engine ---------------------------------------------------------------------------


def _graph_nodes(root_nodes):
    """Every node reachable from ``root_nodes`` with the number of edges into it."""
    dependencies = {}
    stack = list(root_nodes)
    roots = set(stack)
    order = list(stack)
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            count = dependencies.get(child)
            if count is None:  # found now
                dependencies[child] = 1
                if child not in roots:
                    stack.append(child)
                    order.append(child)
            else:
                dependencies[child] = count + 1
    return order, dependencies


def _needed_nodes(order, targets):
    """The nodes from which some target node can be reached (targets included)."""
    needed = set(map(id, targets))
    changed = True
    while changed:
        changed = False
        for node in order:
            if id(node) not in needed and any(
                    child is not None and id(child) in needed
                    for child, _ in node.next_functions):
                needed.add(id(node))
                changed = True
    return needed


def _add_into(buffer, index, grad):
    current = buffer[index]
    buffer[index] = grad if current is None else current + grad


def run_backward(roots, root_grads, retain_graph: bool, create_graph: bool,
                 capture=None, accumulate_into=None):
    """Propagate ``root_grads`` from ``roots`` through the graph.

    With ``capture`` (a list of (node, output_nr) edges), return the gradient arriving at
    each edge instead of accumulating into leaves (autograd.grad). With
    ``accumulate_into`` (a list of tensors), only those tensors' ``.grad`` are updated."""
    root_edges = [edge_of(t) for t in roots]
    root_nodes = [node for node, _ in root_edges]
    order, dependencies = _graph_nodes(dict.fromkeys(root_nodes))
    targets = None
    captured = None
    capture_at = {}
    if capture is not None:
        captured = [None] * len(capture)
        for position, (node, output_nr) in enumerate(capture):
            if node is not None:
                capture_at.setdefault(id(node), []).append((output_nr, position))
        targets = [node for node, _ in capture if node is not None]
    elif accumulate_into is not None:
        targets = [edge_of(t)[0] for t in accumulate_into]
        targets = [node for node in targets if node is not None]
    needed = _needed_nodes(order, targets) if targets is not None else None
    buffers = {}
    for (node, output_nr), grad in zip(root_edges, root_grads):
        buffer = buffers.setdefault(node, [None] * _output_count(node))
        _add_into(buffer, output_nr, grad)
    ready = []
    for node in dict.fromkeys(root_nodes):
        if dependencies.get(node, 0) == 0:
            heapq.heappush(ready, (-node._sequence_nr, next(_pushes), node))
    # Hooks too run with grad mode on only for create_graph, as in PyTorch's engine.
    previous = grad_mode.state.enabled
    grad_mode.state.enabled = create_graph
    try:
        _run_ready(ready, buffers, dependencies, needed, capture, capture_at, captured,
                   retain_graph, create_graph)
    finally:
        grad_mode.state.enabled = previous
    return captured


def _run_ready(ready, buffers, dependencies, needed, capture, capture_at, captured,
               retain_graph, create_graph):
    while ready:
        _, _, node = heapq.heappop(ready)
        grads = buffers.pop(node, None) or [None] * _output_count(node)
        if node._tensor_hooks or node._retained or node._pre_hooks or (
                node.__class__ is AccumulateGrad and node.variable._backward_hooks):
            grads = _run_pre_hooks(node, grads)
        if capture_at and id(node) in capture_at:
            for output_nr, position in capture_at[id(node)]:
                captured[position] = grads[output_nr]
        runs = needed is None or id(node) in needed
        if capture is not None and node.__class__ is AccumulateGrad:
            runs = False
        if runs:
            grad_inputs = node._apply(grads, create_graph)
            if node._post_hooks:
                grad_inputs = _run_post_hooks(node, grad_inputs, grads)
            if _anomaly["enabled"]:
                _check_anomaly(node, grad_inputs)
            if not retain_graph:
                node._release()
        else:
            grad_inputs = (None,) * len(node.next_functions)
        for (child, output_nr), grad in zip(node.next_functions, grad_inputs):
            if child is None:
                continue
            if grad is not None:
                buffer = buffers.get(child)
                if buffer is None:
                    buffer = buffers[child] = [None] * _output_count(child)
                    buffer[output_nr] = grad
                else:
                    _add_into(buffer, output_nr, grad)
            remaining = dependencies[child] - 1
            dependencies[child] = remaining
            if not remaining:
                heapq.heappush(ready, (-child._sequence_nr, next(_pushes), child))
        grad = grad_inputs = None  # only the buffers hold gradients (Note [Stealing gradients])


def _output_count(node):
    return max(len(node._output_metadata), 1)


def _run_pre_hooks(node, grads):
    if node._tensor_hooks:
        for output_nr, hooks in node._tensor_hooks.items():
            for hook in list(hooks.values()):
                if grads[output_nr] is not None:
                    grads[output_nr] = _call_tensor_hook(hook, grads[output_nr])
    if node._retained:
        for output_nr, reference in node._retained.items():
            tensor, grad = reference(), grads[output_nr]
            if tensor is not None and grad is not None:
                tensor._grad = grad.detach().clone() if tensor._grad is None else (
                    tensor._grad + grad.detach())
    if isinstance(node, AccumulateGrad):
        hooks = node.variable._backward_hooks
        if hooks and grads[0] is not None:
            for hook in list(hooks.values()):
                grads[0] = _call_tensor_hook(hook, grads[0])
    if node._pre_hooks:
        for hook in list(node._pre_hooks.values()):
            replaced = hook(tuple(grads))
            if replaced is not None:
                grads = list(replaced)
    return grads


def _call_tensor_hook(hook, grad):
    """``hook(grad)``, or the replacement it returns, which must match ``grad``'s type and
    size."""
    replaced = hook(grad)
    if replaced is None:
        return grad
    name = getattr(hook, "__name__", type(hook).__name__)
    if replaced._dtype is not grad._dtype or replaced._device != grad._device:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                           f"{grad.type()} got {replaced.type()})")
    if replaced._data.shape != grad._data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    return replaced


def _run_post_hooks(node, grad_inputs, grad_outputs):
    if node._post_hooks:
        for hook in list(node._post_hooks.values()):
            replaced = hook(grad_inputs, tuple(grad_outputs))
            if replaced is not None:
                grad_inputs = _checked_replacement(hook, grad_inputs, tuple(replaced))
    return grad_inputs


def _checked_replacement(hook, grad_inputs, replaced):
    if len(replaced) != len(grad_inputs):
        name = getattr(hook, "__name__", type(hook).__name__)
        raise RuntimeError(f"hook '{name}' has returned an incorrect number of values (got "
                           f"{len(replaced)}, but expected {len(grad_inputs)})")
    for old, new in zip(grad_inputs, replaced):
        if old is None and new is not None:
            raise RuntimeError("can't replace a None gradient with a non-None value")
    return replaced


def _check_anomaly(node, grad_inputs):
    if not _anomaly["check_nan"]:
        return
    for index, grad in enumerate(grad_inputs):
        if grad is not None and grad.isnan().any():
            trace = getattr(node, "_forward_trace", "")
            warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that "
                          f"caused the error:\n{trace}", UserWarning, stacklevel=2)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {index}th "
                               "output.")
