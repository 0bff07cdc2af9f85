"""Per-op overhead: a mix of small ops on 100-element float32 tensors, where the time is the
framework's dispatch rather than the arithmetic."""

KEY = "per_op"
NAME = "per-op overhead (100-element float32 mix)"
TARGET = 1.5
OPS_PER_STEP = 6  # add, mul, view, sum(dim), relu, mean


def make_step(lib):
    """One round of the mix, written the same way for ember and for torch."""
    a = lib.rand(100)
    b = lib.rand(100)

    def step():
        c = a + b
        d = c * b
        e = d.view(10, 10).sum(1)
        f = lib.relu(e)
        return f.mean()

    return step
