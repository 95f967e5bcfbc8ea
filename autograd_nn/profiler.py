"""``torch.profiler``: the newer spelling of :mod:`autograd_nn.autograd.profiler` (CPU
activity only), with ``ProfilerActivity``, ``schedule`` and ``profile.step()``."""

from __future__ import annotations

import os
from enum import Enum
from typing import Any, Callable, Iterable

from .autograd.profiler import EventList, record_function
from .autograd.profiler import profile as _profile

__all__ = ["profile", "record_function", "ProfilerActivity", "schedule", "EventList",
           "tensorboard_trace_handler"]


class ProfilerActivity(Enum):
    CPU = 0
    CUDA = 1
    XPU = 2
    MTIA = 3


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0,
             skip_first: int = 0, **kwargs: Any) -> Callable[[int], bool]:
    """Which steps record: after ``skip_first``, cycles of ``wait + warmup + active`` steps
    record during their ``active`` part (``repeat`` cycles; 0 = forever)."""
    def record(step: int) -> bool:
        if step < skip_first:
            return False
        step -= skip_first
        cycle = wait + warmup + active
        if repeat > 0 and step // cycle >= repeat:
            return False
        return step % cycle >= wait + warmup

    return record


def tensorboard_trace_handler(dir_name: str, worker_name: str | None = None,
                              use_gzip: bool = False) -> Callable:
    """An ``on_trace_ready`` callback writing a Chrome trace into ``dir_name``."""
    def handler(prof: profile) -> None:
        os.makedirs(dir_name, exist_ok=True)
        name = worker_name or "autograd_nn"
        prof.export_chrome_trace(os.path.join(dir_name, f"{name}.{prof.step_num}.pt.trace.json"))

    return handler


class profile(_profile):  # noqa: N801 - mirrors torch.profiler.profile
    """``torch.profiler.profile(activities, schedule, on_trace_ready, ...)``: CPU only (a
    CUDA activity is accepted and records nothing); ``step()`` advances the schedule and calls
    ``on_trace_ready`` at the end of each active span."""

    def __init__(self, *, activities: Iterable[ProfilerActivity] | None = None,
                 schedule: Callable[[int], bool] | None = None,
                 on_trace_ready: Callable | None = None, **kwargs: Any) -> None:
        super().__init__(enabled=True)
        self.schedule = schedule
        self.on_trace_ready = on_trace_ready
        self.step_num = 0

    def start(self) -> None:
        self.__enter__()

    def stop(self) -> None:
        self.__exit__(None, None, None)
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def step(self) -> None:
        if self.schedule is not None:
            was = self.schedule(self.step_num)
            now = self.schedule(self.step_num + 1)
            if was and not now and self.on_trace_ready is not None:
                self.on_trace_ready(self)
        self.step_num += 1

    def __exit__(self, *exc: Any) -> bool:
        return super().__exit__(*exc)


