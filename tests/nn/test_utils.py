"""ember.nn.utils against torch: gradient clipping, parameter vectors and the hook forms of
weight and spectral normalization."""

from __future__ import annotations

import math
from importlib import import_module

import numpy as np
import pytest
import torch

import ember
from ember.nn.utils.weight_norm import _weight_norm
from tests.nn.module_oracle import assert_tensor_close, build_pair, check_module, load_torch_state

RNG = np.random.default_rng(0)
INF = float("inf")


def model_pair(dtype="float32"):
    """The same two-layer model in ember and torch (ember's weights copied from torch's)."""
    actual, expected = build_pair(lambda nn: nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2)))
    if dtype == "float64":
        actual.double()
        expected.double()
    load_torch_state(actual, expected)
    return actual, expected


def give_grads(actual, expected, scale=1.0, skip_last=True):
    """The same random gradients on both models; the last parameter keeps no gradient."""
    params = list(zip(actual.parameters(), expected.parameters()))
    if skip_last:
        params = params[:-1]
    for mine, theirs in params:
        grad = RNG.standard_normal(tuple(theirs.shape)) * scale
        theirs.grad = torch.tensor(grad, dtype=theirs.dtype)
        mine.grad = ember.tensor(grad, dtype=getattr(ember, str(theirs.dtype).split(".")[1]))


def assert_same_grads(actual, expected, rtol=1e-6, atol=1e-7):
    for (name, mine), theirs in zip(actual.named_parameters(), expected.parameters()):
        assert (mine.grad is None) == (theirs.grad is None), name
        if theirs.grad is not None:
            assert_tensor_close(mine.grad, theirs.grad, f"{name}.grad", rtol, atol)


# --- clip_grad_norm_ -----------------------------------------------------------------------

@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, INF, "inf", -INF, 0.0])
@pytest.mark.parametrize("max_norm", [0.3, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    actual, expected = model_pair()
    give_grads(actual, expected)
    their_norm = torch.nn.utils.clip_grad_norm_(expected.parameters(), max_norm, norm_type)
    my_norm = ember.nn.utils.clip_grad_norm_(actual.parameters(), max_norm, norm_type)
    assert_tensor_close(my_norm, their_norm, "total norm", 1e-6, 0)
    assert_same_grads(actual, expected)


@pytest.mark.parametrize("foreach", [None, True, False])
def test_clip_grad_norm_float64_and_foreach(foreach):
    actual, expected = model_pair("float64")
    give_grads(actual, expected, scale=10.0)
    their_norm = torch.nn.utils.clip_grad_norm_(expected.parameters(), 1.0, foreach=foreach)
    my_norm = ember.nn.utils.clip_grad_norm_(actual.parameters(), 1.0, foreach=foreach)
    assert_tensor_close(my_norm, their_norm, "total norm", 1e-12, 0)
    assert_same_grads(actual, expected, 1e-12, 1e-15)


def test_clip_grad_norm_mixed_dtypes_and_single_tensor():
    results = []
    for lib in (torch, ember):
        a = lib.nn.Parameter(lib.ones(3))
        b = lib.nn.Parameter(lib.ones(2, dtype=lib.float64))
        a.grad = lib.tensor([3.0, 0.0, 4.0])
        b.grad = lib.tensor([1.0, 2.0], dtype=lib.float64)
        total = lib.nn.utils.clip_grad_norm_([a, b], 0.5)
        single = lib.nn.utils.clip_grad_norm_(a, 0.1)  # one tensor, not a list
        results.append((total, single, a.grad, b.grad))
    for mine, theirs in zip(results[1], results[0]):
        assert_tensor_close(mine, theirs, "mixed dtypes", 1e-6, 1e-8)


def test_clip_grad_norm_empty_inputs():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match="is an empty generator, no gradient clipping"):
            total = lib.nn.utils.clip_grad_norm_((p for p in []), 1.0)
        assert total.item() == 0.0 and total.dtype == lib.float32 and total.dim() == 0
        # a list that is empty, or whose gradients are all None, gives 0 silently
        assert lib.nn.utils.clip_grad_norm_([], 1.0).item() == 0.0
        assert lib.nn.utils.clip_grad_norm_([lib.nn.Parameter(lib.ones(2))], 1.0).item() == 0.0


@pytest.mark.parametrize("bad", [INF, math.nan])
def test_clip_grad_norm_nonfinite(bad):
    outcomes = []
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.ones(3))
        p.grad = lib.tensor([1.0, bad, 2.0])
        with pytest.raises(RuntimeError, match=r"The total norm of order 2.0 for gradients "
                           r"from `parameters` is non-finite, so it cannot be clipped"):
            lib.nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
        total = lib.nn.utils.clip_grad_norm_(p, 1.0)  # scales by the non-finite norm anyway
        outcomes.append((total, p.grad))
    for mine, theirs in zip(outcomes[1], outcomes[0]):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_clip_grad_norm_deprecated_alias():
    results = []
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.ones(2))
        p.grad = lib.tensor([3.0, 4.0])
        with pytest.warns(FutureWarning, match=r"`torch.nn.utils.clip_grad_norm` is now "
                          r"deprecated in favor of `torch.nn.utils.clip_grad_norm_`"):
            results.append((lib.nn.utils.clip_grad_norm(p, 1.0), p.grad))
    for mine, theirs in zip(results[1], results[0]):
        assert_tensor_close(mine, theirs, "clip_grad_norm", 1e-6, 0)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, INF])
