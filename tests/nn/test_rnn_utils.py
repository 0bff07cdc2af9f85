"""Packed and padded sequences against torch: the packed layout, the permutations of
unsorted batches, padding on either side, the round trips, gradients through packing and
padding, PackedSequence's tuple behaviour and conversions, and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.nn.module_oracle import assert_tensor_close

RNG = np.random.default_rng(0)


def _both(array, requires_grad=True):
    """The same float64 values as a torch and an ember tensor."""
    return {lib: lib.tensor(array, dtype=lib.float64, requires_grad=requires_grad)
            for lib in (torch, ember)}


def _utils(lib):
    return lib.nn.utils.rnn


def _assert_packed_equal(actual, expected):
    assert_tensor_close(actual.data, expected.data, "data", 0, 0)
    assert actual.batch_sizes.tolist() == expected.batch_sizes.tolist()
    assert str(actual.batch_sizes.dtype) == str(expected.batch_sizes.dtype)
    for field in ("sorted_indices", "unsorted_indices"):
        mine, theirs = getattr(actual, field), getattr(expected, field)
        assert (mine is None) == (theirs is None), field
        if theirs is not None:
            assert mine.tolist() == theirs.tolist(), field


def _backward_same(outputs, inputs):
    """Backpropagate one random gradient through both libraries' outputs; compare the
    inputs' gradients."""
    grad = RNG.standard_normal(tuple(outputs[torch].shape))
    for lib in (torch, ember):
        outputs[lib].backward(lib.tensor(grad, dtype=lib.float64))
    for a, e in zip(inputs[ember], inputs[torch]):
        assert_tensor_close(a.grad, e.grad, "input grad", 0, 1e-12)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths, enforce_sorted", [
    ([5, 3, 3, 1], True), ([2, 5, 1, 3], False), (torch.tensor([4, 4, 2, 5]), False),
])
def test_pack_and_pad_round_trip(lengths, enforce_sorted, batch_first):
    shape = (4, 5, 2) if batch_first else (5, 4, 2)
    x = _both(RNG.standard_normal(shape))
    packed, padded = {}, {}
    for lib in (torch, ember):
        given = ember.tensor(lengths.numpy()) if lib is ember and isinstance(
            lengths, torch.Tensor) else lengths
        packed[lib] = _utils(lib).pack_padded_sequence(x[lib], given, batch_first=batch_first,
                                                       enforce_sorted=enforce_sorted)
        padded[lib] = _utils(lib).pad_packed_sequence(packed[lib], batch_first=batch_first,
                                                      padding_value=-2.0, total_length=6)
    _assert_packed_equal(packed[ember], packed[torch])
    assert packed[ember].data.grad_fn.name() == "PackPaddedSequenceBackward0"
    (mine, mine_lengths), (theirs, their_lengths) = padded[ember], padded[torch]
    assert_tensor_close(mine, theirs, "padded", 0, 0)
    assert mine.stride() == theirs.stride()
    assert mine_lengths.tolist() == their_lengths.tolist()
    _backward_same({lib: padded[lib][0] for lib in padded}, {lib: [x[lib]] for lib in x})


def test_packed_sequence_is_a_tuple_with_torch_repr():
    x = np.arange(12.0).reshape(3, 2, 2)
    packed = {lib: _utils(lib).pack_padded_sequence(lib.tensor(x), [3, 1]) for lib in
              (torch, ember)}
    assert repr(packed[ember]) == repr(packed[torch])
    data, batch_sizes, sorted_indices, unsorted_indices = packed[ember]
    assert packed[ember][1] is batch_sizes and sorted_indices is unsorted_indices is None
    assert packed[ember]._fields == packed[torch]._fields
    assert isinstance(packed[ember], tuple)
    built = ember.nn.utils.rnn.PackedSequence(data, batch_sizes)
    assert built.data is data
    from_pair = ember.nn.utils.rnn.PackedSequence((data, batch_sizes))
    assert from_pair.batch_sizes is batch_sizes


