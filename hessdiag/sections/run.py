"""Run the requested sections on a problem, in registry order, and assemble the report."""

from __future__ import annotations

import time
from typing import Callable

from .. import __version__, distributed
from ..load import Problem, Settings, tf32_for_run
from ..operators.kernels import ATTENTION_KERNEL
from ..report.document import ProblemInfo, Report
from ..report.section import Results
from ..work import CostPlan, Plan, ProgressFactory, RunLog, Work, peak_memory_bytes
from ..work.out_of_memory import is_out_of_memory, out_of_memory
from .registry import resolve_only, sections


def objective(problem: Problem) -> dict:
    """What the run averages over and what one sample of the noise and fisher sections is (SPEC §1)."""
    return {"loss": problem.loss.describe(), "sample": problem.loss.sample_meaning,
            "normaliser": round(problem.n_samples / problem.sample_scale),
            "sample_scale": problem.sample_scale}


def diagnose_problem(problem: Problem, settings: Settings, progress: ProgressFactory | None = None,
                     timings: dict[str, float] | None = None, plan: Plan | None = None,
                     on_plan: Callable[[CostPlan], None] | None = None, warm_start: dict | None = None) -> Report:
    """Measure every section in `settings.only` (all by default) on a loaded problem.

    `warm_start` ({"largest"/"smallest": Ritz vectors (k, d)}) starts the Hessian's extreme-eigenvalue
    Lanczos runs from an earlier checkpoint's Ritz vectors (`hessdiag track`); None: random starts.

    After the gradient, the cost plan is measured and priced (`Work.plan_cost`: exact paths chosen by
    cost, `--budget` applied) and handed to `on_plan` before the work; the report records it under
    `settings.cost` with the measured wall time and peak memory. On CUDA, TF32 is on for the run only with
    `settings.allow_tf32` (`load.tf32_for_run`; the caller's switches are restored after)."""
    with tf32_for_run(problem.device, settings.allow_tf32) as notes:
        return _diagnose(problem, settings, progress, timings, plan, on_plan, warm_start, notes)


def _diagnose(problem: Problem, settings: Settings, progress: ProgressFactory | None,
              timings: dict[str, float] | None, plan: Plan | None, on_plan: Callable[[CostPlan], None] | None,
              warm_start: dict | None, notes: list[str]) -> Report:
    start = time.perf_counter()
    only = resolve_only(settings.only)
    plan = plan or Plan.for_settings(settings)
    log = RunLog(timings=dict(timings or {}), warnings=list(problem.warnings) + notes, progress=progress)
    work = Work(problem, settings, plan, log, warm_start)
    log.record("objective", objective(problem))
    log.record("distributed", distributed.describe(problem.device))
    log.record("attention_kernel", ATTENTION_KERNEL)
    if problem.provenance:
        log.record("loaded", problem.provenance)
    phase = ["gradient"]
    cost: CostPlan | None = None
    try:
        log.phase("gradient")
        loss = work.loss_and_gradient.loss
        phase[0] = "the cost plan's measured products"
        log.phase("plan")
        with log.timer("plan"):
            cost = work.plan_cost(tuple(only))
        if on_plan is not None:
            on_plan(cost)
        work_start = time.perf_counter()
        results = _compute(work, only, phase, log.timings.get("load", 0.0) + work_start - start)
    except Exception as exc:
        if not is_out_of_memory(exc):
            raise
        memory = None if cost is None else cost.memory
        raise out_of_memory(exc, phase[0], memory) from None
    settings, plan = work.settings, work.plan
    log.phase("done")
    peak = peak_memory_bytes(problem.device, cost.units.earlier_peak_bytes)
    cost.measured = {"seconds": time.perf_counter() - work_start, "total_seconds": time.perf_counter() - start,
                     "peak_memory_bytes": peak}
    if cost.memory is not None:
        cost.memory.measured_peak = peak
    recorded = settings.recorded() | {"only": list(only)} | log.recorded | {"plan": plan.as_dict(),
                                                                           "cost": cost.as_dict()}
    info = ProblemInfo(d=problem.d, n_samples=problem.n_samples, loss=problem.loss.name, loss_value=loss,
                       model=problem.model_description, dtype=str(problem.dtype).replace("torch.", ""),
                       device=str(problem.device), mode=problem.mode)
    return Report(__version__, info, recorded, sections(), dict(results.items()), log.timings, log.warnings)


def _compute(work: Work, only: list[str], phase: list[str], spent: float) -> Results:
    """The chosen sections in registry order, their finishing steps, then the stages (`phase[0]` says
    which one runs, for an out-of-memory answer). Under --budget the plan is re-fitted before each section
    after the first, at the speed measured so far, and may skip sections (`Work.checkpoint`); `spent`:
    the seconds before the work."""
    chosen = [s for s in sections() if s.optional and s.name in only]
    stages = [s for s in sections() if not s.optional]
    results = Results()
    work.start_budget(spent, tuple(s.name for s in chosen))
    for section in chosen:
        if section.name not in work.skipped:
            work.checkpoint(f"before {section.name}")
        if section.name in work.skipped:
            continue
        phase[0] = f"the {section.name} section"
        work.log.phase(section.name)
        results.add(section.name, section.compute(work, results))
        work.section_made(section.name)
    for section in [s for s in chosen if s.name in results]:
        if section.finish is not None:
            phase[0] = f"the {section.name} section"
            results.add(section.name, section.finish(results[section.name], results, work))
    for section in stages:
        phase[0] = f"the {section.name} stage"
        work.log.phase(section.name)
        results.add(section.name, section.compute(work, results))
    return results