def test_get_total_norm_then_clip_grads_with_norm(norm_type):
    actual, expected = model_pair()
    give_grads(actual, expected)
    their_grads = [p.grad for p in expected.parameters() if p.grad is not None]
    my_grads = [p.grad for p in actual.parameters() if p.grad is not None]
    their_norm = torch.nn.utils.get_total_norm(their_grads, norm_type)
    my_norm = ember.nn.utils.get_total_norm(my_grads, norm_type)
    assert_tensor_close(my_norm, their_norm, "total norm", 1e-6, 0)
    torch.nn.utils.clip_grads_with_norm_(expected.parameters(), 0.2, their_norm)
    ember.nn.utils.clip_grads_with_norm_(actual.parameters(), 0.2, my_norm)
    assert_same_grads(actual, expected)


@pytest.mark.parametrize("clip_value", [0.5, 10])
def test_clip_grad_value(clip_value):
    actual, expected = model_pair()
    give_grads(actual, expected, scale=2.0)
    assert torch.nn.utils.clip_grad_value_(expected.parameters(), clip_value) is None
    assert ember.nn.utils.clip_grad_value_(actual.parameters(), clip_value) is None
    assert_same_grads(actual, expected, 0, 0)
    # a single tensor
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.zeros(3))
        p.grad = lib.tensor([-3.0, 0.25, 3.0])
        lib.nn.utils.clip_grad_value_(p, 1)
        assert p.grad.tolist() == [-1.0, 0.25, 1.0]


def test_clipping_records_no_graph():
    p = ember.nn.Parameter(ember.ones(3))
    p.grad = ember.tensor([3.0, 4.0, 12.0], requires_grad=True) * 1
    total = ember.nn.utils.clip_grad_norm_(p, 1.0)
    assert total.grad_fn is None and not total.requires_grad


# --- parameters_to_vector / vector_to_parameters ------------------------------------------

def test_parameters_to_vector_and_back():
    actual, expected = model_pair()
    their_vec = torch.nn.utils.parameters_to_vector(expected.parameters())
    my_vec = ember.nn.utils.parameters_to_vector(actual.parameters())
    assert_tensor_close(my_vec, their_vec, "vector", 0, 0)
    assert my_vec.grad_fn.name() == their_vec.grad_fn.name()
    new = RNG.standard_normal(their_vec.shape[0]).astype(np.float32)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), expected.parameters())
    my_new = ember.tensor(new)
    ember.nn.utils.vector_to_parameters(my_new, actual.parameters())
    for (name, mine), theirs in zip(actual.named_parameters(), expected.parameters()):
        assert_tensor_close(mine, theirs, name, 0, 0)
        assert isinstance(mine, ember.nn.Parameter)
    # the parameters now view the vector
    my_new[0] = 100.0
    assert actual[0].weight[0, 0].item() == 100.0


