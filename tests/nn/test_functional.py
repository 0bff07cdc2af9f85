"""``ember.nn.functional`` against ``torch.nn.functional``: outputs, ``grad_fn`` names,
gradients (float64 and float32, gradcheck, gradgradcheck) and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from tests.autograd.grad_oracle import GradTable

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
    with pytest.raises(Exception) as expected:
        function(torch)
    with pytest.raises(type(expected.value)) as raised:
        function(ember)
    assert str(raised.value) == str(expected.value)


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
