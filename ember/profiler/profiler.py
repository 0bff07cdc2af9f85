"""``ember.profiler.profile``: record the ops a program runs, as ``torch.profiler`` does."""

from __future__ import annotations

import enum
import functools
import os
import socket
import time
import warnings
from collections.abc import Callable, Iterable

from ember.profiler import _recording
from ember.profiler._events import USER_ANNOTATION, EventList

__all__ = ["ProfilerAction", "ProfilerActivity", "profile", "record_function", "schedule",
           "supported_activities", "tensorboard_trace_handler"]


class ProfilerActivity(enum.Enum):
    """What a profiler records: ops on the CPU, kernels on a CUDA device."""

    CPU = 0
    CUDA = 2


def supported_activities() -> set:
    from ember import cuda

    return {ProfilerActivity.CPU, *([ProfilerActivity.CUDA] if cuda.is_available() else [])}


class ProfilerAction(enum.Enum):
    """What a profiler does during one step of its schedule."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


_RECORDING = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0,
             skip_first: int = 0) -> Callable[[int], ProfilerAction]:
    """The action for each step: after ``skip_first`` steps, cycles of ``wait`` idle steps,
    ``warmup`` steps and ``active`` recorded steps (the trace is handed to
    ``on_trace_ready`` at the end of the last), ``repeat`` times (0: forever)."""
    if min(wait, warmup, repeat, skip_first) < 0 or active <= 0:
        raise AssertionError(f"Invalid profiler schedule arguments: wait={wait}, "
                             f"warmup={warmup}, repeat={repeat} and skip_first={skip_first} "
                             f"must be >= 0 and active={active} > 0.")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results",
                      UserWarning, stacklevel=2)
    period = wait + warmup + active

    def action(step: int) -> ProfilerAction:
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if repeat and step // period >= repeat:
            return ProfilerAction.NONE
        position = step % period
        if position < wait:
            return ProfilerAction.NONE
        if position < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if position < period - 1 else ProfilerAction.RECORD_AND_SAVE

    return action


def _always_record(step: int) -> ProfilerAction:
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name: str, worker_name: str | None = None,
                              use_gzip: bool = False) -> Callable:
    """An ``on_trace_ready`` that writes each trace as Chrome JSON into ``dir_name``, named
    ``{worker_name}.{time in ms}.pt.trace.json`` as TensorBoard's plugin expects."""
    worker_name = worker_name or f"{socket.gethostname()}_{os.getpid()}"

    def handler(prof: profile) -> None:
        os.makedirs(dir_name, exist_ok=True)
        path = os.path.join(dir_name, f"{worker_name}.{time.time_ns() // 1_000_000}"
                                      ".pt.trace.json")
        prof.export_chrome_trace(path)
        if use_gzip:
            import gzip
            import shutil

            with open(path, "rb") as source, gzip.open(path + ".gz", "wb") as target:
                shutil.copyfileobj(source, target)
            os.remove(path)

    return handler


