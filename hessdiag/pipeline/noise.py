"""Section `noise` (SPEC §5): gradient noise from per-sample gradients, tied to curvature.

Reuses the context's gradient ∇R, its one streaming per-sample pass (`ctx.gradient_noise`), the
Hessian's top-k (`ctx.top`), the trace of H when the context offers one (`ctx.trace`), and the top-k
of Σ (`ctx.sigma_top`). The selection counts as the whole data set unless `--samples` chose a
subset; then η² is de-biased (Eq. 4.16) as for a mini-batch.
"""

from __future__ import annotations

from torch import nn

from ..estimators.alignment import noise_curvature_ratio
from ..estimators.noise import NoiseReport, SubspaceAlignment
from ..estimators.noise_coordinates import coordinate_noise
from ..estimators.noise_scalars import scalar_noise
from ..estimators.subspaces import chance_overlap, subspace_overlap
from .context import Context

IMPLEMENTED = True

_BATCHNORM = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def population_size(ctx: Context) -> int | None:
    """The size of the data set the selection was drawn from (N itself when all of it is used).

    None when unknown (a problem built without recording it): then no finite-population correction.
    """
    return ctx.problem.n_available


def _notes(ctx: Context) -> list[str]:
    notes = ["model in eval mode (dropout off): each sample's loss depends on that sample only, so "
             "per-sample gradients are well defined"]
    if any(isinstance(m, _BATCHNORM) for m in ctx.problem.module.modules()):
        notes.append("BatchNorm is evaluated in eval mode (running statistics), not on batch statistics")
    return notes


def run(ctx: Context) -> None:
    moments = ctx.gradient_noise
    if moments is None:
        return
    top, sigma_top = ctx.top, ctx.sigma_top
    trace_h = ctx.trace
    with ctx.timer("noise"):
        population = population_size(ctx)
        if population is None:
            ctx.warn(f"noise: the selection is a seeded subset of N = {moments.n_samples}; η² is de-biased "
                     "(Eq. 4.16) assuming the full data set is much larger (no finite-population correction)")
        if moments.mean_gap > 1e-6:
            ctx.warn(f"noise: per-sample gradients average to ∇R only within {moments.mean_gap:.1e} relative")
        scalars = scalar_noise(moments, population_size=population, lr=ctx.settings.lr)
        for reason in scalars.reasons:
            ctx.warn(f"noise: {reason}")
        coordinates = coordinate_noise(moments, ctx.problem.layout)
        # Σ and H are both of the selection, on which tr Σ is exact: only tr H carries an error.
        k_hat = noise_curvature_ratio(scalars.trace_sigma, 0.0, float(trace_h.estimate), float(trace_h.stderr))
        if k_hat.reason:
            ctx.warn(f"noise: {k_hat.reason}")
        k = min(len(top.values), len(sigma_top.values))
        overlap = SubspaceAlignment(
            value=subspace_overlap(sigma_top.vectors, top.vectors), k=k,
            chance=chance_overlap(k, ctx.problem.d), converged=top.converged and sigma_top.converged)
        ctx.report.noise = NoiseReport(
            scalars=scalars, coordinates=coordinates, per_sample=ctx.per_sample.describe(), k_hat=k_hat,
            overlap=overlap, sigma_top=sigma_top.as_dict()["values"], notes=_notes(ctx))
