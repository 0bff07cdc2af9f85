"""The samplers give PyTorch's CPU numbers bit for bit for the same seed, and leave the
generator where PyTorch leaves it (the next draw is equal too)."""

import warnings

import numpy as np
import pytest
import torch

import ember

SEEDS = [0, 7, 2**40 + 3]
SIZES = [1, 7, 16, 17, 1000]
FLOATS = ["float32", "float64"]


def _exact(value):
    """Exact values of a tensor (float32 as bit patterns) or of a list of tensors."""
    if isinstance(value, list | tuple):
        return [_exact(v) for v in value]
    if value.dtype in (torch.float32, ember.float32):
        return np.asarray(value.tolist(), dtype=np.float32).view(np.int32).tolist()
    if value.dtype in (torch.float64, ember.float64):
        return np.asarray(value.tolist(), dtype=np.float64).view(np.int64).tolist()
    return value.tolist()


def _same_draws(make, seed=0):
    """``make(lib)`` gives equal results under ember and torch from the same seed, and the
    stream is left at the same place."""
    results = []
    for lib in (ember, torch):
        lib.manual_seed(seed)
        made = make(lib)
        results.append((_exact(made), lib.rand(3, dtype=lib.float64).tolist(),
                        lib.randn(1, dtype=lib.float64).tolist()))
    assert results[0] == results[1]


def _same_error(make, seed=0):
    """Both raise the same exception type and message, and leave the stream alike."""
    outcomes = []
    for lib in (ember, torch):
        lib.manual_seed(seed)
        with pytest.raises(Exception) as info:
            make(lib)
        outcomes.append((info.type.__name__, str(info.value).split("\n")[0],
                         lib.rand(2, dtype=lib.float64).tolist()))
    assert outcomes[0] == outcomes[1]


def _empty(lib, size, dtype):
    return lib.empty(size, dtype=getattr(lib, dtype))


# --- in-place samplers -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_uniform_(dtype, size, seed):
    _same_draws(lambda lib: _empty(lib, size, dtype).uniform_(-1.3, 2.7), seed)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_uniform_values_rounding_to_the_upper_bound(dtype):
    # A value that rounds to ``to`` becomes ``from``; bounds are floats for 16-bit dtypes.
    def make(lib):
        kind = getattr(lib, dtype)
        return [lib.rand(5000, dtype=kind).double(),
                lib.empty(500, dtype=kind).uniform_(1000.0, 1000.0001).double(),
                lib.empty(500, dtype=kind).uniform_(1.0, 1.0 + 2**-50).double(),
                lib.empty(500, dtype=kind).uniform_(0.1257302, 0.1321344).double(),
                lib.empty(500, dtype=kind).uniform_(-1401.52, -1302.55).double()]

    _same_draws(make, 1)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_normal_(dtype, size, seed):
    _same_draws(lambda lib: _empty(lib, size, dtype).normal_(0.3, 1.7), seed)


@pytest.mark.parametrize("dtype", FLOATS)
def test_large_sizes(dtype):
    def make(lib):
        return [_empty(lib, 100000, dtype).normal_(-2.0, 0.5),
                _empty(lib, 100000, dtype).uniform_(3, 4),
                _empty(lib, 100000, dtype).exponential_(0.7),
                _empty(lib, 100000, dtype).cauchy_(1.0, 0.3),
                _empty(lib, 100000, dtype).log_normal_(0.2, 0.9)]

    _same_draws(make, 5)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision(dtype):
    def make(lib):
        return [t.float() for t in (_empty(lib, 40, dtype).normal_(1, 2),
                                    _empty(lib, 7, dtype).normal_(),
                                    _empty(lib, 20, dtype).uniform_(-2, 5),
                                    _empty(lib, 20, dtype).exponential_(),
                                    _empty(lib, 20, dtype).random_(),
                                    _empty(lib, 20, dtype).random_(-30, 40))]

    _same_draws(make, 2)


def test_non_contiguous_fill_order():
    def make(lib):
        base = lib.zeros(4, 6, dtype=lib.float64)
        transposed = lib.zeros(6, 4, dtype=lib.float64).t()
        strided = lib.zeros(4, 8)[:, ::2]
        return [base.t().normal_(), transposed.uniform_(), strided.normal_(),
                transposed.exponential_(), lib.zeros(5, 4)[1:].t().bernoulli_(lib.tensor(0.4)),
                lib.zeros(3, 5, dtype=lib.int64).t().random_(0, 9)]

    _same_draws(make, 3)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", [1, 7, 17, 1000])