def test_vector_to_parameters_needs_a_tensor():
    for lib in (torch, ember):
        with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
            lib.nn.utils.vector_to_parameters([1.0, 2.0], [lib.nn.Parameter(lib.ones(2))])


# --- weight_norm (hooks) ------------------------------------------------------------------

def weight_norm_hooks(make, **kwargs):
    """``make`` with the deprecated hook-based weight_norm (warning checked in each lib)."""
    def build(nn):
        with pytest.warns(FutureWarning, match=r"`torch.nn.utils.weight_norm` is deprecated "
                          r"in favor of `torch.nn.utils.parametrizations.weight_norm`"):
            return nn.utils.weight_norm(make(nn), **kwargs)
    return build


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_linear(dim):
    actual, expected = check_module(weight_norm_hooks(lambda nn: nn.Linear(4, 3), dim=dim),
                                    RNG.standard_normal((2, 4)))
    assert list(actual.state_dict()) == ["bias", "weight_g", "weight_v"]
    assert actual.weight.grad_fn.name() == expected.weight.grad_fn.name()


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_weight_norm_three_dimensional_weight(dim):
    # dim 0 and the last use torch's fused node, a middle one and -1 (all) a composite
    actual, expected = check_module(weight_norm_hooks(lambda nn: nn.Bilinear(2, 3, 4), dim=dim),
                                    RNG.standard_normal((2, 2)), RNG.standard_normal((2, 3)),
                                    dtype="float64")
    assert actual.weight.grad_fn.name() == expected.weight.grad_fn.name()
    assert tuple(actual.weight_g.shape) == tuple(expected.weight_g.shape)


def test_weight_norm_gradients_twice_differentiable():
    v = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    g = ember.randn(3, 1, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda v, g: _weight_norm(v, g, 0), (v, g))
    assert ember.autograd.gradgradcheck(lambda v, g: _weight_norm(v, g, 0), (v, g))


def test_remove_weight_norm():
    actual, expected = build_pair(weight_norm_hooks(lambda nn: nn.Linear(4, 3)))
    with torch.no_grad():
        expected.weight_g.mul_(2)
    load_torch_state(actual, expected)
    torch.nn.utils.remove_weight_norm(expected)
    ember.nn.utils.remove_weight_norm(actual)
    assert list(actual.state_dict()) == list(expected.state_dict()) == ["bias", "weight"]
    assert isinstance(actual.weight, ember.nn.Parameter)
    assert_tensor_close(actual.weight, expected.weight, "weight", 1e-6, 1e-7)
    assert not actual._forward_pre_hooks


def test_weight_norm_errors():
    for lib in (torch, ember):
        build = weight_norm_hooks(lambda nn: nn.Linear(2, 2))
        module = build(lib.nn)
        with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the "
                           "same parameter weight"):
            weight_norm_hooks(lambda nn, module=module: module)(lib.nn)
        with pytest.raises(ValueError, match=r"weight_norm of 'bias' not found in Linear"):
            lib.nn.utils.remove_weight_norm(module, "bias")


# --- spectral_norm (hooks) ----------------------------------------------------------------

