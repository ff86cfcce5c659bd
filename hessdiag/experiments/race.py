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
- a run whose loss turns non-finite has diverged: its loss is +inf from there on;
- the two families' searches go in step: each round (the first grids, an extension, the midpoints) is
  every requested learning rate of both families at every seed, run as one batched group
  (`race_runs`; one run at a time where the model cannot be batched);
- last, the rounding check (`rounding_check`): seed 0 at each family's best learning rate once more,
  from θ perturbed at rounding level, which shows whether the best trajectories are chaotic.

`ratio` = best median final R of sgdm / that of adam (> 1: Adam's side, the sign family, trains
better); per seed the two best learning rates give per-seed ratios; the winner uses the benchmark's
threshold: `sign` when ratio ≥ 1.25, `euclidean` when ≤ 1/1.25, else `tie`.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field, replace
from typing import Callable, Generator

import torch
from torch import Tensor

from .. import distributed
from ..load.batch import Inputs, cast_inputs, cat_inputs, select_rows
from ..load.problem import Problem
from ..rng import generator
from .race_runs import RaceData, RunSpec, batchable, group_width, run_group

THRESHOLD = 1.25
FAMILIES = ("sgdm", "adam")
ROUNDING = 4  # the rounding check perturbs θ by this many ε of its dtype, relatively (`rounding_check`)


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
class RoundingCheck:
    """Seed 0 at each family's best learning rate, run again from θ perturbed at rounding level (`rounding_check`):
    the final losses unperturbed and perturbed, per family, and the relative perturbation."""

    perturbation: float
    final_losses: dict[str, tuple[float, float]]

    def change(self, family: str) -> float:
        """|R' − R|/|R| of the family's final loss (0 when both are +inf, +inf when one is)."""
        a, b = self.final_losses[family]
        if math.isinf(a) or math.isinf(b):
            return 0.0 if a == b else math.inf
        return abs(b - a) / abs(a) if a else (0.0 if b == a else math.inf)

    def ratios(self) -> tuple[float, float]:
        """Seed 0's ratio sgdm/adam, unperturbed and perturbed."""
        (e, e2), (a, a2) = (self.final_losses[f] for f in FAMILIES)
        return _ratio(e, a), _ratio(e2, a2)

    @property
    def settled(self) -> bool:
        """Whether seed 0's winner survives the perturbation."""
        before, after = self.ratios()
        return label(before) == label(after)

    def as_dict(self) -> dict:
        before, after = self.ratios()
        return {"relative_perturbation": self.perturbation,
                "final_loss_change": {f: self.change(f) for f in FAMILIES},
                "seed0_ratio": before, "seed0_ratio_perturbed": after, "winner_settled": self.settled}


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
    rounding: RoundingCheck | None = None

    def ratio(self, at: int = -1) -> float:
        """best median R of sgdm / of adam at checkpoint index `at` (NaN when both diverged)."""
        e, s = (self.families[f].medians(at)[self.families[f].best(at)] for f in FAMILIES)
        return _ratio(e, s)

    def per_seed_ratios(self, at: int = -1) -> list[float]:
        e, s = (self.families[f].losses[self.families[f].best(at)] for f in FAMILIES)
        return [_ratio(a[at], b[at]) for a, b in zip(e, s)]

    def ratio_interval(self) -> tuple[float, float] | None:
        """The final ratio's interval: the per-seed ratios and seed 0's ratio from the rounding check's
        perturbed θ (where the best trajectories are chaotic the seeds alone understate it); None when no
        ratio is defined."""
        ratios = [r for r in self.per_seed_ratios() if not math.isnan(r)]
        if self.rounding is not None:
            ratios += [r for r in self.rounding.ratios()[1:] if not math.isnan(r)]
        return (min(ratios), max(ratios)) if ratios else None

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
        interval = self.ratio_interval()
        return {"steps": self.steps, "batch_size": self.batch_size, "seeds": self.seeds,
                "checkpoints": self.checkpoints, "families": fams, "ratio": self.ratio(),
                "ratio_range": [min(ratios), max(ratios)] if ratios else None,
                "ratio_interval": None if interval is None else list(interval),
                "per_seed_ratios": self.per_seed_ratios(), "winner": self.winner(),
                "by_length": {str(t): {"ratio": self.ratio(k), "winner": self.winner(k)}
                              for k, t in enumerate(self.checkpoints)},
                "minibatch_steps": self.minibatch_steps, "threshold": THRESHOLD, "notes": list(self.notes),
                "rounding": None if self.rounding is None else self.rounding.as_dict()}


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


