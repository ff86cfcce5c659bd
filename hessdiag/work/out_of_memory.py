"""An allocation that failed during the work, as the one-line `MemoryBudgetError` the CLI prints (issue 18):
what was asked (from torch's message), during which phase, and the memory plan's budget and peak."""

from __future__ import annotations

import re

from ..errors import MemoryBudgetError
from .memory import REDUCE, MemoryPlan, gb

_BYTES = re.compile(r"allocate (\d+) bytes")
_CUDA = re.compile(r"[Tt]ried to allocate ([\d.]+) ([KMG]iB)")


def is_out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
        return True
    text = str(exc)
    return isinstance(exc, RuntimeError) and ("can't allocate memory" in text or "out of memory" in text)


def requested_bytes(exc: BaseException) -> int | None:
    """The allocation that failed, from torch's message (CPU: '... allocate N bytes'; CUDA: 'x.yz GiB')."""
    text = str(exc)
    found = _BYTES.search(text)
    if found:
        return int(found.group(1))
    found = _CUDA.search(text)
    if found:
        return int(float(found.group(1)) * {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30}[found.group(2)])
    return None


def out_of_memory(exc: BaseException, phase: str, memory: MemoryPlan | None) -> MemoryBudgetError:
    """The one-line answer to an allocation that failed during `phase` (with the plan's budget and
    expected peak, once planned)."""
    asked = requested_bytes(exc)
    what = f"an allocation of {gb(asked)}" if asked is not None else "an allocation"
    within = "" if memory is None else (f" (memory budget {gb(memory.budget)}, {memory.source}; planned peak "
                                        f"{gb(memory.peak)})")
    return MemoryBudgetError(f"out of memory: {what} failed during {phase}{within}; reduce with {REDUCE}")