class profile:
    """Record every ember op run between ``start()`` and ``stop()`` (or inside ``with``):
    its name as torch names it, its time, its nesting under other ops, ``record_function``
    labels and backward nodes; with ``record_shapes`` its input shapes, with
    ``profile_memory`` the bytes it allocated, with ``with_stack`` the Python stack.

    With a ``schedule``, ``step()`` marks the end of each step and only the steps the
    schedule makes active are recorded; ``on_trace_ready(prof)`` runs for each finished
    trace. ``with_flops`` estimates the floating point operations of matrix products,
    2-d convolutions, add and mul (Note [FLOP estimates] in _recording.py; their input shapes
    are recorded for it) and adds their sums to the table. ``with_modules`` records nothing,
    as torch's does for modules that are not TorchScript.

    Example::

        >>> with ember.profiler.profile(record_shapes=True) as prof:
        ...     y = ember.ones(2, 3) + 1
        >>> prof.key_averages().table(sort_by="cpu_time_total")  # doctest: +SKIP
    """

    def __init__(self, *, activities: Iterable[ProfilerActivity] | None = None,
                 schedule: Callable[[int], ProfilerAction] | None = None,
                 on_trace_ready: Callable | None = None, record_shapes: bool = False,
                 profile_memory: bool = False, with_stack: bool = False,
                 with_flops: bool = False, with_modules: bool = False):
        activities = set(supported_activities() if activities is None else activities)
        if ProfilerActivity.CUDA in activities - supported_activities():
            warnings.warn("CUDA is not available, disabling CUDA profiling", UserWarning,
                          stacklevel=2)
        self.activities = activities
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_flops = with_flops
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self._schedule = schedule or _always_record
        self._marks_steps = schedule is not None
        self._action = ProfilerAction.NONE
        self._recorder = None
        self._instrumentation = None
        self._step_event = None
        self._trace = EventList()

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        self._recorder = _recording.Recorder(self.record_shapes, self.profile_memory,
                                             self.with_stack, self.with_flops)
        self._instrumentation = _recording.Instrumentation(self._recorder)
        self._enter(self._schedule(self.step_num))

    def stop(self) -> None:
        try:
            self._close_step()
            if self._action in _RECORDING:
                self._save()
        finally:  # the ops go back even when on_trace_ready fails
            self._action = ProfilerAction.NONE
            self._instrumentation.remove()

    def step(self) -> None:
        """End the current step: save the trace if the step was the last active one."""
        self._close_step()
        finished = self._action
        self.step_num += 1
        if finished is ProfilerAction.RECORD_AND_SAVE:
            self._save()
        self._enter(self._schedule(self.step_num))

    def _enter(self, action: ProfilerAction) -> None:
        recorder = self._recorder
        if action in _RECORDING and ProfilerActivity.CPU in self.activities:
            if not recorder.active:
                recorder.events = []
                recorder.active = True
            if self._marks_steps:
                self._step_event = recorder.open(f"ProfilerStep#{self.step_num}",
                                                 USER_ANNOTATION)
        else:
            recorder.active = False
        self._action = action

    def _close_step(self) -> None:
        if self._step_event is not None:
            self._recorder.close(self._step_event)
            self._step_event = None

    def _save(self) -> None:
        """Keep what the recorder holds as the profile's trace and hand it over."""
        recorder = self._recorder
        recorder.close_all()
        recorder.active = False
        self._trace = EventList(recorder.events, profile_memory=self.profile_memory,
                                with_flops=self.with_flops,
                                trace_metadata={"baseTimeNanoseconds": recorder.wall_origin_ns,
                                                "record_shapes": int(self.record_shapes),
                                                "profile_memory": int(self.profile_memory)})
        recorder.events = []
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def events(self) -> EventList:
        """Every recorded event of the last saved trace, in the order they started."""
        return self._trace

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        return self._trace.key_averages(group_by_input_shape, group_by_stack_n)

    def export_chrome_trace(self, path: str) -> None:
        self._trace.export_chrome_trace(path)

    def export_stacks(self, path: str, metric: str = "self_cpu_time_total") -> None:
        if not self.with_stack:
            raise RuntimeError("export_stacks() needs a profile made with with_stack=True")
        self._trace.export_stacks(path, metric)


class record_function:
    """Label a region (``with record_function("name"):``) or every call of a function
    (``@record_function("name")``): the ops run inside nest under the label."""

    def __init__(self, name: str, args: str | None = None):
        self.name = name
        self.args = args
        self._event = None

    def __enter__(self) -> record_function:
        recorder = _recording.running
        if recorder is not None and recorder.active:
            self._recorder = recorder
            self._event = recorder.open(self.name, USER_ANNOTATION)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._event is not None:
            self._recorder.close(self._event)
            self._event = None

    def __call__(self, function: Callable) -> Callable:
        @functools.wraps(function)
        def labelled(*args, **kwargs):
            with record_function(self.name, self.args):
                return function(*args, **kwargs)

        return labelled
