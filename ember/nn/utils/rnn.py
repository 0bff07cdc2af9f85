"""Packed and padded sequences for the recurrent layers.

A batch of sequences of different lengths, sorted longest first, is packed time step by
time step: ``data`` holds the rows of every sequence still running at step 0, then at step
1, and so on, and ``batch_sizes[t]`` says how many rows step ``t`` has. Packing and padding
move rows between the two layouts with one gather or scatter over precomputed positions,
so gradients flow through both."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable

import ember
from ember.nn._functional._common import _recorded

__all__ = [
    "PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
    "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence",
]

_PackedSequenceFields = namedtuple(
    "PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_PackedSequenceFields):
    """A batch of variable-length sequences packed by time step (see the module's
    docstring); made by ``pack_padded_sequence`` or ``pack_sequence``, never by hand.

    Attributes:
        data: ``(sum of lengths, *)``, the packed rows
        batch_sizes: int64 CPU tensor, the number of rows at each time step
        sorted_indices: how the batch was sorted by length (None when it was given sorted)
        unsorted_indices: the inverse permutation, restoring the original order
    """

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes)), as torch allows
            data, batch_sizes = data
        elif batch_sizes.device.type != "cpu":
            raise ValueError(
                "batch_sizes should always be on CPU. Instances of PackedSequence should never "
                "be created manually. They should be instantiated by functions like "
                "pack_sequence and pack_padded_sequences in nn.utils.rnn. "
                "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """``data.to(*args, **kwargs)``; the indices follow data to its device (only)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        kwargs = {k: v for k, v in kwargs.items() if k not in ("device", "dtype")}

        def moved(indices):
            return None if indices is None else indices.to(data.device, **kwargs)

        return type(self)(data, self.batch_sizes, moved(self.sorted_indices),
                          moved(self.unsorted_indices))

    def cuda(self, *args, **kwargs):
        return self.to(*args, **{**kwargs, "device": "cuda"})

    def cpu(self, *args, **kwargs):
        return self.to(*args, **{**kwargs, "device": "cpu"})

    def double(self):
        return self.to(dtype=ember.double)

    def float(self):
        return self.to(dtype=ember.float)

    def half(self):
        return self.to(dtype=ember.half)

    def long(self):
        return self.to(dtype=ember.long)

    def int(self):
        return self.to(dtype=ember.int)

    def short(self):
        return self.to(dtype=ember.short)

    def char(self):
        return self.to(dtype=ember.int8)

    def byte(self):
        return self.to(dtype=ember.uint8)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False  # ember keeps no page-locked memory (Tensor has no pin_memory yet)


def invert_permutation(permutation):
    """The permutation that undoes ``permutation`` (None for None)."""
    if permutation is None:
        return None
    inverse = ember.empty_like(permutation)
    return inverse.scatter_(0, permutation, ember.arange(permutation.numel(),
                                                         device=permutation.device))


