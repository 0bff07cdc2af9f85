"""``ember.fft``: discrete Fourier transforms, as ``torch.fft``."""

from ember.ops.fft import *  # noqa: F403
