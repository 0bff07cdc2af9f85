"""Fails with an exception raised from a nested call after printing something."""

import torch


def check(value):
    if value.sum() > 1:
        raise ValueError(f"sum too large: {value.sum().item()}")


print("before", torch.ones(2))
try:
    check(torch.ones(3))
except ValueError as error:
    raise RuntimeError("check failed") from error
