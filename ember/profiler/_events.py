"""What the profiler recorded: one FunctionEvent per op call, label or backward node, their
averages by name, and the ways to show them (torch's table, a Chrome trace, flame-graph
stacks). Times are kept in nanoseconds and reported in microseconds, as PyTorch does."""

from __future__ import annotations

import json
import math
import os
import socket
import threading

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg", "Interval"]

# Chrome trace categories, as PyTorch's traces name them
CPU_OP = "cpu_op"
USER_ANNOTATION = "user_annotation"


class Interval:
    """A span of time in microseconds from the start of the profile."""

    def __init__(self, start: float, end: float):
        self.start = start
        self.end = end

    def elapsed_us(self) -> float:
        return self.end - self.start


class FunctionEvent:
    """One recorded call: an op (``aten::add``), a backward node, or a user label.

    Children are the events that ran inside it on the same thread; its self time is its
    total time less theirs. ``cpu_memory_usage`` counts the bytes of the fresh arrays it and
    its children returned; ``self_cpu_memory_usage`` those it returned itself. ``flops`` is
    the estimate of Note [FLOP estimates] in _recording.py (0 without ``with_flops``)."""

    __slots__ = ("id", "name", "category", "thread", "input_shapes", "input_types", "stack",
                 "cpu_parent", "cpu_children", "start_ns", "end_ns", "self_cpu_memory_usage",
                 "cpu_memory_usage", "flops", "_output_ids", "_origin_ns")

    def __init__(self, id, name, category, parent, input_shapes, input_types, stack, origin_ns):
        self.id = id
        self.name = name
        self.category = category
        self.thread = threading.get_ident()
        self.input_shapes = input_shapes
        self.input_types = input_types
        self.stack = stack
        self.cpu_parent = parent
        self.cpu_children = []
        self.self_cpu_memory_usage = 0
        self.cpu_memory_usage = 0
        self.flops = 0
        self._output_ids = ()
        self._origin_ns = origin_ns
        self.start_ns = self.end_ns = 0

    count = property(lambda self: 1)
    # ember records host time only; device columns read as torch's do on a CPU-only run
    cuda_time_total = self_cuda_time_total = device_time_total = self_device_time_total = 0.0

    @property
    def key(self) -> str:
        """The name averages group by: the steps of a schedule are one key, as in torch."""
        return "ProfilerStep*" if self.name.startswith("ProfilerStep#") else self.name

    @property
    def time_range(self) -> Interval:
        return Interval((self.start_ns - self._origin_ns) / 1000,
                        (self.end_ns - self._origin_ns) / 1000)

    @property
    def cpu_time_total(self) -> float:
        return (self.end_ns - self.start_ns) / 1000

    cpu_time = cpu_time_total

    @property
    def self_cpu_time_total(self) -> float:
        return self.cpu_time_total - sum(child.cpu_time_total for child in self.cpu_children)

    def __repr__(self):
        return (f"<FunctionEvent id={self.id} name={self.name} thread={self.thread} "
                f"cpu_time={_format_time(self.cpu_time_total)} "
                f"start_us={self.time_range.start:.3f} end_us={self.time_range.end:.3f} "
                f"cpu_children={[child.id for child in self.cpu_children]} "
                f"input_shapes={self.input_shapes} cpu_memory_usage={self.cpu_memory_usage}>")


class FunctionEventAvg:
    """The sum of the events that share a key (name, and input shapes or stack when
    grouping by them); ``cpu_time`` is the average per call."""

    cuda_time_total = self_cuda_time_total = device_time_total = self_device_time_total = 0.0

    def __init__(self, key, input_shapes=None, stack=None):
        self.key = key
        self.input_shapes = input_shapes
        self.stack = stack
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = 0
        self.self_cpu_memory_usage = 0
        self.flops = 0

    def add(self, other) -> FunctionEventAvg:
        self.count += other.count
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        self.cpu_memory_usage += other.cpu_memory_usage
        self.self_cpu_memory_usage += other.self_cpu_memory_usage
        self.flops += other.flops
        return self

    __iadd__ = add

    @property
    def cpu_time(self) -> float:
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time="
                f"{_format_time(self.self_cpu_time_total)} cpu_time={_format_time(self.cpu_time)} "
                f"input_shapes={self.input_shapes or ''} "
                f"cpu_memory_usage={self.cpu_memory_usage}>")