@pytest.mark.parametrize("dtype", FLOATS)
def test_exponential_geometric_log_normal_cauchy(dtype, size, seed):
    def make(lib):
        return [_empty(lib, size, dtype).exponential_(2.5),
                _empty(lib, size, dtype).geometric_(0.3),
                _empty(lib, size, dtype).log_normal_(0.5, 1.3),
                _empty(lib, size, dtype).cauchy_(0.5, 1.3)]

    _same_draws(make, seed)


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "uint8"])
def test_geometric_integer_dtypes(dtype):
    _same_draws(lambda lib: _empty(lib, 50, dtype).geometric_(0.2))


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "int64",
                                   "float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("size", [7, 1000])
def test_random_(dtype, size):
    def make(lib):
        return [_empty(lib, size, dtype).random_(), _empty(lib, size, dtype).random_(2),
                _empty(lib, size, dtype).random_(0, 2),
                _empty(lib, size, dtype).random_(1, None) if dtype != "bool" else
                _empty(lib, size, dtype).random_(0, None)]

    _same_draws(make)


@pytest.mark.parametrize("bounds", [(-5, 7), (0, 2**28), (0, 2**40), (-2**63, None),
                                    (3, None), (-2**63, 2**63 - 1)])
@pytest.mark.parametrize("dtype", ["int64", "float64"])
def test_random_wide_ranges(bounds, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # float64 warns outside [-2**53, 2**53], as torch does
        _same_draws(lambda lib: _empty(lib, 300, dtype).random_(*bounds))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
def test_bernoulli(size, seed):
    def make(lib):
        probabilities = lib.linspace(0, 1, size, dtype=lib.float64)
        return [lib.bernoulli(probabilities), lib.bernoulli(probabilities.float()),
                lib.zeros(size, dtype=lib.bool).bernoulli_(probabilities.float()),
                lib.zeros(size).bernoulli_(probabilities)]

    _same_draws(make, seed)


def test_complex_and_half_precision_kinds():
    def make(lib):
        complex_draws = [lib.empty(7, dtype=lib.complex64).normal_(),
                         lib.empty(40, dtype=lib.complex128).normal_(1, 2),
                         lib.empty(7, dtype=lib.complex64).uniform_(-1, 1)]
        return complex_draws + [
            t.float() for t in (
                lib.empty(5, dtype=lib.bfloat16).bernoulli_(lib.full((5,), 0.5)),
                lib.empty(5).bernoulli_(lib.full((5,), 0.5, dtype=lib.float16)),
                lib.bernoulli(lib.full((5,), 0.5, dtype=lib.bfloat16)))]

    _same_draws(make, 4)


def test_results_are_contiguous():
    def make(lib):
        p = lib.rand(5, 4).t()
        made = [lib.bernoulli(p), lib.normal(p, 1.0), lib.normal(p, p),
                lib.normal(1.0, p), lib.poisson(p * 10),
                lib.bernoulli(p, out=lib.empty(0, dtype=lib.int64))]
        return made + [lib.tensor([t.stride() for t in made])]

    _same_draws(make, 2)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
def test_bernoulli_scalar_p(size, seed):
    def make(lib):
        generator = lib.Generator().manual_seed(seed)
        probabilities = lib.linspace(0, 1, size, dtype=lib.float64)
        return [lib.bernoulli(probabilities, 0.3), lib.zeros(size, dtype=lib.int64).bernoulli_(0.7),
                lib.empty(size, dtype=lib.float16).bernoulli_(0.5).float(),
                lib.zeros(5, 4)[1:].t().bernoulli_(0.4), lib.bernoulli(probabilities.t(), 0.5),
                lib.empty(size).bernoulli_(0.5, generator=generator)]

    _same_draws(make, seed)


def test_bernoulli_broadcast_probabilities():
    def make(lib):
        return [lib.zeros(4, 3).bernoulli_(lib.tensor([0.2, 0.5, 0.9])),
                lib.zeros(3, 4).t().bernoulli_(lib.tensor([[0.2], [0.5], [0.9], [0.4]]))]

    _same_draws(make, 1)


# --- functions ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_normal_overloads(dtype, size, seed):
    def make(lib):
        kind = getattr(lib, dtype)
        mean = lib.linspace(-3, 3, size, dtype=kind)
        std = lib.linspace(0.1, 2, size, dtype=kind)
        return [lib.normal(mean, std), lib.normal(mean, 0.7), lib.normal(1.5, std),
                lib.normal(0.5, 2.0, (size,), dtype=kind), lib.normal(mean)]

    _same_draws(make, seed)


def test_out_tensors_are_sampled_in_place():
    # normal and randint sample into ``out`` itself: its dtype, and its layout's order.
    def make(lib):
        made = [lib.zeros(6, 5, dtype=lib.float64).t(), lib.zeros(6, 5).t(),
                lib.zeros(6, 5).t(), lib.zeros(6, 5, dtype=lib.int64).t()]
        lib.normal(lib.zeros(5, 6), lib.ones(6), out=made[0])
        lib.normal(lib.zeros(5, 6), 2.0, out=made[1])
        lib.normal(1.0, lib.ones(5, 6), out=made[2])
        lib.randint(0, 9, (5, 6), out=made[3])
        return made

    _same_draws(make, 5)


def test_normal_broadcasting_and_out():
    def make(lib):
        out = lib.empty(0, dtype=lib.float64)
        lib.normal(lib.zeros(2, 1, dtype=lib.float64), lib.ones(3, dtype=lib.float64), out=out)
        generator = lib.Generator().manual_seed(4)
        return [out, lib.normal(lib.zeros(2, 1), lib.ones(3)),
                lib.normal(0.0, 1.0, size=(4, 5), generator=generator),
                lib.normal(lib.zeros(30), 2.0, generator=generator),
                lib.normal(0.0, 1.0, (3,), out=lib.empty(3))]

    _same_draws(make, 6)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [0, 1, 2, 7, 16, 17, 1000, 100000])
