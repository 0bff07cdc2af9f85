"""``ember.linalg``: linear algebra, as ``torch.linalg``."""

from ember.ops.linalg import *  # noqa: F403
