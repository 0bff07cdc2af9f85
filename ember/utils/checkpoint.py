"""Activation checkpointing, as ``torch.utils.checkpoint``: run a region of the model without
keeping its intermediate tensors for backward, and recompute them when backward needs them.

Two variants, as in PyTorch:
- reentrant (``use_reentrant=True``): ``CheckpointFunction`` runs the region under no_grad;
  its backward reruns the region with grad on and backpropagates through that fresh graph,
  into the inputs' ``.grad``; so it refuses to run inside grad() or backward(inputs=...).
- non-reentrant (``use_reentrant=False``): the region records its graph as usual, but inside
  ``saved_tensors_hooks`` that store a small placeholder instead of each saved tensor. The
  first unpack reruns the region under hooks that collect the tensors it saves, in the same
  order, so placeholder ``i`` maps to the ``i``-th recomputed tensor.
Both replay the RNG state of the first run (``preserve_rng_state``), so dropout masks match.
"""

from __future__ import annotations

import contextlib
import warnings

import ember
from ember.autograd.engine import _is_checkpoint_valid
from ember.autograd.function import Function

__all__ = [
    "CheckpointFunction", "CheckpointError", "check_backward_validity", "checkpoint",
    "checkpoint_sequential", "detach_variable", "noop_context_fn", "set_checkpoint_early_stop",
]

_DEBUG_TIP = ("\nTip: To see a more detailed error message, either pass `debug=True` to\n"
              "`torch.utils.checkpoint.checkpoint(...)` or wrap the code block\n"
              "with `with torch.utils.checkpoint.set_checkpoint_debug_enabled(True):` to\n"
              "enable checkpoint-debug mode globally.\n")


class CheckpointError(RuntimeError):
    """The recomputation did not save the same tensors as the original forward."""


def _is_tensor(value) -> bool:
    return hasattr(value, "_requires_grad")


def noop_context_fn():
    """The default ``context_fn``: no context around the forward or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


_early_stop = {"enabled": None}  # None: each checkpoint call's own ``early_stop`` decides


@contextlib.contextmanager
def set_checkpoint_early_stop(enable: bool):
    """Within the block, non-reentrant recomputation stops (or not) as soon as every tensor
    the forward saved has been recomputed, whatever ``early_stop`` the calls pass."""
    previous = _early_stop["enabled"]
    _early_stop["enabled"] = enable
    try:
        yield
    finally:
        _early_stop["enabled"] = previous


def check_backward_validity(inputs) -> None:
    if not any(x.requires_grad for x in inputs if _is_tensor(x)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)


def detach_variable(inputs):
    """Detached copies of the tensors in the tuple ``inputs``, each keeping its
    requires_grad; other values as they are."""
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    return tuple(_detached_like(x) for x in inputs)


def _detached_like(value):
    if not _is_tensor(value):
        return value
    detached = value.detach()
    detached.requires_grad = value.requires_grad
    return detached


@contextlib.contextmanager
def _replaying_rng(state):
    """The block runs from the RNG ``state`` of the first run (None: the current state) and
    leaves the surrounding state as it found it."""
    with ember.random.fork_rng(enabled=state is not None):
        if state is not None:
            ember.random.set_rng_state(state)
        yield


_INCOMPATIBLE_WITH_GRAD = (
    "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or passing "
    "an `inputs` parameter to .backward(). To resolve this error, you can either set "
    "use_reentrant=False, or call .backward() without passing the `inputs` argument.")


class CheckpointFunction(Function):
    """The reentrant checkpoint: forward under no_grad, backward reruns the region with grad
    and backpropagates through it."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.rng_state = ember.random.get_rng_state() if preserve_rng_state else None
        # Non-tensor inputs are kept as they are; tensors go through save_for_backward.
        ctx.inputs = [None if _is_tensor(x) else x for x in args]
        ctx.tensor_indices = [i for i, x in enumerate(args) if _is_tensor(x)]
        ctx.save_for_backward(*(x for x in args if _is_tensor(x)))
        with ember.autograd.no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grad_outputs):
        # The inner backward below accumulates into the inputs' .grad; a grad() or inputs=
        # pass around it would never see those gradients, so it is refused.
        if not _is_checkpoint_valid():
            raise RuntimeError(_INCOMPATIBLE_WITH_GRAD)
        inputs = list(ctx.inputs)
        for index, tensor in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[index] = tensor
        with _replaying_rng(ctx.rng_state):
            detached_inputs = detach_variable(tuple(inputs))
            with ember.autograd.enable_grad():
                outputs = ctx.run_function(*detached_inputs)
        if _is_tensor(outputs):
            outputs = (outputs,)
        pairs = [(output, grad) for output, grad in zip(outputs, grad_outputs)
                 if _is_tensor(output) and output.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is "
                               "not necessary")
        ember.autograd.backward([output for output, _ in pairs], [grad for _, grad in pairs])
        grads = tuple(x.grad if _is_tensor(x) else None for x in detached_inputs)
        return (None, None, *grads)


