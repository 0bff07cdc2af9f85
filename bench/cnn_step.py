"""One training step of a small CNN on a batch of 32 MNIST-sized images: two 3x3
convolutions with ReLU and 2x2 max pooling, a linear classifier, cross-entropy, backward and
a hand-written SGD update."""

KEY = "cnn"
NAME = "CNN training step (32 x 1x28x28, two convs)"
TARGET = 2.5
OPS_PER_STEP = 1  # one whole step


def make_step(lib):
    lib.manual_seed(0)
    nn, F = lib.nn, lib.nn.functional
    conv1 = nn.Conv2d(1, 16, 3, padding=1)
    conv2 = nn.Conv2d(16, 32, 3, padding=1)
    classifier = nn.Linear(32 * 7 * 7, 10)
    parameters = [*conv1.parameters(), *conv2.parameters(), *classifier.parameters()]
    images = lib.randn(32, 1, 28, 28)
    labels = lib.randint(0, 10, (32,))

    def step():
        hidden = F.max_pool2d(F.relu(conv1(images)), 2)
        hidden = F.max_pool2d(F.relu(conv2(hidden)), 2)
        loss = F.cross_entropy(classifier(hidden.flatten(1)), labels)
        loss.backward()
        with lib.no_grad():
            for parameter in parameters:
                parameter.data.add_(parameter.grad, alpha=-0.01)
                parameter.grad.zero_()
        return loss

    return step
