"""``ember.nn.init``: initialising tensors in place, as ``torch.nn.init``, drawing from the
same generator so that a seeded model starts with torch's weights."""

from __future__ import annotations

__all__ = []
