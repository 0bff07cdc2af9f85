"""get_num_threads / set_num_threads (and the interop pair) against torch: errors, the BLAS
library's thread count following, and the interop count settable once per process."""

import subprocess
import sys

import pytest
import threadpoolctl
import torch

import ember


def _blas_threads():
    return {info["num_threads"] for info in threadpoolctl.threadpool_info()
            if info["user_api"] == "blas" and "numpy" in info["filepath"]}


@pytest.fixture
def restore_threads():
    before = ember.get_num_threads()
    yield
    ember.set_num_threads(before)


def test_set_num_threads_limits_the_blas_library_too(restore_threads):
    assert ember.get_num_threads() == torch.get_num_threads()
    ember.set_num_threads(1)
    assert ember.get_num_threads() == 1 and _blas_threads() == {1}
    ember.set_num_threads(2)
    assert ember.get_num_threads() == 2 and _blas_threads() == {2}


@pytest.mark.parametrize("value", [0, -1, 2.5, "2"])
def test_bad_thread_counts_raise_as_in_torch(value, restore_threads):
    for name in ("set_num_threads", "set_num_interop_threads"):
        with pytest.raises(RuntimeError) as expected:
            getattr(torch, name)(value)
        with pytest.raises(RuntimeError) as actual:
            getattr(ember, name)(value)
        assert str(actual.value) == str(expected.value)


def test_interop_threads_are_set_once_per_process():
    script = """
import ember, torch
for lib in (ember, torch):
    print(lib.get_num_interop_threads())
    lib.set_num_interop_threads(1)
    print(lib.get_num_interop_threads())
    try:
        lib.set_num_interop_threads(2)
    except RuntimeError as error:
        print(error)
"""
    lines = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    assert lines[:3] == lines[3:] and lines[1] == "1"