def test_randperm(n, seed):
    _same_draws(lambda lib: lib.randperm(n), seed)


def test_randperm_dtypes_generator_out():
    def make(lib):
        generator = lib.Generator().manual_seed(8)
        out = lib.empty(0, dtype=lib.int32)
        lib.randperm(50, out=out)
        return [lib.randperm(100, dtype=lib.float32), lib.randperm(127, dtype=lib.int8),
                lib.randperm(20, generator=generator), out,
                lib.randperm(30, dtype=lib.float16).float(),
                lib.randperm(3000, dtype=lib.bfloat16).float()]

    _same_draws(make)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("dtype", FLOATS)
def test_multinomial(dtype, replacement, seed):
    def make(lib):
        kind = getattr(lib, dtype)
        weights = lib.tensor([0.1, 2.0, 0.0, 3.5, 1.2, 0.7, 4.4], dtype=kind)
        rows = lib.arange(1, 31, dtype=kind).reshape(3, 10) % 7
        return [lib.multinomial(weights, 1, replacement),
                lib.multinomial(weights, 5, replacement),
                lib.multinomial(rows, 4, replacement),
                rows.multinomial(1, replacement)]

    _same_draws(make, seed)


def test_multinomial_many_samples_and_generator():
    def make(lib):
        generator = lib.Generator().manual_seed(12)
        weights = lib.rand(100, generator=generator, dtype=lib.float64)
        out = lib.empty(0, dtype=lib.int64)
        lib.multinomial(weights, 1000, True, out=out)
        return [out, lib.multinomial(weights, 100, generator=generator),
                lib.multinomial(weights.float(), 1000, True, generator=generator),
                lib.multinomial(lib.rand(6, 20).t(), 3),
                lib.multinomial(lib.rand(20, 12).t()[:, ::2], 3),
                lib.multinomial(lib.rand(8, 30).half(), 10),
                lib.multinomial(lib.rand(8, 30).bfloat16(), 1),
                lib.multinomial(lib.rand(8, 30).half(), 20, True)]

    _same_draws(make, 1)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_poisson(dtype, seed):
    def make(lib):
        kind = getattr(lib, dtype)
        rates = lib.tensor([0.0, 0.5, 3.0, 9.99, 10.0, 25.0, 400.0, 1e5], dtype=kind)
        generator = lib.Generator().manual_seed(seed + 1)
        return [lib.poisson(rates), lib.poisson(lib.tensor([0.0, 0.5, 3.0, 9.99, 10.0, 25.0, 400.0, 1e5] * 40, dtype=kind)),
                lib.poisson(lib.tensor([float("inf"), 1e300, 5.0], dtype=lib.float64)),
                lib.poisson(rates.reshape(2, 4).t(), generator)]

    _same_draws(make, seed)


