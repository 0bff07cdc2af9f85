"""One training step of a 784-512-512-10 MLP on a batch of 256 (MNIST-sized): forward,
cross-entropy, backward and the optimizer's update, with SGD (momentum) or Adam."""

from types import SimpleNamespace


def _benchmark(key, name, make_optimizer):
    def make_step(lib):
        nn = lib.nn
        lib.manual_seed(0)
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                              nn.Linear(512, 10))
        optimizer = make_optimizer(lib, model.parameters())
        images = lib.randn(256, 784)
        labels = lib.randint(0, 10, (256,))

        def step():
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            return loss

        return step

    return SimpleNamespace(KEY=key, NAME=f"MLP step, {name} (784-512-512-10, batch 256)",
                           TARGET=1.0, OPS_PER_STEP=1, make_step=make_step)


SGD_MOMENTUM = _benchmark("mlp_sgd", "SGD momentum",
                          lambda lib, params: lib.optim.SGD(params, lr=0.01, momentum=0.9))
ADAM = _benchmark("mlp_adam", "Adam", lambda lib, params: lib.optim.Adam(params, lr=1e-3))