@pytest.mark.parametrize("training", [True, False])
def test_spectral_norm_linear(training):
    actual, expected = check_module(lambda nn: nn.utils.spectral_norm(nn.Linear(5, 4)),
                                    RNG.standard_normal((3, 5)), training=training)
    assert list(actual.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    assert actual.state_dict()._metadata == expected.state_dict()._metadata


def test_spectral_norm_transposed_convolution_uses_dim_1():
    actual, _ = check_module(lambda nn: nn.utils.spectral_norm(nn.ConvTranspose2d(2, 3, 2)),
                             RNG.standard_normal((1, 2, 3, 3)))
    assert tuple(actual.weight_u.shape) == (3,)


def test_hooks_refuse_uninitialized_parameters():
    for lib in (torch, ember):
        with pytest.raises(ValueError, match="The module passed to `SpectralNorm` can't have "
                           "uninitialized parameters. Make sure to run the dummy forward"):
            lib.nn.utils.spectral_norm(lib.nn.LazyLinear(3))
        with pytest.raises(ValueError, match="The module passed to `WeightNorm` can't have "
                           "uninitialized parameters. Make sure to run the dummy forward"):
            weight_norm_hooks(lambda nn: nn.LazyLinear(3))(lib.nn)


def test_spectral_norm_options():
    check_module(lambda nn: nn.utils.spectral_norm(nn.Bilinear(3, 4, 2), n_power_iterations=3,
                                                   dim=1, eps=1e-6),
                 RNG.standard_normal((2, 3)), RNG.standard_normal((2, 4)), dtype="float64")


def test_spectral_norm_two_forwards_one_backward():
    # the power iteration of the second forward must not break the first one's graph
    actual, expected = build_pair(lambda nn: nn.utils.spectral_norm(nn.Linear(3, 3)))
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    for lib, module in ((torch, expected), (ember, actual)):
        (module(lib.tensor(x)).sum() - module(lib.tensor(x) * 2).sum()).backward()
    for (name, mine), theirs in zip(actual.named_parameters(), expected.parameters()):
        assert_tensor_close(mine.grad, theirs.grad, name, 1e-5, 1e-6)
    assert_tensor_close(actual.weight_u, expected.weight_u, "weight_u", 1e-5, 1e-6)


def test_remove_spectral_norm():
    actual, expected = build_pair(lambda nn: nn.utils.spectral_norm(nn.Linear(4, 3)))
    torch.nn.utils.remove_spectral_norm(expected)
    ember.nn.utils.remove_spectral_norm(actual)
    assert list(actual.state_dict()) == list(expected.state_dict()) == ["bias", "weight"]
    assert_tensor_close(actual.weight, expected.weight, "weight", 1e-6, 1e-7)
    assert isinstance(actual.weight, ember.nn.Parameter)
    assert not (actual._forward_pre_hooks or actual._state_dict_hooks
                or actual._load_state_dict_pre_hooks)


def test_spectral_norm_loads_a_state_dict_without_v():
    """A state dict from before version 1 stores ``weight`` and no ``weight_v``: loading
    solves for ``v``."""
    # a tall weight: W^T W is invertible
    actual, expected = build_pair(lambda nn: nn.utils.spectral_norm(nn.Linear(3, 4)))
    expected(torch.tensor(RNG.standard_normal((2, 3)).astype(np.float32)))
    old = {k: v.detach().clone() for k, v in expected.state_dict().items() if k != "weight_v"}
    old["weight"] = expected.weight.detach().clone()
    expected.load_state_dict(old)
    actual.load_state_dict({k: ember.tensor(v.numpy()) for k, v in old.items()})
    assert_tensor_close(actual.weight_v, expected.weight_v, "weight_v", 1e-4, 1e-5)


def test_spectral_norm_errors():
    for lib in (torch, ember):
        with pytest.raises(ValueError, match="Expected n_power_iterations to be positive, but "
                           "got n_power_iterations=0"):
            lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2), n_power_iterations=0)
        module = lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2))
        with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks on "
                           "the same parameter weight"):
            lib.nn.utils.spectral_norm(module)
        with pytest.raises(ValueError, match="spectral_norm of 'bias' not found in Linear"):
            lib.nn.utils.remove_spectral_norm(module, "bias")
        no_bias = lib.nn.Linear(2, 2, bias=False)
        with pytest.raises(ValueError, match="`SpectralNorm` cannot be applied as parameter "
                           "`bias` is None"):
            lib.nn.utils.spectral_norm(no_bias, "bias")


# --- stateless.functional_call and skip_init ----------------------------------------------

def utils_module(lib, name):
    """``lib.nn.utils.<name>``, imported."""
    return import_module(f"{lib.__name__}.nn.utils.{name}")