def test_generator_argument_everywhere():
    def make(lib):
        generator = lib.Generator().manual_seed(21)
        return [lib.empty(20).uniform_(generator=generator),
                lib.empty(20).normal_(generator=generator),
                lib.empty(20, dtype=lib.int64).random_(generator=generator),
                lib.bernoulli(lib.full((20,), 0.5), generator=generator),
                lib.empty(20).exponential_(generator=generator),
                lib.empty(20).geometric_(0.5, generator=generator),
                lib.empty(20).log_normal_(generator=generator),
                lib.empty(20).cauchy_(generator=generator),
                lib.rand(20, generator=generator)]

    _same_draws(make, 9)


# --- errors ---------------------------------------------------------------------------------

ERRORS = {
    "uniform_from_gt_to": lambda lib: lib.empty(3).uniform_(1, 0),
    "uniform_long": lambda lib: lib.empty(3, dtype=lib.int64).uniform_(),
    "uniform_half_bound": lambda lib: lib.empty(3, dtype=lib.float16).uniform_(0, 1e6),
    "uniform_span": lambda lib: lib.empty(3).uniform_(-3e38, 3e38),
    "normal_negative_std": lambda lib: lib.empty(3).normal_(0, -1),
    "normal_long": lambda lib: lib.empty(3, dtype=lib.int64).normal_(),
    "normal_std_tensor": lambda lib: lib.normal(lib.zeros(3), lib.tensor([1.0, -1.0, 1.0])),
    "normal_std_float": lambda lib: lib.normal(lib.zeros(3), -1.0),
    "normal_size": lambda lib: lib.normal(0.0, -1.0, (3,)),
    "normal_shapes": lambda lib: lib.normal(lib.zeros(3), lib.ones(2)),
    "normal_out_shape": lambda lib: lib.normal(lib.zeros(5), 1.0, out=lib.zeros(3)),
    "exponential": lambda lib: lib.empty(3).exponential_(0),
    "exponential_long": lambda lib: lib.empty(3, dtype=lib.int64).exponential_(),
    "geometric": lambda lib: lib.empty(3).geometric_(1),
    "log_normal": lambda lib: lib.empty(3).log_normal_(0, 0),
    "cauchy": lambda lib: lib.empty(3).cauchy_(0, 0),
    "cauchy_long": lambda lib: lib.empty(3, dtype=lib.int64).cauchy_(),
    "bernoulli_p": lambda lib: lib.empty(3).bernoulli_(1.5),
    "bernoulli_tensor_p": lambda lib: lib.empty(5).bernoulli_(
        lib.tensor([0.5, 0.5, 2.0, 0.5, 0.5])),
    "bernoulli_input": lambda lib: lib.bernoulli(lib.tensor([0.5, -0.1, 0.5])),
    "bernoulli_long": lambda lib: lib.bernoulli(lib.tensor([1, 0, 1])),
    "bernoulli_expand": lambda lib: lib.empty(5).bernoulli_(lib.full((3,), 0.5)),
    "random_from_to": lambda lib: lib.empty(3).random_(5, 2),
    "random_uint8_to": lambda lib: lib.empty(3, dtype=lib.uint8).random_(0, 300),
    "random_uint8_from": lambda lib: lib.empty(3, dtype=lib.uint8).random_(-1, 3),
    "random_complex": lambda lib: lib.empty(3, dtype=lib.complex64).random_(),
    "random_half_beyond": lambda lib: lib.empty(3, dtype=lib.float16).random_(0, 2**20),
    "random_float_empty_range": lambda lib: lib.empty(3).random_(2**30 + 1, 2**30 + 3),
    "randint_uint8": lambda lib: lib.randint(0, 300, (3,), dtype=lib.uint8),
    "randperm_negative": lambda lib: lib.randperm(-1),
    "randperm_half": lambda lib: lib.randperm(3000, dtype=lib.float16),
    "randperm_int8": lambda lib: lib.randperm(300, dtype=lib.int8),
    "randperm_bool": lambda lib: lib.randperm(3, dtype=lib.bool),
    "multinomial_negative": lambda lib: lib.multinomial(lib.tensor([0.5, -1.0]), 1, True),
    "multinomial_replacement_negative": lambda lib: lib.multinomial(
        lib.tensor([[0.5, 0.5], [0.5, -1.0]]), 2, True),
    "multinomial_replacement_inf": lambda lib: lib.multinomial(
        lib.tensor([[0.5, 0.5], [0.5, float("inf")]]), 2, True),
    "multinomial_replacement_inf_first": lambda lib: lib.multinomial(
        lib.tensor([float("inf"), -1.0]), 2, True),
    "multinomial_replacement_nan": lambda lib: lib.multinomial(
        lib.tensor([0.5, float("nan")]), 2, True),
    "multinomial_replacement_zero": lambda lib: lib.multinomial(
        lib.tensor([[0.5, 0.5], [0.0, 0.0]]), 3, True),
    "multinomial_zero_sum": lambda lib: lib.multinomial(lib.tensor([0.0, 0.0]), 1),
    "multinomial_inf": lambda lib: lib.multinomial(lib.tensor([0.5, float("inf")]), 1),
    "multinomial_too_many": lambda lib: lib.multinomial(lib.tensor([0.5, 0.5]), 3),
    "multinomial_none": lambda lib: lib.multinomial(lib.tensor([0.5, 0.5]), 0),
    "multinomial_0d": lambda lib: lib.multinomial(lib.tensor(0.5), 1),
    "multinomial_3d": lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1),
    "multinomial_long": lambda lib: lib.multinomial(lib.tensor([1, 2]), 1),
    "poisson_negative": lambda lib: lib.poisson(lib.tensor([1.0, 2.0, -1.0])),
    "poisson_long": lambda lib: lib.poisson(lib.tensor([1, 2])),
    "leaf_requires_grad": lambda lib: lib.ones(3, requires_grad=True).normal_(),
    "overlapping_normal": lambda lib: lib.zeros(3, 1).expand(3, 4).normal_(),
    "overlapping_bernoulli": lambda lib: lib.zeros(3, 1).expand(3, 4).bernoulli_(0.5),
    "overlapping_random": lambda lib: lib.zeros(3, 1).expand(3, 4).random_(),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    _same_error(ERRORS[name])


