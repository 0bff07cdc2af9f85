"""How the profiler sees every op without slowing ember down when it is off.

Note [Profiling by swapping ops]
ember's ops are plain Python functions reached through module globals, namespaces
(``ember``, ``ember.nn.functional``, ``ember.linalg``, ...) and Tensor's methods and
operators. While a profiler runs, each op function is replaced in all those places by a
timing wrapper (one per function, named as torch names the op: ``aten::add``), and
backward nodes' ``_apply`` likewise; stopping puts the originals back. An op calling
another op goes through a module global or a method, so nested calls are seen and nest
(``aten::linear`` > ``aten::matmul``). With no profiler running, the op path is exactly
what it is without this module: the cost when off is zero, not even a flag check. Only a
reference to an op taken while a profiler ran (``f = ember.add``) keeps its wrapper; the
wrapper then checks one flag and calls the op.
Optimizer steps and DataLoader batches get torch's labels the same way, and an op calling
another form of itself (``a + b`` calling ``add``) stays one event."""

from __future__ import annotations

import functools
import math
import os
import sys
import threading
import time
import types

from ember._tensor import Tensor
from ember.autograd.graph import Node
from ember.ops import backward_ops, losses, special
from ember.profiler._events import CPU_OP, USER_ANNOTATION, FunctionEvent

_PROFILER_ROOT = os.path.dirname(__file__)

# The namespaces users call ops through, with the prefix torch's op names carry there
# (torch.linalg.inv is aten::linalg_inv). A function found in several takes its name from
# the first (ember.special.log_softmax is aten::log_softmax).
_OP_NAMESPACES = (("ember", ""), ("ember.nn.functional", ""), ("ember.linalg", "linalg_"),
                  ("ember.fft", "fft_"), ("ember.special", "special_"))
# Where ember defines ops; anything else in a namespace (dtype helpers, seeding) is no op.
_OP_HOMES = ("ember.ops.", "ember.nn._functional.", "ember.fft", "ember.linalg",
             "ember.special")

# Names that differ from the Python name (torch's aten op for the Python function).
_ATEN_NAMES = {
    "cross_entropy": "cross_entropy_loss", "truediv": "div", "floordiv": "floor_divide",
    "mod": "remainder", "invert": "bitwise_not", "pos": "positive", "concat": "cat",
    "concatenate": "cat", "swapaxes": "transpose", "swapdims": "transpose",
}
# Tensor methods defined in _tensor.py that are ops in torch (conversions are aten::to).
_TENSOR_CONVERSIONS = ("to", "type", "cpu", "cuda", "float", "double", "half", "bfloat16",
                       "long", "int", "short", "char", "byte", "bool", "cfloat", "cdouble",
                       "type_as")
_TENSOR_OPS = ("item", "set_", "resize_", "resize_as_")
# Ops that backward formulas call (Note [Backward ops]): where each is defined, and torch's
# name for it.
_BACKWARD_OPS = (
    (backward_ops, "threshold_backward", "aten::threshold_backward"),
    (backward_ops, "log_softmax_backward_data", "aten::_log_softmax_backward_data"),
    (backward_ops, "softmax_backward_data", "aten::_softmax_backward_data"),
    (losses, "class_nll_backward", "aten::nll_loss_backward"),
    (special, "gelu_backward", "aten::gelu_backward"),
)
_OPERATORS = frozenset({"add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul",
                        "and", "or", "xor", "lshift", "rshift"})
_BITWISE = ("and", "or", "xor", "lshift", "rshift")  # torch keeps aten::__and__ for these


def _dunder_name(name: str) -> str:
    """``__radd__`` -> add, ``__iadd__`` -> add_, ``__rsub__`` -> rsub, ``__and__`` ->
    __and__, as torch names what the operators run."""
    core = name[2:-2]
    inplace = core[0] == "i" and core[1:] in _OPERATORS
    if inplace or (core[0] == "r" and core[1:] in _OPERATORS and core != "rsub"):
        core = core[1:]
    if core in _BITWISE:
        return f"__{'i' if inplace else ''}{core}__"
    return _ATEN_NAMES.get(core, core) + ("_" if inplace else "")


