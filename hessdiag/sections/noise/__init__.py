"""Section `noise` (SPEC §5): gradient noise from per-sample gradients, tied to curvature.

Reuses the shared gradient ∇R, the one streaming per-sample pass (`work.curvature.gradient_noise`),
the Hessian's top-k and trace, and the top-k of Σ (`work.curvature.top(GRADIENT_COVARIANCE.name)`). The selection
counts as the whole data set unless `--samples` chose a subset; then η² is de-biased (Eq. 4.16) as
for a mini-batch.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from ...estimators.noise.alignment import noise_curvature_ratio
from ...estimators.noise.coordinates import coordinate_noise
from ...estimators.noise.result import NoiseReport, SubspaceAlignment
from ...estimators.noise.scalars import scalar_noise
from ...linalg import chance_overlap, subspace_overlap
from ...operators.registry import GRADIENT_COVARIANCE
from ...report.section import FigureSpec, Results, Section
from ...work import Work
from .figures import plot_noise
from .keys import KEYS
from .terminal import render

_BATCHNORM = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def _notes(work: Work) -> list[str]:
    notes = ["model in eval mode (dropout off): each sample's loss depends on that sample only, so "
             "per-sample gradients are well defined"]
    if any(isinstance(m, _BATCHNORM) for m in work.problem.module.modules()):
        notes.append("BatchNorm is evaluated in eval mode (running statistics), not on batch statistics")
    return notes


def compute(work: Work, results: Results) -> NoiseReport | None:
    """None (with a warning) when per-sample gradients are undefined for this model, or when the
    selection holds fewer than 2 samples: a spread needs two, and with one sample every noise quantity
    is rounding residue (tr Σ ~ 1e-17), not a measurement."""
    if work.problem.n_samples < 2:
        work.log.warn(f"noise: not measured: gradient noise needs at least 2 samples and the selection holds "
                      f"{work.problem.n_samples}")
        return None
    moments = work.curvature.gradient_noise
    if moments is None:
        return None
    log = work.log
    top, sigma_top = work.hessian.top, work.curvature.top(GRADIENT_COVARIANCE.name)
    trace_h = work.hessian.trace
    with log.timer("noise"):
        population = work.problem.n_available  # None: unknown, then no finite-population correction
        if population is None:
            log.warn(f"noise: the selection is a seeded subset of N = {moments.n_samples}; η² is de-biased "
                     "(Eq. 4.16) assuming the full data set is much larger (no finite-population correction)")
        if moments.mean_gap > 1e-6:
            log.warn(f"noise: per-sample gradients average to ∇R only within {moments.mean_gap:.1e} relative")
        scalars = scalar_noise(moments, population_size=population, lr=work.settings.lr)
        for reason in scalars.reasons:
            log.warn(f"noise: {reason}")
        coordinates = coordinate_noise(moments, work.problem.layout)
        # Σ and H are both of the selection, on which tr Σ is exact: only tr H carries an error.
        k_hat = noise_curvature_ratio(scalars.trace_sigma, 0.0, float(trace_h.estimate), float(trace_h.stderr))
        if k_hat.reason:
            log.warn(f"noise: {k_hat.reason}")
        k = min(len(top.values), len(sigma_top.values))
        overlap = SubspaceAlignment(
            value=subspace_overlap(sigma_top.vectors, top.vectors), k=k,
            chance=chance_overlap(k, work.problem.d), converged=top.converged and sigma_top.converged)
        return NoiseReport(
            scalars=scalars, coordinates=coordinates, per_sample=work.curvature.per_sample.describe(), k_hat=k_hat,
            overlap=overlap, sigma_top=sigma_top.as_dict()["values"],
            sigma_lanczos=sigma_top.run_summary(), notes=_notes(work))


def to_json(result: NoiseReport | None) -> dict[str, Any]:
    return {"noise": result}


SECTION = Section(
    name="noise", title="Gradient noise", keys=KEYS, compute=compute, to_json=to_json, render_terminal=render,
    figures=(FigureSpec("noise", "Left: share of coordinates whose mini-batch gradient sign is close to a coin "
                                 "flip, by batch size. Right: per-coordinate noise-to-signal η_i² by layer.",
                        plot_noise),))
