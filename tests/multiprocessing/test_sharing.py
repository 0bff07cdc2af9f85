"""Tensors and storages shared between processes through ember.multiprocessing."""

import gc
import os
from multiprocessing.reduction import ForkingPickler

import pytest

import ember
import ember.multiprocessing as mp
from ember import nn

START_METHODS = ["spawn", "forkserver", "fork"]


def _shm_files():
    # multiprocessing's own semaphores, and the named files of test_file_system_strategy.py
    # (which checks their lifetime), pass through /dev/shm while other workers run
    return {name for name in os.listdir("/dev/shm")
            if not name.startswith(("sem.mp-", "ember_"))}


@pytest.fixture(autouse=True, scope="module")
def no_new_shm_files():
    before = _shm_files()
    yield
    assert _shm_files() == before


def _layout(tensor):
    return (tuple(tensor.shape), tensor.stride(), tensor.storage_offset(), str(tensor.dtype),
            tensor.requires_grad, type(tensor).__name__)


def _child_roundtrip(from_args, inbox, outbox):
    """Receive tensors through the Process arguments and the queue, report what arrived,
    write into them, then report what the parent wrote after."""
    whole, view = inbox.get()
    view_again, weight, parameter = inbox.get()
    outbox.put({
        "layouts": [_layout(t) for t in (from_args, whole, view, weight, parameter)],
        "view_shares_storage": view.untyped_storage() is whole.untyped_storage(),
        "resent_is_same_storage": view_again.untyped_storage() is view.untyped_storage(),
        "args_and_queue_same_storage": from_args.untyped_storage() is whole.untyped_storage(),
        "all_shared": all(t.is_shared() for t in (from_args, whole, view, weight)),
        "weight_is_leaf": weight.is_leaf,
    })
    view.add_(10)
    from_args[0, 0] = 42
    inbox.get()  # the parent has written
    outbox.put(([whole[1, 0].item(), from_args[1, 0].item()], ember.full((2,), 7.0)))
    inbox.get()  # stay alive until the parent holds the descriptor of the tensor sent back


@pytest.mark.parametrize("method", START_METHODS)
def test_tensors_travel_as_shared_memory(method):
    ctx = mp.get_context(method)
    inbox, outbox = ctx.Queue(), ctx.Queue()
    whole = ember.arange(6.0).reshape(2, 3)
    view = whole[:, 1:]
    weight = ember.ones(3, requires_grad=True)
    parameter = nn.Parameter(ember.zeros(2, dtype=ember.float64))
    if method == "fork":  # fork pickles no arguments: the child inherits the memory
        whole.share_memory_()
    child = ctx.Process(target=_child_roundtrip, args=(whole, inbox, outbox))
    child.start()
    inbox.put((whole, view))
    inbox.put((view, weight, parameter))
    report = outbox.get(timeout=30)

    assert report["layouts"] == [_layout(t) for t in (whole, whole, view, weight, parameter)]
    assert report["layouts"][2][1:3] == ((3, 1), 1)
    assert report["view_shares_storage"] and report["resent_is_same_storage"]
    if method != "fork":  # under fork the child's argument is its inherited tensor
        assert report["args_and_queue_same_storage"]
    assert report["all_shared"] and report["weight_is_leaf"]
    assert whole.is_shared() and view.is_shared() and weight.is_shared()

    assert whole.tolist() == [[42.0, 11.0, 12.0], [3.0, 14.0, 15.0]]  # the child's writes
    whole[1, 0] = -5.0
    inbox.put("written")
    seen_by_child, from_child = outbox.get(timeout=30)
    inbox.put("received")
    assert seen_by_child == [-5.0, -5.0]
    assert from_child.tolist() == [7.0, 7.0] and from_child.is_shared()
    child.join(timeout=30)
    assert child.exitcode == 0


def test_storage_sent_twice_is_one_storage():
    storage = ember.arange(4.0).untyped_storage()
    first = ForkingPickler.loads(ForkingPickler.dumps(storage))
    second = ForkingPickler.loads(ForkingPickler.dumps(storage))
    assert first is storage and second is storage and storage.is_shared()


