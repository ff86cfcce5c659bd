"""Section `spectrum` (SPEC §3): extreme eigenvalues, L2, trace, λ̄, density, ratios, step sizes.

Small problems (d ≤ `exact_max_d`) take trace, λ̄ and density from the dense Hessian (`"method":
"exact"`); larger ones from Hutch++/Hutchinson and stochastic Lanczos quadrature with standard errors.
Every null among the derived quantities comes with its reason in the report's warnings.
"""

from __future__ import annotations

import torch

from ..estimators.extremes import spectral_norm
from ..estimators.quadrature import Quadrature, stochastic_lanczos_quadrature
from ..estimators.ratios import smallest_positive_from_dense, smallest_positive_from_ritz, spectrum_ratios
from ..estimators.step_sizes import step_sizes
from .context import Context


def _quadrature(ctx: Context) -> Quadrature:
    if ctx.exact_spectrum is not None:
        return Quadrature.from_eigenvalues(*ctx.exact_spectrum)
    s = ctx.settings
    with ctx.timer("density"):
        quadrature = stochastic_lanczos_quadrature(
            ctx.hessian, probes=s.slq_probes, steps=s.slq_steps, generator=ctx.generator("slq"),
            progress=ctx.tick("spectral density (SLQ)", s.slq_probes))
    for note in quadrature.notes:
        ctx.warn(note)
    return quadrature


def _gradient_curvature(ctx: Context) -> tuple[float, float | None]:
    """‖g‖² and gᵀHg (one product), or None for gᵀHg at a zero gradient."""
    g = ctx.gradient.to(torch.float64)
    sq_norm = float(g @ g)
    if sq_norm == 0:
        return 0.0, None
    with ctx.timer("step_sizes"):
        return sq_norm, float(g @ ctx.hessian.matvec(g).to(torch.float64))


def run(ctx: Context) -> None:
    report = ctx.report
    report.top = ctx.top
    report.bottom = ctx.bottom
    report.L2 = spectral_norm(ctx.top, ctx.bottom)
    report.trace = ctx.trace
    quadrature = _quadrature(ctx)
    report.mean_abs_eigenvalue = quadrature.mean_abs_eigenvalue()
    report.density = quadrature.density()
    if ctx.exact_spectrum is not None:
        eps = torch.finfo(ctx.problem.dtype).eps
        lmin_positive, reason = smallest_positive_from_dense(ctx.exact_spectrum[0], eps)
    else:
        lmin_positive, reason = smallest_positive_from_ritz(ctx.bottom)
    report.ratios = spectrum_ratios(ctx.top, report.L2, report.mean_abs_eigenvalue, lmin_positive, reason)
    report.step_sizes = step_sizes(ctx.top, ctx.bottom, report.L2, *_gradient_curvature(ctx))
    for note in (*report.ratios.notes, *report.step_sizes.notes):
        ctx.warn(note)
