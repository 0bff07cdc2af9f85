"""Each optimizer's trajectory against torch's over 20 steps, for its options."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import ember
from tests.optim.optim_oracle import assert_same_trajectory


def _grid(**options):
    names = list(options)
    return [dict(zip(names, values)) for values in itertools.product(*options.values())]


SGD_OPTIONS = _grid(momentum=[0, 0.9], dampening=[0, 0.1], nesterov=[False, True],
                    weight_decay=[0, 0.1], maximize=[False, True])
SGD_OPTIONS = [o for o in SGD_OPTIONS
               if not (o["nesterov"] and (o["momentum"] == 0 or o["dampening"] != 0))]


@pytest.mark.parametrize("options", SGD_OPTIONS, ids=str)
def test_sgd(options):
    # a small rate: maximizing diverges, and growing weights would magnify rounding
    assert_same_trajectory(lambda lib, model: lib.optim.SGD(model.parameters(), lr=0.02,
                                                            **options))


@pytest.mark.parametrize("foreach", [None, False])
@pytest.mark.parametrize("options", SGD_OPTIONS, ids=str)
def test_sgd_updates_bit_for_bit(options, foreach):
    """Given the same gradients, SGD's updates are torch's to the bit: its ``add_`` with
    alpha rounds once (a fused multiply-add), as ember's does."""
    rng = np.random.default_rng(3)
    shapes = [(300, 70), (70,)]  # large enough for BLAS to split the work over threads
    start = [rng.standard_normal(shape).astype(np.float32) for shape in shapes]
    grads = [[rng.standard_normal(shape).astype(np.float32) for shape in shapes]
             for _ in range(3)]
    results = []
    for lib in (ember, torch):
        params = [lib.tensor(values, requires_grad=True) for values in start]
        optimizer = lib.optim.SGD(params, lr=0.02, foreach=foreach, **options)
        for step_grads in grads:
            for param, grad in zip(params, step_grads):
                param.grad = lib.tensor(grad)
            optimizer.step()
        results.append([param.detach().numpy().tobytes() for param in params])
    assert results[0] == results[1]


ADAM_OPTIONS = _grid(amsgrad=[False, True], weight_decay=[0, 0.1], maximize=[False, True],
                     decoupled_weight_decay=[False, True])


@pytest.mark.parametrize("options", ADAM_OPTIONS, ids=str)
def test_adam(options):
    assert_same_trajectory(lambda lib, model: lib.optim.Adam(model.parameters(), lr=0.01,
                                                             betas=(0.8, 0.99), **options))


@pytest.mark.parametrize("options", _grid(amsgrad=[False, True], weight_decay=[0.01, 0.5]),
                         ids=str)
def test_adamw(options):
    assert_same_trajectory(lambda lib, model: lib.optim.AdamW(model.parameters(), lr=0.01,
                                                              **options))


def test_per_group_options():
    def make(lib, model):
        return lib.optim.Adam([{"params": model.hidden.parameters(), "lr": 0.1},
                               {"params": model.output.parameters(), "weight_decay": 0.2}],
                              lr=0.01)
    assert_same_trajectory(make)


def test_tensor_learning_rate():
    assert_same_trajectory(lambda lib, model: lib.optim.SGD(model.parameters(),
                                                            lr=lib.tensor(0.05), momentum=0.5))


@pytest.mark.parametrize("options", _grid(weight_decay=[0, 0.1], maximize=[False, True]),
                         ids=str)
def test_adamax(options):
    assert_same_trajectory(lambda lib, model: lib.optim.Adamax(model.parameters(), lr=0.01,
                                                               **options))


@pytest.mark.parametrize("options", _grid(weight_decay=[0, 0.1], maximize=[False, True],
                                          decoupled_weight_decay=[False, True],
                                          momentum_decay=[4e-3, 0.1]), ids=str)
def test_nadam(options):
    assert_same_trajectory(lambda lib, model: lib.optim.NAdam(model.parameters(), lr=0.01,
                                                              **options))


@pytest.mark.parametrize("options", _grid(weight_decay=[0, 0.1], maximize=[False, True],
                                          decoupled_weight_decay=[False, True],
                                          betas=[(0.9, 0.999), (0.5, 0.6)]), ids=str)
