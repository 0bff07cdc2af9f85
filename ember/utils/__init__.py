"""``ember.utils``: helpers around the library, as ``torch.utils``."""

from ember.utils import hooks  # noqa: F401  (ember.utils.hooks)
