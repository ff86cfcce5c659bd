"""The race's units for the cost plan, and whether its runs are batched: seconds per run of a mini-batch
step and of a full-data loss, batched and alone.

A typical race (`race.expected_groups`) can run each round as one batched group (`race_runs`). Where the
steps are overhead-bound (small models) a batched step of R runs costs far less than R single steps; where
they are compute-bound it gains nothing or costs more (a CNN on 2 CPU cores: vmap turns its convolutions
into grouped ones; the benchmark's cnn_digits_init raced in 26.6 s batched against 24.9 s one run at a
time, and its steps timed 3.11 against 2.83 ms per run). So both are timed on
the model and the rounds are batched only where that is measured to pay (`RaceUnits.batched`: at least
1/`BATCH_GAIN` = 1.25× cheaper per run). A batched step's price depends on its group's width: it is timed
at the narrowest and the widest group and interpolated between them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import torch

from ..load.problem import Problem
from .race import FAMILIES, expected_groups
from .race_runs import RaceData, RunGroup, RunSpec, batchable, full_loss, group_width, minibatch_step, optimizer

BATCH_GAIN = 0.8  # rounds are batched where a batched run-step is priced at most this share of a lone one


@dataclass(frozen=True)
class RaceUnits:
    """Seconds per run of a mini-batch step and of a full-data loss, in a typical race's batched groups and
    one run at a time (NaN: not measured, the model cannot be batched)."""

    step_batched: float
    step_alone: float
    loss_batched: float
    loss_alone: float

    @property
    def batched(self) -> bool:
        """Whether the race batches its rounds: measured, and ≥ 1/BATCH_GAIN cheaper per run than alone."""
        return math.isfinite(self.step_batched) and self.step_batched <= BATCH_GAIN * self.step_alone

    @property
    def step(self) -> float:
        return self.step_batched if self.batched else self.step_alone

    @property
    def loss(self) -> float:
        return self.loss_batched if self.batched else self.loss_alone


def unit_seconds(problem: Problem, batch_size: int, seeds: int = 2, points: int = 3,
                 repeats: int = 5) -> RaceUnits:
    """The race's units (`RaceUnits`) for a typical race's groups (`expected_groups`, split as the race splits
    them). Each time is the fastest of `repeats` after one warm-up (2 for a full loss), on copies of θ and
    the first batch's leading rows (steps scaled to the race's mini-batch, min(`batch_size`, N) rows, when
    it has fewer). Nothing of the problem changes. (The scale was `batch_size`/rows before: on data of
    fewer than `batch_size` rows it priced each step at 128/N times its cost, 16× for MiniLM on 8 rows.)"""
    batch = next(iter(problem.iter_batches()))
    race_rows = min(batch_size, problem.n_samples)  # a race's mini-batch over all N rows (`RaceData.minibatch`)
    rows = min(race_rows, batch.size)
    scale = race_rows / rows
    params = {k: v.detach().clone().requires_grad_(True) for k, v in problem.params.items()}
    opt = optimizer("adam", params, 0.0)
    idx = torch.arange(rows, device=problem.device)
    alone = _fastest(lambda: minibatch_step(problem, opt, params, batch.x, batch.y, idx), repeats, problem.device)
    loss_alone = _fastest(lambda: full_loss(problem, params), 2, problem.device)
    data = RaceData(batch.x, batch.y, 1, rows, (), 0)
    width = group_width(problem, data)
    widths = [min(width, g - start) for g in expected_groups(seeds, points) for start in range(0, g, width)]
    several = sorted({w for w in widths if w > 1})
    if not several or not batchable(problem, data):
        return RaceUnits(math.nan, alone * scale, math.nan, loss_alone)
    groups = {w: _probe_group(problem, data, w) for w in (several[0], several[-1])}
    step = {w: _fastest(lambda g=group: g.step(1), repeats, problem.device) for w, group in groups.items()}
    step[1] = alone
    batched = sum(_interpolate(step, w) for w in widths) / sum(widths)
    loss = _fastest(groups[several[-1]].full_losses, 2, problem.device) / several[-1]
    return RaceUnits(batched * scale, alone * scale, loss, loss_alone)


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
