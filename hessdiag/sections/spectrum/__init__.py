"""Section `spectrum` (SPEC §3): extreme eigenvalues, L2, trace, λ̄, density, ratios, step sizes.

Small problems (d ≤ plan.dense_hessian_max_d) take trace, λ̄ and density from the dense Hessian
(`"method": "exact"`); larger ones from Hutch++/Hutchinson and stochastic Lanczos quadrature with
standard errors. Every null among the derived quantities comes with its reason in the warnings. The
step sizes are completed with 1/L∞ when the geometry section ran (`finish`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import torch

from ...estimators.spectrum.ratios import (
    SpectrumRatios,
    smallest_positive_from_dense,
    smallest_positive_from_ritz,
    spectrum_ratios,
)
from ...estimators.spectrum.spectral_norm import SpectralNorm
from ...estimators.spectrum.step_sizes import StepSizes, step_sizes, with_sign_step
from ...linalg import (
    LanczosResult,
    MeanAbsEigenvalue,
    Quadrature,
    SpectralDensity,
    TraceResult,
    stochastic_lanczos_quadrature,
)
from ...report.section import FigureSpec, Results, Section
from ...work import Work
from .figures import plot_density, plot_eigenvalues
from .keys import KEYS
from .terminal import render


@dataclass(frozen=True)
class SpectrumResult:
    top: LanczosResult
    bottom: LanczosResult
    L2: SpectralNorm
    trace: TraceResult
    mean_abs_eigenvalue: MeanAbsEigenvalue
    density: SpectralDensity
    ratios: SpectrumRatios
    step_sizes: StepSizes


def _quadrature(work: Work) -> Quadrature:
    if work.hessian.exact_spectrum is not None:
        return Quadrature.from_eigenvalues(*work.hessian.exact_spectrum)
    s = work.settings
    with work.log.timer("density"):
        quadrature = stochastic_lanczos_quadrature(
            work.hessian.operator, probes=s.slq_probes, steps=s.slq_steps, generator=work.generator("slq"),
            **({} if work.plan.slq_basis_bytes is None else {"basis_bytes": work.plan.slq_basis_bytes}),
            progress=work.log.tick("spectral density (SLQ)", s.slq_probes))
    for note in quadrature.notes:
        work.log.warn(note)
    return quadrature


def _gradient_curvature(work: Work) -> tuple[float, float | None]:
    """‖g‖² and gᵀHg (one product), or None for gᵀHg at a zero gradient."""
    g = work.gradient.to(torch.float64)
    sq_norm = float(g @ g)
    if sq_norm == 0:
        return 0.0, None
    with work.log.timer("step_sizes"):
        return sq_norm, float(g @ work.hessian.operator.matvec(g).to(torch.float64))


def compute(work: Work, results: Results) -> SpectrumResult:
    hessian = work.hessian
    top = hessian.top
    work.step_made("spectrum", "Lanczos top-k")  # under --budget: re-fit the rest at the speed measured
    bottom, norm = hessian.bottom, hessian.spectral_norm
    work.step_made("spectrum", "Lanczos bottom-k")
    trace = hessian.trace
    quadrature = _quadrature(work)
    mean_abs = quadrature.mean_abs_eigenvalue()
    density = quadrature.density()
    if hessian.exact_spectrum is not None:
        eps = torch.finfo(work.problem.dtype).eps
        lmin_positive, reason = smallest_positive_from_dense(hessian.exact_spectrum[0], eps)
    else:
        lmin_positive, reason = smallest_positive_from_ritz(bottom)
    ratios = spectrum_ratios(top, norm, mean_abs, lmin_positive, reason)
    steps = step_sizes(top, bottom, norm, *_gradient_curvature(work))
    for note in (*ratios.notes, *steps.notes):
        work.log.warn(note)
    return SpectrumResult(top, bottom, norm, trace, mean_abs, density, ratios, steps)


def finish(result: SpectrumResult, results: Results, work: Work) -> SpectrumResult:
    """The step sizes with the norm-scaled sign step 1/L∞, which needs the geometry section."""
    from ..geometry import GeometryResult

    geometry = results.get(GeometryResult)
    if geometry is None:
        work.log.warn("step_sizes.sign_1_over_Linf needs L∞: run the geometry section")
        return result
    return replace(result, step_sizes=with_sign_step(result.step_sizes, geometry.Linf.hi))


def _copies(result: LanczosResult) -> dict[str, Any]:
    return {"copies": list(result.copies), "limit": result.copy_limit, "copies_hidden": result.copies_hidden,
            "block_size": result.block_size}


def eigenvalues_json(top: LanczosResult, bottom: LanczosResult) -> dict[str, Any]:
    """Top and bottom Ritz values (each with its bar and the bound that certifies it), products, and the
    multiplicity account per end: copies each value showed, the most the run could show, whether more may
    hide, and the block size it ended with (widened to k after a repeated value filled a narrower block)."""
    return {"top": top.as_dict()["values"], "bottom": bottom.as_dict()["values"], "matvecs": top.matvecs,
            "converged": top.converged, "bottom_matvecs": bottom.matvecs, "bottom_converged": bottom.converged,
            "restarts": top.restarts, "bottom_restarts": bottom.restarts,
            "multiplicity": {"block_size": top.block_size, "top": _copies(top), "bottom": _copies(bottom)}}


def to_json(r: SpectrumResult) -> dict[str, Any]:
    return {"eigenvalues": eigenvalues_json(r.top, r.bottom), "trace": r.trace,
            "mean_abs_eigenvalue": r.mean_abs_eigenvalue, "density": r.density, "ratios": r.ratios, "L2": r.L2,
            "step_sizes": r.step_sizes}


def key_numbers(r: SpectrumResult) -> list[tuple[str, str]]:
    from ...report.html import pm

    lmax, lmin = r.top.values[0], r.bottom.values[0]
    return [("λ_max", pm(lmax.value, lmax.residual)), ("λ_min", pm(lmin.value, lmin.residual)),
            ("L2 = ‖H‖₂", pm(r.L2.value, r.L2.residual)), ("tr(H)", pm(r.trace.estimate, r.trace.stderr)),
            ("λ̄ = mean |λ|", pm(r.mean_abs_eigenvalue.estimate, r.mean_abs_eigenvalue.stderr))]


SECTION = Section(
    name="spectrum", title="Hessian spectrum", keys=KEYS, compute=compute, to_json=to_json, render_terminal=render,
    key_numbers=key_numbers, finish=finish,
    figures=(FigureSpec("eigenvalues", "Top and bottom Hessian eigenvalues (Lanczos) with certified residual bars.",
                        plot_eigenvalues),
             FigureSpec("density", "Spectral density (log scale): exact eigenvalues or stochastic Lanczos quadrature, "
                                   "Gaussian-smoothed; ticks mark the nodes.", plot_density)))
