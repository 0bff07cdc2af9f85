"""A DataLoader over a TensorDataset gathers each batch with one index per tensor: the batches
must equal PyTorch's and those of the sample-by-sample path (a collate_fn other than
default_collate), in shuffled order, with a short last batch, and with workers."""

import numpy as np
import pytest
import torch

import ember
from ember.utils.data import DataLoader, TensorDataset, default_collate


def _datasets():
    images = np.random.default_rng(0).standard_normal((10, 3, 2)).astype(np.float32)
    labels = np.arange(10) % 3
    return (TensorDataset(ember.tensor(images), ember.tensor(labels)),
            torch.utils.data.TensorDataset(torch.tensor(images), torch.tensor(labels)))


def _batches(lib, dataset, **options):
    lib.manual_seed(3)
    return [[tensor.numpy() for tensor in batch]
            for batch in lib.utils.data.DataLoader(dataset, batch_size=4, shuffle=True,
                                                   **options)]


def _assert_same(batches, expected):
    assert len(batches) == len(expected)
    for batch, expected_batch in zip(batches, expected):
        assert len(batch) == len(expected_batch)
        for array, expected_array in zip(batch, expected_batch):
            assert array.dtype == expected_array.dtype
            np.testing.assert_array_equal(array, expected_array)


@pytest.mark.parametrize("num_workers", [0, 2])
def test_batches_equal_torch(num_workers):
    ember_dataset, torch_dataset = _datasets()
    _assert_same(_batches(ember, ember_dataset, num_workers=num_workers),
                 _batches(torch, torch_dataset, num_workers=num_workers))


def test_batches_equal_the_sample_by_sample_path():
    dataset, _ = _datasets()
    _assert_same(_batches(ember, dataset),
                 _batches(ember, dataset, collate_fn=lambda samples: default_collate(samples)))


def test_batch_is_a_list_of_contiguous_tensors():
    dataset, _ = _datasets()
    batch = next(iter(DataLoader(dataset, batch_size=4)))
    assert isinstance(batch, list)
    assert all(tensor.is_contiguous() for tensor in batch)


def test_subclass_with_its_own_getitem_is_fetched_sample_by_sample():
    class Doubled(TensorDataset):
        def __getitem__(self, index):
            return tuple(tensor[index] * 2 for tensor in self.tensors)

    dataset = Doubled(ember.arange(6))
    (batch,) = next(iter(DataLoader(dataset, batch_size=3)))
    assert batch.tolist() == [0, 2, 4]


def test_batch_sampler_yielding_tuples_is_fetched_sample_by_sample():
    # A tuple would index several dimensions at once if it reached the tensor whole.
    dataset = TensorDataset(ember.arange(6).view(3, 2))
    (batch,) = next(iter(DataLoader(dataset, batch_sampler=[(2, 0)])))
    assert batch.tolist() == [[4, 5], [0, 1]]


def test_tracked_tensors_are_stacked_as_torch_does():
    dataset = TensorDataset(ember.ones(4, 2, requires_grad=True))
    torch_dataset = torch.utils.data.TensorDataset(torch.ones(4, 2, requires_grad=True))
    (batch,) = next(iter(DataLoader(dataset, batch_size=2)))
    (torch_batch,) = next(iter(torch.utils.data.DataLoader(torch_dataset, batch_size=2)))
    assert batch.grad_fn.name() == torch_batch.grad_fn.name()