class EventList(list):
    """A list of events (or of their averages) that prints as PyTorch's profiler table."""

    def __init__(self, events=(), profile_memory=False, with_shapes=False, with_stack=False,
                 with_flops=False, trace_metadata=None):
        super().__init__(events)
        self._profile_memory = profile_memory
        self._with_shapes = with_shapes
        self._with_stack = with_stack
        self._with_flops = with_flops
        self._trace_metadata = trace_metadata or {}

    @property
    def self_cpu_time_total(self) -> float:
        return sum(event.self_cpu_time_total for event in self)

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        """One FunctionEventAvg per name (and per input shapes, or per the innermost
        ``group_by_stack_n`` stack frames), in the order the names first ran."""
        averages = {}
        for event in self:
            stack = tuple((event.stack or ())[:group_by_stack_n]) if group_by_stack_n else None
            shapes = str(event.input_shapes) if group_by_input_shape else None
            key = (event.key, shapes, stack)
            average = averages.get(key)
            if average is None:
                average = averages[key] = FunctionEventAvg(
                    event.key, event.input_shapes if group_by_input_shape else None, stack)
            average.add(event)
        return EventList(averages.values(), profile_memory=self._profile_memory,
                         with_shapes=group_by_input_shape,
                         with_stack=bool(group_by_stack_n), with_flops=self._with_flops)

    def total_average(self) -> FunctionEventAvg:
        total = FunctionEventAvg("Total")
        for event in self:
            total.add(event)
        return total

    def table(self, sort_by: str | None = None, row_limit: int = 100,
              max_name_column_width: int = 55, max_shapes_column_width: int = 80,
              header: str | None = None) -> str:
        """The events as PyTorch's profiler prints them, sorted by the attribute ``sort_by``
        (largest first; e.g. "cpu_time_total", "self_cpu_time_total", "count"), at most
        ``row_limit`` rows (a negative limit prints all)."""
        return _table(self, sort_by, row_limit, max_name_column_width, max_shapes_column_width,
                      header)

    def __str__(self):
        return self.table()

    def export_chrome_trace(self, path: str) -> None:
        """Write the events as Chrome trace-event JSON (chrome://tracing, Perfetto)."""
        pid = os.getpid()
        threads = sorted({event.thread for event in self})
        trace_events = [{"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "ts": 0,
                         "args": {"name": "python"}}]
        trace_events += [{"ph": "M", "name": "thread_name", "pid": pid, "tid": thread, "ts": 0,
                          "args": {"name": f"thread {thread} (python)"}}
                         for thread in threads]
        for event in self:
            args = {"External id": event.id}
            if event.input_types is not None:
                args["Input Dims"] = event.input_shapes
                args["Input type"] = event.input_types
            if self._profile_memory:
                args["Self CPU Mem"] = event.self_cpu_memory_usage
            span = event.time_range
            trace_events.append({"ph": "X", "cat": event.category, "name": event.name,
                                 "pid": pid, "tid": event.thread, "ts": span.start,
                                 "dur": span.elapsed_us(), "args": args})
        trace = {"schemaVersion": 1, "deviceProperties": [], "host_name": socket.gethostname(),
                 "displayTimeUnit": "ms", **self._trace_metadata,
                 "traceEvents": trace_events, "traceName": str(path)}
        with open(path, "w") as file:
            json.dump(trace, file)

    def export_stacks(self, path: str, metric: str = "self_cpu_time_total") -> None:
        """Write one line per event recorded with a stack: its frames outermost first, then
        its name, separated by ``;``, and its ``metric`` in whole microseconds, the input of
        flame-graph tools (flamegraph.pl, speedscope)."""
        with open(path, "w") as file:
            for event in self:
                if event.stack:
                    frames = ";".join([*reversed(event.stack), event.name])
                    file.write(f"{frames} {int(getattr(event, metric))}\n")


