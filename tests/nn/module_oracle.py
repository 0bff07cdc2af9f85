"""Layers against torch: the same module built in both libraries after the same seed must
have the same parameters and buffers (names, order, values: the default initialization
draws torch's numbers), the same ``repr`` and ``state_dict`` keys, and from the same
inputs give the same outputs, the same gradients for every input and parameter, and the
same buffers afterwards (running statistics)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

# (rtol, atol) per dtype: layers accumulate sums in another order than torch's kernels
TOLERANCES = {"float64": (1e-7, 1e-9), "float32": (1e-4, 1e-5)}


def tensors_in(value) -> list:
    """The tensors of a nested output (tensors, tuples, lists, PackedSequence), in order."""
    if isinstance(value, torch.Tensor | ember.Tensor):
        return [value]
    if isinstance(value, tuple | list):
        return [t for item in value for t in tensors_in(item)]
    return []


def assert_tensor_close(actual, expected, what: str, rtol: float, atol: float):
    assert str(actual.dtype).rsplit(".")[-1] == str(expected.dtype).rsplit(".")[-1], (
        f"{what}: dtype {actual.dtype} != {expected.dtype}")
    assert tuple(actual.shape) == tuple(expected.shape), (
        f"{what}: shape {tuple(actual.shape)} != {tuple(expected.shape)}")
    np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(), rtol=rtol,
                               atol=atol, err_msg=what)


def build_pair(make, seed: int = 0):
    """``make(nn)`` in torch and in ember, each right after ``manual_seed(seed)``."""
    torch.manual_seed(seed)
    expected = make(torch.nn)
    ember.manual_seed(seed)
    actual = make(ember.nn)
    return actual, expected


def assert_same_state(actual, expected, rtol=0.0, atol=0.0, what="module"):
    """Same repr, state_dict keys, and parameter and buffer names, order and values."""
    assert repr(actual) == repr(expected)
    assert list(actual.state_dict()) == list(expected.state_dict())
    for kind in ("named_parameters", "named_buffers"):
        mine = list(getattr(actual, kind)())
        theirs = list(getattr(expected, kind)())
        assert [n for n, _ in mine] == [n for n, _ in theirs], kind
        for (name, a), (_, e) in zip(mine, theirs):
            assert a.requires_grad == e.requires_grad, f"{what}.{name} requires_grad"
            assert_tensor_close(a, e, f"{what}.{name}", rtol, atol)


def _inputs(lib, arrays, dtype: str):
    """NumPy arrays as tensors; floating ones in ``dtype`` and requiring grad."""
    tensors = []
    for array in arrays:
        array = np.asarray(array)
        if array.dtype.kind == "f":
            tensors.append(lib.tensor(array, dtype=getattr(lib, dtype)).requires_grad_())
        else:
            tensors.append(lib.tensor(array))
    return tensors


def check_module(make, *inputs, seed: int = 0, training: bool = True, dtype: str = "float32",
                 forward=None, rtol: float | None = None, atol: float | None = None):
    """Build ``make(nn)`` in both libraries (same seed), check their state, run ``forward``
    (default: call the module on the inputs) in train or eval mode after the same seed (so
    dropout masks agree), backpropagate the same random gradient through every floating
    output, and compare outputs, input gradients, parameter gradients and buffers.
    Returns the ember and torch modules for further checks."""
    default_rtol, default_atol = TOLERANCES[dtype]
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    actual, expected = build_pair(make, seed)
    if dtype == "float64":
        actual.double()
        expected.double()
    assert_same_state(actual, expected)
    actual.train(training)
    expected.train(training)
    forward = forward or (lambda module, *args: module(*args))
    rng = np.random.default_rng(seed)
    results = {}
    for lib, module in ((torch, expected), (ember, actual)):
        args = _inputs(lib, inputs, dtype)
        lib.manual_seed(seed + 1)
        outputs = tensors_in(forward(module, *args))
        results[lib] = (args, outputs)
    grads = [rng.standard_normal(tuple(out.shape)) for out in results[torch][1]]
    for lib, (_, outputs) in results.items():
        pairs = [(out, lib.tensor(g, dtype=out.dtype)) for out, g in zip(outputs, grads)
                 if out.requires_grad]
        if pairs:
            lib.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
    (mine_args, mine_out), (their_args, their_out) = results[ember], results[torch]
    assert len(mine_out) == len(their_out), "number of outputs"
    for i, (a, e) in enumerate(zip(mine_out, their_out)):
        assert_tensor_close(a, e, f"output {i}", rtol, atol)
        assert a.requires_grad == e.requires_grad, f"output {i} requires_grad"
    for i, (a, e) in enumerate(zip(mine_args, their_args)):
        assert (a.grad is None) == (e.grad is None), f"input {i} grad presence"
        if e.grad is not None:
            assert_tensor_close(a.grad, e.grad, f"input {i} grad", rtol, atol)
    for (name, a), (_, e) in zip(actual.named_parameters(), expected.named_parameters()):
        assert (a.grad is None) == (e.grad is None), f"{name}.grad presence"
        if e.grad is not None:
            assert_tensor_close(a.grad, e.grad, f"{name}.grad", rtol, atol)
    for (name, a), (_, e) in zip(actual.named_buffers(), expected.named_buffers()):
        assert_tensor_close(a, e, f"buffer {name} after forward", rtol, atol)
    return actual, expected


def load_torch_state(actual, expected):
    """Copy a torch module's state_dict into the ember module through NumPy."""
    state = {name: ember.tensor(value.detach().numpy())
             for name, value in expected.state_dict().items()}
    return actual.load_state_dict(state)


def assert_same_error(function):
    """``function(lib)`` raises in ember the exception type and message torch raises."""
    with pytest.raises(Exception) as expected:
        function(torch)
    with pytest.raises(expected.type) as raised:
        function(ember)
    assert str(raised.value) == str(expected.value)