def race_checkpoints(steps: int) -> list[int]:
    """The steps at which a race of `steps` steps records the full-data loss: every tenth of it (and the last)."""
    return sorted({max(1, steps * k // 10) for k in range(1, 11)})


def expected_groups(seeds: int, points: int) -> list[int]:
    """Runs per batched group of a typical race, both families in step (`race_runs`): the first grids
    (`points` learning rates), one extension, a second, the two midpoints beside the best, `seeds` runs
    each, then the rounding check (one run per family). The built-in default's race makes exactly these
    (7 learning rates per family); a race may make fewer (no extension) or more (up to `extend` per side)."""
    return [2 * seeds * points, 2 * seeds, 2 * seeds, 4 * seeds, len(FAMILIES)]


def expected_runs(seeds: int, points: int) -> int:
    """Runs of a typical race (`expected_groups`): the progress bar's total and the cost plan's count."""
    return sum(expected_groups(seeds, points))


def _search(points: int, extend: int) -> Generator[list[float], dict[float, list[list[float]]],
                                                   tuple[dict[float, list[list[float]]], str | None]]:
    """One family's grid search (module docstring), in grid steps k (learning rate centre·10^(k·spacing)):
    yields the steps to run next, is sent their runs (per seed), returns every run by step and the edge."""
    ks = [k - (points - 1) / 2 for k in range(points)]
    runs = dict((yield ks))
    while True:
        grid = sorted(runs)
        med = {k: statistics.median(r[-1] for r in runs[k]) for k in grid}
        best = min(grid, key=lambda k: (med[k], k))
        if best == grid[0] and best > ks[0] - extend:
            runs.update((yield [best - 1]))
        elif best == grid[-1] and best < ks[-1] + extend:
            runs.update((yield [best + 1]))
        else:
            break
    edge = ("low" if best == grid[0] and best <= ks[0] - extend
            else "high" if best == grid[-1] and best >= ks[-1] + extend else None)
    runs.update((yield [best - 0.5, best + 0.5]))  # refine: the midpoints beside the located best
    return runs, edge


def tuned_race(problem: Problem, steps: int, centres: dict[str, float], *, batch_size: int = 128,
               seeds: int = 2, points: int = 3, spacing: float = 0.5, extend: int = 3,
               checkpoints: list[int] | None = None, seed: int = 0,
               progress: Callable[[], None] | None = None, batched: bool = True,
               rounding: bool = True) -> RaceResult:
    """Race both families from θ over small lr grids centred on `centres` (see the module docstring). The
    two families' searches go in step, and each round's runs are one batched group (`race_runs`; `batched`
    False, or a model torch.func cannot batch: one run at a time). With `rounding`, then `rounding_check`.
    `progress()` follows every run."""
    marks = sorted({t for t in (checkpoints or []) if 0 < t < steps} | {steps})
    x, y = _rows(problem)
    data = RaceData(x, y, steps, batch_size, tuple(marks), seed)
    result = RaceResult(steps, data.minibatch, seeds, marks, dict(centres), {})
    done = None if progress is None else lambda _: progress()  # run_group's per-run callback
    width = group_width(problem, data) if batched else 1
    if width > 1 and not batchable(problem, data):
        width = 1
    searches = {family: _search(points, extend) for family in FAMILIES}
    requests = {family: next(search) for family, search in searches.items()}
    finished: dict[str, tuple[dict[float, list[list[float]]], str | None]] = {}
    while requests:
        asked = [(f, k) for f, ks in requests.items() for k in ks]
        specs = [RunSpec(f, centres[f] * 10.0 ** (k * spacing), s) for f, k in asked for s in range(seeds)]
        losses = run_group(problem, specs, data, width, done)
        result.minibatch_steps += len(specs) * steps
        answers: dict[str, dict[float, list[list[float]]]] = {f: {} for f in requests}
        for j, (f, k) in enumerate(asked):
            answers[f][k] = losses[j * seeds:(j + 1) * seeds]
        requests = {}
        for f, answer in answers.items():
            try:
                requests[f] = searches[f].send(answer)
            except StopIteration as stop:
                finished[f] = stop.value
    for family in FAMILIES:
        runs, edge = finished[family]
        grid = sorted(runs)
        result.families[family] = FamilyRace([centres[family] * 10.0 ** (k * spacing) for k in grid],
                                             [runs[k] for k in grid], edge)
    if rounding:
        result.rounding = rounding_check(problem, data, result.families, width, done)
        result.minibatch_steps += len(FAMILIES) * steps
    return result


def rounding_check(problem: Problem, data: RaceData, families: dict[str, FamilyRace], width: int,
                   done: Callable[[int], None] | None = None) -> RoundingCheck:
    """Seed 0 of each family's best learning rate once more, from θ_i(1 + δ z_i) with δ = ROUNDING·ε of the
    dtype and z ~ N(0, 1) drawn from the run's seed: a perturbation at the level of rounding. Where the best
    trajectories are chaotic (an LSTM at its best Adam step: the same runs, batched and alone, agreed to
    1e-13 for 60 steps and differed by 4e-2 at step 90), rounding alone (another machine, thread count or
    batching) moves the final losses far beyond it, and the race's ratio is less settled than its seed
    spread shows. `done(i)` follows each of the two runs."""
    delta = ROUNDING * torch.finfo(problem.dtype).eps
    gen = generator(data.seed, "race-rounding")
    start = {k: v.detach() * (1 + delta * torch.randn(v.shape, generator=gen, dtype=torch.float64).to(v))
             for k, v in problem.params.items()}
    best = {f: fam.best() for f, fam in families.items()}
    specs = [RunSpec(f, families[f].lrs[best[f]], 0) for f in FAMILIES]
    again = run_group(problem, specs, replace(data, start=start), width, done)
    return RoundingCheck(delta, {f: (families[f].losses[best[f]][0][-1], runs[-1]) for f, runs in zip(FAMILIES, again)})
