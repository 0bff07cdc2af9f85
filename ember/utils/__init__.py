"""``ember.utils``: helpers around the library, as ``torch.utils``."""

from ember.utils import checkpoint, data, dlpack, hooks, safetensors  # noqa: F401
