"""Keras's one-line progress bar (``keras.utils.Progbar``).

verbose=1: ``12/32 ━━━━━━━━━━━━━━━━━━━━ 0s 3ms/step - loss: 0.4567``, redrawn in place with
``\\r`` on a terminal (on a pipe, one final line per bar); verbose=2: one line at the end,
``32/32 - 0s - 3ms/step - loss: 0.4567``; 0: nothing.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Sequence

__all__ = ["Progbar"]


def _fmt_value(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f"{f:.4f}" if abs(f) >= 1e-3 or f == 0 else f"{f:.4e}"


def _fmt_time(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


class Progbar:
    """A progress bar over ``target`` steps (None: unknown).

    Args:
        target: the number of steps.
        width: the bar's width in characters.
        verbose: 1 (redrawn bar), 2 (one line at the end), 0 (silent).
        interval: the minimum seconds between redraws.
        unit_name: printed per unit ('step').
    """

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1,
                 interval: float = 0.05, stateful_metrics: Any = None,
                 unit_name: str = "step", stream: Any = None) -> None:
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.stream = stream or sys.stdout
        self._dynamic = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._start = time.time()
        self._last_update = 0.0
        self._values: dict[str, Any] = {}
        self._seen = 0
        self._prev_len = 0

    def update(self, current: int, values: Sequence[tuple[str, Any]] | None = None,
               finalize: bool | None = None) -> None:
        """Show ``current`` steps done and the latest ``values`` [(name, value)]."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for k, v in values or []:
            self._values[k] = v
        self._seen = current
        if self.verbose == 0:
            return
        now = time.time()
        if self.verbose == 2:
            if finalize:
                elapsed = now - self._start
                per = elapsed / max(current, 1)
                parts = [f"{current}/{self.target}" if self.target else f"{current}",
                         _fmt_time(elapsed), self._per_unit(per)]
                parts += [f"{k}: {_fmt_value(v)}" for k, v in self._values.items()]
                self.stream.write(" - ".join(parts) + "\n")
                self.stream.flush()
            return
        if not finalize and now - self._last_update < self.interval:
            return
        if not finalize and not self._dynamic:
            return  # on a pipe, only the final state of each bar is written
        self._last_update = now
        line = self._bar_line(current, now, finalize)
        if self._dynamic:
            pad = max(self._prev_len - len(line), 0)
            self.stream.write("\r" + line + " " * pad)
            self._prev_len = len(line)
        else:
            self.stream.write(line)
        if finalize:
            self.stream.write("\n")
        self.stream.flush()

    def add(self, n: int, values: Sequence[tuple[str, Any]] | None = None) -> None:
        self.update(self._seen + n, values)

    def _per_unit(self, per: float) -> str:
        if per >= 1:
            return f"{per:.0f}s/{self.unit_name}"
        if per >= 1e-3:
            return f"{per * 1e3:.0f}ms/{self.unit_name}"
        return f"{per * 1e6:.0f}us/{self.unit_name}"

    def _bar_line(self, current: int, now: float, finalize: bool) -> str:
        elapsed = now - self._start
        per = elapsed / max(current, 1)
        if self.target:
            numdigits = len(str(self.target))
            frac = min(current / self.target, 1.0)
            filled = int(self.width * frac)
            bar = f"{current:>{numdigits}}/{self.target} " + "━" * filled + \
                "─" * (self.width - filled)
            t = elapsed if finalize else per * (self.target - current)
        else:
            bar = f"{current:>7}/Unknown"
            t = elapsed
        parts = [bar, f"{_fmt_time(t)} {self._per_unit(per)}"]
        line = " ".join(parts)
        for k, v in self._values.items():
            line += f" - {k}: {_fmt_value(v)}"
        return line
