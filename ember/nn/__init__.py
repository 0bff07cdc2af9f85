"""``ember.nn``: neural network building blocks, as ``torch.nn``."""

from ember.nn import functional, init  # noqa: F401  (ember.nn.functional, ember.nn.init)
from ember.nn.modules import *  # noqa: F403
from ember.nn.parameter import *  # noqa: F403