def _format_time(microseconds: float) -> str:
    if microseconds >= 1e6:
        return f"{microseconds / 1e6:.3f}s"
    if microseconds >= 1e3:
        return f"{microseconds / 1e3:.3f}ms"
    return f"{microseconds:.3f}us"


def _format_share(part: float, whole: float) -> str:
    return f"{part * 100 / whole:.2f}%" if whole else "NaN"


def _format_memory(nbytes: int) -> str:
    for unit, size in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if abs(nbytes) >= size:
            return f"{nbytes / size:.2f} {unit}"
    return f"{nbytes} B"


_FLOP_UNITS = ("FLOPs", "KFLOPs", "MFLOPs", "GFLOPs", "TFLOPs", "PFLOPs")


def _flops_unit(flops: int) -> tuple[float, str]:
    """The factor and unit that show ``flops`` as a number from 1 to 999 (PFLOPs above)."""
    power = min(int(math.log10(flops) // 3), len(_FLOP_UNITS) - 1)
    return 10.0 ** (-3 * power), _FLOP_UNITS[power]


def _truncated(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def _table(events, sort_by, row_limit, max_name_width, max_shapes_width, header):
    """PyTorch's layout: right-aligned columns two spaces apart, dashed rules, and the
    total self time under the table (the percentages' base, over all events)."""
    rows = sorted(events, key=lambda event: getattr(event, sort_by), reverse=True) \
        if sort_by else list(events)
    if row_limit is not None and row_limit >= 0:
        rows = rows[:row_limit]
    total = events.self_cpu_time_total
    name_width = min(max((len(event.key) for event in events), default=0) + 4, max_name_width)
    columns = [("Name", name_width), ("Self CPU %", 12), ("Self CPU", 12),
               ("CPU total %", 12), ("CPU total", 12), ("CPU time avg", 12)]
    if events._profile_memory:
        columns += [("CPU Mem", 12), ("Self CPU Mem", 12)]
    columns.append(("# of Calls", 12))
    if events._with_shapes:
        shapes_width = min(max(len(str(event.input_shapes)) for event in events) + 4,
                           max_shapes_width)
        columns.append(("Input Shapes", shapes_width))
    # with_flops: the sum of each row's estimates, in the unit of the smallest (torch's rule)
    counted = [event.flops for event in events if event.flops > 0] if events._with_flops else []
    if counted:
        flops_scale, flops_unit = _flops_unit(min(counted))
        columns.append((f"Total {flops_unit}", 12))
    if events._with_stack:
        columns.append(("Source Location", max_name_width))

    def line(cells):
        return "".join(f"{_truncated(str(cell), width):>{width}}  "
                       for cell, (_, width) in zip(cells, columns))

    rule = "".join("-" * width + "  " for _, width in columns)
    lines = [header] if header else []
    lines += [rule, line([title for title, _ in columns]), rule]
    for event in rows:
        cells = [event.key, _format_share(event.self_cpu_time_total, total),
                 _format_time(event.self_cpu_time_total),
                 _format_share(event.cpu_time_total, total),
                 _format_time(event.cpu_time_total), _format_time(event.cpu_time)]
        if events._profile_memory:
            cells += [_format_memory(event.cpu_memory_usage),
                      _format_memory(event.self_cpu_memory_usage)]
        cells.append(event.count)
        if events._with_shapes:
            cells.append(event.input_shapes)
        if counted:
            cells.append(f"{event.flops * flops_scale:8.3f}" if event.flops > 0 else "--")
        if events._with_stack:
            cells.append(event.stack[0] if event.stack else "")
        lines.append(line(cells))
        if events._with_stack:  # the outer frames on lines of their own, as torch prints them
            lines += [line([""] * (len(columns) - 1) + [frame]) for frame in event.stack[1:]]
    lines += [rule, f"Self CPU time total: {_format_time(total)}", ""]
    return "\n".join(lines)
