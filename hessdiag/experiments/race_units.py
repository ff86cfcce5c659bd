"""The race's two units for the cost plan: seconds per run of a mini-batch step and of a full-data loss.

A typical race (`race.expected_groups`) runs its groups batched (`race_runs`), and a batched step of R runs
costs far less than R single steps where the steps are overhead-bound, so a step's price depends on the
width of its group: it is timed at the narrowest and the widest group and interpolated between them.
"""

from __future__ import annotations

import time
from typing import Callable

import torch

from ..load.problem import Problem
from .race import FAMILIES, expected_groups
from .race_runs import RaceData, RunGroup, RunSpec, batchable, full_loss, group_width, minibatch_step, optimizer


def unit_seconds(problem: Problem, batch_size: int, seeds: int = 2, points: int = 3,
                 repeats: int = 5) -> tuple[float, float]:
    """Seconds per run of one mini-batch step of `batch_size` rows and of one full-data loss R(θ), the race's
    two units, for a typical race's groups (`expected_groups`, split as the race splits them): a batched
    step is timed at the narrowest and the widest group and interpolated linearly in the width between
    them; a run alone is timed as one Adam step. Each time is the fastest of `repeats` after one warm-up, on
    copies of θ and the first batch's leading rows (scaled to `batch_size` rows when it has fewer). Nothing
    of the problem changes."""
    batch = next(iter(problem.iter_batches()))
    rows = min(batch_size, batch.size)
    data = RaceData(batch.x, batch.y, 1, rows, (), 0)
    width = group_width(problem, data)
    widths = [min(width, g - start) for g in expected_groups(seeds, points) for start in range(0, g, width)]
    several = sorted({w for w in widths if w > 1})
    if several and not batchable(problem, data):
        widths, several = [1] * sum(widths), []
    step = {w: _fastest(lambda g=_probe_group(problem, data, w): g.step(1), repeats, problem.device)
            for w in {several[0], several[-1]}} if several else {}
    if 1 in widths:
        params = {k: v.detach().clone().requires_grad_(True) for k, v in problem.params.items()}
        opt = optimizer("adam", params, 0.0)
        idx = torch.arange(rows, device=problem.device)
        step[1] = _fastest(lambda: minibatch_step(problem, opt, params, batch.x, batch.y, idx), repeats,
                           problem.device)
    per_step = sum(_interpolate(step, w) for w in widths) / sum(widths)
    if several:
        group = _probe_group(problem, data, several[-1])
        loss = _fastest(group.full_losses, 2, problem.device) / several[-1]
    else:
        params = {k: v.detach() for k, v in problem.params.items()}
        loss = _fastest(lambda: full_loss(problem, params), 2, problem.device)
    return per_step * batch_size / rows, loss


def _probe_group(problem: Problem, data: RaceData, width: int) -> RunGroup:
    """A group of `width` runs (alternating families, learning rate 0: θ does not move) to time."""
    return RunGroup(problem, [RunSpec(FAMILIES[i % 2], 0.0, i // 2) for i in range(width)], data)


def _interpolate(times: dict[int, float], width: int) -> float:
    """Seconds of a step of `width` runs: timed, or linear in the width between the timed widths ≥ 2."""
    if width in times:
        return times[width]
    lo, hi = min(w for w in times if w > 1), max(times)
    return times[lo] + (times[hi] - times[lo]) * (width - lo) / (hi - lo)


def _fastest(step: Callable[[], object], repeats: int, device: torch.device) -> float:
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        step()
        _synchronize(device)
        times.append(time.perf_counter() - start)
    return min(times[1:])


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
