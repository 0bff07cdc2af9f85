"""Every op, declared once. Importing this package attaches the Tensor methods."""

from ember.ops import (  # noqa: F401  (imported for the methods they attach)
    combining,
    complex,
    creation,
    einsum,
    fft,
    indexed,
    indexing,
    inplace_functions,
    joining,
    linalg,
    matmul,
    norms,
    numerical,
    pointwise,
    reduction,
    sampling,
    scans,
    scatter,
    shaping,
    sorting,
    special,
    statistics,
    views,
    windows,
)

