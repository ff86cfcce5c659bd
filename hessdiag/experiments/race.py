"""The tuned race: mini-batch SGD with momentum vs Adam from the checkpoint (SPEC §7).

The recommendation's question is a forecast of tuned training, so its check is a small version of
tuned training: from θ, each family runs `steps` mini-batch steps for every learning rate of a small
log grid and every seed, and its best learning rate (lowest median final loss over the seeds) is kept.

- `sgdm`: θ ← θ − α m, m ← 0.9 m + g (torch's SGD, momentum 0.9); `adam`: torch's Adam (β = 0.9, 0.999,
  ε = 1e-8) — the two families of the benchmark's ground truth;
- mini-batches of `batch_size` rows drawn without replacement, epoch by epoch, from a generator of the
  run's seed and a stream per race seed (the same batches for both families and every learning
  rate); g is the batch mean of ∇ℓ_n;
- the grid is centred on a step size hessdiag measured (`centres`), `points` points `spacing` decades
  apart; while a family's best sits at an end of its grid, one more point is added beyond it, at most
  `extend` times per side (the edge is recorded); then the two midpoints beside the best are run too
  (the final loss of a fast linear convergence is sensitive to factors of √spacing in the step);
- the full-data loss R is recorded at each `checkpoint` step (the last is `steps`), so one race also
  gives the races of every shorter length (each length re-picks its best learning rate);
- a run whose loss turns non-finite has diverged: its loss is +inf from there on.

`ratio` = best median final R of sgdm / that of adam (> 1: Adam's side, the sign family, trains
better); per seed the two best learning rates give per-seed ratios; the winner uses the benchmark's
threshold: `sign` when ratio ≥ 1.25, `euclidean` when ≤ 1/1.25, else `tie`.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import Tensor

from .. import distributed
from ..load.batch import Inputs, cast_inputs, cat_inputs, count_rows, select_rows
from ..load.problem import Problem
from ..operators.reduction import reduce_sum
from ..rng import generator

THRESHOLD = 1.25
FAMILIES = ("sgdm", "adam")


@dataclass
class FamilyRace:
    """One family's grid: losses[lr index][seed][checkpoint index]."""

    lrs: list[float]
    losses: list[list[list[float]]]
    edge: str | None = None  # "low"/"high" when the extension limit stopped at an edge

    def medians(self, at: int) -> list[float]:
        return [statistics.median(run[at] for run in runs) for runs in self.losses]

    def best(self, at: int = -1) -> int:
        values = self.medians(at)
        return min(range(len(values)), key=lambda i: (values[i], self.lrs[i]))


@dataclass
class RaceResult:
    steps: int
    batch_size: int
    seeds: int
    checkpoints: list[int]
    centres: dict[str, float]
    families: dict[str, FamilyRace]
    minibatch_steps: int = 0
    notes: list[str] = field(default_factory=list)

    def ratio(self, at: int = -1) -> float:
        """best median R of sgdm / of adam at checkpoint index `at` (NaN when both diverged)."""
        e, s = (self.families[f].medians(at)[self.families[f].best(at)] for f in FAMILIES)
        return _ratio(e, s)

    def per_seed_ratios(self, at: int = -1) -> list[float]:
        e, s = (self.families[f].losses[self.families[f].best(at)] for f in FAMILIES)
        return [_ratio(a[at], b[at]) for a, b in zip(e, s)]

    def winner(self, at: int = -1) -> str:
        return label(self.ratio(at))

    def as_dict(self) -> dict:
        fams = {}
        for name, fam in self.families.items():
            best = fam.best()
            fams[name] = {"lrs": fam.lrs, "final_losses": [[run[-1] for run in runs] for runs in fam.losses],
                          "best_lr": fam.lrs[best], "best_median": fam.medians(-1)[best], "edge": fam.edge,
                          "centre": self.centres[name],
                          "best_curve": [statistics.median(run[k] for run in fam.losses[best])
                                         for k in range(len(self.checkpoints))]}
        ratios = [r for r in self.per_seed_ratios() if not math.isnan(r)]
        return {"steps": self.steps, "batch_size": self.batch_size, "seeds": self.seeds,
                "checkpoints": self.checkpoints, "families": fams, "ratio": self.ratio(),
                "ratio_range": [min(ratios), max(ratios)] if ratios else None,
                "per_seed_ratios": self.per_seed_ratios(), "winner": self.winner(),
                "by_length": {str(t): {"ratio": self.ratio(k), "winner": self.winner(k)}
                              for k, t in enumerate(self.checkpoints)},
                "minibatch_steps": self.minibatch_steps, "threshold": THRESHOLD, "notes": list(self.notes)}


