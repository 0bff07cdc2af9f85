"""``ember.nn``: neural network building blocks, as ``torch.nn``."""

from ember.nn import functional, init, utils  # noqa: F401  (submodules)
from ember.nn.modules import *  # noqa: F403
from ember.nn.parameter import *  # noqa: F403
