"""Per-op overhead with autograd: forward and backward of a chain of small ops on
100-element float32 tensors that require grad."""

KEY = "autograd"
NAME = "autograd overhead (forward + backward, 100 elements)"
TARGET = 2.0
OPS_PER_STEP = 6  # mul, add, relu, view, sum(dim), mean; then one backward through them


def make_step(lib):
    x = lib.rand(100, requires_grad=True)
    w = lib.rand(100, requires_grad=True)

    def step():
        y = lib.relu(x * w + x)
        loss = y.view(10, 10).sum(1).mean()
        loss.backward()
        return loss

    return step
