"""The last stage of every run: the recommendation (SPEC §7), with the race where affordable.

The rules (`hessdiag.recommend`) read plain numbers, built here from the typed results of the sections
that ran (`measurements_from`), never from the report's JSON by string paths. Per-coordinate noise
quantities are measured for single samples (m = 1); for the sign-agreement and variance-adaptation
evidence they are read at plan.reference_batch, a typical mini-batch: the report says so, and lists
the coin-flip share at every batch size it has.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from ...estimators.imbalance import ClassStatistics, class_counts, imbalance_ratio, no_classes_reason
from ...estimators.stationarity import Stationarity, stationarity
from ...estimators.stationarity.rounding import FACTOR
from ...linalg import Interval
from ...recommend import Measured, Measurements, Recommendation, recommend
from ...report.section import FigureSpec, Key, Results, Section
from ...work import Work
from .figures import plot_race
from .html import verdict_html
from .keys import SCHEMA
from .measurements import measurements_from
from .race import race_json, run_race
from .terminal import render, verdict_line


def _stationarity(work: Work, m) -> Stationarity:
    """Whether ‖∇R‖ is at rounding level (warned about; the call then ignores gradient-based evidence)."""
    # the per-sample moments only when a section already paid for them (never a pass of their own)
    family = work.__dict__.get("curvature")
    moments = None if family is None else family.__dict__.get("gradient_noise")
    check = stationarity(work.gradient, work.problem.theta, n_samples=work.problem.n_samples,
                         trace_ef=None if moments is None else moments.trace_ef,
                         l2=None if m.L2 is None else m.L2.value, dtype=work.problem.dtype)
    if check.stationary:
        work.log.warn(f"stationary point: ‖∇R‖ = {check.grad_norm:.3g} is within {FACTOR:g}× of its rounding "
                      f"level {check.floor:.3g} (checkpoint precision {check.checkpoint_precision}); η², φ, R(θ) "
                      "and the one-step ratios compare rounding noise, so the call uses the curvature evidence and "
                      "the race only")
    return check


def _class_imbalance(work: Work, results: Results, m: Measurements) -> Measurements:
    """π_max/π_min from the labels alone when the `imbalance` section did not run: the rule reads a missing ratio as
    "no classes" (balanced), so a classification run restricted by --only must still count its classes."""
    # the section ran, or one batch shows there are no classes (as the section decides): no pass over the data
    if results.get(ClassStatistics) is not None or no_classes_reason(work.problem) is not None:
        return m
    counts = class_counts(work.problem)
    if counts is None:
        return m
    frequencies = np.array(counts, dtype=np.float64) / work.problem.n_samples  # as the section computes them
    return replace(m, class_imbalance=imbalance_ratio(frequencies))


def compute(work: Work, results: Results) -> Recommendation:
    m = _class_imbalance(work, results, measurements_from(results, work.problem.d, work.plan.reference_batch))
    check = _stationarity(work, m)
    m = replace(m, stationary=check.stationary)
    race = run_race(work, m)
    if race is not None:
        interval = race.ratio_interval()  # the seeds' ratios and the rounding check's
        m = replace(m, race_steps=race.steps, race_ratio=Measured(
            race.ratio(), None if interval is None else Interval(*interval)))
    rec = recommend(m)
    rec.race = race_json(race, rec.call)
    rec.stationarity = check.as_dict()
    return rec


def to_json(result: Recommendation) -> dict[str, Any]:
    return {"recommendation": result}


SECTION = Section(
    name="recommendation", title="Recommendation (full)", keys={"recommendation": Key("Recommendation (full)", SCHEMA)},
    compute=compute, to_json=to_json, render_terminal=render, lead=verdict_line, lead_html=verdict_html,
    optional=False,
    figures=(FigureSpec("race", "The race: full-batch steps of both families from the checkpoint with the step sizes "
                                "of the report.", plot_race),))