class _StopRecomputation(Exception):  # noqa: N818 - control flow, not an error
    """Raised out of the recomputation once every tensor the forward saved is back."""


class _Placeholder:
    """What a saved tensor is stored as during the checkpointed forward."""

    __slots__ = ("frame", "index")

    def __init__(self, frame, index):
        self.frame = frame
        self.index = index


class _Frame:
    """One non-reentrant checkpoint call: how to rerun the region, the metadata of the
    tensors its forward saved, and the recomputed tensors not yet handed to backward."""

    def __init__(self, function, args, kwargs, rng_state, recompute_context, check, early):
        self.function = function
        self.args = args
        self.kwargs = kwargs
        self.rng_state = rng_state
        self.recompute_context = recompute_context
        self.check = check
        self.early_stop = early
        self.metadata = []
        self.recomputed = {}

    def pack(self, tensor):
        self.metadata.append(_metadata(tensor))
        return _Placeholder(self, len(self.metadata) - 1)

    def unpack(self, placeholder):
        # A tensor handed out once is dropped; another backward (retain_graph) reruns again.
        if placeholder.index not in self.recomputed:
            self._recompute()
        return self.recomputed.pop(placeholder.index)

    def _recompute(self):
        recomputed = []

        def collect(tensor):
            if len(recomputed) == len(self.metadata):
                raise CheckpointError("torch.utils.checkpoint: trying to save more tensors "
                                      "during recomputation than during the original forward "
                                      f"pass.\n{_DEBUG_TIP}")
            recomputed.append(tensor.detach())
            if self.early_stop and len(recomputed) == len(self.metadata):
                raise _StopRecomputation
            return None

        args = tuple(_detached_like(x) for x in self.args)
        try:
            with (_replaying_rng(self.rng_state), ember.autograd.enable_grad(),
                  self.recompute_context,
                  ember.autograd.graph.saved_tensors_hooks(collect, _refuse_unpack)):
                self.function(*args, **self.kwargs)
        except _StopRecomputation:
            pass
        if len(recomputed) != len(self.metadata):
            raise CheckpointError("torch.utils.checkpoint: A different number of tensors was "
                                  "saved during the original forward and recomputation.\n"
                                  f"Number of tensors saved during forward: "
                                  f"{len(self.metadata)}\nNumber of tensors saved during "
                                  f"recomputation: {len(recomputed)}.\n{_DEBUG_TIP}")
        if self.check:
            self._check_metadata(recomputed)
        self.recomputed = dict(enumerate(recomputed))

    def _check_metadata(self, recomputed):
        mismatches = "".join(
            f"tensor at position {index}:\nsaved metadata: {original}\n"
            f"recomputed metadata: {_metadata(tensor)}\n"
            for index, (original, tensor) in enumerate(zip(self.metadata, recomputed))
            if _metadata(tensor) != original)
        if mismatches:
            raise CheckpointError("torch.utils.checkpoint: Recomputed values for the following "
                                  "tensors have different metadata than during the forward "
                                  f"pass.\n{mismatches}.\n{_DEBUG_TIP}")


