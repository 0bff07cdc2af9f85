"""Gradients against torch: one ``GradCase`` describes an expression over NumPy inputs; the
checks build it in ember and in torch, run backward with the same ``grad_output`` and compare
the outputs, the ``grad_fn`` names and every input's ``.grad`` (values, dtype, shape)."""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import torch

import ember

# (rtol, atol) per dtype: gradients are computed by formulas whose rounding differs a little
# from PyTorch's fused kernels.
TOLERANCES = {"float64": (1e-7, 1e-9), "float32": (2e-5, 1e-6)}


@dataclass
class GradCase:
    """``function(lib, *tensors)`` gives a tensor or a tuple of tensors; ``inputs`` are the
    NumPy values of the tensors (float64; built in the dtype under test). Only the inputs
    whose position is in ``requires_grad`` (all by default) require grad. ``gradcheck``
    False (for gradcheck and gradgradcheck) where finite differences cannot judge: kinks
    on purpose, precision lost to float32, values that detach hides."""

    name: str
    function: Callable
    inputs: tuple
    requires_grad: tuple | None = None
    gradcheck: bool = True
    dtypes: tuple = ("float64", "float32")

    def __repr__(self):
        return self.name


def rng_for(name: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(name.encode()))


def build(lib, case: GradCase, dtype: str):
    """The case's input tensors in ``lib``, leaves of ``dtype``."""
    tensors = []
    for position, values in enumerate(case.inputs):
        tensor = lib.tensor(np.asarray(values, np.float64), dtype=getattr(lib, dtype))
        wanted = case.requires_grad is None or position in case.requires_grad
        tensors.append(tensor.requires_grad_() if wanted else tensor)
    return tensors


def outputs_of(result):
    return tuple(result) if isinstance(result, tuple | list) else (result,)


def dtype_name(dtype) -> str:
    return str(dtype).rsplit(".", 1)[-1]


def assert_close(actual, expected, dtype: str, what: str):
    """An ember tensor equals a torch tensor: dtype, shape, values (NaN where torch's are)."""
    assert dtype_name(actual.dtype) == dtype_name(expected.dtype), (
        f"{what}: dtype {actual.dtype} != {expected.dtype}")
    assert tuple(actual.shape) == tuple(expected.shape), (
        f"{what}: shape {tuple(actual.shape)} != {tuple(expected.shape)}")
    rtol, atol = TOLERANCES.get(dtype, TOLERANCES["float32"])
    np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(), rtol=rtol,
                               atol=atol, err_msg=what)


def grad_fn_name(tensor):
    node = tensor.grad_fn
    return None if node is None else node.name()


def check_against_torch(case: GradCase, dtype: str):
    """Outputs, node names and input gradients of ``case`` agree with torch's."""
    torch_inputs = build(torch, case, dtype)
    ember_inputs = build(ember, case, dtype)
    torch_outputs = outputs_of(case.function(torch, *torch_inputs))
    ember_outputs = outputs_of(case.function(ember, *ember_inputs))
    assert len(ember_outputs) == len(torch_outputs)
    rng = rng_for(case.name + dtype)
    roots, torch_grads, ember_grads = [], [], []
    for index, (ours, theirs) in enumerate(zip(ember_outputs, torch_outputs)):
        assert_close(ours, theirs, dtype_name(theirs.dtype), f"output {index}")
        assert grad_fn_name(ours) == grad_fn_name(theirs), (
            f"grad_fn of output {index}: {grad_fn_name(ours)} != {grad_fn_name(theirs)}")
        assert ours.requires_grad == theirs.requires_grad, f"requires_grad of output {index}"
        if theirs.requires_grad:
            values = rng.standard_normal(tuple(theirs.shape))
            roots.append(index)
            torch_grads.append(torch.tensor(values, dtype=theirs.dtype))
            ember_grads.append(ember.tensor(values, dtype=ours.dtype))
    if not roots:
        return
    torch.autograd.backward([torch_outputs[i] for i in roots], torch_grads)
    ember.autograd.backward([ember_outputs[i] for i in roots], ember_grads)
    for index, (ours, theirs) in enumerate(zip(ember_inputs, torch_inputs)):
        if theirs.grad is None:
            assert ours.grad is None, f"input {index} got a gradient, torch's got none"
        else:
            assert ours.grad is not None, f"input {index} got no gradient"
            assert_close(ours.grad, theirs.grad, dtype, f"grad of input {index}")


def ember_function(case: GradCase):
    return lambda *tensors: case.function(ember, *tensors)


def values(name, *shape, low=0.5, high=2.0, signed=True):
    """Random values of ``shape`` with magnitudes in [low, high] (random signs if
    ``signed``): away from 0 and from each other, so away from kinks and ties."""
    rng = rng_for(name + str(shape))
    magnitudes = rng.uniform(low, high, shape)
    return magnitudes * rng.choice([-1.0, 1.0], shape) if signed else magnitudes


def positive(name, *shape, low=0.5, high=2.0):
    return values(name, *shape, low=low, high=high, signed=False)


class GradTable:
    """A gradient table: ``case`` adds a ``GradCase``; ``v`` / ``p`` draw signed / positive
    input values, each draw its own; ``tests()`` gives the three parametrized checks (against
    torch in every dtype, float64 gradcheck, gradgradcheck) for a test module to bind as
    ``test_matches_torch, test_gradcheck, test_gradgradcheck = table.tests()``."""

    def __init__(self, prefix=""):
        self.cases = []
        self._prefix = prefix
        self._draws = itertools.count()

    def case(self, name, function, *inputs, **options):
        self.cases.append(GradCase(name, function, inputs, **options))

    def v(self, *shape, **options):
        return values(self._prefix + str(next(self._draws)), *shape, **options)

    def p(self, *shape, **options):
        return positive(self._prefix + str(next(self._draws)), *shape, **options)

    def tests(self):
        match_params = [pytest.param(c, dtype, id=f"{c.name}-{dtype}") for c in self.cases
                        for dtype in c.dtypes]
        gradcheck_params = [pytest.param(c, id=c.name) for c in self.cases
                            if c.gradcheck and "float64" in c.dtypes]

        @pytest.mark.parametrize("grad_case, dtype", match_params)
        def test_matches_torch(grad_case, dtype):
            check_against_torch(grad_case, dtype)

        @pytest.mark.parametrize("grad_case", gradcheck_params)
        def test_gradcheck(grad_case):
            assert ember.autograd.gradcheck(ember_function(grad_case),
                                            build(ember, grad_case, "float64"))

        @pytest.mark.parametrize("grad_case", gradcheck_params)
        def test_gradgradcheck(grad_case):
            ember.manual_seed(0)  # its random grad outputs, the same whatever ran before
            assert ember.autograd.gradgradcheck(ember_function(grad_case),
                                                build(ember, grad_case, "float64"))

        return test_matches_torch, test_gradcheck, test_gradgradcheck
