"""``ember.optim``: optimizers, as ``torch.optim``."""

from ember.optim import adam, adamw, optimizer, sgd  # noqa: F401  (submodules)
from ember.optim.adam import Adam
from ember.optim.adamw import AdamW
from ember.optim.optimizer import Optimizer
from ember.optim.sgd import SGD

__all__ = ["Adam", "AdamW", "Optimizer", "SGD"]