def test_radam(options):
    # betas (0.5, 0.6) make the variance tractable (rho_t > 5) from the third step
    assert_same_trajectory(lambda lib, model: lib.optim.RAdam(model.parameters(), lr=0.01,
                                                              **options))


@pytest.mark.parametrize("options", _grid(centered=[False, True], momentum=[0, 0.5],
                                          weight_decay=[0, 0.1], maximize=[False, True]),
                         ids=str)
def test_rmsprop(options):
    # centering subtracts close numbers: the last-bit differences of gradients grow
    tolerances = {"rtol": 2e-4, "atol": 1e-5} if options["centered"] else {}
    assert_same_trajectory(lambda lib, model: lib.optim.RMSprop(model.parameters(), lr=0.01,
                                                                **options), **tolerances)


@pytest.mark.parametrize("options", _grid(lr_decay=[0, 0.1], weight_decay=[0, 0.1],
                                          initial_accumulator_value=[0, 0.5],
                                          maximize=[False, True]), ids=str)
def test_adagrad(options):
    assert_same_trajectory(lambda lib, model: lib.optim.Adagrad(model.parameters(), lr=0.05,
                                                                **options))


@pytest.mark.parametrize("options", _grid(rho=[0.9, 0.5], weight_decay=[0, 0.1],
                                          maximize=[False, True]), ids=str)
def test_adadelta(options):
    assert_same_trajectory(lambda lib, model: lib.optim.Adadelta(model.parameters(), lr=0.5,
                                                                 **options))


@pytest.mark.parametrize("options", _grid(etas=[(0.5, 1.2), (0.3, 1.5)],
                                          step_sizes=[(1e-6, 50), (1e-3, 0.01)],
                                          maximize=[False, True]), ids=str)
def test_rprop(options):
    assert_same_trajectory(lambda lib, model: lib.optim.Rprop(model.parameters(), lr=0.01,
                                                              **options))


@pytest.mark.parametrize("options", _grid(t0=[1e6, 5], lambd=[1e-4, 0.1],
                                          weight_decay=[0, 0.1], maximize=[False, True]),
                         ids=str)
def test_asgd(options):
    assert_same_trajectory(lambda lib, model: lib.optim.ASGD(model.parameters(), lr=0.05,
                                                             **options))


@pytest.mark.parametrize("name", ["Adam", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad",
                                  "Adadelta", "Rprop", "ASGD", "SGD"])
def test_float64_parameters(name):
    def make(lib, model):
        model.double()
        return getattr(lib.optim, name)(model.parameters(), lr=0.01)
    assert_same_trajectory(make, float64=True)


@pytest.mark.parametrize("name", ["Adam", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad",
                                  "Adadelta", "Rprop", "ASGD", "SGD"])
def test_complex_parameters_update_as_pairs_of_reals(name):
    def run(lib):
        lib.manual_seed(0)
        z = lib.randn(3, dtype=lib.complex64, requires_grad=True)
        optimizer = getattr(lib.optim, name)([z], lr=0.01)
        for _ in range(5):
            optimizer.zero_grad()
            (z * z.conj()).real.sum().backward()
            optimizer.step()
        return z.detach().numpy()
    np.testing.assert_allclose(run(ember), run(torch), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("options", _grid(line_search_fn=[None, "strong_wolfe"],
                                          history_size=[100, 2], max_iter=[20, 3]), ids=str)
def test_lbfgs(options):
    # in float64 and for two steps: the fit is then nearly exact, and in the flat valley
    # beyond, last-bit differences steer the line search
    lr = 1 if options["line_search_fn"] else 0.1

    def make(lib, model):
        model.double()
        return lib.optim.LBFGS(model.parameters(), lr=lr, **options)
    optimizer, expected = assert_same_trajectory(make, steps=2, closure=True, float64=True,
                                                 rtol=1e-6, atol=1e-8)
    assert optimizer.state_dict()["state"][0]["func_evals"] == expected.state_dict()[
        "state"][0]["func_evals"]


def test_lbfgs_float32_few_iterations():
    assert_same_trajectory(lambda lib, model: lib.optim.LBFGS(model.parameters(), lr=0.5,
                                                              max_iter=3), steps=3,
                           closure=True)


def test_lbfgs_rejects_parameter_groups():
    model = ember.nn.Linear(2, 2)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        ember.optim.LBFGS([{"params": [model.weight]}, {"params": [model.bias]}])