def functional_call(lib, *args, **kwargs):
    stateless = utils_module(lib, "stateless")
    with pytest.warns(FutureWarning, match=r"`torch.nn.utils.stateless.functional_call` is "
                      r"deprecated as of PyTorch 2.0"):
        return stateless.functional_call(*args, **kwargs)


def test_functional_call_uses_the_given_tensors():
    actual, expected = model_pair()
    replacements = {"0.weight": RNG.standard_normal((3, 4)), "1.bias": RNG.standard_normal(2)}
    x = RNG.standard_normal((2, 4))
    outputs = []
    for lib, module in ((torch, expected), (ember, actual)):
        before = module[0].weight
        tensors = {k: lib.tensor(v, dtype=lib.float32, requires_grad=True)
                   for k, v in replacements.items()}
        output = functional_call(lib, module, tensors, lib.tensor(x, dtype=lib.float32))
        output.sum().backward()
        outputs += [output, tensors["0.weight"].grad]
        assert module[0].weight is before and module[0].weight.grad is None
    for mine, theirs in zip(outputs[2:], outputs[:2]):
        assert_tensor_close(mine, theirs, "functional_call", 1e-6, 1e-6)


def test_functional_call_tied_weights_and_strict():
    for lib in (torch, ember):
        model = lib.nn.Sequential(lib.nn.Linear(2, 2, bias=False), lib.nn.Linear(2, 2, bias=False))
        model[1].weight = model[0].weight
        x = lib.ones(1, 2)
        out = functional_call(lib, model, {"0.weight": lib.eye(2)}, (x,))
        assert out.tolist() == [[1.0, 1.0]]  # both layers saw the identity
        out = functional_call(lib, model, {"0.weight": lib.eye(2)}, (x,), tie_weights=False)
        assert out.tolist() != [[1.0, 1.0]]
        with pytest.raises(ValueError, match=r"functional_call got multiple values for keys "
                           r"\['0.weight', '1.weight'\], which are tied"):
            functional_call(lib, model, {"0.weight": lib.eye(2), "1.weight": lib.ones(2, 2)}, x)
        with pytest.raises(RuntimeError, match="Error\\(s\\) in reparametrizing for Sequential:"
                           "\n\tUnexpected key\\(s\\): 'other'.\n\tMissing key\\(s\\): "
                           "'1.weight'."):
            functional_call(lib, model, {"0.weight": lib.eye(2), "other": lib.eye(2)}, x,
                            tie_weights=False, strict=True)


def test_skip_init():
    for lib in (torch, ember):
        skip_init = utils_module(lib, "init").skip_init
        lib.manual_seed(3)
        m = skip_init(lib.nn.Linear, 5, out_features=2)
        assert tuple(m.weight.shape) == (2, 5) and isinstance(m.weight, lib.nn.Parameter)
        draws = lib.rand(3).tolist()
        lib.manual_seed(3)
        assert draws == lib.rand(3).tolist()  # no number was drawn
        with pytest.raises(RuntimeError, match="Expected a Module; got <class 'int'>"):
            skip_init(int)
        with pytest.raises(RuntimeError, match="Module must support a 'device' arg to skip "
                           "initialization"):
            skip_init(lib.nn.Identity)


# --- fusion and memory formats ------------------------------------------------------------

def eval_pair(make):
    """``make(nn)`` in both libraries with torch's state (running statistics made up and
    copied too), in eval mode."""
    actual, expected = build_pair(make)
    for name, buffer in expected.named_buffers():
        if name.endswith(("running_mean", "running_var")):
            buffer.copy_(torch.rand(buffer.shape) + 0.5)
    load_torch_state(actual, expected)
    return actual.eval(), expected.eval()