def test_typed_and_empty_storages_travel():
    typed = ember.arange(3, dtype=ember.int16)._typed_storage()
    received = ForkingPickler.loads(ForkingPickler.dumps(typed))
    assert received.dtype is ember.int16 and received.tolist() == [0, 1, 2]
    empty = ForkingPickler.loads(ForkingPickler.dumps(ember.zeros(0, 3)))
    assert empty.shape == (0, 3) and empty.is_shared()


def test_non_leaf_requiring_grad_is_refused():
    weight = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Cowardly refusing to serialize non-leaf tensor"):
        ForkingPickler.dumps(weight * 2)
    ForkingPickler.dumps((weight * 2).detach())


def test_sharing_strategies():
    assert mp.get_all_sharing_strategies() == {"file_descriptor", "file_system"}
    assert mp.get_sharing_strategy() == "file_descriptor"
    mp.set_sharing_strategy("file_system")
    try:
        # the strategy itself is tested in test_file_system_strategy.py
        assert ForkingPickler.loads(ForkingPickler.dumps(ember.ones(2))).is_shared()
    finally:
        mp.set_sharing_strategy("file_descriptor")
    with pytest.raises(AssertionError, match="invalid sharing strategy"):
        mp.set_sharing_strategy("carrier_pigeon")


def test_tensor_share_memory_moves_every_view():
    base = ember.arange(12.0)
    matrix = base.view(3, 4)  # a view made before the storage existed
    storage = base.untyped_storage()
    column = matrix[:, 2]  # a view made after
    alias = ember.empty(0)
    alias.set_(storage, 2, (2,), (3,))
    assert not base.is_shared() and not storage.is_shared()

    assert matrix.share_memory_() is matrix
    assert all(t.is_shared() for t in (base, matrix, column, alias))
    assert base.untyped_storage() is storage and storage.is_shared()
    for tensor in (matrix, column, alias):
        start = tensor.data_ptr() - storage.data_ptr()
        assert 0 <= start < storage.nbytes()  # points into the shared bytes
    base[2] = 100.0
    assert column[0].item() == 100.0 and alias[0].item() == 100.0
    assert column.stride() == (4,) and alias.storage_offset() == 2
    matrix.share_memory_()  # sharing again changes nothing
    assert base.data_ptr() == storage.data_ptr()


def test_storage_share_memory_and_lifetime():
    open_fds = len(os.listdir("/proc/self/fd"))
    storage = ember.UntypedStorage(5)
    storage[1] = 7
    assert storage.share_memory_() is storage and storage.is_shared()
    assert storage.tolist() == [0, 7, 0, 0, 0]
    assert len(os.listdir("/proc/self/fd")) > open_fds
    with pytest.raises(RuntimeError, match="not resizable"):
        storage.resize_(10)
    empty = ember.UntypedStorage(0).share_memory_()
    assert empty.is_shared() and len(empty) == 0
    del storage, empty
    gc.collect()
    assert len(os.listdir("/proc/self/fd")) == open_fds  # the memory files are closed


def test_module_share_memory():
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    model(ember.randn(4, 3)).sum().backward()
    weight = model[0].weight
    row = weight[1]
    assert model.share_memory() is model
    assert model[0].weight is weight  # shared in place: the same Parameter
    tensors = [*model.parameters(), *model.buffers(), weight.grad]
    assert all(t.is_shared() for t in tensors)
    assert row.data_ptr() == weight.data_ptr() + 3 * 4  # views follow


def test_module_share_memory_of_parameters_on_one_storage():
    base = ember.zeros(4)
    model = nn.Module()
    model.first = nn.Parameter(base[:2])
    model.second = nn.Parameter(base[2:])
    model.share_memory()
    storage = base.untyped_storage()
    assert storage.is_shared()
    assert model.first.untyped_storage() is storage is model.second.untyped_storage()
    with ember.no_grad():
        model.second[0] = 5.0
    assert base.tolist() == [0.0, 0.0, 5.0, 0.0]
