"""ember.utils.checkpoint against torch.utils.checkpoint: gradients of checkpointed models
(with dropout) equal the plain run and torch's, RNG replay, checkpoint_sequential, keyword
and non-tensor arguments, torch's warnings and errors, and the memory that checkpointing
saves."""

import warnings

import numpy as np
import pytest
import torch
import torch.utils.checkpoint

import ember
from ember.autograd.graph import SavedTensor
from ember.utils.checkpoint import CheckpointError, checkpoint, checkpoint_sequential

VARIANTS = [True, False]


def _mlp(lib, width=8, depth=2):
    layers = [lib.nn.Linear(4, width), lib.nn.ReLU(), lib.nn.Dropout(0.5)]
    for _ in range(depth - 1):
        layers += [lib.nn.Linear(width, width), lib.nn.Tanh()]
    return lib.nn.Sequential(*layers, lib.nn.Linear(width, 3))


def _gradients(lib, run):
    """Output and gradients (input, then parameters) of ``run(net, x)`` summed, after seed 0."""
    lib.manual_seed(0)
    net = _mlp(lib)
    x = lib.randn(5, 4, requires_grad=True)
    output = run(net, x)
    output.sum().backward()
    return [output.detach().numpy(), x.grad.numpy()] + [p.grad.numpy()
                                                         for p in net.parameters()]


def _checkpointed(lib, use_reentrant, **options):
    return lambda net, x: lib.utils.checkpoint.checkpoint(net, x, use_reentrant=use_reentrant,
                                                          **options)


