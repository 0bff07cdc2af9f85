"""The random factories give PyTorch's CPU numbers, bit for bit, for the same seed."""

import numpy as np
import pytest
import torch

import ember

SIZES = [1, 7, 15, 16, 17, 100, 1000, 10**5]
SEEDS = [0, 1, 2**40 + 7]


def _values(tensor):
    """Exact values: float32 elements as their bit patterns, others as Python numbers."""
    if tensor.dtype in (torch.float32, ember.float32):
        return np.asarray(tensor.tolist(), dtype=np.float32).view(np.int32).tolist()
    return tensor.tolist()


def _same_draws(make, seed=0):
    """Equal draws from the same seed, and the generator left at the same place."""
    ember.manual_seed(seed)
    torch.manual_seed(seed)
    assert _values(make(ember)) == _values(make(torch))
    assert (ember.rand(2, dtype=ember.float64).tolist() ==
            torch.rand(2, dtype=torch.float64).tolist())
    assert (ember.randn(1, dtype=ember.float64).tolist() ==
            torch.randn(1, dtype=torch.float64).tolist())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rand(dtype, size, seed):
    _same_draws(lambda lib: lib.rand(size, dtype=getattr(lib, dtype)), seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
def test_randn_float64(size, seed):
    _same_draws(lambda lib: lib.randn(size, dtype=lib.float64), seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
def test_randn_float32(size, seed):
    # 16 or more elements go through avx_mathfun's float32 log and sincos, fmas included.
    _same_draws(lambda lib: lib.randn(size), seed)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "complex64", "complex128"])
@pytest.mark.parametrize("size", [7, 40])
def test_randn_other_dtypes(dtype, size):
    _same_draws(lambda lib: lib.randn(size, dtype=getattr(lib, dtype)))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("bounds", [(0, 10), (-5, 7), (0, 2**28 - 1), (0, 2**28), (0, 2**32),
                                    (3, 2**40), (-2**63, 2**63 - 1)])
def test_randint(bounds, size, seed):
    _same_draws(lambda lib: lib.randint(*bounds, (size,)), seed)


@pytest.mark.parametrize("dtype", ["int32", "int16", "uint8", "float32", "float64"])
def test_randint_dtypes(dtype):
    _same_draws(lambda lib: lib.randint(3, 100, (50,), dtype=getattr(lib, dtype)))


def test_like_forms_and_shapes():
    def make(lib):
        base = lib.zeros(3, 4, dtype=lib.float64)
        return [lib.rand_like(base), lib.randn_like(base), lib.randint_like(base, 5, 9),
                lib.randn(2, 3, 5, dtype=lib.float64), lib.randint(4, (2, 2)),
                lib.randn_like(lib.zeros(4, 5, dtype=lib.float64))]

    ember.manual_seed(3)
    torch.manual_seed(3)
    assert [t.tolist() for t in make(ember)] == [t.tolist() for t in make(torch)]


def test_like_forms_and_out_fill_the_layout_they_have():
    # empty_like keeps a transposed layout, and the in-place sampler walks it in memory order
    # (the normal kernel's scalar path, as the result is not contiguous).
    def make(lib):
        transposed = lib.zeros(4, 5, dtype=lib.float64).t()
        made = [lib.randn_like(transposed), lib.rand_like(transposed),
                lib.randint_like(transposed, 3, 10), lib.randn_like(lib.zeros(8, 6).t()),
                lib.randn_like(lib.zeros(3, 8).t(), dtype=lib.complex64),
                lib.rand_like(lib.zeros(3, 8, dtype=lib.complex128).t())]
        out = lib.zeros(6, 5).t()
        made += [lib.randn(5, 6, out=out), lib.rand(5, 6, out=lib.zeros(6, 5).t())]
        return [t.tolist() for t in made] + [[t.stride() for t in made]]

    ember.manual_seed(4)
    torch.manual_seed(4)
    assert make(ember) == make(torch)


def test_consecutive_calls_continue_the_stream():
    def make(lib):
        # Odd scalar normal counts leave a spare value that the next small randn uses.
        return [lib.rand(3, dtype=lib.float64), lib.rand(5, dtype=lib.float64),
                lib.randn(3, dtype=lib.float64), lib.randn(2, dtype=lib.float64),
                lib.randint(0, 2**35, (700,)), lib.randn(20, dtype=lib.float64),
                lib.randn(1, dtype=lib.float64)]

    ember.manual_seed(11)
    torch.manual_seed(11)
    assert [t.tolist() for t in make(ember)] == [t.tolist() for t in make(torch)]


def test_generator_objects():
    mine, theirs = ember.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    assert mine.initial_seed() == theirs.initial_seed() == 5
    assert (ember.rand(10, generator=mine).tolist() ==
            torch.rand(10, generator=theirs).tolist())
    assert (ember.randint(0, 9, (10,), generator=mine).tolist() ==
            torch.randint(0, 9, (10,), generator=theirs).tolist())
    assert ember.Generator().initial_seed() == torch.Generator().initial_seed()


def test_state_round_trip():
    generator = ember.Generator().manual_seed(2)
    ember.randn(3, generator=generator, dtype=ember.float64)  # leaves a spare normal
    state = generator.get_state()
    first = ember.randn(30, generator=generator, dtype=ember.float64).tolist()
    generator.manual_seed(9)
    generator.set_state(state)
    assert ember.randn(30, generator=generator, dtype=ember.float64).tolist() == first

    saved = ember.random.get_rng_state()
    first = ember.rand(700).tolist()
    ember.random.set_rng_state(saved)
    assert ember.rand(700).tolist() == first


def test_seed_and_initial_seed():
    assert ember.manual_seed(2**64 - 1).initial_seed() == 2**64 - 1
    chosen = ember.seed()
    assert ember.initial_seed() == chosen
    ember.manual_seed(chosen)
    torch.manual_seed(chosen)
    assert (ember.rand(4, dtype=ember.float64).tolist() ==
            torch.rand(4, dtype=torch.float64).tolist())