def test_packed_sequence_conversions():
    packed = ember.nn.utils.rnn.pack_sequence([ember.ones(1), ember.ones(3), ember.ones(2)],
                                               enforce_sorted=False)
    doubled = packed.double()
    assert doubled.data.dtype == ember.float64
    assert doubled.sorted_indices.dtype == ember.int64
    assert doubled.batch_sizes is packed.batch_sizes
    assert packed.to(ember.float32) is packed
    assert packed.to("cpu") is packed
    assert packed.long().data.dtype == ember.int64
    assert packed.half().data.dtype == ember.float16
    assert not packed.is_cuda and not packed.is_pinned()
    assert packed.sorted_indices.tolist() == [1, 2, 0]
    assert packed.unsorted_indices.tolist() == [2, 0, 1]


@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pad_sequence(batch_first, padding_side):
    arrays = [RNG.standard_normal((n, 2, 3)) for n in (2, 4, 1)]
    sequences = {lib: [lib.tensor(a, requires_grad=True) for a in arrays] for lib in
                 (torch, ember)}
    padded = {lib: _utils(lib).pad_sequence(sequences[lib], batch_first=batch_first,
                                            padding_value=0.5, padding_side=padding_side)
              for lib in (torch, ember)}
    assert_tensor_close(padded[ember], padded[torch], "padded", 0, 0)
    assert padded[ember].stride() == padded[torch].stride()
    _backward_same(padded, sequences)


def test_pad_sequence_of_a_tensor_unbinds_it():
    x = RNG.standard_normal((2, 3))
    assert_tensor_close(ember.nn.utils.rnn.pad_sequence(ember.tensor(x)),
                        torch.nn.utils.rnn.pad_sequence(torch.tensor(x)), "padded", 0, 0)


def test_pack_sequence_unpack_and_unpad():
    arrays = [RNG.standard_normal((n, 2)) for n in (3, 1, 4)]
    sequences = {lib: [lib.tensor(a, requires_grad=True) for a in arrays]
                 for lib in (torch, ember)}
    packed = {lib: _utils(lib).pack_sequence(sequences[lib], enforce_sorted=False)
              for lib in (torch, ember)}
    _assert_packed_equal(packed[ember], packed[torch])
    unpacked = ember.nn.utils.rnn.unpack_sequence(packed[ember])
    for piece, array in zip(unpacked, arrays):
        np.testing.assert_array_equal(piece.detach().numpy(), array)
    padded = ember.nn.utils.rnn.pad_sequence(sequences[ember])
    unpadded = ember.nn.utils.rnn.unpad_sequence(padded, ember.tensor([3, 1, 4]))
    for piece, array in zip(unpadded, arrays):
        np.testing.assert_array_equal(piece.detach().numpy(), array)
    sum(piece.sum() for piece in unpacked).backward()
    for sequence in sequences[ember]:
        np.testing.assert_array_equal(sequence.grad.numpy(), np.ones_like(sequence.grad))


def test_invert_permutation():
    permutation = ember.tensor([2, 0, 3, 1])
    assert ember.nn.utils.rnn.invert_permutation(permutation).tolist() == \
        torch.nn.utils.rnn.invert_permutation(torch.tensor([2, 0, 3, 1])).tolist()
    assert ember.nn.utils.rnn.invert_permutation(None) is None


ERRORS = [
    "utils.pack_padded_sequence(lib.zeros(4, 3, 2), [2, 4, 1])",
    "utils.pack_padded_sequence(lib.zeros(4, 3, 2), [4, 2])",
    "utils.pack_padded_sequence(lib.zeros(4, 3, 2), [4, 2, 0])",
    "utils.pack_padded_sequence(lib.zeros(4, 3, 2), lib.tensor([[4, 2, 1]]))",
    "utils.pad_packed_sequence(utils.pack_padded_sequence(lib.zeros(4, 3), [4, 2, 1]), "
    "total_length=3)",
    "utils.pad_sequence([lib.ones(2, 3), lib.ones(3, 2)])",
    "utils.pad_sequence([lib.ones(2, 3), lib.ones(3, 3)], padding_side='middle')",
    "utils.pad_sequence([])",
    "utils.pad_sequence(5)",
    "utils.pack_sequence([lib.ones(1), lib.ones(2)])",
    "utils.PackedSequence(lib.ones(3), [2, 1])",
]


@pytest.mark.parametrize("call", ERRORS)
def test_errors_match_torch(call):
    raised = {}
    for lib in (torch, ember):
        utils = _utils(lib)  # noqa: F841  (read by the call)
        with pytest.raises(Exception) as info:
            eval(call)
        raised[lib] = info.value
    assert type(raised[ember]) is type(raised[torch])
    assert str(raised[ember]) == str(raised[torch])
