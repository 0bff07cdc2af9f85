"""A small LSTM training step: nn.LSTM(32, 64) over a (35, 16, 32) sequence, a linear head on
the last output, cross-entropy, backward and a hand-written SGD update. The time loop is
Python in ember, so this measures the per-step cost of the recurrent cell."""

KEY = "lstm"
NAME = "LSTM training step (seq 35, batch 16, 32 -> 64)"
TARGET = 3.0
OPS_PER_STEP = 1  # one whole training step


def make_step(lib):
    lib.manual_seed(0)
    lstm = lib.nn.LSTM(input_size=32, hidden_size=64, num_layers=1)
    head = lib.nn.Linear(64, 10)
    parameters = [*lstm.parameters(), *head.parameters()]
    input = lib.randn(35, 16, 32)
    target = lib.randint(0, 10, (16,))

    def step():
        output, _ = lstm(input)
        loss = lib.nn.functional.cross_entropy(head(output[-1]), target)
        loss.backward()
        with lib.no_grad():
            for p in parameters:
                p.data.add_(p.grad, alpha=-0.01)
                p.grad = None
        return loss

    return step