def _index_keys(args):
    key = args[1] if len(args) > 1 else ()
    return key if isinstance(key, tuple) else (key,)


def _getitem_name(args) -> str:
    """What torch runs for ``tensor[key]``: index for tensors, lists and bools, else select
    for integers, slice for slices, unsqueeze for None."""
    keys = _index_keys(args)
    if any(isinstance(key, (Tensor, list, bool)) for key in keys):
        return "aten::index"
    for kind, name in ((int, "aten::select"), (slice, "aten::slice"),
                       (type(None), "aten::unsqueeze")):
        if any(isinstance(key, kind) for key in keys):
            return name
    return "aten::alias"


def _setitem_name(args) -> str:
    """What torch runs for ``tensor[key] = value``: index_put_ for advanced indexing, else a
    fill_ of a number or a copy_ of a tensor into the indexed view."""
    if any(isinstance(key, (Tensor, list, bool)) for key in _index_keys(args)):
        return "aten::index_put_"
    return "aten::copy_" if isinstance(args[-1], Tensor) else "aten::fill_"


# Ops whose name depends on their arguments.
_NAMED_BY_ARGUMENTS = {"aten::getitem": _getitem_name, "aten::setitem": _setitem_name}


# Note [FLOP estimates]
# With ``with_flops``, the ops torch's profiler estimates get its estimate: a matrix product
# (mm, addmm, bmm, baddbmm) and a 2-d convolution count two operations per multiply-add of
# their definition, add and mul one per element of their first input; other ops none. A
# convolution's count comes from its result's shape, which holds its strides, padding and
# dilation.


def _product_flops(first, second) -> int:
    """``2 * batch * m * k * n`` for (batches of) m x k matrices by k x n ones."""
    *batch, rows, inner = first._data.shape
    return 2 * math.prod(batch) * rows * inner * second._data.shape[-1]


def _flops(name: str, inputs, result) -> int:
    if not isinstance(result, Tensor):  # the op raised, or is none that counts
        return 0
    if name in ("aten::mm", "aten::bmm"):
        return _product_flops(inputs[0], inputs[1])
    if name in ("aten::addmm", "aten::baddbmm"):
        return _product_flops(inputs[1], inputs[2])
    if name in ("aten::add", "aten::mul") and isinstance(inputs[0], Tensor):
        return inputs[0]._data.size
    if name == "aten::conv2d":
        return 2 * result._data.size * math.prod(inputs[1]._data.shape[1:])
    return 0


class Recorder:
    """The events of the running profiler, and the stack of open events per thread."""

    def __init__(self, record_shapes=False, profile_memory=False, with_stack=False,
                 with_flops=False):
        self.record_shapes = record_shapes or with_flops  # as torch's, for the estimates
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_flops = with_flops
        self.active = False
        self.events = []
        self.origin_ns = time.perf_counter_ns()
        self.wall_origin_ns = time.time_ns()
        self._local = threading.local()

    def _open_stack(self):
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def inside(self, name: str) -> bool:
        """Whether the innermost open event is ``name``: an op handing its work to another
        form of itself (``a + b`` calling ``add``) is one event, as in torch."""
        stack = self._open_stack()
        return bool(stack) and stack[-1].name == name

    def open(self, name: str, category: str = CPU_OP, inputs=None) -> FunctionEvent:
        """Start an event ``name``, inside the innermost open event of this thread."""
        stack = self._open_stack()
        parent = stack[-1] if stack else None
        shapes, input_types = [], None
        if self.record_shapes and inputs is not None:
            shapes = [list(value._data.shape) if isinstance(value, Tensor) else []
                      for value in inputs]
            input_types = [value._dtype._cpp_name if isinstance(value, Tensor) else
                           type(value).__name__ for value in inputs]
        event = FunctionEvent(len(self.events) + 1, name, category, parent, shapes, input_types,
                              _user_stack() if self.with_stack else None, self.origin_ns)
        if parent is not None:
            parent.cpu_children.append(event)
        self.events.append(event)
        stack.append(event)
        event.start_ns = time.perf_counter_ns()
        return event

    def close(self, event: FunctionEvent, result=None, inputs=()) -> None:
        """End ``event``; with profile_memory, count the fresh arrays ``result`` holds."""
        if event.end_ns:  # closed already, by a profiler stopped inside it
            return
        event.end_ns = time.perf_counter_ns()
        stack = self._open_stack()
        while stack and stack.pop() is not event:  # events left open by an exception
            pass
        if self.profile_memory:
            _count_memory(event, result, inputs)
        if self.with_flops:
            event.flops = _flops(event.name, inputs, result)

    def close_all(self) -> None:
        """End the events still open on this thread (a profiler stopped inside them)."""
        stack = self._open_stack()
        while stack:
            self.close(stack[-1])


