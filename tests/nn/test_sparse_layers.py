"""Embedding and EmbeddingBag against torch (see module_oracle): the N(0, 1) table with
its zeroed padding row, lookups, bag reductions and the weight's gradient."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.nn.module_oracle import assert_same_error, check_module

RNG = np.random.default_rng(0)
DTYPES = ["float32", "float64"]
INDICES = np.array([[0, 2, 4, 5], [4, 3, 2, 9]])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", [
    {},
    {"padding_idx": 2},
    {"padding_idx": -1},
    {"max_norm": 1.0},
    {"max_norm": 1.5, "norm_type": 1.0},
    {"scale_grad_by_freq": True, "padding_idx": 4},
])
def test_embedding(options, dtype):
    check_module(lambda nn: nn.Embedding(10, 3, **options), INDICES, dtype=dtype)


@pytest.mark.parametrize("shape", [(), (5,), (2, 2, 2)])
def test_embedding_index_shapes(shape):
    check_module(lambda nn: nn.Embedding(10, 3), RNG.integers(0, 10, shape))


def test_embedding_gradient_of_a_batch_of_sequences():
    # enough tokens (1024, each row a few times) for the row-by-repeat sums of add_rows
    check_module(lambda nn: nn.Embedding(256, 16), RNG.integers(0, 256, (16, 64)))


@pytest.mark.parametrize("freeze", [True, False])
def test_embedding_from_pretrained(freeze):
    table = RNG.standard_normal((6, 3))

    def make(nn):
        lib = torch if nn is torch.nn else ember
        return nn.Embedding.from_pretrained(lib.tensor(table), freeze=freeze, padding_idx=1)
    actual, _ = check_module(make, np.array([1, 0, 5]), dtype="float64")
    assert actual.weight.requires_grad is not freeze
    assert actual.weight[1].abs().sum().item() > 0  # the given padding row is kept


def test_embedding_errors():
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        ember.nn.Embedding(5, 2, padding_idx=5)
    with pytest.raises(AssertionError, match="Shape of weight does not match"):
        ember.nn.Embedding(5, 2, _weight=ember.ones(4, 2))
    with pytest.raises(AssertionError, match="Embeddings parameter is expected to be "
                                             "2-dimensional"):
        ember.nn.Embedding.from_pretrained(ember.ones(4))
    with pytest.raises(NotImplementedError, match="sparse=True is not supported"):
        ember.nn.Embedding(5, 2, sparse=True)
    for index in (5, -1):
        with pytest.raises(IndexError, match="index out of range in self"):
            ember.nn.Embedding(5, 2)(ember.tensor([0, index]))


BAG_INPUT = np.array([0, 2, 2, 1, 5, 3, 7, 2])
BAG_OFFSETS = np.array([0, 3, 3, 6])  # bags of 3, 0, 3 and 2 entries


def bag_forward(weighted):
    """Call an EmbeddingBag on ``(input, offsets[, per_sample_weights])``."""
    if weighted:
        return lambda module, input, offsets, weights: module(input, offsets, weights)
    return None


BAG_OPTIONS = [{}, {"padding_idx": 2}, {"padding_idx": -3}, {"max_norm": 1.0},
               {"scale_grad_by_freq": True}]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode, options", [
    (mode, options) for mode in ("sum", "mean", "max") for options in BAG_OPTIONS
    # torch refuses scale_grad_by_freq in max mode (see test_bag_errors)
    if not (mode == "max" and "scale_grad_by_freq" in options)])
def test_embedding_bag_offsets(options, mode, dtype):
    check_module(lambda nn: nn.EmbeddingBag(8, 3, mode=mode, **options), BAG_INPUT,
                 BAG_OFFSETS, dtype=dtype)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_2d_input(mode):
    check_module(lambda nn: nn.EmbeddingBag(8, 3, mode=mode, padding_idx=0),
                 RNG.integers(0, 8, (3, 4)))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_include_last_offset(mode):
    check_module(lambda nn: nn.EmbeddingBag(8, 3, mode=mode, include_last_offset=True),
                 BAG_INPUT, np.array([0, 3, 3, 6, 8]))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("input, offsets", [
    (BAG_INPUT, BAG_OFFSETS), (RNG.integers(0, 8, (3, 4)), None)])
def test_embedding_bag_per_sample_weights(input, offsets, dtype):
    weights = RNG.standard_normal(input.shape)
    if offsets is None:
        check_module(lambda nn: nn.EmbeddingBag(8, 3, mode="sum", padding_idx=1), input,
                     weights, dtype=dtype,
                     forward=lambda module, input, weights: module(input, None, weights))
    else:
        check_module(lambda nn: nn.EmbeddingBag(8, 3, mode="sum", padding_idx=1), input,
                     offsets, weights, dtype=dtype, forward=bag_forward(True))


def test_embedding_bag_grad_fn():
    bag = ember.nn.EmbeddingBag(8, 3)
    assert bag(ember.tensor([[1, 2]])).grad_fn.name() == "EmbeddingBagBackward0"


def test_embedding_bag_from_pretrained():
    table = RNG.standard_normal((6, 3))

    def make(nn):
        lib = torch if nn is torch.nn else ember
        return nn.EmbeddingBag.from_pretrained(lib.tensor(table), freeze=False, mode="max")
    check_module(make, np.array([1, 0, 5, 4]), np.array([0, 2]), dtype="float64")



@pytest.mark.parametrize("call", [
    lambda F, w, lib: F.embedding_bag(lib.tensor([0, 9]), w, lib.tensor([0])),
    lambda F, w, lib: F.embedding_bag(lib.tensor([0, -1]), w, lib.tensor([0])),
    lambda F, w, lib: F.embedding_bag(lib.tensor([0, 1]), w),
    lambda F, w, lib: F.embedding_bag(lib.tensor([0, 1]), w, lib.tensor([0]), mode="min"),
    lambda F, w, lib: F.embedding_bag(lib.tensor([0, 1]), w, lib.tensor([0]), mode="max",
                                      scale_grad_by_freq=True),
    lambda F, w, lib: F.embedding_bag(lib.tensor([0, 1]), w, lib.tensor([0]), mode="mean",
                                      per_sample_weights=lib.ones(2)),
    lambda F, w, lib: F.embedding_bag(lib.tensor([0, 1]), w, lib.tensor([0]),
                                      per_sample_weights=lib.ones(3)),
    lambda F, w, lib: F.embedding_bag(lib.tensor([0, 1]), w, lib.tensor([0]), padding_idx=7),
    lambda F, w, lib: F.embedding_bag(lib.tensor([0, 1]), w, lib.tensor([0, 3])),
    lambda F, w, lib: F.embedding_bag(lib.tensor([0, 1.0]), w, lib.tensor([0])),
    lambda F, w, lib: F.embedding(lib.tensor([0, 1.0]), w),
])
def test_bag_errors(call):
    assert_same_error(lambda lib: call(lib.nn.functional, lib.ones(5, 2), lib))


def test_bag_2d_input_refuses_offsets():
    with pytest.raises(ValueError, match="if input is 2D, then offsets has to be None"):
        ember.nn.functional.embedding_bag(ember.tensor([[0, 1]]), ember.ones(5, 2),
                                          ember.tensor([0]))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_second_order(mode):
    """The gradient is written in ember ops: gradcheck and gradgradcheck in float64."""
    weight = ember.tensor(RNG.standard_normal((5, 2)), requires_grad=True)
    input, offsets = ember.tensor([0, 3, 3, 1, 4]), ember.tensor([0, 2, 2])
    if mode == "sum":
        scales = ember.tensor(RNG.standard_normal(5), requires_grad=True)

        def function(weight, scales):
            return ember.nn.functional.embedding_bag(input, weight, offsets, mode=mode,
                                                     per_sample_weights=scales)
        inputs = (weight, scales)
    else:
        def function(weight):
            return ember.nn.functional.embedding_bag(input, weight, offsets, mode=mode)
        inputs = (weight,)
    assert ember.autograd.gradcheck(function, inputs)
    assert ember.autograd.gradgradcheck(function, inputs)
