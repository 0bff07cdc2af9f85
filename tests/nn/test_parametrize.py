"""ember.nn.utils.parametrize and parametrizations against torch: the generated classes,
reprs, state dicts, values and gradients through parametrizations, assignment through
right_inverse, removal, caching and errors."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch

import ember
from tests.nn.module_oracle import (
    assert_same_state,
    assert_tensor_close,
    build_pair,
    load_torch_state,
)

RNG = np.random.default_rng(0)


def lib_of(nn):
    """The library whose ``nn`` this is."""
    return torch if nn is torch.nn else ember


def symmetric(nn):
    """A parametrization making a square matrix symmetric, with a right inverse."""
    class Symmetric(nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).mT

        def right_inverse(self, A):
            return A.triu()
    return Symmetric()


def doubled(nn):
    """A parametrization without right_inverse."""
    class Double(nn.Module):
        def forward(self, X):
            return X * 2
    return Double()


def rank_one(nn):
    """A parametrization of two tensors: ``right_inverse`` returns a pair."""
    class RankOne(nn.Module):
        def forward(self, x, y):
            return x.unsqueeze(-1) @ y.unsqueeze(-2)

        def right_inverse(self, Z):
            return Z[:, 0].clone(), Z[0].clone()
    return RankOne()


def check_parametrized(make, *input_shapes, training=True, rtol=1e-5, atol=1e-6):
    """``make(nn)`` in both libraries after the same seed: same repr, class name, state
    (within tolerance: orthogonalization rounds differently), outputs, parameter gradients
    and buffers after a forward and backward."""
    actual, expected = build_pair(make)
    assert type(actual).__name__ == type(expected).__name__
    assert_same_state(actual, expected, rtol, atol)
    actual.train(training)
    expected.train(training)
    arrays = [RNG.standard_normal(shape) for shape in input_shapes]
    outputs = []
    for lib, module in ((torch, expected), (ember, actual)):
        inputs = [lib.tensor(a, dtype=lib.float32) for a in arrays]
        output = module(*inputs)
        output.backward(lib.tensor(np.linspace(-1, 1, output.numel()).reshape(output.shape),
                                   dtype=output.dtype))
        outputs.append(output)
    assert_tensor_close(outputs[1], outputs[0], "output", rtol, atol)
    for (name, mine), theirs in zip(actual.named_parameters(), expected.parameters()):
        assert (mine.grad is None) == (theirs.grad is None), name
        if theirs.grad is not None:
            assert_tensor_close(mine.grad, theirs.grad, f"{name}.grad", rtol, atol)
    for (name, mine), theirs in zip(actual.named_buffers(), expected.buffers()):
        assert_tensor_close(mine, theirs, name, rtol, atol)
    return actual, expected


# --- register_parametrization -------------------------------------------------------------

def test_register_parametrization_swaps_the_class():
    actual, expected = check_parametrized(
        lambda nn: nn.utils.parametrize.register_parametrization(nn.Linear(3, 3), "weight",
                                                                 symmetric(nn)), (2, 3))
    assert type(actual).__name__ == "ParametrizedLinear"
    assert type(actual).__bases__ == (ember.nn.Linear,)
    assert isinstance(actual, ember.nn.Linear)
    assert list(actual.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert isinstance(actual.parametrizations, ember.nn.ModuleDict)
    plist = actual.parametrizations.weight
    assert type(plist) is ember.nn.utils.parametrize.ParametrizationList
    assert isinstance(plist.original, ember.nn.Parameter)
    weight = actual.weight.detach().numpy()
    np.testing.assert_array_equal(weight, weight.T)
    P = ember.nn.utils.parametrize
    assert P.is_parametrized(actual) and P.is_parametrized(actual, "weight")
    assert not P.is_parametrized(actual, "bias")
    assert not P.is_parametrized(ember.nn.Linear(2, 2))
    assert P.type_before_parametrizations(actual) is ember.nn.Linear
    assert P.type_before_parametrizations(ember.nn.Linear(2, 2)) is ember.nn.Linear
    # other instances of the class are untouched
    assert not hasattr(ember.nn.Linear, "parametrizations")
    assert type(ember.nn.Linear(2, 2)) is ember.nn.Linear


def test_assignment_runs_right_inverse():
    actual, expected = build_pair(
        lambda nn: nn.utils.parametrize.register_parametrization(nn.Linear(3, 3), "weight",
                                                                 symmetric(nn)))
    original = actual.parametrizations.weight.original
    A = RNG.standard_normal((3, 3)).astype(np.float32)
    A = A + A.T
    expected.weight = torch.tensor(A)
    actual.weight = ember.tensor(A)
    # the same Parameter object, with new data
    assert actual.parametrizations.weight.original is original
    assert_same_state(actual, expected)
    np.testing.assert_allclose(actual.weight.detach().numpy(), A, rtol=1e-6)


def test_chained_parametrizations():
    def make(nn):
        m = nn.Linear(3, 3)
        nn.utils.parametrize.register_parametrization(m, "weight", symmetric(nn))
        return nn.utils.parametrize.register_parametrization(m, "weight", doubled(nn))

    actual, _ = check_parametrized(make, (2, 3))
    assert len(actual.parametrizations.weight) == 2
    # the second one has no right_inverse: assigning is impossible
    for lib, module in ((torch, _), (ember, actual)):
        with pytest.raises(RuntimeError, match="parametrization Double does not implement "
                           "right_inverse."):
            module.weight = lib.eye(3)


def test_parametrize_a_buffer_and_several_tensors():
    def make(nn):
        m = nn.Linear(3, 3)
        m.register_buffer("scale", nn.Parameter(m.weight.detach().clone()).detach())
        nn.utils.parametrize.register_parametrization(m, "scale", symmetric(nn))
        nn.utils.parametrize.register_parametrization(m, "bias", doubled(nn))
        return nn.utils.parametrize.register_parametrization(m, "weight", symmetric(nn))

    actual, expected = check_parametrized(make, (2, 3))
    assert list(actual.state_dict()) == list(expected.state_dict())
    assert "parametrizations.scale.original" in dict(actual.named_buffers())
    assert_tensor_close(actual.scale, expected.scale, "scale", 1e-6, 1e-7)


def test_right_inverse_with_several_originals():
    actual, expected = check_parametrized(
        lambda nn: nn.utils.parametrize.register_parametrization(nn.Linear(3, 3), "weight",
                                                                 rank_one(nn)), (2, 3))
    assert list(actual.state_dict()) == ["bias", "parametrizations.weight.original0",
                                         "parametrizations.weight.original1"]
    for lib, module in ((torch, expected), (ember, actual)):
        with pytest.raises(ValueError, match=r"Cannot leave unparametrized "
                           r"\(`leave_parametrized=False`\) a tensor that is parametrized in "
                           r"terms of a sequence of tensors."):
            lib.nn.utils.parametrize.remove_parametrizations(module, "weight", False)
        lib.nn.utils.parametrize.remove_parametrizations(module, "weight")
    assert type(actual) is ember.nn.Linear
    assert_same_state(actual, expected, 1e-6, 1e-7)


@pytest.mark.parametrize("leave_parametrized", [True, False])
def test_remove_parametrizations(leave_parametrized):
    actual, expected = build_pair(
        lambda nn: nn.utils.parametrize.register_parametrization(nn.Linear(3, 3), "weight",
                                                                 symmetric(nn)))
    original = actual.parametrizations.weight.original
    for lib, module in ((torch, expected), (ember, actual)):
        lib.nn.utils.parametrize.remove_parametrizations(module, "weight", leave_parametrized)
    assert type(actual) is ember.nn.Linear
    assert not hasattr(actual, "parametrizations")
    assert actual.weight is original  # the same Parameter object stays
    assert_same_state(actual, expected, 1e-6, 1e-7)


def test_remove_one_of_two_keeps_the_class():
    def make(nn):
        m = nn.Linear(3, 3)
        nn.utils.parametrize.register_parametrization(m, "bias", doubled(nn))
        return nn.utils.parametrize.register_parametrization(m, "weight", symmetric(nn))

    actual, expected = build_pair(make)
    for lib, module in ((torch, expected), (ember, actual)):
        lib.nn.utils.parametrize.remove_parametrizations(module, "weight")
    assert type(actual).__name__ == "ParametrizedLinear"
    assert not hasattr(type(actual), "weight")
    assert_same_state(actual, expected, 1e-6, 1e-7)


@pytest.mark.parametrize("tensor_name", [None, "weight"])
def test_transfer_parametrizations_and_params(tensor_name):
    def make(nn):
        source = nn.utils.parametrize.register_parametrization(nn.Linear(3, 3), "weight",
                                                               symmetric(nn))
        nn.utils.parametrize.register_parametrization(source, "bias", doubled(nn))
        return nn.ModuleList([source, nn.Linear(3, 3)])

    actual, expected = build_pair(make)
    for lib, (source, target) in ((torch, expected), (ember, actual)):
        lib.nn.utils.parametrize.transfer_parametrizations_and_params(source, target,
                                                                      tensor_name)
    assert_same_state(actual, expected)
    source, target = actual
    assert target.parametrizations.weight.original is source.parametrizations.weight.original


def test_cached():
    module = ember.nn.utils.parametrize.register_parametrization(
        ember.nn.Linear(3, 3), "weight", symmetric(ember.nn))
    assert module.weight is not module.weight
    with ember.nn.utils.parametrize.cached():
        first = module.weight
        with ember.nn.utils.parametrize.cached():
            assert module.weight is first
        assert module.weight is first  # the outer context still holds the cache
    assert module.weight is not first


def test_deepcopy_and_pickle():
    module = ember.nn.utils.parametrize.register_parametrization(
        ember.nn.Linear(3, 3), "weight", symmetric(ember.nn))
    replica = copy.deepcopy(module)
    assert type(replica) is type(module)
    assert replica.parametrizations.weight.original is not module.parametrizations.weight.original
    np.testing.assert_array_equal(replica.weight.detach().numpy(),
                                  module.weight.detach().numpy())
    theirs = torch.nn.utils.parametrize.register_parametrization(torch.nn.Linear(3, 3), "weight",
                                                                 symmetric(torch.nn))
    for m in (theirs, module):
        with pytest.raises(RuntimeError, match="Serialization of parametrized modules is only "
                           r"supported through state_dict\(\)"):
            pickle.dumps(m)


def test_load_state_dict_of_parametrized_module():
    def make(nn):
        return nn.utils.parametrize.register_parametrization(nn.Linear(3, 3), "weight",
                                                             symmetric(nn))

    actual, expected = build_pair(make, seed=1)
    source = build_pair(make, seed=5)[1]
    expected.load_state_dict(source.state_dict())
    load_torch_state(actual, source)
    assert_same_state(actual, expected)


def errors_on_register(lib, parametrization, match, error=ValueError, name="weight",
                       **kwargs):
    with pytest.raises(error, match=match):
        lib.nn.utils.parametrize.register_parametrization(lib.nn.Linear(3, 2), name,
                                                          parametrization, **kwargs)


def test_register_errors():
    def module_of(nn, forward, right_inverse=None):
        namespace = {"forward": lambda self, X: forward(nn, X)}
        if right_inverse is not None:
            namespace["right_inverse"] = lambda self, X: right_inverse(nn, X)
        return type("Custom", (nn.Module,), namespace)()

    for lib in (torch, ember):
        nn = lib.nn
        errors_on_register(lib, doubled(nn), "Module 'Linear\\(in_features=3, out_features=2, "
                           "bias=True\\)' does not have a parameter, a buffer, or a "
                           "parametrized element with name 'missing'", name="missing")
        errors_on_register(lib, module_of(nn, lambda nn, X: X[0]), r"Registering a "
                           r"parametrization may not change the shape of the tensor, unless "
                           r"`unsafe` flag is enabled.\nunparametrized shape: torch.Size\(\[2, "
                           r"3\]\)\nparametrized shape: torch.Size\(\[3\]\)")
        errors_on_register(lib, module_of(nn, lambda nn, X: X.double()), "may not change the "
                           "dtype of the tensor.*\nunparametrized dtype: torch.float32\n"
                           "parametrized dtype: torch.float64")
        errors_on_register(lib, module_of(nn, lambda nn, X: 1.0), "A parametrization must "
                           "return a tensor. Got float.")
        errors_on_register(lib, module_of(nn, lambda nn, X: X, lambda nn, X: 3), "'right_inverse' "
                           r"must return a Tensor or a Sequence of tensors \(list, tuple...\). "
                           "Got int")
        errors_on_register(lib, module_of(nn, lambda nn, X: X, lambda nn, X: X.double()),
                           "When `right_inverse` outputs one tensor, it may not change the "
                           "dtype.\noriginal.dtype: torch.float32\n"
                           "right_inverse\\(original\\).dtype: torch.float64")
        errors_on_register(lib, module_of(nn, lambda nn, X: X, lambda nn, X: [X, 2]),
                           "Got element 1 of the sequence with type int.")
        # unsafe: the shape may change, and nothing is checked
        m = lib.nn.utils.parametrize.register_parametrization(
            lib.nn.Linear(3, 2), "weight", module_of(nn, lambda nn, X: X[0]), unsafe=True)
        assert tuple(m.weight.shape) == (3,)
        # a second parametrization is checked against the current value
        m = lib.nn.utils.parametrize.register_parametrization(lib.nn.Linear(3, 3), "weight",
                                                              symmetric(nn))
        with pytest.raises(ValueError, match=r"Registering a parametrization may not change "
                           r"the shape of the tensor, unless the `unsafe` flag is enabled.\n"
                           r"module.weight.shape: torch.Size\(\[3, 3\]\)\n"
                           r"parametrization\(module.weight\).shape: torch.Size\(\[3\]\)"):
            lib.nn.utils.parametrize.register_parametrization(
                m, "weight", module_of(nn, lambda nn, X: X[0]))
        with pytest.raises(ValueError, match=r"The tensor returned by parametrization."
                           r"right_inverse must have the same dtype as module.weight, unless "
                           r"the `unsafe` flag is enabled.\nmodule.weight.dtype: torch.float32"
                           r"\nreturned dtype: torch.float64"):
            lib.nn.utils.parametrize.register_parametrization(
                m, "weight", module_of(nn, lambda nn, X: X, lambda nn, X: X.double()))
        with pytest.raises(ValueError, match="does not have a parametrization on bias"):
            lib.nn.utils.parametrize.remove_parametrizations(m, "bias")
        with pytest.raises(ValueError, match="The tensor returned by `right_inverse` has dtype "
                           "torch.float64 while `original` has dtype torch.float32"):
            m.parametrizations.weight[0].right_inverse = lambda X: X.double()
            m.weight = lib.eye(3)


def test_parametrization_list_needs_modules():
    for lib in (torch, ember):
        with pytest.raises(ValueError, match="ParametrizationList requires one or more "
                           "modules."):
            lib.nn.utils.parametrize.ParametrizationList([], lib.ones(2))


# --- parametrizations.weight_norm ---------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm(dim):
    actual, expected = check_parametrized(
        lambda nn: nn.utils.parametrizations.weight_norm(nn.Linear(4, 3), dim=dim), (2, 4))
    assert list(actual.state_dict()) == ["bias", "parametrizations.weight.original0",
                                         "parametrizations.weight.original1"]
    assert actual.weight.grad_fn.name() == expected.weight.grad_fn.name()


def test_weight_norm_loads_the_hook_form_state_dict():
    with pytest.warns(FutureWarning):
        old = torch.nn.utils.weight_norm(torch.nn.Linear(4, 3))
    actual, expected = build_pair(lambda nn: nn.utils.parametrizations.weight_norm(
        nn.Linear(4, 3)), seed=2)
    expected.load_state_dict(old.state_dict())
    actual.load_state_dict({k: ember.tensor(v.detach().numpy())
                            for k, v in old.state_dict().items()})
    assert_same_state(actual, expected)


# --- parametrizations.spectral_norm -------------------------------------------------------

@pytest.mark.parametrize("training", [True, False])
def test_spectral_norm(training):
    actual, expected = check_parametrized(
        lambda nn: nn.utils.parametrizations.spectral_norm(nn.Linear(5, 4)), (3, 5),
        training=training)
    assert list(actual.state_dict()) == ["bias", "parametrizations.weight.original",
                                         "parametrizations.weight.0._u",
                                         "parametrizations.weight.0._v"]


def test_spectral_norm_options():
    check_parametrized(lambda nn: nn.utils.parametrizations.spectral_norm(
        nn.Bilinear(3, 4, 2), n_power_iterations=2, dim=-2, eps=1e-6), (2, 3), (2, 4))
    # a vector is normalized exactly
    check_parametrized(lambda nn: nn.utils.parametrizations.spectral_norm(
        nn.Linear(3, 4), name="bias"), (2, 3))


def test_spectral_norm_transposed_convolution():
    actual, _ = check_parametrized(lambda nn: nn.utils.parametrizations.spectral_norm(
        nn.ConvTranspose1d(2, 3, 2)), (1, 2, 3))
    assert tuple(actual.parametrizations.weight[0]._u.shape) == (3,)


def test_spectral_norm_errors():
    for lib in (torch, ember):
        sn = lib.nn.utils.parametrizations.spectral_norm
        with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range "
                           r"of \[-2, 1\] but got 2\)"):
            sn(lib.nn.Linear(2, 2), dim=2)
        with pytest.raises(ValueError, match="Expected n_power_iterations to be positive, but "
                           "got n_power_iterations=-1"):
            sn(lib.nn.Linear(2, 2), n_power_iterations=-1)
        with pytest.raises(ValueError, match=r"Module 'Linear\(in_features=2, out_features=2, "
                           r"bias=True\)' has no parameter or buffer with name 'w'"):
            sn(lib.nn.Linear(2, 2), name="w")


# --- parametrizations.orthogonal ----------------------------------------------------------

@pytest.mark.parametrize("orthogonal_map", [None, "matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("features", [(4, 4), (3, 5), (5, 3)])
def test_orthogonal(orthogonal_map, features):
    actual, _ = check_parametrized(lambda nn: nn.utils.parametrizations.orthogonal(
        nn.Linear(*features), orthogonal_map=orthogonal_map), (2, features[0]), atol=1e-5)
    Q = actual.weight.detach()
    if Q.shape[0] < Q.shape[1]:
        Q = Q.T
    np.testing.assert_allclose((Q.T @ Q).numpy(), np.eye(Q.shape[1]), atol=1e-5)


@pytest.mark.parametrize("features", [(4, 4), (3, 5), (5, 3)])
def test_orthogonal_householder_without_trivialization(features):
    actual, expected = check_parametrized(lambda nn: nn.utils.parametrizations.orthogonal(
        nn.Linear(*features), orthogonal_map="householder", use_trivialization=False),
        (2, features[0]), atol=1e-5)
    assert list(actual.state_dict()) == ["bias", "parametrizations.weight.original"]


@pytest.mark.parametrize("features", [(3, 3), (3, 5)])
def test_orthogonal_complex(features):
    actual, expected = build_pair(lambda nn: nn.utils.parametrizations.orthogonal(
        nn.Linear(*features, dtype=lib_of(nn).complex64)))
    assert_same_state(actual, expected, 1e-5, 1e-6)
    for module in (actual, expected):
        (module.weight.real.sum() + 2 * module.weight.imag.sum()).backward()
    assert_tensor_close(actual.weight, expected.weight, "weight", 1e-5, 1e-6)
    assert_tensor_close(actual.parametrizations.weight.original.grad,
                        expected.parametrizations.weight.original.grad, "grad", 1e-5, 1e-5)


def test_orthogonal_batch_of_matrices():
    check_parametrized(lambda nn: nn.utils.parametrizations.orthogonal(nn.Bilinear(3, 3, 2)),
                       (2, 3), (2, 3), atol=1e-5)


@pytest.mark.parametrize("features", [(4, 4), (3, 5)])
def test_orthogonal_assignment(features):
    actual, expected = build_pair(lambda nn: nn.utils.parametrizations.orthogonal(
        nn.Linear(*features)))
    X = RNG.standard_normal(features[::-1]).astype(np.float32)
    # a non-orthogonal square matrix is orthogonalized; a rectangular one is completed
    # into a square one with random columns (the same draws after the same seed)
    torch.manual_seed(7)
    expected.weight = torch.tensor(X)
    ember.manual_seed(7)
    actual.weight = ember.tensor(X)
    assert_same_state(actual, expected, 1e-5, 1e-5)
    assert_tensor_close(actual.weight, expected.weight, "weight", 1e-5, 1e-5)


def test_orthogonal_errors():
    for lib in (torch, ember):
        orth = lib.nn.utils.parametrizations.orthogonal
        with pytest.raises(ValueError, match="Expected a matrix or batch of matrices. Got a "
                           "tensor of 1 dimensions."):
            orth(lib.nn.Linear(2, 2), "bias")
        with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp", '
                           '"cayley", "householder". Got: qr'):
            orth(lib.nn.Linear(2, 2), orthogonal_map="qr")
        m = orth(lib.nn.Linear(2, 3))
        with pytest.raises(ValueError, match=r"Expected a matrix or batch of matrices of shape "
                           r"torch.Size\(\[3, 2\]\). Got a tensor of shape torch.Size\(\[2, 2\]\)."):
            m.weight = lib.eye(2)
        m = orth(lib.nn.Linear(3, 3), orthogonal_map="cayley", use_trivialization=False)
        with pytest.raises(NotImplementedError, match="It is not possible to assign to the "
                           "matrix exponential or the Cayley parametrizations when "
                           "use_trivialization=False."):
            m.weight = lib.eye(3)