def test_random_warns_beyond_exact_integers():
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match=r"to - 1 is out of bounds \[-\(2\^11\), 2\^11\]"):
            lib.empty(3, dtype=lib.float16).random_(0, 5000)


def test_gradient_nodes():
    def names(lib):
        x = lib.ones(3, requires_grad=True) * 1
        made = [x.clone().uniform_(), x.clone().normal_(), x.clone().random_(),
                x.clone().random_(5), x.clone().random_(1, 5), x.clone().bernoulli_(0.5),
                x.clone().bernoulli_(lib.full((3,), 0.5)), x.clone().exponential_(),
                x.clone().geometric_(0.5), x.clone().log_normal_(), x.clone().cauchy_(),
                lib.normal(x, 1.0), lib.bernoulli(x * 0.5), lib.poisson(x)]
        return [t.grad_fn.name() for t in made]

    assert names(ember) == names(torch)


def test_multinomial_ties_among_zero_weights():
    # Equal keys keep the order libstdc++'s nth_element / partial_sort leave them in.
    def make(lib):
        sparse = lib.zeros(300, dtype=lib.float64)
        sparse[7], sparse[100] = 1.0, 2.0
        rows = lib.tensor([[0.0, 1, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]] * 3)
        return [lib.multinomial(lib.tensor([0.0, 1, 0, 2, 0]), 4),
                lib.multinomial(rows, 15), lib.multinomial(rows, 20),
                lib.multinomial(sparse, 4), lib.multinomial(sparse, 200)]

    _same_draws(make, 3)


def test_fork_rng():
    ember.manual_seed(3)
    with ember.random.fork_rng():
        inside = ember.rand(5).tolist()
    assert ember.rand(5).tolist() == inside
