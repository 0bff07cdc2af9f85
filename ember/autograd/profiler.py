"""``ember.autograd.profiler``: the older profiler interface, as ``torch.autograd.profiler``,
over the same recording as ``ember.profiler``."""

from __future__ import annotations

from ember.profiler import profiler as _profiler
from ember.profiler._events import EventList, FunctionEvent, FunctionEventAvg
from ember.profiler.profiler import record_function

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg", "profile", "record_function"]


class profile:
    """Record the ember ops run inside ``with profile() as prof:``; afterwards
    ``prof.function_events`` holds them and ``prof.table()`` prints their averages.
    ``enabled=False`` records nothing; ``use_cuda`` needs a CUDA device."""

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False,
                 record_shapes: bool = False, with_flops: bool = False,
                 profile_memory: bool = False, with_stack: bool = False,
                 with_modules: bool = False, use_kineto: bool = False, use_cpu: bool = True):
        self.enabled = enabled
        activities = [_profiler.ProfilerActivity.CPU] if use_cpu else []
        if use_cuda:
            activities.append(_profiler.ProfilerActivity.CUDA)
        self._profile = _profiler.profile(activities=activities, record_shapes=record_shapes,
                                          profile_memory=profile_memory, with_stack=with_stack,
                                          with_flops=with_flops)
        self.function_events = None

    def __enter__(self) -> profile:
        if self.enabled:
            self._profile.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self.enabled:
            self._profile.stop()
            self.function_events = self._profile.events()

    def _events(self) -> EventList:
        if self.function_events is None:
            raise RuntimeError("Profiler didn't finish running")
        return self.function_events

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        return self._events().key_averages(group_by_input_shape, group_by_stack_n)

    def table(self, sort_by: str | None = None, row_limit: int = 100, **options) -> str:
        return self._events().table(sort_by=sort_by, row_limit=row_limit, **options)

    def __str__(self):
        return self.key_averages().table()

    def total_average(self) -> FunctionEventAvg:
        return self._events().total_average()

    @property
    def self_cpu_time_total(self) -> float:
        return self._events().self_cpu_time_total

    def export_chrome_trace(self, path: str) -> None:
        self._events().export_chrome_trace(path)

    def export_stacks(self, path: str, metric: str = "self_cpu_time_total") -> None:
        self._profile.export_stacks(path, metric)