def _count_memory(event, result, inputs):
    children_outputs = set()
    for child in event.cpu_children:
        children_outputs.update(child._output_ids)
        event.cpu_memory_usage += child.cpu_memory_usage
    outputs = result if isinstance(result, (tuple, list)) else (result,)
    own = {}
    for output in outputs:
        # a view or an input given back (in-place ops) allocates nothing
        if isinstance(output, Tensor) and output._base is None and all(
                output is not value for value in inputs):
            own[id(output._data)] = output._data.nbytes
    event._output_ids = own.keys()
    event.self_cpu_memory_usage = sum(nbytes for array_id, nbytes in own.items()
                                      if array_id not in children_outputs)
    event.cpu_memory_usage += event.self_cpu_memory_usage


def _user_stack():
    """The Python frames that led to the op, innermost first, as torch writes them
    (``file(line): function``), without the profiler's own frames."""
    frames = []
    frame = sys._getframe(2)
    while frame is not None:
        code = frame.f_code
        if not code.co_filename.startswith(_PROFILER_ROOT):
            frames.append(f"{code.co_filename}({frame.f_lineno}): {code.co_name}")
        frame = frame.f_back
    return frames


def _timed_op(function, name: str, recorder: Recorder):
    name_of = _NAMED_BY_ARGUMENTS.get(name)

    def timed(*args, **kwargs):
        if not recorder.active:
            return function(*args, **kwargs)
        op_name = name if name_of is None else name_of(args)
        if recorder.inside(op_name):
            return function(*args, **kwargs)
        inputs = (*args, *kwargs.values())
        event = recorder.open(op_name, CPU_OP, inputs)
        result = None
        try:
            result = function(*args, **kwargs)
        finally:
            recorder.close(event, result, inputs)
        return result

    return functools.update_wrapper(timed, function)  # with the attributes ops carry


def _timed_node(apply, recorder: Recorder):
    """A backward node's ``_apply``, recorded as torch's engine records it."""

    def timed(node, grad_outputs, create_graph):
        if not recorder.active:
            return apply(node, grad_outputs, create_graph)
        name = node._name
        outer = recorder.open(f"autograd::engine::evaluate_function: {name}")
        inner = recorder.open(name, CPU_OP, grad_outputs)
        result = None
        try:
            result = apply(node, grad_outputs, create_graph)
        finally:
            recorder.close(inner, result, grad_outputs)
            recorder.close(outer)
        return result

    return timed


def _op_functions():
    """Every op function ember exposes, with the name torch gives it; the first name found
    wins for a function exported under several."""
    names = {}

    def add(function, name):
        if isinstance(function, types.FunctionType) and id(function) not in names and (
                function.__module__.startswith(_OP_HOMES)):
            names[id(function)] = (function, "aten::" + _ATEN_NAMES.get(name, name))

    methods = vars(Tensor).items()
    for name, value in methods:  # operators first: a / b is aten::div, not true_divide
        if name.startswith("__"):
            add(value, _dunder_name(name))
    for module_name, prefix in _OP_NAMESPACES:
        for name, value in vars(sys.modules[module_name]).items():
            if not name.startswith("_"):
                add(value, prefix + name)
    for name, value in methods:
        if not name.startswith("_"):
            add(value, name)
    for name in _TENSOR_CONVERSIONS:
        names[id(vars(Tensor)[name])] = (vars(Tensor)[name], "aten::to")
    for name in _TENSOR_OPS:
        names[id(vars(Tensor)[name])] = (vars(Tensor)[name], "aten::" + name)
    for module, name, aten_name in _BACKWARD_OPS:
        function = vars(module)[name]
        names[id(function)] = (function, aten_name)
    return names


