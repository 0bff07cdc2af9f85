"""PairwiseDistance and CosineSimilarity against torch (see module_oracle)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.nn.module_oracle import check_module

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("options", [{}, {"p": 1.0}, {"p": 3.0, "keepdim": True},
                                     {"eps": 0.1}], ids=str)
def test_pairwise_distance(options):
    check_module(lambda nn: nn.PairwiseDistance(**options), RNG.standard_normal((4, 5)),
                 RNG.standard_normal((4, 5)), dtype="float64")


@pytest.mark.parametrize("options", [{}, {"dim": 0}, {"dim": -1, "eps": 1e-3}], ids=str)
def test_cosine_similarity(options):
    check_module(lambda nn: nn.CosineSimilarity(**options), RNG.standard_normal((4, 5)),
                 RNG.standard_normal((4, 5)), dtype="float64")
