"""How much memory this process holds, and how far it rose while a block ran (the memory plan's readings).

On Linux the resident set is read from /proc/self/statm, and the high-water mark VmHWM is reset
(`clear_refs` 5) before a measured block so that a peak below an earlier one is still seen; elsewhere
`ru_maxrss` gives a lower bound. On a GPU the CUDA allocator's own counters are used.
"""

from __future__ import annotations

import contextlib
import os
import resource
import sys
from typing import Iterator

import torch


def resident_bytes(device: torch.device) -> int:
    """Memory this process holds now: the resident set (and the CUDA allocation on a GPU)."""
    rss = 0
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    if device.type == "cuda":
        rss += torch.cuda.memory_allocated(device)
    return int(rss)


def max_resident_bytes() -> int:
    """The process's peak resident set so far (ru_maxrss)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)


@contextlib.contextmanager
def peak_above(device: torch.device, out: list[int]) -> Iterator[None]:
    """Append to `out` how far the memory rose above its level at entry while the block ran, then the
    peak resident set before the block. Linux: the high-water mark VmHWM is reset on entry, so a peak
    below an earlier one is seen (resetting it lowers ru_maxrss too: callers keep the earlier peak);
    elsewhere only a rise above the earlier peak is seen (a lower bound). GPU: the allocator's peak."""
    earlier = max_resident_bytes()
    if device.type == "cuda":
        allocated = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        yield
        out += [max(0, torch.cuda.max_memory_allocated(device) - allocated), earlier]
        return
    before = resident_bytes(device)
    reset = _reset_high_water()
    yield
    rise = _high_water() - before if reset else max_resident_bytes() - max(earlier, before)
    out += [max(0, rise), earlier]


def _reset_high_water() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return _high_water() > 0
    except OSError:
        return False


def _high_water() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return 0
    return 0
