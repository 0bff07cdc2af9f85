"""ember.multiprocessing.spawn: run a function in several processes, report their failures."""

import os
import signal

import pytest

import ember
import ember.multiprocessing as mp


def _fill_slot(index, out):
    out[index] = index + 1


def _fail_in_second(index):
    if index == 1:
        raise ValueError(f"boom from process {index}")


def _kill_self(index):
    os.kill(os.getpid(), signal.SIGKILL)


def test_spawn_runs_every_index_on_shared_arguments():
    out = ember.zeros(2)
    assert mp.spawn(_fill_slot, args=(out,), nprocs=2) is None
    assert out.tolist() == [1.0, 2.0] and out.is_shared()


def test_spawn_start_method_is_deprecated():
    with pytest.warns(FutureWarning, match="only supports start_method=spawn"):
        mp.spawn(_fill_slot, args=(ember.zeros(1),), start_method="fork")


def test_child_exception_is_raised_with_its_traceback():
    with pytest.raises(mp.ProcessRaisedException) as caught:
        mp.start_processes(_fail_in_second, nprocs=2, start_method="fork")
    message = str(caught.value)
    assert "-- Process 1 terminated with the following error:" in message
    assert "Traceback (most recent call last)" in message
    assert "ValueError: boom from process 1" in message and "_fail_in_second" in message
    assert caught.value.error_index == 1


def test_child_killed_by_signal():
    context = mp.start_processes(_kill_self, nprocs=1, join=False, start_method="fork")
    assert isinstance(context, mp.ProcessContext) and len(context.pids()) == 1
    with pytest.raises(mp.ProcessExitedException,
                       match="process 0 terminated with signal SIGKILL") as caught:
        while not context.join():
            pass
    assert caught.value.exit_code == -signal.SIGKILL
    assert caught.value.signal_name == "SIGKILL"