@pytest.mark.parametrize("use_reentrant", VARIANTS)
def test_gradients_equal_plain_run_and_torch(use_reentrant):
    plain = _gradients(ember, lambda net, x: net(x))
    ours = _gradients(ember, _checkpointed(ember, use_reentrant))
    theirs = _gradients(torch, _checkpointed(torch, use_reentrant))
    for mine, reference, torch_value in zip(ours, plain, theirs):
        np.testing.assert_array_equal(mine, reference)
        np.testing.assert_allclose(mine, torch_value, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("use_reentrant", VARIANTS)
def test_without_preserved_rng_state_recomputation_draws_new_masks(use_reentrant):
    # Without the replay the recomputation draws fresh dropout masks: gradients differ from
    # the plain run, and do so exactly as torch's do.
    plain = _gradients(ember, lambda net, x: net(x))
    ours = _gradients(ember, _checkpointed(ember, use_reentrant, preserve_rng_state=False))
    theirs = _gradients(torch, _checkpointed(torch, use_reentrant, preserve_rng_state=False))
    assert not np.array_equal(ours[1], plain[1])
    for mine, torch_value in zip(ours, theirs):
        np.testing.assert_allclose(mine, torch_value, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("use_reentrant", VARIANTS)
def test_recomputation_leaves_surrounding_rng_state_alone(use_reentrant):
    ember.manual_seed(1)
    x = ember.randn(3, requires_grad=True)
    y = checkpoint(lambda t: ember.nn.functional.dropout(t, 0.5) * 2, x,
                   use_reentrant=use_reentrant)
    state = ember.get_rng_state()
    y.sum().backward()
    assert ember.equal(ember.get_rng_state(), state)


@pytest.mark.parametrize("use_reentrant", VARIANTS)
def test_checkpoint_sequential_matches_plain_run(use_reentrant):
    plain = _gradients(ember, lambda net, x: net(x))
    for segments in (1, 2, 3):
        ours = _gradients(ember, lambda net, x, segments=segments: checkpoint_sequential(
            net, segments, x, use_reentrant=use_reentrant))
        for mine, reference in zip(ours, plain):
            np.testing.assert_array_equal(mine, reference)
    theirs = _gradients(torch, lambda net, x: torch.utils.checkpoint.checkpoint_sequential(
        net, 2, x, use_reentrant=use_reentrant))
    for mine, torch_value in zip(ours, theirs):
        np.testing.assert_allclose(mine, torch_value, rtol=1e-5, atol=1e-6)


def _two_inputs(lib, use_reentrant):
    """Gradients through a checkpointed function with a number, a string and a tensor that
    does not require grad among its inputs, and a tuple with a non-tensor as output."""
    a = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    b = lib.tensor([0.5, 0.25, 2.0])

    def region(x, scale, label, y):
        return x * y * scale, label, x.sin()

    product, label, sine = lib.utils.checkpoint.checkpoint(region, a, 3.0, "tag", b,
                                                           use_reentrant=use_reentrant)
    assert label == "tag"
    (product.sum() + sine.sum()).backward()
    return a.grad.numpy(), b.grad


@pytest.mark.parametrize("use_reentrant", VARIANTS)
def test_non_tensor_inputs_and_outputs(use_reentrant):
    ours, ours_b = _two_inputs(ember, use_reentrant)
    theirs, theirs_b = _two_inputs(torch, use_reentrant)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert ours_b is None and theirs_b is None


def test_keyword_arguments_non_reentrant():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        out = lib.utils.checkpoint.checkpoint(lambda t, power=1: t ** power, x, power=3,
                                              use_reentrant=False)
        (grad,) = lib.autograd.grad(out.sum(), x)  # grad() works with this variant
        return grad.numpy()

    np.testing.assert_array_equal(run(ember), run(torch))


def test_keyword_arguments_refused_by_reentrant_variant():
    for lib in (torch, ember):
        with pytest.raises(ValueError, match="Unexpected keyword arguments: power"):
            lib.utils.checkpoint.checkpoint(lambda t, power: t, lib.ones(1), power=3,
                                            use_reentrant=True)
        with pytest.raises(ValueError, match="`context_fn` or `debug` is only supported"):
            lib.utils.checkpoint.checkpoint(lambda t: t, lib.ones(1), debug=True,
                                            use_reentrant=True)


def _sine_of_square(t):
    return (t * t).sin()


def _error_of(call):
    with pytest.raises(RuntimeError) as caught:
        call()
    return str(caught.value)


def test_reentrant_refuses_grad_and_backward_inputs():
    def run(lib):
        x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
        bias = lib.ones(2, requires_grad=True)

        def output():
            checkpointed = lib.utils.checkpoint.checkpoint(_sine_of_square, x,
                                                           use_reentrant=True)
            return checkpointed.sum() + (bias * 2).sum()

        errors = [_error_of(lambda: lib.autograd.grad(output(), x)),
                  _error_of(lambda: output().backward(inputs=[x]))]
        assert x.grad is None
        # a pass that does not reach the checkpoint is fine, and so is a plain backward
        # of a graph whose grad() pass failed
        bias_grad, = lib.autograd.grad(output(), bias)
        kept = output()
        _error_of(lambda: lib.autograd.grad(kept, x, retain_graph=True))
        kept.backward()
        return errors, bias_grad.tolist(), x.grad.tolist()

    (ember_errors, *ember_grads), (torch_errors, *torch_grads) = run(ember), run(torch)
    assert ember_errors == torch_errors == [
        "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or "
        "passing an `inputs` parameter to .backward(). To resolve this error, you can either "
        "set use_reentrant=False, or call .backward() without passing the `inputs` argument."
    ] * 2
    for ember_grad, torch_grad in zip(ember_grads, torch_grads):
        np.testing.assert_allclose(ember_grad, torch_grad, rtol=1e-6)


def test_non_reentrant_supports_grad_and_backward_inputs():
    def run(lib):
        x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)

        def output():
            return lib.utils.checkpoint.checkpoint(_sine_of_square, x,
                                                   use_reentrant=False).sum()

        grad, = lib.autograd.grad(output(), x)
        output().backward(inputs=[x])
        return grad.tolist(), x.grad.tolist()

    np.testing.assert_allclose(run(ember), run(torch), rtol=1e-6)


def test_checkpoint_validity_in_nested_backward_passes():
    """Inside a backward pass, checkpoints are valid only if no pass around it, nor the pass
    itself, is a grad() or inputs= pass, as in torch."""
    def run(lib, is_valid):
        seen = []

        class Records(lib.autograd.Function):
            @staticmethod
            def forward(ctx, t, nested):
                ctx.nested = nested
                return t * 1

            @staticmethod
            def backward(ctx, grad):
                seen.append(is_valid())
                if ctx.nested:  # a plain backward inside this pass
                    with lib.enable_grad():
                        inner = lib.ones(1, requires_grad=True)
                        Records.apply(inner, False).sum().backward()
                    seen.append(is_valid())
                return grad, None

        leaf = lib.ones(1, requires_grad=True)
        for nested in (False, True):
            Records.apply(leaf, nested).sum().backward()
            lib.autograd.grad(Records.apply(leaf, nested).sum(), leaf)
            Records.apply(leaf, nested).sum().backward(inputs=[leaf])
        return seen + [is_valid()]

    from ember.autograd.engine import _is_checkpoint_valid

    assert run(ember, _is_checkpoint_valid) == run(torch, torch.autograd._is_checkpoint_valid)


def _warnings_of(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in caught]


def test_missing_use_reentrant_warns_as_torch_and_defaults_to_reentrant():
    for name in ("checkpoint", "checkpoint_sequential"):
        def call(lib, name=name):
            x = lib.ones(2, requires_grad=True)
            function = getattr(lib.utils.checkpoint, name)
            args = (lambda t: t * 2, x) if name == "checkpoint" else ([lambda t: t * 2] * 2, 2, x)
            output = function(*args)
            if name == "checkpoint":  # the reentrant variant's node
                assert output.grad_fn.name() == "CheckpointFunctionBackward"

        assert _warnings_of(lambda: call(ember)) == _warnings_of(lambda: call(torch))


def test_reentrant_warns_when_no_input_requires_grad():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
            out = lib.utils.checkpoint.checkpoint(lambda t: t * 2, lib.ones(2),
                                                  use_reentrant=True)
        assert not out.requires_grad


def test_non_reentrant_rejects_unknown_determinism_check():
    for lib in (torch, ember):
        with pytest.raises(ValueError, match="determinism_check should be one of"):
            lib.utils.checkpoint.checkpoint(lambda t: t, lib.ones(1), use_reentrant=False,
                                            determinism_check="strict")


def test_non_reentrant_detects_a_recomputation_that_differs():
    messages = []
    for lib, error in ((torch, torch.utils.checkpoint.CheckpointError),
                       (ember, CheckpointError)):
        calls = []

        def region(t, calls=calls):
            calls.append(1)
            if len(calls) > 1:  # a different shape the second time
                t = t[:1]
            return t.sin() * t.cos()

        x = lib.ones(2, requires_grad=True)
        out = lib.utils.checkpoint.checkpoint(region, x, use_reentrant=False)
        with pytest.raises(error, match="have different metadata") as caught:
            out.sum().backward()
        messages.append(str(caught.value).split("Tip:")[0])
    assert messages[0] == messages[1]


@pytest.mark.parametrize("saves_more", [True, False])
def test_non_reentrant_detects_a_different_number_of_saved_tensors(saves_more):
    messages = []
    for lib in (torch, ember):
        calls = []

        def region(t, calls=calls):
            calls.append(1)
            out = t.sin()
            if (len(calls) > 1) == saves_more:  # one product more in one of the two runs
                out = out * t.cos()
            return out

        x = lib.ones(2, requires_grad=True)
        with lib.utils.checkpoint.set_checkpoint_early_stop(False):
            out = lib.utils.checkpoint.checkpoint(region, x, use_reentrant=False)
        with pytest.raises(RuntimeError, match="torch.utils.checkpoint: ") as caught:
            out.sum().backward()
        assert type(caught.value).__name__ == "CheckpointError"
        messages.append(str(caught.value).split("Tip:")[0])
    assert messages[0] == messages[1]


def test_non_reentrant_backward_twice_with_retain_graph():
    x = ember.tensor([0.5, 1.5], requires_grad=True)
    out = checkpoint(lambda t: (t.exp() * t).sum(), x, use_reentrant=False)
    out.backward(retain_graph=True)
    first = x.grad.clone()
    out.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first.numpy())


