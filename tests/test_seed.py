"""Every snippet of the seed notes runs verbatim under ember and prints what PyTorch prints
(the digits of random values aside, until ember's generator matches PyTorch's)."""

import re
import sys
from pathlib import Path

import pytest
import torch

import ember

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from seed_walkthrough import SNIPPETS, run_snippet  # noqa: E402

# Snippets whose printed values come from the random number generator.
RANDOM_OUTPUT = {"3.1 randn_like"}


def _outputs(torch_module):
    namespace = {}
    return [run_snippet(code, display, namespace, torch_module)
            for _, code, display in SNIPPETS]


def _mask_digits(text):
    return re.sub(r"\s*-?\d+\.\d+", " <number>", text)  # signs change the padding too


@pytest.fixture(scope="module")
def outputs():
    return _outputs(ember), _outputs(torch)


@pytest.mark.parametrize("index", range(len(SNIPPETS)), ids=[s[0] for s in SNIPPETS])
def test_snippet_prints_what_torch_prints(outputs, index):
    ember_output, torch_output = outputs[0][index], outputs[1][index]
    assert ember_output  # every snippet shows something
    if SNIPPETS[index][0] in RANDOM_OUTPUT:
        ember_output, torch_output = _mask_digits(ember_output), _mask_digits(torch_output)
    assert ember_output == torch_output
