"""PixelShuffle, PixelUnshuffle and ChannelShuffle."""

__all__ = []
