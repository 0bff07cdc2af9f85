"""ember.profiler against torch.profiler: op names and counts, nesting, times, the table,
the Chrome trace, stacks, schedules; and that stopping puts every op back."""

import collections
import json
import warnings

import pytest
import torch

import ember
import ember.nn.functional as F
from ember.profiler import ProfilerAction, ProfilerActivity, profile, record_function, schedule


def _profiled(library, program, **options):
    """Run ``program(library)`` under ``library``'s profiler; return its profile."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's profiler warns about its own setup
        with library.profiler.profile(activities=[library.profiler.ProfilerActivity.CPU],
                                      **options) as prof:
            program(library)
    return prof


def _top_level_ops(prof):
    """Counts of the ops the program itself called (not those ops call inside)."""
    return collections.Counter(
        event.name for event in prof.events()
        if event.name.startswith("aten::") and (event.cpu_parent is None or not
                                                event.cpu_parent.name.startswith("aten::")))


def _forward_program(library):
    library.manual_seed(0)
    a, b = library.ones(2, 3), library.full((2, 3), 2.0)
    weight = library.ones(3, 4)
    with library.profiler.record_function("forward"):
        c = a + b
        library.add(a, b)
        (c * 2).sum()
        library.relu(c - 3)
        a @ weight
        a.mean(dim=0)
        library.cat([a, b])
        a[0], a[:, 1], a[None], a[...], a[a > 1], a[library.arange(2)]
        2 - a, -a, a / 2, a ** 2


def test_forward_op_counts_match_torch():
    assert _top_level_ops(_profiled(ember, _forward_program)) == \
        _top_level_ops(_profiled(torch, _forward_program))


def test_assignments_are_named_as_torch_runs_them():
    x, index = ember.zeros(3, 4), ember.tensor([0, 2])
    with profile() as prof:
        x[0] = 1
        x[index] = 2.0
        x[:, 0] = x[:, 1]
    assert [event.name for event in prof.events() if event.cpu_parent is None] == [
        "aten::fill_", "aten::index_put_", "aten::select", "aten::copy_"]


def test_layer_ops_match_torch():
    def program(library):
        nn = library.nn
        model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(18, 2), nn.LogSoftmax(dim=1))
        x = library.ones(2, 1, 8, 8)
        return _top_level_ops(_profiled(library, lambda library: model(x)))

    assert program(ember) == program(torch)


def _backward_program(library):
    x = library.ones(2, 3, requires_grad=True)
    w = library.full((2, 3), 3.0, requires_grad=True)
    ((x * w).sum() + x.exp().sum()).backward()


def _backward_nodes(prof):
    prefix = "autograd::engine::evaluate_function: "
    return collections.Counter(event.name[len(prefix):] for event in prof.events()
                               if event.name.startswith(prefix))


def test_backward_nodes_match_torch():
    ember_prof = _profiled(ember, _backward_program)
    assert _backward_nodes(ember_prof) == _backward_nodes(_profiled(torch, _backward_program))
    # as in torch, each engine event holds the node's own event, which holds its ops
    for event in ember_prof.events():
        if event.name.startswith("autograd::engine::evaluate_function: "):
            (node,) = event.cpu_children
            assert event.name.endswith(node.name)
    mul_node = next(e for e in ember_prof.events() if e.name == "MulBackward0")
    assert {child.name for child in mul_node.cpu_children} >= {"aten::mul"}


def test_linear_nests_its_ops():
    linear = ember.nn.Linear(4, 3)
    x = ember.ones(2, 4)
    prof = _profiled(ember, lambda library: linear(x))
    (event,) = [e for e in prof.events() if e.cpu_parent is None]
    assert event.name == "aten::linear"
    assert {"aten::t", "aten::addmm"} <= {child.name for child in event.cpu_children}


def test_labels_nest():
    @record_function("decorated")
    def double(t):
        return t * 2

    def program(library):
        a = ember.ones(3)
        with record_function("outer"):
            with record_function("inner"):
                a + 1
            double(a)
        a - 1

    events = _profiled(ember, program).events()
    parents = {event.name: event.cpu_parent and event.cpu_parent.name for event in events}
    assert parents == {"aten::ones": None, "outer": None, "inner": "outer",
                       "aten::add": "inner", "decorated": "outer", "aten::mul": "decorated",
                       "aten::sub": None}


def test_record_function_outside_a_profiler_does_nothing():
    with record_function("alone"):
        assert ember.ones(2).sum().item() == 2


def test_times_are_consistent():
    def program(library):
        x = ember.randn(8, 8, requires_grad=True)
        with record_function("step"):
            F.softmax(x @ x, dim=1).sum().backward()

    events = _profiled(ember, program).events()
    for event in events:
        assert event.self_cpu_time_total >= 0
        children = sum(child.cpu_time_total for child in event.cpu_children)
        assert event.cpu_time_total == pytest.approx(event.self_cpu_time_total + children)
        for child in event.cpu_children:
            assert event.time_range.start <= child.time_range.start
            assert child.time_range.end <= event.time_range.end
    top_level = sum(event.cpu_time_total for event in events if event.cpu_parent is None)
    assert events.self_cpu_time_total == pytest.approx(top_level)
    averages = events.key_averages()
    assert sum(average.count for average in averages) == len(events)
    assert averages.self_cpu_time_total == pytest.approx(top_level)


def _label_and_adds(library):
    a = library.ones(2, 3)

    def program(library):
        with library.profiler.record_function("outer"):
            a + a
            library.add(a, a)

    return _profiled(library, program, profile_memory=True)


def test_table_layout_matches_torch():
    ember_lines, torch_lines = [_label_and_adds(library).key_averages().table(
        sort_by="cpu_time_total", row_limit=5).splitlines() for library in (ember, torch)]
    assert ember_lines[:3] == torch_lines[:3]  # rule, column titles, rule
    assert len(ember_lines) == len(torch_lines) == 7
    assert ember_lines[-2] == ember_lines[0]
    assert ember_lines[-1].startswith("Self CPU time total: ")
    assert [line.split()[0] for line in ember_lines[3:5]] == ["outer", "aten::add"]
    assert ember_lines[4].split()[-1] == "2"  # calls


def test_table_with_input_shapes_and_memory():
    def program(library):
        a = ember.zeros(250)  # 1000 bytes
        a.view(25, 10)  # a view allocates nothing
        a.add_(1)  # neither does an in-place op
        ember.cat([a, a])

    averages = _profiled(ember, program, record_shapes=True, profile_memory=True
                         ).key_averages(group_by_input_shape=True)
    memory = {average.key: average.self_cpu_memory_usage for average in averages}
    assert memory["aten::zeros"] == 1000
    assert memory["aten::view"] == memory["aten::add_"] == 0
    assert memory["aten::cat"] == 2000
    shapes = {average.key: average.input_shapes for average in averages}
    assert shapes["aten::view"] == [[250], [], []]
    table = averages.table(sort_by="self_cpu_memory_usage")
    assert "Input Shapes" in table and "Self CPU Mem" in table and "1000 B" in table


def _counted_ops(library):
    library.manual_seed(0)
    a, b, c = library.randn(8, 16), library.randn(16, 4), library.randn(4)
    first, second, start = library.randn(2, 8, 16), library.randn(2, 16, 4), library.randn(2, 8, 4)
    x, functional = library.randn(2, 3, 8, 8), library.nn.functional
    weight, grouped = library.randn(6, 3, 3, 3), library.randn(6, 1, 2, 3)
    a @ b, library.mm(a, b), library.addmm(c, a, b), functional.linear(a, b.t(), c)
    a * 2, 2 * a, a * a, a + a, a + 1, a.add_(1), a.sum()
    library.bmm(first, second), library.baddbmm(start, first, second)
    functional.conv2d(x, weight), functional.conv2d(x, weight, stride=2, padding=1)
    functional.conv2d(x, grouped, groups=3, dilation=2)
    functional.conv1d(library.randn(2, 3, 10), library.randn(4, 3, 3))


def _flops_by_op(prof):
    return [(event.name, event.flops) for event in prof.events() if event.flops]


def test_flop_estimates_match_torch():
    ember_prof, torch_prof = [_profiled(library, _counted_ops, with_flops=True)
                              for library in (ember, torch)]
    assert _flops_by_op(ember_prof) == _flops_by_op(torch_prof)
    assert {event.name: event.input_shapes for event in ember_prof.events()}["aten::mm"] == [
        [8, 16], [16, 4]]  # with_flops records the shapes it needs
    ember_sums, torch_sums = [{average.key: average.flops for average in prof.key_averages()
                               if average.flops} for prof in (ember_prof, torch_prof)]
    assert ember_sums == torch_sums
    ember_rows, torch_rows = [{line.split()[0]: line.split()[-1] for line in
                               prof.key_averages().table().splitlines()[1:-2]}
                              for prof in (ember_prof, torch_prof)]
    assert ember_rows["Name"] == torch_rows["Name"] == "FLOPs"  # the unit of the smallest sum
    for name in ("aten::mm", "aten::addmm", "aten::add", "aten::conv2d", "aten::sum"):
        assert ember_rows[name] == torch_rows[name]  # 2048.000, ..., -- where none
    assert not any(event.flops for event in _profiled(ember, _counted_ops).events())
    assert "FLOPs" not in _profiled(ember, _counted_ops).key_averages().table()


@pytest.mark.parametrize("size", [64, 1024])
def test_flops_column_takes_the_unit_of_the_smallest_sum(size):
    def program(library):
        a = library.ones(size, size)
        a @ a

    ember_lines, torch_lines = [_profiled(library, program, with_flops=True).key_averages()
                                .table().splitlines() for library in (ember, torch)]
    assert ember_lines[1].split()[-1] == torch_lines[1].split()[-1]  # KFLOPs, GFLOPs
    ember_mm, torch_mm = [next(line.split()[-1] for line in lines if "aten::mm" in line)
                          for lines in (ember_lines, torch_lines)]
    assert ember_mm == torch_mm  # 524.288, 2.147


def test_chrome_trace_is_valid_json(tmp_path):
    prof = _profiled(ember, _backward_program, record_shapes=True)
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    trace = json.loads(path.read_text())
    spans = [event for event in trace["traceEvents"] if event["ph"] == "X"]
    assert len(spans) == len(prof.events())
    for span in spans:
        assert {"name", "cat", "ph", "ts", "dur", "pid", "tid", "args"} <= span.keys()
        assert span["dur"] >= 0
    assert {span["cat"] for span in spans} == {"cpu_op"}
    mul = next(span for span in spans if span["name"] == "aten::mul")
    assert mul["args"]["Input Dims"] == [[2, 3], [2, 3]]


def test_export_stacks(tmp_path):
    with profile(with_stack=True) as prof:
        ember.ones(2) * 3
    path = tmp_path / "stacks.txt"
    prof.export_stacks(str(path))
    lines = path.read_text().splitlines()
    mul = next(line for line in lines if ";aten::mul " in line)
    frames, value = mul.rsplit(" ", 1)
    assert int(value) >= 0
    assert "test_export_stacks" in frames.split(";")[-2]
    table = prof.key_averages(group_by_stack_n=2).table(sort_by="self_cpu_time_total",
                                                        max_name_column_width=300)
    assert "Source Location" in table and "test_export_stacks" in table
    prof.export_stacks(str(path), "self_cuda_time_total")  # tutorials ask for device time
    assert path.read_text().splitlines()[0].endswith(" 0")
    with profile() as no_stacks:
        pass
    with pytest.raises(RuntimeError, match="with_stack=True"):
        no_stacks.export_stacks(str(path))


@pytest.mark.parametrize("arguments", [dict(wait=1, warmup=1, active=2),
                                       dict(wait=0, warmup=1, active=1, repeat=2),
                                       dict(wait=2, warmup=1, active=1, repeat=1,
                                            skip_first=3)])
def test_schedule_matches_torch(arguments):
    ours, theirs = schedule(**arguments), torch.profiler.schedule(**arguments)
    assert [ours(step).name for step in range(12)] == [theirs(step).name
                                                       for step in range(12)]


def test_schedule_checks_its_arguments():
    with pytest.raises(AssertionError, match="active=0 > 0"):
        schedule(wait=1, warmup=1, active=0)
    with pytest.warns(UserWarning, match="won't be using warmup"):
        schedule(wait=1, warmup=0, active=1)


def test_profile_records_only_active_steps():
    def program(library):
        saved = []

        def keep(prof):
            saved.append((prof.step_num, [event.key for event in prof.events()]))

        a = library.ones(2)
        with library.profiler.profile(
                schedule=library.profiler.schedule(wait=1, warmup=1, active=2, repeat=1),
                on_trace_ready=keep) as prof:
            for _ in range(6):
                a + a
                prof.step()
        return saved

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = program(torch)
    assert program(ember) == expected == [(4, ["ProfilerStep*", "aten::add"] * 2)]
    assert ProfilerAction.RECORD_AND_SAVE.value == 3


def test_stop_puts_every_op_back():
    originals = (ember.add, ember.Tensor.__add__, ember.Tensor.sum, F.linear, ember.linalg.inv,
                 ember.autograd.graph.Node._apply)
    prof = profile()
    prof.start()
    assert ember.add is not originals[0]
    assert hash(ember.ones(1)) is not None  # swapping __eq__ keeps tensors hashable
    prof.stop()
    assert (ember.add, ember.Tensor.__add__, ember.Tensor.sum, F.linear, ember.linalg.inv,
            ember.autograd.graph.Node._apply) == originals
    ember.ones(2) + 1
    assert [event.name for event in prof.events()] == ["aten::ones"]


def test_a_failing_trace_handler_still_puts_the_ops_back():
    def handler(prof):
        raise ValueError("handler failed")

    original = ember.Tensor.__mul__
    with pytest.raises(ValueError, match="handler failed"):
        with profile(on_trace_ready=handler):
            ember.ones(2) * 2
    assert ember.Tensor.__mul__ is original


def test_one_profiler_at_a_time():
    with profile():
        with pytest.raises(RuntimeError, match="already enabled"):
            profile().start()


def test_an_op_that_raises_is_still_recorded():
    with profile() as prof:
        with pytest.raises(RuntimeError):
            ember.ones(2) + ember.ones(3)
        ember.ones(1)
    names = [(event.name, event.cpu_parent) for event in prof.events()]
    assert names[-1] == ("aten::ones", None)
    assert ("aten::add", None) in names


def test_cuda_activity_without_cuda_warns():
    with pytest.warns(UserWarning, match="CUDA is not available"):
        profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA])


def test_tensorboard_trace_handler(tmp_path):
    handler = ember.profiler.tensorboard_trace_handler(str(tmp_path), worker_name="worker")
    with profile(on_trace_ready=handler):
        ember.ones(2).sum()
    (path,) = tmp_path.iterdir()
    assert path.name.startswith("worker.") and path.name.endswith(".pt.trace.json")
    assert any(event["name"] == "aten::sum" for event in json.loads(path.read_text())
               ["traceEvents"])


def test_legacy_autograd_profiler():
    with ember.autograd.profiler.profile(record_shapes=True) as prof:
        with ember.autograd.profiler.record_function("label"):
            ember.ones(2, 2).sum()
    assert [event.name for event in prof.function_events] == ["label", "aten::ones",
                                                               "aten::sum"]
    assert "aten::sum" in prof.table(sort_by="cpu_time_total")
    assert prof.self_cpu_time_total == pytest.approx(prof.function_events[0].cpu_time_total)
    with ember.autograd.profiler.profile(enabled=False) as disabled:
        ember.ones(2)
    with pytest.raises(RuntimeError, match="didn't finish"):
        disabled.table()


def test_optimizer_and_dataloader_labels_match_torch():
    def program(library):
        model = library.nn.Linear(2, 2)
        optimizers = [library.optim.SGD(model.parameters(), lr=0.1),
                      library.optim.AdamW(model.parameters())]
        loader = library.utils.data.DataLoader(
            library.utils.data.TensorDataset(library.ones(4, 2)), batch_size=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with library.profiler.profile() as prof:
                for (x,) in loader:
                    optimizers[0].zero_grad()
                    model(x).sum().backward()
                    for optimizer in optimizers:
                        optimizer.step()
        return collections.Counter(event.name for event in prof.events()
                                   if event.name.startswith(("Optimizer.", "enumerate(")))

    assert program(ember) == program(torch)