def _labelled_method(method, label, recorder: Recorder):
    """``method`` recorded as a label event named ``label(self)``, as torch labels an
    optimizer's step or a DataLoader's next batch."""

    def labelled(self, *args, **kwargs):
        if not recorder.active:
            return method(self, *args, **kwargs)
        name = label(self)
        if recorder.inside(name):  # an override calling its base's method
            return method(self, *args, **kwargs)
        event = recorder.open(name, USER_ANNOTATION)
        try:
            return method(self, *args, **kwargs)
        finally:
            recorder.close(event)

    return functools.update_wrapper(labelled, method)


def _labelled_methods():
    """(class, method name, label) for each method torch's profiler labels."""
    from ember.optim.optimizer import Optimizer
    from ember.utils.data.dataloader import _BaseDataLoaderIter

    def optimizer_label(method_name):
        return lambda optimizer: (f"Optimizer.{method_name}#{type(optimizer).__name__}."
                                  f"{method_name}")

    def loader_label(iterator):
        return f"enumerate(DataLoader)#{type(iterator).__name__}.__next__"

    labels = {"step": optimizer_label("step"), "zero_grad": optimizer_label("zero_grad")}
    found = [(cls, name, labels[name]) for cls in _subclasses(Optimizer)
             for name in labels if name in vars(cls)]
    return found + [(cls, "__next__", loader_label) for cls in _subclasses(_BaseDataLoaderIter)
                    if "__next__" in vars(cls)]


def _subclasses(base):
    found, pending = [], [base]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


running: Recorder | None = None  # the running profiler's, which record_function writes to


class Instrumentation:
    """The swapped ops of the running profiler (see Note [Profiling by swapping ops]); one
    profiler runs at a time."""

    def __init__(self, recorder: Recorder):
        global running
        if running is not None:
            raise RuntimeError("Profiler is already enabled: stop the running profiler before "
                               "starting another one.")
        running = recorder
        self._swapped = []  # (namespace, attribute, original)
        wrappers = {key: (function, _timed_op(function, name, recorder))
                    for key, (function, name) in _op_functions().items()}
        for module_name, module in list(sys.modules.items()):
            if module is None or not _is_ember_module(module_name):
                continue
            self._swap_in(module, wrappers)
            for value in list(vars(module).values()):  # Tensor; layers keep F.conv2d too
                if isinstance(value, type) and value.__module__ == module_name:
                    self._swap_in(value, wrappers)
        for cls, name, label in _labelled_methods():
            self._swap(cls, name, _labelled_method(vars(cls)[name], label, recorder))
        for cls in _subclasses(Node):
            if "_apply" in vars(cls):
                self._swap(cls, "_apply", _timed_node(vars(cls)["_apply"], recorder))

    def _swap(self, namespace, name, replacement):
        self._swapped.append((namespace, name, vars(namespace)[name]))
        setattr(namespace, name, replacement)

    def _swap_in(self, namespace, wrappers):
        for name, value in list(vars(namespace).items()):
            function = value.__func__ if isinstance(value, staticmethod) else value
            pair = wrappers.get(id(function))
            if pair is not None and pair[0] is function:
                wrapper = pair[1]
                self._swap(namespace, name,
                           staticmethod(wrapper) if function is not value else wrapper)

    def remove(self) -> None:
        global running
        for namespace, name, original in reversed(self._swapped):
            setattr(namespace, name, original)
        self._swapped.clear()
        running = None


def _is_ember_module(name: str) -> bool:
    return (name == "ember" or name.startswith("ember.")) and not name.startswith(
        "ember.profiler")
