"""The "file_system" sharing strategy: storages in named /dev/shm files that travel by name,
and the lifetime of those files (Note [Shared memory lifetime] in ember/_storage.py)."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from multiprocessing.reduction import ForkingPickler

import pytest

import ember
import ember.multiprocessing as mp
from ember.multiprocessing import reductions

START_METHODS = ["spawn", "forkserver", "fork"]


@pytest.fixture(autouse=True)
def file_system_strategy():
    mp.set_sharing_strategy("file_system")
    yield
    mp.set_sharing_strategy("file_descriptor")


def _files_of(*pids):
    """The names in /dev/shm of the files that ember created in the processes ``pids``."""
    prefixes = tuple(f"ember_{pid}_" for pid in pids)
    return {name for name in os.listdir("/dev/shm") if name.startswith(prefixes)}


def _wait_until_gone(names, seconds=10.0):
    """Wait for the tracker to unlink ``names`` (it hears of releases asynchronously)."""
    deadline = time.monotonic() + seconds
    while set(os.listdir("/dev/shm")) & set(names) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not set(os.listdir("/dev/shm")) & set(names)


@pytest.fixture(autouse=True)
def nothing_left_of_this_process():
    before = _files_of(os.getpid())
    yield
    assert _wait_until_gone(_files_of(os.getpid()) - before)


def _name(storage):
    return storage._share_filename_cpu_()[1].decode().lstrip("/")


def test_share_memory_makes_a_named_file():
    base = ember.arange(6.0)
    view = base[2:]
    storage = base.untyped_storage()
    assert base.share_memory_() is base and base.is_shared() and view.is_shared()
    # torch gives (manager socket, b"/torch_<pid>_<random>_<n>", nbytes)
    tracker, handle, nbytes = storage._share_filename_cpu_()
    assert isinstance(tracker, bytes) and nbytes == 24
    assert handle.startswith(f"/ember_{os.getpid()}_".encode())
    assert handle.decode()[1:] in os.listdir("/dev/shm")
    view[0] = 20.0  # views follow the storage into the file
    assert base.tolist() == [0.0, 1.0, 20.0, 3.0, 4.0, 5.0]
    with open(f"/dev/shm/{_name(storage)}", "rb") as file:
        assert file.read()[8:12] == ember.tensor([20.0]).numpy().tobytes()
    with pytest.raises(RuntimeError, match="not resizable"):
        storage.resize_(4)


def test_new_shared_storages():
    untyped = ember.UntypedStorage._new_shared(5)
    assert untyped.is_shared() and untyped.tolist() == [0] * 5
    assert _name(untyped) in os.listdir("/dev/shm")
    typed = ember.arange(3, dtype=ember.int16)._typed_storage()._new_shared(4)
    assert typed.dtype is ember.int16 and typed.size() == 4 and typed.is_shared()
    empty = ember.UntypedStorage._new_shared(0)
    assert empty.is_shared() and len(empty) == 0
    mp.set_sharing_strategy("file_descriptor")
    files = set(os.listdir("/dev/shm"))
    in_memory_file = ember.UntypedStorage._new_shared(5)
    assert in_memory_file.is_shared() and set(os.listdir("/dev/shm")) == files


def test_a_file_goes_when_its_last_storage_does():
    storage = ember.UntypedStorage._new_shared(8)
    name = _name(storage)
    received = ForkingPickler.loads(ForkingPickler.dumps(storage))
    assert received is storage  # sent to this process: the same storage
    del storage, received
    assert _wait_until_gone([name])


def test_typed_and_empty_storages_travel_by_name():
    typed = ember.arange(3, dtype=ember.int16)._typed_storage()
    received = ForkingPickler.loads(ForkingPickler.dumps(typed))
    assert received.dtype is ember.int16 and received.tolist() == [0, 1, 2]
    assert _name(typed.untyped()) in os.listdir("/dev/shm")
    empty = ForkingPickler.loads(ForkingPickler.dumps(ember.zeros(0, 3)))
    assert empty.shape == (0, 3) and empty.is_shared()


def test_strategy_switching_back():
    named = ember.ones(3).share_memory_()
    message = bytes(ForkingPickler.dumps(named))
    assert b"rebuild_storage_filename" in message
    ForkingPickler.loads(message)  # read, so that the message's reference goes
    mp.set_sharing_strategy("file_descriptor")
    assert mp.get_sharing_strategy() == "file_descriptor"
    files = set(os.listdir("/dev/shm"))
    fresh = ember.zeros(2).share_memory_()
    assert set(os.listdir("/dev/shm")) == files  # a memory file again
    # a named file now travels as a descriptor opened onto it, and arrives as itself
    rebuild, _ = reductions.reduce_storage(named.untyped_storage())
    assert rebuild is reductions.rebuild_storage_fd
    assert ForkingPickler.loads(ForkingPickler.dumps(named)).untyped_storage() is (
        named.untyped_storage())
    mp.set_sharing_strategy("file_system")
    moved = fresh.untyped_storage()  # in a memory file: moved into a named one, as in torch
    assert _name(moved) in os.listdir("/dev/shm") and fresh.is_shared()


def _child_roundtrip(from_args, inbox, outbox):
    """Receive tensors through the Process arguments and a queue, write into them, send a
    tensor of the child's own back by name, and report what the parent wrote after."""
    mp.set_sharing_strategy("file_system")  # a spawned child starts with the default
    whole, view, storage = inbox.get()
    view.add_(10)
    from_args[0] = 42.0
    own = ember.full((2,), 7.0)
    outbox.send((view.untyped_storage() is whole.untyped_storage(), storage.tolist(), own))
    inbox.get()  # the parent has written
    outbox.send((whole.tolist(), own.tolist()))
    inbox.get()  # the parent holds what it received


