"""``ember.optim``: optimizers, as ``torch.optim``."""

from ember.optim import (  # noqa: F401  (submodules)
    adam,
    adaptive,
    asgd,
    lbfgs,
    lr_scheduler,
    optimizer,
    rprop,
    sgd,
    swa_utils,
)
from ember.optim.adam import Adam, Adamax, NAdam, RAdam
from ember.optim.adamw import AdamW
from ember.optim.adaptive import Adadelta, Adagrad, RMSprop
from ember.optim.asgd import ASGD
from ember.optim.lbfgs import LBFGS
from ember.optim.optimizer import Optimizer
from ember.optim.rprop import Rprop
from ember.optim.sgd import SGD

__all__ = ["ASGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "NAdam", "Optimizer",
           "RAdam", "RMSprop", "Rprop", "SGD"]
