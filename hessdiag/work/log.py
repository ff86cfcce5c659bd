"""The run's log: warnings, timings, the settings the run chose, progress and phase announcements.

Everything a section wants to tell the reader beside its numbers goes through one `RunLog`, which
the report copies at the end: `warn` (deduplicated, in order), `timer` (seconds per named step),
`record` (a choice the run made, e.g. the Hessian product mode, stored under the report's settings),
`tick` (a progress callback, or None when quiet) and `phase` (for the interrupt tests).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..phases import announce

ProgressFactory = Callable[[str, int], Callable[[int, int], None]]


class Timer:
    """Adds the seconds spent in a `with` block to `timings[name]`."""

    def __init__(self, timings: dict[str, float], name: str) -> None:
        self.timings, self.name = timings, name

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: Any) -> None:
        self.timings[self.name] = self.timings.get(self.name, 0.0) + time.perf_counter() - self.start


@dataclass
class RunLog:
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    recorded: dict[str, Any] = field(default_factory=dict)
    progress: ProgressFactory | None = None

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def timer(self, name: str) -> Timer:
        return Timer(self.timings, name)

    def tick(self, description: str, total: int) -> Callable[[int, int], None] | None:
        return self.progress(description, total) if self.progress else None

    def record(self, key: str, value: Any) -> None:
        self.recorded[key] = value

    @staticmethod
    def phase(name: str) -> None:
        announce(name)