def test_context_fn_wraps_forward_and_recomputation():
    entered = []

    class Note:
        def __init__(self, name):
            self.name = name

        def __enter__(self):
            entered.append(self.name)

        def __exit__(self, *exc_info):
            return False

    x = ember.ones(2, requires_grad=True)
    out = checkpoint(lambda t: t.sin(), x, use_reentrant=False,
                     context_fn=lambda: (Note("forward"), Note("recompute")))
    assert entered == ["forward"]
    out.sum().backward()
    assert entered == ["forward", "recompute"]


def _saved_bytes(output):
    """Bytes of the tensors the graph of ``output`` holds for backward."""
    total, seen, stack = 0, set(), [output.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        for value in node._saved:
            if isinstance(value, SavedTensor) and hasattr(value._tensor, "_data"):
                total += value._tensor._data.nbytes
        stack.extend(edge[0] for edge in node.next_functions)
    return total


@pytest.mark.parametrize("use_reentrant", VARIANTS)
def test_checkpointing_saves_fewer_bytes(use_reentrant):
    ember.manual_seed(0)
    net = _mlp(ember, width=64, depth=8)
    x = ember.randn(32, 4, requires_grad=True)
    plain = _saved_bytes(net(x))
    checkpointed = _saved_bytes(checkpoint_sequential(net, 4, x, use_reentrant=use_reentrant))
    assert checkpointed < plain / 2
