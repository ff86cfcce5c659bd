"""Run the requested sections on a problem, in dependency order, and return the report."""

from __future__ import annotations

from .. import __version__
from ..load import Problem, Settings
from ..report.document import ProblemInfo, Report
from . import fisher, geometry, noise, recommendation, spectrum
from .context import Context, ProgressFactory

SECTION_RUNNERS = {"spectrum": spectrum.run, "geometry": geometry.run, "noise": noise.run, "fisher": fisher.run}


def diagnose_problem(problem: Problem, settings: Settings, progress: ProgressFactory | None = None,
                     timings: dict[str, float] | None = None) -> Report:
    """Measure every section in `settings.only` on a loaded problem."""
    report = Report(
        hessdiag_version=__version__,
        problem=ProblemInfo(d=problem.d, n_samples=problem.n_samples, loss=problem.loss.name,
                            loss_value=float("nan"), model=problem.model_description,
                            dtype=str(problem.dtype).replace("torch.", ""), device=str(problem.device),
                            mode=problem.mode),
        settings=settings.recorded(),
        timings=dict(timings or {}),
        warnings=list(problem.warnings),
    )
    ctx = Context(problem, settings, report, progress)
    ctx.phase("gradient")
    report.problem.loss_value = ctx.loss_and_gradient.loss
    for name, runner in SECTION_RUNNERS.items():
        if name in settings.only:
            ctx.phase(name)
            runner(ctx)
    ctx.phase("recommendation")
    recommendation.run(ctx)
    ctx.phase("done")
    return report
