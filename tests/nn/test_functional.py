"""``ember.nn.functional`` against ``torch.nn.functional``: outputs, ``grad_fn`` names,
gradients (float64 and float32, gradcheck, gradgradcheck) and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from tests.autograd.grad_oracle import GradTable
from tests.nn.module_oracle import assert_same_error

TABLE = GradTable("nn.functional")
case, v, p = TABLE.case, TABLE.v, TABLE.p


def F(L):
    return L.nn.functional


def probs(*shape):
    return p(*shape, low=0.1, high=0.9)


def targets(*values):
    return lambda L: L.tensor(values)


# ---------------------------------------------------------------- linear
case("linear", lambda L, x, w, b: F(L).linear(x, w, b), v(3, 4), v(5, 4), v(5))
case("linear_nobias", lambda L, x, w: F(L).linear(x, w), v(3, 4), v(5, 4))
case("linear_1d", lambda L, x, w, b: F(L).linear(x, w, b), v(4), v(5, 4), v(5))
case("linear_3d", lambda L, x, w, b: F(L).linear(x, w, b), v(2, 3, 4), v(5, 4), v(5))
case("linear_3d_nobias", lambda L, x, w: F(L).linear(x, w), v(2, 3, 4), v(5, 4))
case("bilinear", lambda L, a, b, w, c: F(L).bilinear(a, b, w, c), v(2, 3), v(2, 4), v(5, 3, 4),
     v(5))
case("bilinear_nobias", lambda L, a, b, w: F(L).bilinear(a, b, w), v(2, 3), v(2, 4), v(5, 3, 4))
case("bilinear_1d", lambda L, a, b, w: F(L).bilinear(a, b, w), v(3), v(4), v(5, 3, 4))

# ---------------------------------------------------------------- activations
X = (2, 5)
ACTIVATIONS = {
    "relu": lambda f, x: f.relu(x),
    "relu6": lambda f, x: f.relu6(x * 4),
    "leaky_relu": lambda f, x: f.leaky_relu(x),
    "leaky_relu_slope": lambda f, x: f.leaky_relu(x, 0.2),
    "elu": lambda f, x: f.elu(x),
    "elu_alpha": lambda f, x: f.elu(x, 0.7),
    "selu": lambda f, x: f.selu(x),
    "celu": lambda f, x: f.celu(x, 0.5),
    "gelu": lambda f, x: f.gelu(x),
    "gelu_tanh": lambda f, x: f.gelu(x, approximate="tanh"),
    "silu": lambda f, x: f.silu(x),
    "mish": lambda f, x: f.mish(x),
    "softplus": lambda f, x: f.softplus(x),
    "softplus_beta": lambda f, x: f.softplus(x * 4, 2.0, 3.0),
    "softsign": lambda f, x: f.softsign(x),
    "hardtanh": lambda f, x: f.hardtanh(x),
    "hardtanh_range": lambda f, x: f.hardtanh(x, -0.8, 1.5),
    "hardsigmoid": lambda f, x: f.hardsigmoid(x * 2.3),
    "hardswish": lambda f, x: f.hardswish(x * 2.3),
    "logsigmoid": lambda f, x: f.logsigmoid(x),
    "tanhshrink": lambda f, x: f.tanhshrink(x),
    "softshrink": lambda f, x: f.softshrink(x),
    "softshrink_lambd": lambda f, x: f.softshrink(x, 1.2),
    "hardshrink": lambda f, x: f.hardshrink(x),
    "threshold": lambda f, x: f.threshold(x, 0.1, 20.0),
    "glu": lambda f, x: f.glu(x, 0),
    "glu_last": lambda f, x: f.glu(x.t()),
    "softmax": lambda f, x: f.softmax(x, 1),
    "softmax_dtype": lambda f, x: f.softmax(x, 0, dtype=x.dtype),
    "log_softmax": lambda f, x: f.log_softmax(x, 1),
    "softmin": lambda f, x: f.softmin(x, 1),
    "normalize": lambda f, x: f.normalize(x),
    "normalize_p1": lambda f, x: f.normalize(x, 1.0, 0),
    "sigmoid": lambda f, x: f.sigmoid(x),
    "tanh": lambda f, x: f.tanh(x),
}
for name, function in ACTIVATIONS.items():
    case(name, lambda L, x, function=function: function(F(L), x), v(*X, low=0.1, high=3.0))

# ---------------------------------------------------------------- losses
REDUCTIONS = ("none", "mean", "sum")
for r in REDUCTIONS:
    case(f"mse_loss_{r}", lambda L, x, t, r=r: F(L).mse_loss(x, t, reduction=r), v(3, 4), v(3, 4))
    case(f"l1_loss_{r}", lambda L, x, t, r=r: F(L).l1_loss(x, t, reduction=r), v(3, 4), v(3, 4))
    case(f"smooth_l1_loss_{r}", lambda L, x, t, r=r: F(L).smooth_l1_loss(x, t, reduction=r),
         v(3, 4), v(3, 4, low=0.1, high=0.4))
    case(f"smooth_l1_loss_beta_{r}",
         lambda L, x, t, r=r: F(L).smooth_l1_loss(x, t, reduction=r, beta=2.0),
         v(3, 4), v(3, 4, low=0.1, high=0.4))
    case(f"huber_loss_{r}", lambda L, x, t, r=r: F(L).huber_loss(x, t, reduction=r, delta=0.7),
         v(3, 4), v(3, 4, low=0.1, high=0.4))
    case(f"bce_{r}", lambda L, x, t, r=r: F(L).binary_cross_entropy(x, t, reduction=r),
         probs(3, 4), probs(3, 4))
    case(f"bce_weight_{r}",
         lambda L, x, t, w, r=r: F(L).binary_cross_entropy(x, t, w, reduction=r),
         probs(3, 4), probs(3, 4), p(4), requires_grad=(0, 1))
    case(f"bce_logits_{r}",
         lambda L, x, t, r=r: F(L).binary_cross_entropy_with_logits(x, t, reduction=r),
         v(3, 4), probs(3, 4))
    case(f"bce_logits_pos_weight_{r}",
         lambda L, x, t, w, pw, r=r: F(L).binary_cross_entropy_with_logits(
             x, t, w, reduction=r, pos_weight=pw),
         v(3, 4), probs(3, 4), p(4), p(4), requires_grad=(0, 1))
    case(f"nll_loss_{r}",
         lambda L, x, r=r: F(L).nll_loss(x, L.tensor([0, 3, 1]), reduction=r), v(3, 4))
    case(f"nll_loss_weight_ignore_{r}",
         lambda L, x, w, r=r: F(L).nll_loss(x, L.tensor([0, 3, 1, 2]), w, ignore_index=1,
                                             reduction=r),
         v(4, 4), p(4), requires_grad=(0,))
    case(f"nll_loss_kdim_{r}",
         lambda L, x, r=r: F(L).nll_loss(x, L.tensor([[0, 2, 1], [1, 1, 0]]), reduction=r),
         v(2, 3, 3))
    case(f"nll_loss_2d_{r}",
         lambda L, x, r=r: F(L).nll_loss(x, L.tensor([[[0, 2], [1, 1]], [[1, 0], [2, 2]]]),
                                         reduction=r),
         v(2, 3, 2, 2))
    case(f"cross_entropy_{r}",
         lambda L, x, r=r: F(L).cross_entropy(x, L.tensor([0, 3, 1]), reduction=r), v(3, 4))
    case(f"cross_entropy_smoothing_{r}",
         lambda L, x, w, r=r: F(L).cross_entropy(x, L.tensor([0, 3, 1, 2]), w, ignore_index=1,
                                                 reduction=r, label_smoothing=0.2),
         v(4, 4), p(4), requires_grad=(0,))
    case(f"cross_entropy_smoothing_noweight_{r}",
         lambda L, x, r=r: F(L).cross_entropy(x, L.tensor([0, 3, 1]), reduction=r,
                                              label_smoothing=0.1), v(3, 4))
    case(f"cross_entropy_probs_{r}",
         lambda L, x, t, r=r: F(L).cross_entropy(x, t, reduction=r), v(3, 4), probs(3, 4))
    case(f"cross_entropy_probs_smoothing_{r}",
         lambda L, x, t, w, r=r: F(L).cross_entropy(x, t, w, reduction=r, label_smoothing=0.3),
         v(3, 4), probs(3, 4), p(4), requires_grad=(0, 1))
for r in REDUCTIONS + ("batchmean",):
    case(f"kl_div_{r}", lambda L, x, t, r=r: F(L).kl_div(x, t, reduction=r), v(3, 4),
         probs(3, 4))
    case(f"kl_div_log_target_{r}",
         lambda L, x, t, r=r: F(L).kl_div(x, t, reduction=r, log_target=True), v(3, 4), v(3, 4))
for r in REDUCTIONS:
    case(f"margin_ranking_{r}", lambda L, a, b, r=r: F(L).margin_ranking_loss(
        a, b, L.tensor([1.0, -1.0, 1.0, -1.0]), 0.1, reduction=r), v(4), v(4))
    case(f"hinge_embedding_{r}", lambda L, x, r=r: F(L).hinge_embedding_loss(
        x, L.tensor([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]]), 1.5, reduction=r), v(2, 3))
    case(f"soft_margin_{r}", lambda L, x, r=r: F(L).soft_margin_loss(
        x, L.tensor([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]]), reduction=r), v(2, 3))
    case(f"poisson_nll_{r}", lambda L, x, t, r=r: F(L).poisson_nll_loss(x, t, reduction=r),
         v(2, 3), p(2, 3))
    case(f"poisson_nll_full_{r}", lambda L, x, t, r=r: F(L).poisson_nll_loss(
        x, t * 2, log_input=False, full=True, reduction=r), p(2, 3), p(2, 3))
    case(f"gaussian_nll_{r}", lambda L, x, t, var, r=r: F(L).gaussian_nll_loss(
        x, t, var, reduction=r), v(2, 3), v(2, 3), p(2, 3))
    case(f"gaussian_nll_homoscedastic_{r}", lambda L, x, t, var, r=r: F(L).gaussian_nll_loss(
        x, t, var, full=True, reduction=r), v(2, 3), v(2, 3), p(2))
    case(f"cosine_embedding_{r}", lambda L, a, b, r=r: F(L).cosine_embedding_loss(
        a, b, L.tensor([1.0, -1.0, -1.0]), -0.5, reduction=r), v(3, 4), v(3, 4))
    case(f"multilabel_soft_margin_{r}", lambda L, x, t, r=r: F(L).multilabel_soft_margin_loss(
        x, t, reduction=r), v(3, 4), probs(3, 4))
    case(f"triplet_margin_{r}", lambda L, a, b, c, r=r: F(L).triplet_margin_loss(
        a, b, c, margin=3.0, reduction=r), v(3, 4), v(3, 4), v(3, 4))
    case(f"triplet_margin_swap_{r}", lambda L, a, b, c, r=r: F(L).triplet_margin_loss(
        a, b, c, margin=3.0, p=1, swap=True, reduction=r), v(3, 4), v(3, 4), v(3, 4))
    case(f"multi_margin_{r}", lambda L, x, r=r: F(L).multi_margin_loss(
        x, L.tensor([0, 3, 1]), reduction=r), v(3, 4, low=0.1, high=0.6))
    case(f"multi_margin_p2_weight_{r}", lambda L, x, w, r=r: F(L).multi_margin_loss(
        x, L.tensor([0, 3, 1]), p=2, margin=0.7, weight=w, reduction=r),
        v(3, 4, low=0.1, high=0.6), p(4), requires_grad=(0,))
case("multi_margin_1d", lambda L, x: F(L).multi_margin_loss(x, L.tensor(2)),
     v(4, low=0.1, high=0.6))
case("prelu", lambda L, x, w: F(L).prelu(x, w), v(2, 3, 2), v(3))
case("prelu_shared", lambda L, x, w: F(L).prelu(x, w), v(2, 3), v(1))
case("prelu_1d", lambda L, x, w: F(L).prelu(x, w), v(5), v(1))
case("pairwise_distance", lambda L, a, b: F(L).pairwise_distance(a, b), v(3, 4), v(3, 4))
case("pairwise_distance_p1", lambda L, a, b: F(L).pairwise_distance(a, b, 1.0), v(3, 4),
     v(3, 4))
case("pairwise_distance_p3_keepdim", lambda L, a, b: F(L).pairwise_distance(
    a, b, 3.0, keepdim=True), v(3, 4), v(4))
case("pairwise_distance_inf", lambda L, a, b: F(L).pairwise_distance(a, b, float("inf")),
     v(3, 4), v(3, 4), gradcheck=False)
case("cosine_similarity", lambda L, a, b: F(L).cosine_similarity(a, b), v(3, 4), v(3, 4))
case("cosine_similarity_dim0", lambda L, a, b: F(L).cosine_similarity(a, b, 0), v(3, 4), v(4))
case("embedding", lambda L, w: F(L).embedding(L.tensor([[0, 2], [3, 0]]), w), v(4, 3))
case("embedding_padding", lambda L, w: F(L).embedding(L.tensor([[0, 2], [3, 0]]), w,
                                                      padding_idx=0), v(4, 3),
     gradcheck=False)  # the padding row is read but gets no gradient, as in torch
case("cross_entropy_1d", lambda L, x: F(L).cross_entropy(x, L.tensor(2)), v(4))
case("cross_entropy_kdim", lambda L, x: F(L).cross_entropy(x, L.tensor([[0, 2], [1, 1]])),
     v(2, 3, 2))

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "reduction: 'mean' divides")
        yield


@pytest.mark.parametrize("name", ["relu", "relu6", "leaky_relu", "elu", "selu", "celu",
                                  "hardtanh", "hardsigmoid", "hardswish", "silu", "mish"])
def test_inplace(name):
    values = np.linspace(-4, 4, 9)
    theirs = torch.tensor(values)
    ours = ember.tensor(values)
    assert getattr(F(torch), name)(theirs, inplace=True) is theirs
    assert getattr(F(ember), name)(ours, inplace=True) is ours
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


ERRORS = [
    ("glu odd", lambda L: F(L).glu(L.ones(3, 3))),
    ("glu scalar", lambda L: F(L).glu(L.tensor(1.0))),
    ("bad reduction", lambda L: F(L).mse_loss(L.ones(3), L.ones(3), reduction="avg")),
    ("bce range", lambda L: F(L).binary_cross_entropy(L.tensor([1.5]), L.tensor([1.0]))),
    ("bce size", lambda L: F(L).binary_cross_entropy(L.ones(2, 1) / 2, L.ones(2))),
    ("bce logits size", lambda L: F(L).binary_cross_entropy_with_logits(L.ones(2, 1), L.ones(2))),
    ("nll out of range", lambda L: F(L).nll_loss(L.ones(3, 4), L.tensor([0, 4, 1]))),
    ("nll negative", lambda L: F(L).nll_loss(L.ones(3, 4), L.tensor([0, -2, 1]))),
    ("nll batch", lambda L: F(L).nll_loss(L.ones(3, 4), L.tensor([0, 1]))),
    ("nll float target", lambda L: F(L).nll_loss(L.ones(3, 4), L.ones(3))),
    ("nll weight", lambda L: F(L).nll_loss(L.ones(3, 4), L.tensor([0, 1, 1]), L.ones(3))),
    ("ce smoothing", lambda L: F(L).cross_entropy(L.ones(3, 4), L.tensor([0, 1, 1]),
                                                  label_smoothing=1.5)),
    ("hardtanh range", lambda L: F(L).hardtanh(L.ones(3), 2.0, 1.0)),
    ("softshrink lambd", lambda L: F(L).softshrink(L.ones(3), -1.0)),
    ("gelu approximate", lambda L: F(L).gelu(L.ones(3), approximate="fast")),
    ("huber delta", lambda L: F(L).huber_loss(L.ones(3), L.ones(3), delta=0.0)),
    ("smooth l1 beta", lambda L: F(L).smooth_l1_loss(L.ones(3), L.ones(3), beta=-1.0)),
    ("kl reduction", lambda L: F(L).kl_div(L.ones(3), L.ones(3), reduction="avg")),
]


@pytest.mark.parametrize("name, function", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, function):
    assert_same_error(function)


def test_target_size_warning():
    for L in (torch, ember):
        with pytest.warns(UserWarning, match="Using a target size"):
            result = F(L).mse_loss(L.ones(3, 1), L.zeros(3))
        assert result.item() == 1.0


def test_implicit_softmax_dim():
    for L in (torch, ember):
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
            result = F(L).softmax(L.arange(6.0).reshape(2, 3))
        np.testing.assert_allclose(result.numpy(), torch.arange(6.0).reshape(2, 3).softmax(1))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_all_ignored_is_nan(dtype):
    for L in (torch, ember):
        x = L.ones(2, 3, dtype=getattr(L, dtype))
        assert F(L).cross_entropy(x, L.tensor([-100, -100])).isnan().item()


INPLACE_NODES = ["relu", "relu6", "leaky_relu", "elu", "selu", "celu", "hardtanh",
                 "hardsigmoid", "hardswish", "silu", "mish", "threshold"]


@pytest.mark.parametrize("name", INPLACE_NODES)
def test_inplace_with_grad(name):
    values = np.linspace(-4.1, 4.3, 9)
    grads = np.linspace(1, 2, 9)
    results = []
    for L in (torch, ember):
        x = L.tensor(values, requires_grad=True)
        y = x * 1
        args = (0.1, 2.0) if name == "threshold" else ()
        out = getattr(F(L), name)(y, *args, inplace=True)
        assert out is y
        out.backward(L.tensor(grads))
        results.append((out.grad_fn.name(), out.detach().numpy(), x.grad.numpy()))
    assert results[0][0] == results[1][0]
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-12)
    np.testing.assert_allclose(results[1][2], results[0][2], rtol=1e-12)


NOT_DIFFERENTIABLE = [
    ("bce", lambda L, w: F(L).binary_cross_entropy(L.ones(2, 3) / 2, L.ones(2, 3) / 3, w)),
    ("bce_logits", lambda L, w: F(L).binary_cross_entropy_with_logits(L.ones(2, 3),
                                                                      L.ones(2, 3), w)),
    ("pos_weight", lambda L, w: F(L).binary_cross_entropy_with_logits(
        L.ones(2, 3), L.ones(2, 3), pos_weight=w)),
    ("nll", lambda L, w: F(L).nll_loss(L.ones(2, 3), L.tensor([0, 2]), w)),
    ("cross_entropy", lambda L, w: F(L).cross_entropy(L.ones(2, 3), L.tensor([0, 2]), w)),
]


@pytest.mark.parametrize("name, function", NOT_DIFFERENTIABLE,
                         ids=[n[0] for n in NOT_DIFFERENTIABLE])
def test_weight_not_differentiable(name, function):
    with pytest.raises(RuntimeError) as expected:
        function(torch, torch.ones(3, requires_grad=True))
    with pytest.raises(RuntimeError) as raised:
        function(ember, ember.ones(3, requires_grad=True))
    assert str(raised.value) == str(expected.value)


# functions of one tensor, on 0-dim, empty, transposed and extreme inputs
SHAPE_CASES = {
    "0-dim": lambda L: L.tensor(0.7),
    "empty": lambda L: L.ones(0, 3),
    "transposed": lambda L: L.arange(-6.0, 6.0).reshape(3, 4).t(),
    "extreme": lambda L: L.tensor([-1e4, -30.0, -3.0, 0.0, 3.0, 30.0, 1e4]),
}
ONE_INPUT = ["relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish",
             "softplus", "softsign", "hardtanh", "hardsigmoid", "hardswish", "logsigmoid",
             "tanhshrink", "softshrink", "hardshrink"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", list(SHAPE_CASES))
@pytest.mark.parametrize("name", ONE_INPUT)
def test_inputs(name, kind, dtype):
    theirs = getattr(F(torch), name)(SHAPE_CASES[kind](torch).to(getattr(torch, dtype)))
    ours = getattr(F(ember), name)(SHAPE_CASES[kind](ember).to(getattr(ember, dtype)))
    assert str(ours.dtype) == str(theirs.dtype) and tuple(ours.shape) == tuple(theirs.shape)
    rtol = 1e-6 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol, atol=rtol)


LOSS_EDGES = [
    ("bce saturated", lambda L: F(L).binary_cross_entropy(L.tensor([0.0, 1.0, 0.5, 1.0]),
                                                         L.tensor([1.0, 0.0, 0.5, 1.0]))),
    ("bce logits large", lambda L: F(L).binary_cross_entropy_with_logits(
        L.tensor([-200.0, 200.0, 0.0]), L.tensor([1.0, 0.0, 0.5]), reduction="none")),
    ("mse empty", lambda L: F(L).mse_loss(L.ones(0), L.ones(0))),
    ("mse empty sum", lambda L: F(L).mse_loss(L.ones(0), L.ones(0), reduction="sum")),
    ("nll empty", lambda L: F(L).nll_loss(L.ones(0, 3), L.ones(0, dtype=L.int64))),
    ("ce empty sum", lambda L: F(L).cross_entropy(L.ones(0, 3), L.ones(0, dtype=L.int64),
                                                  reduction="sum")),
    ("kl zero target", lambda L: F(L).kl_div(L.tensor([-1.0, -2.0]), L.tensor([0.0, 1.0]),
                                             reduction="sum")),
    ("legacy reduce", lambda L: F(L).mse_loss(L.ones(2), L.zeros(2), reduce=False)),
    ("legacy size_average", lambda L: F(L).l1_loss(L.ones(2), L.zeros(2), size_average=False)),
]


@pytest.mark.parametrize("name, function", LOSS_EDGES, ids=[e[0] for e in LOSS_EDGES])
def test_loss_edges(name, function):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = function(torch)
        ours = function(ember)
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 1.0])
@pytest.mark.parametrize("seed", [0, 3])
def test_dropout_same_mask(p, seed):
    results = []
    for L in (torch, ember):
        L.manual_seed(seed)
        x = L.arange(1.0, 41.0).reshape(5, 8).requires_grad_()
        y = F(L).dropout(x, p)
        y.backward(L.ones(5, 8))
        results.append((y.detach().numpy(), x.grad.numpy(),
                        None if y.grad_fn is None else y.grad_fn.name()))
    np.testing.assert_array_equal(results[1][0], results[0][0])
    np.testing.assert_array_equal(results[1][1], results[0][1])
    assert results[1][2] == results[0][2]


def test_dropout_identity():
    x = ember.ones(3)
    assert F(ember).dropout(x, 0.5, training=False) is x
    assert F(ember).dropout(x, 0.0) is x
    ember.manual_seed(1)
    torch.manual_seed(1)
    y = torch.ones(3, 4)
    z = ember.ones(3, 4)
    assert F(ember).dropout(z, 0.5, inplace=True) is z
    F(torch).dropout(y, 0.5, inplace=True)
    np.testing.assert_array_equal(z.numpy(), y.numpy())


@pytest.mark.parametrize("values, classes", [([0, 3, 1], -1), ([[0, 2], [1, 1]], 4), ([], 3)])
def test_one_hot(values, classes):
    theirs = F(torch).one_hot(torch.tensor(values, dtype=torch.int64), classes)
    ours = F(ember).one_hot(ember.tensor(values, dtype=ember.int64), classes)
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


MORE_ERRORS = [
    ("one_hot negative", lambda L: F(L).one_hot(L.tensor([-1]), 3)),
    ("one_hot large", lambda L: F(L).one_hot(L.tensor([4]), 3)),
    ("one_hot float", lambda L: F(L).one_hot(L.tensor([1.0]), 3)),
    ("dropout p", lambda L: F(L).dropout(L.ones(3), 1.5)),
    ("embedding index", lambda L: F(L).embedding(L.tensor([5]), L.ones(3, 2))),
    ("embedding padding", lambda L: F(L).embedding(L.tensor([1]), L.ones(3, 2),
                                                   padding_idx=3)),
    ("prelu channels", lambda L: F(L).prelu(L.ones(2, 3), L.ones(2))),
    ("multi_margin p", lambda L: F(L).multi_margin_loss(L.ones(2, 3), L.tensor([0, 1]), p=3)),
    ("triplet margin", lambda L: F(L).triplet_margin_loss(L.ones(2, 3), L.ones(2, 3),
                                                          L.ones(2, 3), margin=0.0)),
    ("gaussian var size", lambda L: F(L).gaussian_nll_loss(L.ones(2, 3), L.ones(2, 3),
                                                           L.ones(3, 2))),
    ("gaussian var negative", lambda L: F(L).gaussian_nll_loss(L.ones(2, 3), L.ones(2, 3),
                                                               -L.ones(2, 3))),
    ("cosine embedding target", lambda L: F(L).cosine_embedding_loss(
        L.ones(2, 3), L.ones(2, 3), L.ones(2, 1))),
]


@pytest.mark.parametrize("name, function", MORE_ERRORS, ids=[e[0] for e in MORE_ERRORS])
def test_more_errors(name, function):
    test_errors(name, function)


DROPOUTS = [
    ("dropout1d", (4, 3, 5), {}),
    ("dropout1d", (3, 5), {}),
    ("dropout2d", (2, 3, 4, 4), {}),
    ("dropout2d", (2, 3, 4), {}),
    ("dropout3d", (2, 3, 2, 2, 2), {}),
    ("dropout3d", (3, 2, 2, 2), {}),
    ("alpha_dropout", (4, 6), {"training": True}),
    ("alpha_dropout", (4, 6), {}),
    ("feature_alpha_dropout", (4, 3, 2), {"training": True}),
]


@pytest.mark.parametrize("p", [0.3, 1.0])
@pytest.mark.parametrize("name, shape, kwargs", DROPOUTS,
                         ids=[f"{d[0]}-{len(d[1])}d-{bool(d[2])}" for d in DROPOUTS])
def test_dropout_variants(name, shape, kwargs, p):
    results = []
    for L in (torch, ember):
        L.manual_seed(5)
        x = (L.arange(float(np.prod(shape))).reshape(shape) - 7).requires_grad_()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = getattr(F(L), name)(x, p, **kwargs)
        y.backward(L.ones(shape))
        results.append((y.detach().numpy(), x.grad.numpy(),
                        None if y.grad_fn is None else y.grad_fn.name(), L.rand(2).numpy()))
    for ours, theirs in zip(results[1], results[0]):
        if isinstance(theirs, np.ndarray):
            np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)
        else:
            assert ours == theirs


def test_dropout_warnings_and_errors():
    for L in (torch, ember):
        with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
            F(L).dropout2d(L.ones(2, 3, 4))
        with pytest.warns(UserWarning, match="Received a 2-D input to dropout3d"):
            F(L).dropout3d(L.ones(2, 3))
    test_errors("dropout1d rank", lambda L: F(L).dropout1d(L.ones(2, 3, 4, 5)))
    test_errors("alpha p", lambda L: F(L).alpha_dropout(L.ones(2), -0.1))


SDPA = GradTable("nn.functional.sdpa")
SDPA.case("sdpa", lambda L, q, k, val: F(L).scaled_dot_product_attention(q, k, val),
          SDPA.v(2, 2, 3, 4), SDPA.v(2, 2, 5, 4), SDPA.v(2, 2, 5, 3))
SDPA.case("sdpa_causal", lambda L, q, k, val: F(L).scaled_dot_product_attention(
    q, k, val, is_causal=True, scale=0.3), SDPA.v(2, 4, 4), SDPA.v(2, 4, 4), SDPA.v(2, 4, 3))
SDPA.case("sdpa_bool_mask", lambda L, q, k, val: F(L).scaled_dot_product_attention(
    q, k, val, attn_mask=L.tensor([[True, False, True], [False, False, False]])),
    SDPA.v(2, 2, 4), SDPA.v(2, 3, 4), SDPA.v(2, 3, 3))
SDPA.case("sdpa_float_mask", lambda L, q, k, val, m: F(L).scaled_dot_product_attention(
    q, k, val, attn_mask=m), SDPA.v(3, 4), SDPA.v(5, 4), SDPA.v(5, 2), SDPA.v(3, 5))
SDPA.case("sdpa_gqa", lambda L, q, k, val: F(L).scaled_dot_product_attention(
    q, k, val, enable_gqa=True, scale=-0.5), SDPA.v(4, 2, 3), SDPA.v(2, 3, 3), SDPA.v(2, 3, 2))
for sdpa_case in SDPA.cases:
    sdpa_case.dtypes = ("float64",)  # torch's float32 CPU kernel rounds differently
test_sdpa_matches_torch, test_sdpa_gradcheck, test_sdpa_gradgradcheck = SDPA.tests()


@pytest.mark.parametrize("seed", [0, 4])
def test_sdpa_dropout(seed):
    results = []
    for L in (torch, ember):
        L.manual_seed(seed)
        q, k, val = (L.arange(24.0, dtype=L.float64).reshape(2, 3, 4).sin() for _ in range(3))
        results.append(F(L).scaled_dot_product_attention(q, k, val, dropout_p=0.4).numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sdpa_float32_values(dtype):
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((2, 3, 4, 8)) for _ in range(3)]
    results = []
    for L in (torch, ember):
        q, k, val = (L.tensor(a, dtype=getattr(L, dtype)) for a in arrays)
        results.append(F(L).scaled_dot_product_attention(q, k, val, is_causal=True).numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-5, atol=1e-6)


def test_sdpa_errors():
    test_errors("causal and mask", lambda L: F(L).scaled_dot_product_attention(
        L.ones(2, 3), L.ones(2, 3), L.ones(2, 3), L.ones(2, 2), is_causal=True))


INTEGER_INPUT = ["gelu", "softplus", "elu", "selu", "celu", "silu", "logsigmoid", "leaky_relu",
                 "mish", "hardsigmoid", "hardswish", "softshrink", "hardshrink", "glu",
                 "mse_loss", "smooth_l1_loss", "huber_loss"]


@pytest.mark.parametrize("name", INTEGER_INPUT)
def test_integer_input(name):
    def call(L):
        x = L.tensor([1, -2])
        return getattr(F(L), name)(x, x) if name.endswith("loss") else getattr(F(L), name)(x)
    test_errors(name, call)


@pytest.mark.parametrize("name", ["hardtanh", "relu6", "threshold"])
def test_integer_input_allowed(name):
    results = []
    for L in (torch, ember):
        x = L.tensor([1, -2, 7])
        result = F(L).threshold(x, 0, 5) if name == "threshold" else getattr(F(L), name)(x)
        results.append((str(result.dtype), result.tolist()))
    assert results[0] == results[1]


PAD = GradTable("nn.functional.pad")
for mode in ("constant", "reflect", "replicate", "circular"):
    PAD.case(f"pad_{mode}_1d", lambda L, x, mode=mode: F(L).pad(x, (1, 2), mode=mode),
             PAD.v(2, 3, 4))
    PAD.case(f"pad_{mode}_2d", lambda L, x, mode=mode: F(L).pad(x, (2, 1, 0, 2), mode=mode),
             PAD.v(1, 2, 3, 4))
    PAD.case(f"pad_{mode}_3d", lambda L, x, mode=mode: F(L).pad(x, (1, 1, 2, 0, 1, 1), mode=mode),
             PAD.v(1, 2, 3, 2))
PAD.case("pad_constant_negative", lambda L, x: F(L).pad(x, (-1, 2, 0, -1), value=2.5),
         PAD.v(2, 3, 4))
PAD.case("pad_constant_5d_leading", lambda L, x: F(L).pad(x, (1, 0, 0, 0, 0, 0, 1, 1)),
         PAD.v(2, 2, 1, 2, 2))
test_pad_matches_torch, test_pad_gradcheck, test_pad_gradgradcheck = PAD.tests()

PAD_ERRORS = [
    ("odd", lambda L: F(L).pad(L.ones(2, 3), (1, 2, 3))),
    ("too long", lambda L: F(L).pad(L.ones(2, 3), (1, 1, 1, 1, 1, 1))),
    ("mode", lambda L: F(L).pad(L.ones(2, 3), (1, 1), mode="wrap")),
    ("size for mode", lambda L: F(L).pad(L.ones(1, 2, 3, 4), (1, 1), mode="reflect")),
    ("value for mode", lambda L: F(L).pad(L.ones(2, 3), (1, 1), mode="reflect", value=1.0)),
    ("negative size", lambda L: F(L).pad(L.ones(2, 3), (-2, -2))),
]


@pytest.mark.parametrize("name, function", PAD_ERRORS, ids=[e[0] for e in PAD_ERRORS])
def test_pad_errors(name, function):
    test_errors(name, function)


NORM = GradTable("nn.functional.norm")
NORM.case("layer_norm", lambda L, x: F(L).layer_norm(x, (3,)), NORM.v(2, 2, 3))
NORM.case("layer_norm_affine", lambda L, x, w, b: F(L).layer_norm(x, (2, 3), w, b, 1e-3),
          NORM.v(2, 2, 3), NORM.v(2, 3), NORM.v(2, 3))
NORM.case("layer_norm_transposed", lambda L, x, w: F(L).layer_norm(x.transpose(0, 2), (4,), w),
          NORM.v(4, 2, 3), NORM.v(4))
NORM.case("group_norm", lambda L, x, w, b: F(L).group_norm(x, 2, w, b), NORM.v(2, 4, 3),
          NORM.v(4), NORM.v(4))
NORM.case("group_norm_plain", lambda L, x: F(L).group_norm(x, 1), NORM.v(2, 2, 2, 2))
NORM.case("batch_norm_train", lambda L, x, w, b: F(L).batch_norm(
    x, L.zeros(3, dtype=x.dtype), L.ones(3, dtype=x.dtype), w, b, True), NORM.v(4, 3, 2),
    NORM.v(3), NORM.v(3))
NORM.case("batch_norm_nostats", lambda L, x: F(L).batch_norm(x, None, None, training=True),
          NORM.v(5, 2))
NORM.case("batch_norm_eval", lambda L, x, w, b, rm, rv: F(L).batch_norm(x, rm, rv, w, b),
          NORM.v(4, 3, 2), NORM.v(3), NORM.v(3), NORM.v(3), NORM.p(3), requires_grad=(0, 1, 2))
NORM.case("rms_norm", lambda L, x: F(L).rms_norm(x, (3,)), NORM.v(2, 3))
NORM.case("rms_norm_weight", lambda L, x, w: F(L).rms_norm(x.t(), (2,), w, 1e-4),
          NORM.v(2, 3), NORM.v(2))
test_norm_matches_torch, test_norm_gradcheck, test_norm_gradgradcheck = NORM.tests()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_batch_norm_running_stats(dtype):
    rng = np.random.default_rng(9)
    x0 = rng.standard_normal((6, 3, 4))
    results = []
    for L in (torch, ember):
        rm = L.tensor([0.5, -1.0, 2.0], dtype=getattr(L, dtype))
        rv = L.tensor([1.0, 2.0, 0.5], dtype=getattr(L, dtype))
        F(L).batch_norm(L.tensor(x0, dtype=getattr(L, dtype)), rm, rv, training=True,
                        momentum=0.3)
        results.append((rm.numpy(), rv.numpy()))
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


NORM_ERRORS = [
    ("layer_norm shape", lambda L: F(L).layer_norm(L.ones(2, 3), (2,))),
    ("group_norm groups", lambda L: F(L).group_norm(L.ones(2, 3, 4), 2)),
    ("batch_norm one value", lambda L: F(L).batch_norm(L.ones(1, 3), None, None,
                                                       training=True)),
]


@pytest.mark.parametrize("name, function", NORM_ERRORS, ids=[e[0] for e in NORM_ERRORS])
def test_norm_errors(name, function):
    test_errors(name, function)


@pytest.mark.parametrize("norm_type", [2.0, 1.0])
def test_embedding_max_norm(norm_type):
    rng = np.random.default_rng(4)
    w0 = rng.standard_normal((5, 3)) * 2
    results = []
    for L in (torch, ember):
        weight = L.tensor(w0)
        out = F(L).embedding(L.tensor([[0, 2], [2, 4]]), weight, max_norm=1.5,
                             norm_type=norm_type)
        results.append((out.numpy(), weight.numpy()))
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_half_precision_gelu_rounds_once_as_torch():
    # computed in float32 and rounded once, as torch's kernels: float16 results are torch's;
    # gradients (from the forward's kept Phi(x)) within a float16 rounding of torch's, whose
    # float32 erf differs in the last bits
    values = np.linspace(-6, 6, 20001, dtype=np.float32)
    grad = np.random.default_rng(0).standard_normal(values.shape).astype(np.float32)
    results = []
    for lib in (torch, ember):
        x = lib.from_numpy(values).half().requires_grad_()
        y = lib.nn.functional.gelu(x)
        y.backward(lib.from_numpy(grad).half())
        results.append((y.dtype, y.detach().float().numpy(), x.grad.float().numpy()))
    (_, expected, expected_grad), (dtype, actual, actual_grad) = results
    assert dtype == ember.float16
    np.testing.assert_array_equal(actual, expected)
    np.testing.assert_allclose(actual_grad, expected_grad, rtol=2 ** -10, atol=2 ** -24)


def test_float32_gelu_follows_torchs_vectorized_erf():
    """float32 GELU computes erf as PyTorch's vectorized kernel does (Abramowitz and Stegun
    7.1.26, absolute error below 1.5e-7): close to torch's values, special values exact."""
    values = np.concatenate([np.linspace(-12, 12, 100001, dtype=np.float32),
                             np.float32([0.0, -0.0, -np.inf, np.nan, 1e-30])])
    expected = torch.nn.functional.gelu(torch.from_numpy(values)).numpy()
    actual = ember.nn.functional.gelu(ember.from_numpy(values)).numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=2e-6, equal_nan=True)
    assert np.array_equal(actual[-5:], expected[-5:], equal_nan=True)
    assert np.array_equal(np.signbit(actual[-5:-3]), np.signbit(expected[-5:-3]))  # ±0
    scalar = ember.nn.functional.gelu(ember.tensor(1.5))
    assert scalar.shape == () and abs(scalar.item() - 1.3997) < 1e-4
