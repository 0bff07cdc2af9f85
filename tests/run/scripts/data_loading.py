"""torch.utils.data: a script-level Dataset, samplers, splits and worker processes.

``python data_loading.py spawn`` starts the workers by spawning fresh interpreters, which re-run
this script as ``__mp_main__`` before they can unpickle ``Squares``.
"""

import sys

import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset, random_split


class Squares(Dataset):
    """Defined in the script: worker processes must find it in their re-run __main__."""

    def __init__(self, size):
        self.size = size

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        return torch.tensor([float(index)]), index * index


def pairs_collate(batch):
    return [value for _, value in batch]


if __name__ == "__main__":
    data = TensorDataset(torch.arange(10.0).view(5, 2), torch.arange(5))
    for features, labels in DataLoader(data, batch_size=2):
        print(features, labels)

    generator = torch.Generator().manual_seed(3)
    print([batch[1].tolist() for batch in DataLoader(data, batch_size=2, shuffle=True,
                                                     generator=generator, drop_last=True)])
    left, right = random_split(range(10), [7, 3], generator=torch.Generator().manual_seed(4))
    print(list(left), list(right))
    print(next(iter(DataLoader(Squares(5), batch_size=2, collate_fn=pairs_collate))))

    # Two workers, started the platform's default way or the way named on the command line.
    context = sys.argv[1] if len(sys.argv) > 1 else None
    loader = DataLoader(Squares(7), batch_size=3, num_workers=2, multiprocessing_context=context)
    print([(inputs.flatten().tolist(), squares.tolist()) for inputs, squares in loader])