def _ratio(euclidean: float, sign: float) -> float:
    if math.isinf(euclidean) and math.isinf(sign):
        return math.nan
    if sign == 0.0:
        return 1.0 if euclidean == 0.0 else math.inf
    return euclidean / sign


def label(ratio: float, threshold: float = THRESHOLD) -> str:
    if math.isnan(ratio):
        return "tie"
    return "sign" if ratio >= threshold else "euclidean" if ratio <= 1.0 / threshold else "tie"


def _rows(problem: Problem) -> tuple[Inputs, Tensor]:
    """All real rows (weight > 0) of the selection, in order; in a data-parallel run every rank gathers
    every rank's rows (in rank order, the global order) and races alike on the whole selection."""
    xs, ys = [], []
    for batch in problem.iter_batches():
        keep = batch.w > 0
        xs.append(select_rows(batch.x, keep))
        ys.append(batch.y[keep])
    x, y = cat_inputs(xs), torch.cat(ys)
    if not distributed.active():
        return x, y
    parts = distributed.all_gather_object((cast_inputs(x, device=torch.device("cpu")), y.cpu()))
    return (cast_inputs(cat_inputs([p[0] for p in parts]), device=problem.device),
            torch.cat([p[1] for p in parts]).to(problem.device))


def _full_loss(problem: Problem, params: dict[str, Tensor]) -> float:
    """R(θ) over the whole selection (all-reduced over the ranks' shards)."""
    with torch.no_grad():
        local = sum((problem.batch_loss(params, b).to(torch.float64) for b in problem.iter_batches()),
                    torch.zeros((), dtype=torch.float64, device=problem.device))
    total = float(reduce_sum(local))
    return total if math.isfinite(total) else math.inf


def _optimizer(family: str, params: dict[str, Tensor], lr: float) -> torch.optim.Optimizer:
    return (torch.optim.SGD(params.values(), lr=lr, momentum=0.9) if family == "sgdm"
            else torch.optim.Adam(params.values(), lr=lr))


def _minibatch_step(problem: Problem, opt: torch.optim.Optimizer, params: dict[str, Tensor], x: Inputs, y: Tensor,
                    idx: Tensor) -> bool:
    """One step on the rows `idx`; False (and no step) when the mini-batch loss is not finite."""
    opt.zero_grad(set_to_none=True)
    loss = problem.row_losses(params, select_rows(x, idx), y[idx]).mean()
    if not torch.isfinite(loss):
        return False
    loss.backward()
    opt.step()
    return True


def _run(problem: Problem, family: str, lr: float, seed: int, stream: str, steps: int, batch_size: int,
         checkpoints: list[int], data: tuple[Inputs, Tensor]) -> list[float]:
    """Full-data R at each checkpoint of one run (+inf from a divergence on)."""
    x, y = data
    params = {k: v.detach().clone().requires_grad_(True) for k, v in problem.params.items()}
    opt = _optimizer(family, params, lr)
    gen = generator(seed, stream)
    n = count_rows(x)
    b = min(batch_size, n)
    order, pos = torch.randperm(n, generator=gen), 0
    out: list[float] = []
    for step in range(1, steps + 1):
        if pos + b > n:
            order, pos = torch.randperm(n, generator=gen), 0
        idx = order[pos:pos + b].to(problem.device)
        pos += b
        if not _minibatch_step(problem, opt, params, x, y, idx):
            return out + [math.inf] * (len(checkpoints) - len(out))
        if step in checkpoints:
            out.append(_full_loss(problem, params))
            if math.isinf(out[-1]):
                return out + [math.inf] * (len(checkpoints) - len(out))
    return out


