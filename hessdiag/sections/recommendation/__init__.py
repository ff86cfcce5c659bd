"""The last stage of every run: the recommendation (SPEC §7), with the race where affordable.

The rules (`hessdiag.recommend`) read plain numbers, built here from the typed results of the sections
that ran (`measurements_from`), never from the report's JSON by string paths. Per-coordinate noise
quantities are measured for single samples (m = 1); for the sign-agreement and variance-adaptation
evidence they are read at plan.reference_batch, a typical mini-batch: the report says so, and lists
the coin-flip share at every batch size it has.
"""

from __future__ import annotations

import math
from typing import Any

from ...estimators.spectrum.step_sizes import basic_steps
from ...experiments.race import race
from ...linalg import Estimate, Interval
from ...recommend import Measured, Measurements, Recommendation, recommend
from ...report.section import FigureSpec, Key, Results, Section
from ...work import Work
from ..fisher import FisherComparison
from ..geometry import GeometryResult
from ..noise import NoiseReport
from ..spectrum import SpectrumResult
from .figures import plot_race
from .html import verdict_html
from .keys import SCHEMA
from .terminal import render, verdict_line


def _finite(x: float | None) -> float | None:
    """None for a missing or non-finite number (what the JSON report shows as null)."""
    return x if x is not None and math.isfinite(x) else None


def _measured(value: float | None, interval: Interval | None) -> Measured | None:
    return None if _finite(value) is None else Measured(value, interval)


def _spectrum_and_geometry(out: dict[str, Any], spectrum, geometry) -> None:
    if spectrum is not None and spectrum.ratios.outlier is not None:
        r = spectrum.ratios
        stderr = None if r.outlier_stderr is None else Estimate(r.outlier, r.outlier_stderr, "").interval()
        out["outlier_ratio"] = _measured(r.outlier, stderr)
    if geometry is not None:
        out["Linf"] = Interval(geometry.Linf.lo, _finite(geometry.Linf.hi))
        out["Linf_hi_source"] = geometry.Linf.hi_source
        out["grad_density"] = _finite(geometry.grad_density)
        ratio = geometry.improvement_ratio
        if ratio is not None:
            out["improvement_ratio"] = Interval(_finite(ratio.lo), _finite(ratio.hi))
        rho = geometry.rho_diag
        out["rho_diag"] = _measured(rho.estimate, Interval(*rho.ci) if rho.ci else None)


def _noise_and_fisher(out: dict[str, Any], noise, fisher, reference_batch: int) -> None:
    if noise is not None:
        eta2 = noise.scalars.eta2
        out["noise_to_signal"] = _measured(eta2.estimate, Interval(*eta2.as_list()))
        out["coin_flip_share"] = noise.coordinates.coin_flip_share_at(reference_batch)
        median = _finite(noise.coordinates.median_eta2)
        if median is not None:
            out["median_coordinate_eta2"], out["reference_batch"] = median / reference_batch, reference_batch
        out["m_star"] = _finite(noise.scalars.m_star)
        out["cabs"] = None if noise.scalars.cabs is None else _finite(noise.scalars.cabs.estimate)
    if fisher is not None:
        out["ef_over_f_trace"] = _finite(fisher.ef_over_f.estimate)
        out["rel_fro_ef_vs_f"] = _finite(fisher.distances["EF_vs_F"].estimate)
        out["cos_precond_f_ef"] = None if fisher.cosine is None else _finite(fisher.cosine.value)


def measurements_from(results: Results, d: int, reference_batch: int) -> Measurements:
    """The plain numbers the rules use, from the typed results of the sections that ran."""
    spectrum, geometry = results.get(SpectrumResult), results.get(GeometryResult)
    l2 = spectrum.L2 if spectrum is not None else (geometry.L2 if geometry is not None else None)
    out: dict[str, Any] = {"d": d, "L2": None if l2 is None else Measured(l2.value, Interval(l2.value - l2.residual,
                                                                                            l2.value + l2.residual))}
    _spectrum_and_geometry(out, spectrum, geometry)
    _noise_and_fisher(out, results.get(NoiseReport), results.get(FisherComparison), reference_batch)
    lmax = spectrum.top.values[0] if spectrum is not None else None
    linf_hi = None if geometry is None else geometry.Linf.hi
    out["step_sizes"] = basic_steps(None if l2 is None else l2.value, lmax, linf_hi)
    return Measurements(**out)


def _race_steps(work: Work) -> int:
    steps = work.settings.race_steps
    if steps is not None:
        return steps
    size = work.problem.n_samples * work.problem.d
    if size > work.plan.race_auto_max_work:
        work.log.warn(f"race skipped: N·d = {size:.3g} is large (each step is a full-data gradient); "
                      f"ask for it with --race-steps")
        return 0
    return work.plan.race_steps_auto


def _race(work: Work, call: str, m: Measurements) -> dict[str, Any] | None:
    steps = _race_steps(work)
    if steps == 0:
        return None
    if m.L2 is None or m.Linf is None or not m.L2.value or not m.Linf.hi:
        work.log.warn("race skipped: it needs L2 and L∞ (sections spectrum and geometry) for its step sizes")
        return None
    update = work.log.tick("race: GD vs sign descent", 2 * steps)
    done = 0

    def advance() -> None:
        nonlocal done
        done += 1
        if update is not None:
            update(done, 2 * steps)

    with work.log.timer("race"):
        result = race(work.problem, steps, gd_step=1.0 / m.L2.value, sign_step=1.0 / m.Linf.hi, progress=advance)
    agrees = None if call == "inconclusive" or result.winner == "tie" else result.winner == call
    return {**result.as_dict(), "agrees": agrees,
            "note": "full-batch steps from θ with α = 1/L2 (GD) and α = 1/L∞ (norm-scaled sign descent)"}


def compute(work: Work, results: Results) -> Recommendation:
    m = measurements_from(results, work.problem.d, work.plan.reference_batch)
    rec = recommend(m)
    rec.race = _race(work, rec.call, m)
    return rec


def to_json(result: Recommendation) -> dict[str, Any]:
    return {"recommendation": result}


SECTION = Section(
    name="recommendation", title="Recommendation (full)", keys={"recommendation": Key("Recommendation (full)", SCHEMA)},
    compute=compute, to_json=to_json, render_terminal=render, lead=verdict_line, lead_html=verdict_html,
    optional=False,
    figures=(FigureSpec("race", "The race: full-batch steps of both families from the checkpoint with the step sizes "
                                "of the report.", plot_race),))