@pytest.mark.parametrize("bias", [True, False])
def test_fuse_linear_bn_eval(bias):
    actual, expected = eval_pair(lambda nn: nn.Sequential(nn.Linear(4, 3, bias=bias),
                                                          nn.BatchNorm1d(3)))
    fused = utils_module(ember, "fusion").fuse_linear_bn_eval(actual[0], actual[1])
    their_fused = utils_module(torch, "fusion").fuse_linear_bn_eval(expected[0], expected[1])
    assert actual[0].bias is None or fused.bias is not actual[0].bias  # a copy
    assert_same_state_close(fused, their_fused)
    x = RNG.standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(fused(ember.tensor(x)).detach().numpy(),
                               expected(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("conv", ["Conv2d", "ConvTranspose2d"])
def test_fuse_conv_bn_eval(conv):
    actual, expected = eval_pair(lambda nn: nn.Sequential(getattr(nn, conv)(2, 3, 2),
                                                          nn.BatchNorm2d(3)))
    transpose = conv == "ConvTranspose2d"
    fused = utils_module(ember, "fusion").fuse_conv_bn_eval(actual[0], actual[1], transpose)
    their_fused = utils_module(torch, "fusion").fuse_conv_bn_eval(expected[0], expected[1], transpose)
    assert_same_state_close(fused, their_fused)
    x = RNG.standard_normal((1, 2, 4, 4)).astype(np.float32)
    np.testing.assert_allclose(fused(ember.tensor(x)).detach().numpy(),
                               expected(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-5)


def test_fuse_conv_bn_weights_without_optional_tensors():
    arrays = [RNG.standard_normal(shape).astype(np.float32) for shape in [(3, 2, 2), (3,)]]
    results = []
    for lib in (torch, ember):
        weight, mean = (lib.tensor(a) for a in arrays)
        results.append(utils_module(lib, "fusion").fuse_conv_bn_weights(weight, None, mean, mean.abs(), 1e-3,
                                                         None, None))
    for mine, theirs in zip(results[1], results[0]):
        assert_tensor_close(mine, theirs, "fused", 1e-6, 1e-7)
        assert type(mine) is ember.nn.Parameter


def test_fusion_errors():
    for lib in (torch, ember):
        linear, bn = lib.nn.Linear(2, 3), lib.nn.BatchNorm1d(3)
        with pytest.raises(AssertionError, match="Fusion only for eval!"):
            utils_module(lib, "fusion").fuse_linear_bn_eval(linear, bn)
        with pytest.raises(AssertionError, match="To fuse, linear.out_features == "
                           "bn.num_features or bn.num_features == 1, got "
                           "linear.out_features=3 and bn.num_features=2"):
            utils_module(lib, "fusion").fuse_linear_bn_eval(linear.eval(), lib.nn.BatchNorm1d(2).eval())
        no_stats = lib.nn.BatchNorm2d(3, track_running_stats=False).eval()
        with pytest.raises(AssertionError, match="bn.running_mean and bn.running_var must not "
                           "be None"):
            utils_module(lib, "fusion").fuse_conv_bn_eval(lib.nn.Conv2d(2, 3, 1).eval(), no_stats)


def assert_same_state_close(actual, expected):
    assert list(actual.state_dict()) == list(expected.state_dict())
    for (name, mine), theirs in zip(actual.state_dict().items(), expected.state_dict().values()):
        assert_tensor_close(mine, theirs, name, 1e-6, 1e-7)


@pytest.mark.parametrize("dims", [2, 3])
def test_convert_conv_weight_memory_format(dims):
    def make(nn):
        return nn.Sequential(getattr(nn, f"Conv{dims}d")(2, 3, 1), nn.Sequential(
            getattr(nn, f"ConvTranspose{dims}d")(3, 2, 1)), nn.Linear(2, 2))

    actual, expected = build_pair(make)
    memory_format = "channels_last" if dims == 2 else "channels_last_3d"
    weights = [p for p in actual.parameters()]
    for lib, module in ((torch, expected), (ember, actual)):
        convert = getattr(utils_module(lib, "memory_format"),
                          f"convert_conv{dims}d_weight_memory_format")
        assert convert(module, getattr(lib, memory_format)) is module
    assert [p for p in actual.parameters()] == weights  # the same Parameter objects
    for mine, theirs in zip(actual.parameters(), expected.parameters()):
        assert mine.stride() == theirs.stride()
        assert_tensor_close(mine, theirs, "weight", 0, 0)