def race_checkpoints(steps: int) -> list[int]:
    """The steps at which a race of `steps` steps records the full-data loss: every tenth of it (and the last)."""
    return sorted({max(1, steps * k // 10) for k in range(1, 11)})


def expected_runs(seeds: int, points: int) -> int:
    """Runs of a typical race (the progress bar's total and the cost plan's count): per family and seed,
    the `points` of the first grid, two extensions and the two midpoints beside the best (the built-in
    default's race makes exactly these, 7 learning rates per family); a race may make fewer (no
    extension) or more (up to `extend` per side)."""
    return 2 * seeds * (points + 4)


def unit_seconds(problem: Problem, batch_size: int, repeats: int = 5) -> tuple[float, float]:
    """Seconds of one mini-batch Adam step of `batch_size` rows and of one full-data loss R(θ), the race's
    two units, timed on a copy of θ (the fastest of `repeats` steps after one warm-up; the first batch's
    leading rows, scaled to `batch_size` rows when it has fewer). Nothing of the problem changes."""
    batch = next(iter(problem.iter_batches()))
    rows = min(batch_size, batch.size)
    idx = torch.arange(rows, device=problem.device)
    params = {k: v.detach().clone().requires_grad_(True) for k, v in problem.params.items()}
    opt = _optimizer("adam", params, 0.0)
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        _minibatch_step(problem, opt, params, batch.x, batch.y, idx)
        _synchronize(problem.device)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    _full_loss(problem, params)
    loss = time.perf_counter() - start
    return min(times[1:]) * batch_size / rows, loss


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def tuned_race(problem: Problem, steps: int, centres: dict[str, float], *, batch_size: int = 128,
               seeds: int = 2, points: int = 3, spacing: float = 0.5, extend: int = 3,
               checkpoints: list[int] | None = None, seed: int = 0,
               progress: Callable[[], None] | None = None) -> RaceResult:
    """Race both families from θ over small lr grids centred on `centres` (see the module docstring)."""
    marks = sorted({t for t in (checkpoints or []) if 0 < t < steps} | {steps})
    data = _rows(problem)
    result = RaceResult(steps, min(batch_size, count_rows(data[0])), seeds, marks, dict(centres), {})
    for family in FAMILIES:
        ks = [k - (points - 1) / 2 for k in range(points)]
        runs: dict[float, list[list[float]]] = {}

        def evaluate(k: float) -> None:
            lr = centres[family] * 10.0 ** (k * spacing)
            runs[k] = [_run(problem, family, lr, seed, f"race-batches-{s}", steps, batch_size, marks, data)
                       for s in range(seeds)]
            result.minibatch_steps += seeds * steps
            if progress is not None:
                progress()

        for k in ks:
            evaluate(k)
        while True:
            grid = sorted(runs)
            med = {k: statistics.median(r[-1] for r in runs[k]) for k in grid}
            best = min(grid, key=lambda k: (med[k], k))
            if best == grid[0] and best > ks[0] - extend:
                evaluate(best - 1)
            elif best == grid[-1] and best < ks[-1] + extend:
                evaluate(best + 1)
            else:
                break
        edge = ("low" if best == grid[0] and best <= ks[0] - extend
                else "high" if best == grid[-1] and best >= ks[-1] + extend else None)
        for k in (best - 0.5, best + 0.5):  # refine: the midpoints beside the located best
            evaluate(k)
        grid = sorted(runs)
        result.families[family] = FamilyRace([centres[family] * 10.0 ** (k * spacing) for k in grid],
                                             [runs[k] for k in grid], edge)
    return result