@pytest.mark.parametrize("method", START_METHODS)
def test_tensors_travel_by_name(method):
    ctx = mp.get_context(method)
    inbox = ctx.Queue()
    outbox, child_end = ctx.Pipe()
    whole = ember.arange(4.0)
    view = whole[1:]
    storage = ember.UntypedStorage([1, 2, 3])
    if method == "fork":  # fork pickles no arguments: the child inherits the memory
        whole.share_memory_()
    child = ctx.Process(target=_child_roundtrip, args=(whole, inbox, child_end))
    child.start()
    inbox.put((whole, view, storage))
    same_storage, storage_values, from_child = outbox.recv()
    assert same_storage and storage_values == [1, 2, 3]
    assert whole.tolist() == [42.0, 11.0, 12.0, 13.0]  # the child's writes
    assert from_child.is_shared() and from_child.tolist() == [7.0, 7.0]
    assert _files_of(child.pid) == {_name(from_child.untyped_storage())}
    whole[3] = -1.0
    from_child[1] = -7.0
    inbox.put("written")
    seen_by_child, child_own = outbox.recv()
    assert seen_by_child[3] == -1.0 and child_own == [7.0, -7.0]
    inbox.put("done")
    child.join(timeout=30)
    assert child.exitcode == 0
    names = _files_of(os.getpid(), child.pid)
    assert names  # the parent still holds them
    del whole, view, storage, from_child, child  # the Process keeps its arguments
    assert _wait_until_gone(names)


def _receive_then_wait(inbox, received):
    inbox.get()
    received.set()
    time.sleep(60)  # until killed


def test_killed_receiver_lets_go():
    ctx = mp.get_context("fork")
    inbox, received = ctx.Queue(), ctx.Event()
    child = ctx.Process(target=_receive_then_wait, args=(inbox, received))
    child.start()
    tensor = ember.ones(4).share_memory_()
    name = _name(tensor.untyped_storage())
    inbox.put(tensor)
    assert received.wait(30)
    os.kill(child.pid, signal.SIGKILL)
    child.join(timeout=30)
    assert name in os.listdir("/dev/shm")  # this process still holds it
    del tensor
    assert _wait_until_gone([name])


def _send_then_die(outbox):
    mp.set_sharing_strategy("file_system")
    outbox.put(ember.arange(3.0))
    outbox.close()
    outbox.join_thread()  # the message is in the pipe
    os.kill(os.getpid(), signal.SIGKILL)


def test_message_outlives_its_killed_sender():
    ctx = mp.get_context("spawn")  # the child's files have the child's own tracker
    outbox = ctx.Queue()
    child = ctx.Process(target=_send_then_die, args=(outbox,))
    child.start()
    child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL
    tensor = outbox.get(timeout=30)
    assert tensor.tolist() == [0.0, 1.0, 2.0] and tensor.is_shared()
    names = _files_of(child.pid)
    assert len(names) == 1
    del tensor
    assert _wait_until_gone(names)


_KILLED_TREE_SCRIPT = textwrap.dedent("""
    import os, signal, time
    import ember
    import ember.multiprocessing as mp

    def receive(inbox, received):
        inbox.get()
        received.set()
        time.sleep(60)

    mp.set_sharing_strategy("file_system")
    ctx = mp.get_context("fork")
    inbox, received = ctx.Queue(), ctx.Event()
    child = ctx.Process(target=receive, args=(inbox, received))
    child.start()
    sent = [ember.ones(2), ember.zeros(2)]
    for tensor in sent:  # the second is never read
        inbox.put(tensor)
    received.wait(30)
    print(*(tensor.untyped_storage()._share_filename_cpu_()[1].decode()[1:]
            for tensor in sent), flush=True)
    os.kill(child.pid, signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_nothing_left_after_every_process_is_killed():
    script = subprocess.run([sys.executable, "-c", _KILLED_TREE_SCRIPT], capture_output=True,
                            text=True, timeout=60)
    assert script.returncode == -signal.SIGKILL, script.stderr
    names = script.stdout.split()
    assert len(names) == 2
    # The tracker sees both processes go; it waits a grace period for a receiver of the
    # message never read, then unlinks it too.
    assert _wait_until_gone(names)