def _metadata(tensor) -> dict:
    return {"shape": tensor.shape, "dtype": tensor.dtype, "device": tensor.device}


def _refuse_unpack(packed):
    raise AssertionError("a tensor saved during recomputation was unpacked")


def _checkpoint_without_reentrant(function, preserve_rng_state, context_fn, determinism_check,
                                  early_stop, args, kwargs):
    if determinism_check not in ("default", "none"):
        raise ValueError("determinism_check should be one of ['default', 'none'], but got "
                         f"{determinism_check}")
    forward_context, recompute_context = context_fn()
    early = early_stop if _early_stop["enabled"] is None else _early_stop["enabled"]
    frame = _Frame(function, args, kwargs,
                   ember.random.get_rng_state() if preserve_rng_state else None,
                   recompute_context, determinism_check == "default", early)
    with forward_context, ember.autograd.graph.saved_tensors_hooks(frame.pack, frame.unpack):
        return function(*args, **kwargs)


_WHICH_VARIANT = ("use_reentrant=False is recommended, but if you need to preserve the current "
                  "default behavior, you can pass use_reentrant=True. Refer to docs for more "
                  "details on the differences between the two variants.")
_WARNINGS = {
    "checkpoint": ("torch.utils.checkpoint: the use_reentrant parameter should be passed "
                   "explicitly. Starting in PyTorch 2.9, calling checkpoint without "
                   f"use_reentrant will raise an exception. {_WHICH_VARIANT}"),
    "checkpoint_sequential": ("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant "
                              "parameter should be passed explicitly. In version 2.9 we will "
                              "raise an exception if use_reentrant is not passed. "
                              f"{_WHICH_VARIANT}"),
}


def _resolve_use_reentrant(use_reentrant, caller):
    """PyTorch 2.13 still defaults to the reentrant variant, with a warning."""
    if use_reentrant is None:
        warnings.warn(_WARNINGS[caller], stacklevel=3)
        return True
    return use_reentrant


def checkpoint(function, *args, use_reentrant: bool | None = None,
               context_fn=noop_context_fn, determinism_check: str = "default",
               debug: bool = False, early_stop: bool = True, **kwargs):
    """Run ``function(*args, **kwargs)`` without keeping its activations for backward;
    backward recomputes them by running ``function`` again.

    Args:
        use_reentrant: which variant (see the module docstring); pass it explicitly.
        preserve_rng_state: replay the RNG state of the first run during recomputation.
        context_fn: returns the context managers for the forward and the recomputation
            (non-reentrant only).
        determinism_check: ``"default"`` checks recomputed shapes, dtypes and devices;
            ``"none"`` skips that (non-reentrant only).
        early_stop: stop recomputing once every needed tensor is back (non-reentrant).
    """
    use_reentrant = _resolve_use_reentrant(use_reentrant, "checkpoint")
    preserve = kwargs.pop("preserve_rng_state", True)
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve, *args)
    return _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check,
                                         early_stop, args, kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant: bool | None = None,
                          **kwargs):
    """Run the modules (or functions) in ``functions`` one after another in ``segments``
    chunks, checkpointing every chunk but the last."""
    from ember.nn import Sequential

    use_reentrant = _resolve_use_reentrant(use_reentrant, "checkpoint_sequential")
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if isinstance(functions, Sequential):
        functions = list(functions.children())

    def run_range(start, stop):
        def forward(value):
            for function in functions[start:stop]:
                value = function(value)
            return value

        return forward

    size = len(functions) // segments
    stop = 0
    for start in range(0, size * (segments - 1), size):
        stop = start + size
        input = checkpoint(run_range(start, stop), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run_range(stop, len(functions))(input)
