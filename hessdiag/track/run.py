"""`hessdiag track`: diagnose every checkpoint of a run with the same model, data and settings.

Each checkpoint goes through the same machinery as `hessdiag run` (`load_problem`, then
`diagnose_problem`), with `settings.checkpoint` set to it and `settings.lr` to the learning rate at
its step. A checkpoint whose cache entry exists is not diagnosed again (`cache.py`); a new one is, and
its entry is written as soon as it is finished, so Ctrl-C keeps everything done so far. Consecutive
checkpoints are close, so the Hessian's extreme-eigenvalue Lanczos runs start from the previous
checkpoint's Ritz vectors (`linalg.warm`; `warm_start=False` for random starts): the residual bounds
stay certified, only the number of products changes.
"""

from __future__ import annotations

import dataclasses
import glob
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch

from .. import __version__, interrupts
from ..errors import HessdiagError
from ..load import Settings, load_problem
from ..report.document import Report
from ..sections import resolve_only
from ..sections.run import diagnose_problem
from ..work import ProgressFactory, Timer
from .cache import TrackCache, cache_key
from .discover import Checkpoint, discover, every, file_sha256
from .schedule import LearningRates
from .timeline import Timeline, TrackPoint, point_from_report

CACHE_DIRNAME = ".hessdiag-track-cache"


class TrackInterrupted(HessdiagError):
    """Ctrl-C during `track`: the finished checkpoints are cached (exit 130, as any interrupt)."""

    exit_code = 130


@dataclass
class TrackResult:
    """The timeline and, per point, the checkpoint's whole report as a JSON document (for `--fail-if`)."""

    timeline: Timeline
    reports: list[dict[str, Any]] = field(default_factory=list)


def ritz_vectors(report: Report) -> dict[str, torch.Tensor]:
    """The top and bottom Ritz vectors of a report's spectrum (empty when the spectrum did not run)."""
    spectrum = report.results.get("spectrum")
    if spectrum is None:
        return {}
    out = {}
    for which, result in (("largest", spectrum.top), ("smallest", spectrum.bottom)):
        if result.vectors is not None:
            out[which] = result.vectors.detach().to(torch.float64).cpu()
    return out


def default_cache_dir(source: str, json_path: str | None) -> Path:
    """Next to the JSON timeline when one is written, else in the checkpoints' directory."""
    if json_path:
        return Path(json_path).resolve().parent / CACHE_DIRNAME
    path = Path(source)
    if path.is_dir():
        return path / CACHE_DIRNAME
    fixed = list(itertools.takewhile(lambda part: not glob.has_magic(part), path.parts[:-1]))
    return Path(*fixed) / CACHE_DIRNAME if fixed else Path(CACHE_DIRNAME)


def diagnose_checkpoint(checkpoint: Checkpoint, settings: Settings, *, sha256: str, lr: float | None,
                        warm: dict[str, torch.Tensor] | None, progress: ProgressFactory | None
                        ) -> tuple[TrackPoint, Report]:
    """One checkpoint through `load_problem` and `diagnose_problem`, and its timeline point."""
    timings: dict[str, float] = {}
    with Timer(timings, "load"):
        problem = load_problem(settings)
    report = diagnose_problem(problem, settings, progress, timings, warm_start=warm or None)
    point = point_from_report(report, step=checkpoint.step, checkpoint=str(checkpoint.path), sha256=sha256,
                              step_source=checkpoint.step_source, warm_start=bool(warm), lr=lr)
    return point, report


def timeline_settings(settings: Settings) -> Settings:
    """The settings of each point of a timeline: as given, except that the tuned race (thousands of
    mini-batch steps per checkpoint, more than the curvature costs) runs only when `--race-steps` asks for
    it. The call uses the race at stationary points only (`recommend/coefficients.py`); there a point
    without it is inconclusive."""
    return settings if settings.race_steps is not None else dataclasses.replace(settings, race_steps=0)


def track(source: str | Path, settings: Settings, *, every_k: int = 1, learning_rates: LearningRates | None = None,
          warm_start: bool = True, cache_dir: str | Path | None = None, progress: ProgressFactory | None = None,
          on_point: Callable[[TrackPoint], None] | None = None) -> TrackResult:
    """Diagnose every `every_k`-th checkpoint of `source` (a directory or a glob), from the cache where it can."""
    resolve_only(settings.only)
    settings = timeline_settings(settings)
    checkpoints = every(discover(source), every_k)
    cache = TrackCache(cache_dir or default_cache_dir(str(source), settings.json))
    recorded = settings.recorded() | {"every": every_k, "warm_start": warm_start,
                                      "learning_rates": None if learning_rates is None else learning_rates.as_dict(),
                                      "cache_dir": str(cache.directory)}
    timeline = Timeline(__version__, str(source), recorded)
    result = TrackResult(timeline)
    tick = progress("checkpoints", len(checkpoints)) if progress else None
    warm: dict[str, torch.Tensor] | None = None
    try:
        for index, checkpoint in enumerate(checkpoints):
            lr = settings.lr if learning_rates is None else learning_rates.at(checkpoint.step)
            point_settings = dataclasses.replace(settings, checkpoint=str(checkpoint.path), lr=lr)
            sha = file_sha256(checkpoint.path)
            use_warm = warm if warm_start else None
            key = cache_key(sha, point_settings, warm_start=use_warm is not None, version=__version__)
            entry = cache.get(key)
            if entry is not None:
                point = dataclasses.replace(entry.point, step=checkpoint.step, checkpoint=str(checkpoint.path),
                                            step_source=checkpoint.step_source, cached=True)
                doc, warm = entry.report, entry.ritz or None
            else:
                point, report = diagnose_checkpoint(checkpoint, point_settings, sha256=sha, lr=lr, warm=use_warm,
                                                    progress=progress)
                doc, warm = report.to_dict(), ritz_vectors(report) or None
                cache.put(key, point, doc, warm or {})
                timeline.diagnosed += 1
            timeline.points.append(point)
            result.reports.append(doc)
            timeline.warnings.extend(f"step {checkpoint.step}: {w}" for w in doc.get("warnings", []))
            if on_point is not None:
                on_point(point)
            if tick is not None:
                tick(index + 1, len(checkpoints))
    except KeyboardInterrupt:
        kept = (f"the {timeline.diagnosed} checkpoint(s) diagnosed in this run are cached in '{cache.directory}', "
                "and a rerun continues from there")
        signals = interrupts.current()
        if signals is not None:  # under the command line: its exit line (130 or 143) says what was kept
            signals.kept = kept
            raise
        raise TrackInterrupted(f"interrupted; {kept}") from None
    return result
