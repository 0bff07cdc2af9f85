"""Transformer, its encoder and decoder, and their layers."""

__all__ = []
