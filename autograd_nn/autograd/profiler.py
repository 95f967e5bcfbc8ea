"""``torch.autograd.profiler``: wall-clock timing of a region, per op and per labelled
``record_function`` range, summarised as PyTorch's ``key_averages().table()``.

While a :class:`profile` is active every op's NumPy forward is timed under the op's name
(``Linear``, ``Exp``, ...); ``record_function("name")`` adds user ranges. Times are CPU wall
times in microseconds; "self" time excludes the ranges and ops nested inside.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from typing import Any

from .engine import Op

__all__ = ["profile", "record_function", "EventList", "FunctionEvent", "FunctionEventAvg"]

_active: list = []  # the running profile objects (innermost last)


class FunctionEvent:
    """One timed range: ``name``, ``start_us``/``end_us``, ``self_cpu_time_total`` (us)."""

    def __init__(self, name: str, start_us: float, thread: int = 0) -> None:
        self.name = self.key = name
        self.start_us = start_us
        self.end_us = start_us
        self.child_us = 0.0
        self.thread = thread

    @property
    def cpu_time_total(self) -> float:
        return self.end_us - self.start_us

    @property
    def self_cpu_time_total(self) -> float:
        return self.cpu_time_total - self.child_us

    def __repr__(self) -> str:
        return (f"<FunctionEvent name={self.name!r} cpu_time_total={self.cpu_time_total:.3f}us "
                f"self={self.self_cpu_time_total:.3f}us>")


class FunctionEventAvg:
    """The events of one name together: ``count``, total and self times, their average."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0

    def add(self, ev: FunctionEvent) -> None:
        self.count += 1
        self.cpu_time_total += ev.cpu_time_total
        self.self_cpu_time_total += ev.self_cpu_time_total

    @property
    def cpu_time(self) -> float:
        return self.cpu_time_total / max(self.count, 1)

    @property
    def self_cpu_time(self) -> float:
        return self.self_cpu_time_total / max(self.count, 1)

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key!r} count={self.count} "
                f"cpu_time_total={self.cpu_time_total:.3f}us>")


