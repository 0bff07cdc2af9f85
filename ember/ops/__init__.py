"""Every op, declared once. Importing this package attaches the Tensor methods."""

from ember.ops import (  # noqa: F401  (imported for the methods they attach)
    creation,
    indexing,
    joining,
    matmul,
    pointwise,
    reduction,
    views,
)
