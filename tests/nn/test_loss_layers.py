"""Loss layers against torch (see module_oracle): every reduction, float32 and float64,
class weights as buffers, torch's errors; CTC over random lengths."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.nn.module_oracle import assert_same_error, check_module

RNG = np.random.default_rng(0)
REDUCTIONS = ["none", "mean", "sum"]
DTYPES = ["float32", "float64"]


def lib_of(nn):
    return torch if nn is torch.nn else ember


def weights(nn, values):
    """A class-weight tensor of the library behind ``nn``."""
    return lib_of(nn).tensor(values, dtype=lib_of(nn).float32)


def normal(*shape):
    return RNG.standard_normal(shape)


def uniform(*shape):
    return RNG.uniform(0.05, 0.95, shape)


def signs(*shape):
    return RNG.choice([-1.0, 1.0], shape)


def classes(high, *shape):
    return RNG.integers(0, high, shape)


def batchmean(reduction):
    """KLDivLoss's 'mean' is deprecated (it warns): its tests use 'batchmean' instead."""
    return "batchmean" if reduction == "mean" else reduction


def fixed_target(module, input, target, *rest):
    """The module on a target that does not require grad (torch has no gradient for it)."""
    return module(input, target.detach(), *rest)


# name -> (constructor over nn and reduction, inputs, forward or None)
LOSSES = {
    "L1Loss": (lambda nn, r: nn.L1Loss(reduction=r), (normal(3, 4), normal(3, 4)), None),
    "MSELoss": (lambda nn, r: nn.MSELoss(reduction=r), (normal(3, 4), normal(3, 4)), None),
    "SmoothL1Loss": (lambda nn, r: nn.SmoothL1Loss(reduction=r, beta=0.5),
                     (normal(3, 4), normal(3, 4)), None),
    "HuberLoss": (lambda nn, r: nn.HuberLoss(reduction=r, delta=0.7),
                  (normal(3, 4), normal(3, 4)), None),
    "NLLLoss": (lambda nn, r: nn.NLLLoss(reduction=r), (normal(4, 3), classes(3, 4)), None),
    "NLLLoss_weight_ignore": (
        lambda nn, r: nn.NLLLoss(weights(nn, [0.2, 1.0, 3.0]), ignore_index=1, reduction=r),
        (normal(5, 3), classes(3, 5)), None),
    "NLLLoss_2d": (lambda nn, r: nn.NLLLoss(reduction=r),
                   (normal(2, 3, 2, 2), classes(3, 2, 2, 2)), None),
    "BCELoss": (lambda nn, r: nn.BCELoss(reduction=r), (uniform(3, 4), uniform(3, 4)), None),
    "BCELoss_weight": (lambda nn, r: nn.BCELoss(weights(nn, [1.0, 2.0, 0.5, 0.1]),
                                                reduction=r),
                       (uniform(3, 4), uniform(3, 4)), None),
    "BCEWithLogitsLoss": (lambda nn, r: nn.BCEWithLogitsLoss(reduction=r),
                          (normal(3, 4), uniform(3, 4)), None),
    "BCEWithLogitsLoss_weights": (
        lambda nn, r: nn.BCEWithLogitsLoss(weights(nn, [1.0, 2.0, 0.5, 0.1]), reduction=r,
                                           pos_weight=weights(nn, [3.0, 1.0, 0.5, 2.0])),
        (normal(3, 4), uniform(3, 4)), None),
    "KLDivLoss": (lambda nn, r: nn.KLDivLoss(reduction=batchmean(r)),
                  (normal(3, 4), uniform(3, 4)), None),
    "KLDivLoss_log_target": (lambda nn, r: nn.KLDivLoss(reduction=batchmean(r),
                                                        log_target=True),
                             (normal(3, 4), normal(3, 4)), None),
    "PoissonNLLLoss": (lambda nn, r: nn.PoissonNLLLoss(reduction=r),
                       (normal(3, 4), uniform(3, 4) * 4), None),
    "PoissonNLLLoss_full": (lambda nn, r: nn.PoissonNLLLoss(False, True, eps=1e-6,
                                                            reduction=r),
                            (uniform(3, 4), uniform(3, 4) * 4), None),
    "GaussianNLLLoss": (lambda nn, r: nn.GaussianNLLLoss(reduction=r),
                        (normal(3, 4), normal(3, 4), uniform(3, 4)), None),
    "GaussianNLLLoss_full": (lambda nn, r: nn.GaussianNLLLoss(full=True, eps=0.1, reduction=r),
                             (normal(3, 4), normal(3, 4), uniform(3, 1)), None),
    "CosineEmbeddingLoss": (lambda nn, r: nn.CosineEmbeddingLoss(0.2, reduction=r),
                            (normal(4, 3), normal(4, 3), signs(4)), fixed_target),
    "MarginRankingLoss": (lambda nn, r: nn.MarginRankingLoss(0.3, reduction=r),
                          (normal(5), normal(5), signs(5)), None),
    "HingeEmbeddingLoss": (lambda nn, r: nn.HingeEmbeddingLoss(0.5, reduction=r),
                           (normal(3, 4), signs(3, 4)), fixed_target),
    "TripletMarginLoss": (lambda nn, r: nn.TripletMarginLoss(reduction=r),
                          (normal(4, 3), normal(4, 3), normal(4, 3)), None),
    "TripletMarginLoss_swap_p1": (
        lambda nn, r: nn.TripletMarginLoss(2.0, p=1, swap=True, reduction=r),
        (normal(4, 3), normal(4, 3), normal(4, 3)), None),
    "TripletMarginWithDistanceLoss": (
        lambda nn, r: nn.TripletMarginWithDistanceLoss(reduction=r),
        (normal(4, 3), normal(4, 3), normal(4, 3)), None),
    "TripletMarginWithDistanceLoss_cosine": (
        lambda nn, r: nn.TripletMarginWithDistanceLoss(
            distance_function=lambda a, b: 1 - nn.functional.cosine_similarity(a, b),
            margin=0.5, swap=True, reduction=r),
        (normal(4, 3), normal(4, 3), normal(4, 3)), None),
    "MultiLabelSoftMarginLoss": (
        lambda nn, r: nn.MultiLabelSoftMarginLoss(weights(nn, [1.0, 2.0, 0.5, 0.1]),
                                                  reduction=r),
        (normal(3, 4), RNG.integers(0, 2, (3, 4)).astype(float)), fixed_target),
    "MultiLabelMarginLoss": (lambda nn, r: nn.MultiLabelMarginLoss(reduction=r),
                             (normal(3, 4), np.array([[3, 0, -1, 1], [1, 2, 3, 0],
                                                      [-1, 2, 0, 0]])), None),
    "MultiLabelMarginLoss_1d": (lambda nn, r: nn.MultiLabelMarginLoss(reduction=r),
                                (normal(4), np.array([2, 1, -1, 0])), None),
    "MultiMarginLoss": (lambda nn, r: nn.MultiMarginLoss(reduction=r),
                        (normal(4, 3), classes(3, 4)), None),
    "MultiMarginLoss_p2_weight": (
        lambda nn, r: nn.MultiMarginLoss(p=2, margin=0.5, weight=weights(nn, [1.0, 2.0, 0.5]),
                                         reduction=r),
        (normal(4, 3), classes(3, 4)), None),
    "SoftMarginLoss": (lambda nn, r: nn.SoftMarginLoss(reduction=r),
                       (normal(3, 4), signs(3, 4)), fixed_target),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_layer(name, reduction, dtype):
    make, inputs, forward = LOSSES[name]
    check_module(lambda nn: make(nn, reduction), *inputs, dtype=dtype, forward=forward)


# ---------------------------------------------------------------- cross entropy
CROSS_ENTROPY = {
    "indices": (lambda nn, r: nn.CrossEntropyLoss(reduction=r),
                (normal(4, 5), classes(5, 4))),
    "unbatched": (lambda nn, r: nn.CrossEntropyLoss(reduction=r), (normal(5), np.array(3))),
    "k_dim": (lambda nn, r: nn.CrossEntropyLoss(reduction=r),
              (normal(2, 3, 2, 3), classes(3, 2, 2, 3))),
    "k_dim_1": (lambda nn, r: nn.CrossEntropyLoss(reduction=r),
                (normal(2, 3, 4), classes(3, 2, 4))),
    "weight_ignore_smoothing": (
        lambda nn, r: nn.CrossEntropyLoss(weights(nn, [0.5, 1.0, 2.0, 0.1, 1.5]),
                                          ignore_index=2, reduction=r, label_smoothing=0.2),
        (normal(6, 5), np.array([0, 2, 4, 1, 2, 3]))),
    "k_dim_smoothing": (lambda nn, r: nn.CrossEntropyLoss(reduction=r, label_smoothing=0.1),
                        (normal(2, 3, 4), classes(3, 2, 4))),
    "probabilities": (lambda nn, r: nn.CrossEntropyLoss(reduction=r),
                      (normal(4, 5), RNG.dirichlet(np.ones(5), 4))),
    "probabilities_weight_smoothing": (
        lambda nn, r: nn.CrossEntropyLoss(weights(nn, [0.5, 1.0, 2.0, 0.1, 1.5]),
                                          reduction=r, label_smoothing=0.3),
        (normal(4, 5), RNG.dirichlet(np.ones(5), 4))),
    "probabilities_k_dim": (
        lambda nn, r: nn.CrossEntropyLoss(reduction=r),
        (normal(2, 3, 4), np.moveaxis(RNG.dirichlet(np.ones(3), (2, 4)), -1, 1))),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(CROSS_ENTROPY))
def test_cross_entropy_layer(name, reduction, dtype):
    make, inputs = CROSS_ENTROPY[name]
    check_module(lambda nn: make(nn, reduction), *inputs, dtype=dtype,
                 forward=fixed_target)



@pytest.mark.parametrize("input_shape, target", [
    ((3, 5), [[1], [2], [0]]),
    ((3, 5), [1, 2]),
    ((2, 5, 4), [[1, 2, 3], [0, 1, 2]]),
    ((3, 5), [1, 5, 2]),
    ((3, 5), [1, -3, 2]),
])
def test_cross_entropy_target_errors(input_shape, target):
    x = normal(*input_shape)
    assert_same_error(lambda lib: lib.nn.CrossEntropyLoss()(lib.tensor(x), lib.tensor(target)))


def test_cross_entropy_probability_target_shape_error():
    x, target = normal(3, 5), RNG.dirichlet(np.ones(4), 3)
    assert_same_error(lambda lib: lib.nn.CrossEntropyLoss()(lib.tensor(x), lib.tensor(target)))


def test_weights_are_buffers():
    loss = ember.nn.CrossEntropyLoss(weight=ember.ones(3))
    assert list(loss.state_dict()) == ["weight"]
    logits = ember.nn.BCEWithLogitsLoss(pos_weight=ember.ones(2))
    assert list(logits.state_dict()) == ["pos_weight"]
    assert logits.double().pos_weight.dtype == ember.float64


@pytest.mark.parametrize("size_average, reduce, reduction", [
    (False, None, "sum"), (None, False, "none"), (True, True, "mean")])
def test_legacy_reduction_arguments(size_average, reduce, reduction):
    with pytest.warns(UserWarning, match=f"please use reduction='{reduction}' instead"):
        loss = ember.nn.MSELoss(size_average=size_average, reduce=reduce)
    assert loss.reduction == reduction


@pytest.mark.parametrize("call", [
    lambda nn: nn.MultiMarginLoss(p=3),
    lambda nn: nn.MultiMarginLoss(weight=lib_of(nn).ones(2, 2)),
    lambda nn: nn.TripletMarginLoss(margin=0.0),
    lambda nn: nn.TripletMarginWithDistanceLoss(margin=-1.0),
])
def test_constructor_errors(call):
    assert_same_error(lambda lib: call(lib.nn))


def test_kl_div_mean_warns():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        ember.nn.KLDivLoss()(ember.zeros(2, 3), ember.ones(2, 3))


def test_nll_loss_2d_is_deprecated():
    with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
        ember.nn.NLLLoss2d()


# ---------------------------------------------------------------- CTC
def ctc_case(seed, concatenated):
    """Random log-probabilities (T, N, C) and targets with random lengths, some of them
    impossible to align (more labels than frames) or with repeated labels."""
    rng = np.random.default_rng(seed)
    frames, batch, labels = rng.integers(2, 8), rng.integers(1, 4), rng.integers(2, 5)
    input_lengths = rng.integers(1, frames + 1, batch)
    input_lengths[0] = frames
    target_lengths = rng.integers(0, 5, batch)
    targets = rng.integers(1, labels, (batch, max(target_lengths.max(), 1)))
    if seed % 2:
        targets[:, 1:] = targets[:, :1]
    if concatenated:
        targets = np.concatenate([targets[n, :length] for n, length in
                                  enumerate(target_lengths)])
    return rng.standard_normal((frames, batch, labels)), targets, input_lengths, target_lengths


def ctc_forward(module, x, *rest):
    return module(x.log_softmax(2), *rest)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("seed", range(6))
def test_ctc_loss(seed, reduction):
    """Padded targets for even seeds, concatenated for odd ones; zero_infinity for seeds
    0, 1, 4, 5; float32 for seeds 4 and 5."""
    check_module(lambda nn: nn.CTCLoss(reduction=reduction, zero_infinity=seed % 4 < 2),
                 *ctc_case(seed, concatenated=seed % 2 == 1),
                 dtype="float32" if seed >= 4 else "float64", forward=ctc_forward)


def test_ctc_loss_blank_and_tuple_lengths():
    x, targets = normal(6, 2, 4), np.array([[0, 1, 1], [2, 2, 0]])

    def forward(module, x, targets):
        return module(x.log_softmax(2), targets, (6, 5), (3, 2))
    check_module(lambda nn: nn.CTCLoss(blank=3), x, targets, forward=forward, dtype="float64")


def test_ctc_loss_unbatched():
    x, targets = normal(5, 3), np.array([1, 2])

    def forward(module, x, targets, lengths):
        return module(x.log_softmax(1), targets, lengths[:1], lengths[1:])
    for reduction in REDUCTIONS:
        check_module(lambda nn, r=reduction: nn.CTCLoss(reduction=r), x, targets,
                     np.array([5, 2]), forward=forward, dtype="float64")


def test_ctc_loss_grad_fn():
    log_probs = ember.randn(4, 2, 3).log_softmax(2).requires_grad_()
    loss = ember.nn.functional.ctc_loss(log_probs, ember.tensor([[1, 2], [1, 1]]), (4, 4),
                                        (2, 2), reduction="none")
    assert loss.grad_fn.name() == "CtcLossBackward0"


@pytest.mark.parametrize("call", [
    lambda F, lp, t: F.ctc_loss(lp, t, (4, 4), (2, 2), blank=3),
    lambda F, lp, t: F.ctc_loss(lp, t, (4,), (2, 2)),
    lambda F, lp, t: F.ctc_loss(lp, t, (4, 4), (2,)),
    lambda F, lp, t: F.ctc_loss(lp, t, (5, 4), (2, 2)),
    lambda F, lp, t: F.ctc_loss(lp, t, (4, 4), (3, 2)),
])
def test_ctc_loss_errors(call):
    x = normal(4, 2, 3)
    assert_same_error(lambda lib: call(lib.nn.functional, lib.tensor(x).log_softmax(2),
                                       lib.tensor([[1, 2], [1, 1]])))


def test_multilabel_margin_loss_second_order():
    x = ember.tensor(normal(2, 4), requires_grad=True)
    target = ember.tensor([[3, 0, -1, 1], [1, -1, 0, 0]])

    def function(x):
        return ember.nn.functional.multilabel_margin_loss(x, target, reduction="none")
    assert ember.autograd.gradcheck(function, (x,))
    assert ember.autograd.gradgradcheck(function, (x,))
