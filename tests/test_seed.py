"""Every snippet of the seed notes runs verbatim under ember and prints what PyTorch prints,
random values included: both libraries start from the same seed."""

import sys
from pathlib import Path

import pytest
import torch

import ember

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from seed_walkthrough import SNIPPETS, run_snippet  # noqa: E402


def _outputs(torch_module):
    torch_module.manual_seed(0)  # as the walkthrough's main() does
    namespace = {}
    return [run_snippet(code, display, namespace, torch_module)
            for _, code, display in SNIPPETS]


@pytest.fixture(scope="module")
def outputs():
    return _outputs(ember), _outputs(torch)


@pytest.mark.parametrize("index", range(len(SNIPPETS)), ids=[s[0] for s in SNIPPETS])
def test_snippet_prints_what_torch_prints(outputs, index):
    ember_output, torch_output = outputs[0][index], outputs[1][index]
    assert ember_output  # every snippet shows something
    assert ember_output == torch_output