def _fmt_us(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class EventList(list):
    """A list of events (or of averages) with PyTorch's ``table`` and ``key_averages``."""

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        by: dict[str, FunctionEventAvg] = {}
        for ev in self:
            by.setdefault(ev.key, FunctionEventAvg(ev.key)).add(ev)
        return EventList(by.values())

    @property
    def self_cpu_time_total(self) -> float:
        return sum(ev.self_cpu_time_total for ev in self)

    def table(self, sort_by: str | None = None, row_limit: int = 100, max_name_column_width:
              int = 55, header: str | None = None, top_level_events_only: bool = False,
              **kwargs: Any) -> str:
        """A text table: name, self CPU %, self CPU, CPU total %, CPU total, CPU time avg,
        # of calls; ``sort_by`` one of ``"cpu_time_total"``, ``"self_cpu_time_total"``,
        ``"cpu_time"``, ``"self_cpu_time"``, ``"count"`` (descending)."""
        rows = [ev if isinstance(ev, FunctionEventAvg) else _single(ev) for ev in self]
        if sort_by is not None:
            key = sort_by.replace("cpu_time_avg", "cpu_time")
            if not rows or not hasattr(rows[0], key):
                if key.startswith(("cuda", "device", "xpu", "self_cuda", "self_device")):
                    key = "cpu_time_total"
                elif rows:
                    raise AttributeError(f"table: cannot sort by {sort_by!r}")
            rows.sort(key=lambda r: getattr(r, key), reverse=True)
        rows = rows[:row_limit] if row_limit is not None and row_limit >= 0 else rows
        total_self = sum(r.self_cpu_time_total for r in self.key_averages()) or 1.0
        w = min(max([len("Name")] + [len(r.key) for r in rows]), max_name_column_width)
        cols = ["Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg",
                "# of Calls"]
        line = "-" * w + "  " + "  ".join("-" * 12 for _ in cols)
        out = [line, f"{'Name':>{w}}  " + "  ".join(f"{c:>12}" for c in cols), line]
        for r in rows:
            name = r.key if len(r.key) <= w else r.key[:w - 3] + "..."
            out.append(f"{name:>{w}}  " + "  ".join(f"{v:>12}" for v in (
                f"{100 * r.self_cpu_time_total / total_self:.2f}%",
                _fmt_us(r.self_cpu_time_total),
                f"{100 * r.cpu_time_total / total_self:.2f}%", _fmt_us(r.cpu_time_total),
                _fmt_us(r.cpu_time), str(r.count))))
        out += [line, f"Self CPU time total: {_fmt_us(total_self)}", ""]
        if header:
            out.insert(0, header)
        return "\n".join(out)

    def total_average(self) -> FunctionEventAvg:
        avg = FunctionEventAvg("Total")
        for ev in self:
            avg.count += getattr(ev, "count", 1)
            avg.cpu_time_total += ev.cpu_time_total
            avg.self_cpu_time_total += ev.self_cpu_time_total
        return avg

    def export_chrome_trace(self, path: str) -> None:
        """Write the events as a Chrome trace (``chrome://tracing``, Perfetto)."""
        trace = [{"name": ev.name, "ph": "X", "ts": ev.start_us, "dur": ev.cpu_time_total,
                  "pid": 0, "tid": ev.thread, "cat": "cpu_op"} for ev in self
                 if isinstance(ev, FunctionEvent)]
        with open(path, "w") as f:
            json.dump({"traceEvents": trace}, f)


def _single(ev: FunctionEvent) -> FunctionEventAvg:
    a = FunctionEventAvg(ev.key)
    a.add(ev)
    return a


def _now_us() -> float:
    return time.perf_counter_ns() / 1e3


def _all_op_classes() -> list:
    seen, todo = [], list(Op.__subclasses__())
    while todo:
        c = todo.pop()
        if c not in seen:
            seen.append(c)
            todo.extend(c.__subclasses__())
    return seen


def _timed_forward(cls: type, fwd: Callable) -> staticmethod:
    name = cls.__name__

    @functools.wraps(fwd)
    def forward(*args: Any, **kwargs: Any) -> Any:
        if not _active:
            return fwd(*args, **kwargs)
        ev = _active[-1]._open(name)
        try:
            return fwd(*args, **kwargs)
        finally:
            _active[-1]._close(ev)

    forward._profiled_original = fwd  # type: ignore[attr-defined]
    return staticmethod(forward)


class profile:  # noqa: N801 - mirrors torch.autograd.profiler.profile
    """Context manager recording the ops and ``record_function`` ranges run inside it.

    Args:
        enabled: False records nothing (the context manager still works).
        record_shapes, profile_memory, with_stack, with_flops, with_modules, use_cuda,
            use_device, use_cpu, use_kineto...: accepted for compatibility (CPU only).

    After the block, ``prof.key_averages().table(sort_by="self_cpu_time_total")`` prints the
    summary, ``prof.function_events`` lists every range.
    """

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False, **kwargs: Any) -> None:
        self.enabled = enabled
        self.function_events = EventList()
        self._stack: list[FunctionEvent] = []
        self._patched: list = []
        self.entered = False

    def __enter__(self) -> profile:
        if self.entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        self.entered = True
        if self.enabled:
            if not _active:  # the first (outermost) profiler times the op forwards
                for cls in _all_op_classes():
                    fwd = cls.__dict__.get("forward")
                    if isinstance(fwd, staticmethod):
                        self._patched.append((cls, fwd))
                        cls.forward = _timed_forward(cls, fwd.__func__)
            _active.append(self)
        return self

    def __exit__(self, *exc: Any) -> bool:
        if self.enabled:
            _active.remove(self)
            for cls, fwd in self._patched:
                cls.forward = fwd
            self._patched.clear()
        return False

    def _open(self, name: str) -> FunctionEvent:
        ev = FunctionEvent(name, _now_us())
        self._stack.append(ev)
        return ev

    def _close(self, ev: FunctionEvent) -> None:
        ev.end_us = _now_us()
        if self._stack and self._stack[-1] is ev:
            self._stack.pop()
        if self._stack:
            self._stack[-1].child_us += ev.cpu_time_total
        self.function_events.append(ev)

    def _check_finished(self) -> None:
        if self.enabled and self in _active:
            raise RuntimeError("Profiler didn't finish running")

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        self._check_finished()
        return self.function_events.key_averages()

    def table(self, *args: Any, **kwargs: Any) -> str:
        self._check_finished()
        return self.function_events.table(*args, **kwargs)

    def events(self) -> EventList:
        return self.function_events

    @property
    def self_cpu_time_total(self) -> float:
        return self.function_events.self_cpu_time_total

    def total_average(self) -> FunctionEventAvg:
        return self.function_events.total_average()

    def export_chrome_trace(self, path: str) -> None:
        self.function_events.export_chrome_trace(path)

    def __str__(self) -> str:
        return self.table()


class record_function:  # noqa: N801 - mirrors torch.autograd.profiler.record_function
    """Label a region (context manager or decorator) in the active profiler's results."""

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name
        self.args = args
        self._ev: FunctionEvent | None = None
        self._prof: profile | None = None

    def __enter__(self) -> record_function:
        if _active:
            self._prof = _active[-1]
            self._ev = self._prof._open(self.name)
        return self

    def __exit__(self, *exc: Any) -> bool:
        if self._prof is not None and self._ev is not None:
            self._prof._close(self._ev)
        self._prof = self._ev = None
        return False

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with record_function(self.name, self.args):
                return func(*args, **kwargs)

        return wrapper