def _packed_positions(batch_sizes, batch, steps, batch_first):
    """Where each packed row lies in a padded ``(steps, batch)`` layout (``(batch, steps)``
    when ``batch_first``), as flat indices over those two dimensions."""
    running = ember.arange(batch) < batch_sizes.unsqueeze(1)  # (time, batch)
    time, sample = running.nonzero(as_tuple=True)
    return sample * steps + time if batch_first else time * batch + sample


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` if ``batch_first``) of sequences of
    the given ``lengths`` into a ``PackedSequence``. With ``enforce_sorted`` the lengths
    must be in decreasing order; otherwise the batch is sorted here and the permutation kept
    in the result, so that unpacking restores the original order."""
    if not isinstance(lengths, ember.Tensor):
        lengths = ember.as_tensor(lengths, dtype=ember.int64, device="cpu")
    else:
        lengths = lengths.to(dtype=ember.int64)
    batch_dim = 0 if batch_first else 1
    sorted_indices = None
    if not enforce_sorted:
        lengths, sorted_indices = ember.sort(lengths, descending=True)
        sorted_indices = sorted_indices.to(input.device)
        input = input.index_select(batch_dim, sorted_indices)
    batch_sizes = _batch_sizes(lengths, input.shape[batch_dim], input.shape[1 - batch_dim])
    steps, batch = input.shape[1 - batch_dim], input.shape[batch_dim]
    positions = _packed_positions(batch_sizes, batch, steps, batch_first)
    shape, rows = input.shape, input.shape[2:]
    with ember.no_grad():
        data = input.reshape(steps * batch, *rows).index_select(0, positions)

    def unpack(grad):
        return grad.new_zeros((steps * batch, *rows)).index_copy(0, positions, grad).view(shape)

    data = _recorded("PackPaddedSequenceBackward0", data, (input,), (unpack,), None)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def _batch_sizes(lengths, batch, steps):
    """How many sequences run at each time step; torch's checks on ``lengths``."""
    if lengths.dim() != 1 or lengths.device.type != "cpu":
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                           f"{lengths.dim()}D {lengths.device} Long tensor")
    if lengths.numel() != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lengths.numel()} (batch_size={batch})")
    if batch and lengths[-1].item() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if batch > 1 and bool((lengths[1:] > lengths[:-1]).any()):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
            "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
            "pack_sequence to sidestep this requirement if you do not need ONNX "
            "exportability.")
    longest = lengths[0].item() if batch else 0
    if longest > steps:
        raise RuntimeError(f"a length of {longest} does not fit a padded input of {steps} "
                           f"time steps")
    return (lengths > ember.arange(longest).unsqueeze(1)).sum(1)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Unpack a ``PackedSequence`` into a padded batch ``(T, B, *)`` (``(B, T, *)`` if
    ``batch_first``) filled with ``padding_value``, ``T`` being the longest length or
    ``total_length``. Returns the batch and the lengths (int64), in the original order."""
    batch_sizes = sequence.batch_sizes
    steps = batch_sizes.numel()
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps = total_length
    data = sequence.data
    batch = batch_sizes[0].item() if batch_sizes.numel() else 0
    positions = _packed_positions(batch_sizes, batch, steps, False)
    rows = data.shape[1:]
    padded = data.new_full((steps * batch, *rows), padding_value).index_copy(
        0, positions, data).view(steps, batch, *rows)
    lengths = (batch_sizes.unsqueeze(1) > ember.arange(batch)).sum(0)
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.cpu()]
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences ``(L_i, *)`` of different lengths into ``(T, B, *)`` (``(B, T, *)``
    if ``batch_first``), padding each to the longest on the right or the left."""
    if not isinstance(sequences, Iterable | ember.Tensor):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg "
                           f"of type: {type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    batch = len(sequences)
    lengths = ember.tensor([s.shape[0] for s in sequences])
    steps = int(lengths.max())
    rows = sequences[0].shape[1:]
    for sequence in sequences[1:]:
        for dim, (expected, got) in enumerate(zip(rows, sequence.shape[1:]), 1):
            if expected != got:
                raise RuntimeError(f"The size of tensor a ({expected}) must match the size of "
                                   f"tensor b ({got}) at non-singleton dimension {dim}")
    time = ember.arange(steps)
    if padding_side == "right":
        filled = time < lengths.unsqueeze(1)  # (batch, time)
    else:
        filled = time >= steps - lengths.unsqueeze(1)
    sample, time = filled.nonzero(as_tuple=True)
    positions = sample * steps + time if batch_first else time * batch + sample
    values = ember.cat(sequences)
    padded = values.new_full((batch * steps, *rows), padding_value)
    padded = padded.index_copy(0, positions, values)
    return padded.view(*((batch, steps) if batch_first else (steps, batch)), *rows)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The sequences of a padded batch, each cut to its length: the inverse of
    ``pad_sequence``. (torch transposes a time-major input in place; ember leaves it.)"""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [sequence[:length] for sequence, length in zip(padded_sequences, lengths.tolist())]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of sequences ``(L_i, *)``: ``pack_padded_sequence(pad_sequence(...))``."""
    lengths = ember.as_tensor([s.size(0) for s in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences a ``PackedSequence`` holds, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
