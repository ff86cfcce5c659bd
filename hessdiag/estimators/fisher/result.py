"""The `fisher` section of the report: H vs GGN (= F) vs F_mc vs EF (SPEC §6; thesis ch. 7).

Collects the top-k eigenvalues of each matrix (Lanczos, with residual bounds), their traces with
standard errors, tr(EF)/tr(F), relative Frobenius distances ‖EF − F‖_F/‖F‖_F and ‖F − H‖_F/‖H‖_F,
the overlaps ‖P_A P_B‖_F²/k of their top-k eigenspaces (with the chance level k/d), the cosine between
(F + λI)⁻¹∇R and (EF + λI)⁻¹∇R (Fig. 7.3) with a certified bound from the CG residuals, and the
residual size r(θ) (Prop. 7.2). F denotes the GGN, which equals the Fisher for ce, mse and bce
(Prop. 7.1); F_mc is its Monte-Carlo estimate with labels sampled from the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

from ...linalg import CGResult, Estimate, LanczosResult, chance_overlap, ratio_estimate, subspace_overlap
from ...load.problem import Batch
from ...operators.fisher_mc import MonteCarloFisherOperator
from ...operators.per_sample import PerSampleGradients, PerSamplePath
from ...operators.registry import EMPIRICAL_FISHER, GGN, HESSIAN, MC_FISHER
from .residuals import ResidualSize

_H, _F, _F_MC, _EF = HESSIAN.name, GGN.name, MC_FISHER.name, EMPIRICAL_FISHER.name
OVERLAP_PAIRS = {"GGN_vs_H": (_F, _H), "EF_vs_F": (_EF, _F), "F_mc_vs_F": (_F_MC, _F), "EF_vs_H": (_EF, _H)}


def mc_fisher_trace(per_sample: PerSampleGradients, operator: MonteCarloFisherOperator) -> Estimate:
    """tr F_mc = (1/S) Σ_s Σ_n w_n ‖ĝ_ns‖² = (1/S) Σ_s Σ_i Σ_n w_n ĝ_nsi², exactly, from the per-sample
    sums of squares at the sampled labels."""

    def per_batch(index: int, batch: Batch, path: PerSamplePath) -> Tensor:
        total = torch.zeros(1, dtype=torch.float64, device=batch.w.device)
        weight = float(batch.w.max())  # every real row carries w_n = 1/N; the sums skip padding rows
        for sampled in operator.sampled_batches(index, batch):
            total += weight * sum(float(s.to(torch.float64).sum()) for s in path.batch_sums(sampled).squares)
        return total / operator.samples

    value = float(per_sample.accumulate(per_batch)[0])
    return Estimate(value, 0.0, f"exact for F_mc (per-sample gradients, {per_sample.path})")


@dataclass
class PreconditionedCosine:
    value: float | None
    error_bound: float | None
    damping: float
    damping_source: str
    cg_F: CGResult
    cg_EF: CGResult

    def as_dict(self) -> dict:
        return {"value": self.value, "damping": self.damping, "damping_source": self.damping_source,
                "error_bound": self.error_bound, "cg": {"F": self.cg_F.as_dict(), "EF": self.cg_EF.as_dict()}}


@dataclass
class FisherComparison:
    top: dict[str, LanczosResult]
    traces: dict[str, Estimate]
    distances: dict[str, Estimate]
    d: int
    residual: ResidualSize
    cosine: PreconditionedCosine | None
    mc_samples: int
    probes: int | None
    notes: list[str] = field(default_factory=list)

    @property
    def ef_over_f(self) -> Estimate:
        return ratio_estimate(self.traces[_EF], self.traces[_F])

    def overlaps(self) -> dict[str, dict]:
        out = {}
        for key, (a, b) in OVERLAP_PAIRS.items():
            u, v = self.top[a].vectors, self.top[b].vectors
            k = min(u.shape[0], v.shape[0])
            out[key] = {"value": subspace_overlap(u, v), "k": k, "chance": chance_overlap(k, self.d)}
        return out

    def as_dict(self) -> dict:
        ratio = self.ef_over_f
        return {
            "top": {name: result.as_dict()["values"] for name, result in self.top.items()},
            "lanczos": {name: result.run_summary() for name, result in self.top.items()},
            "trace": {name: self.traces[name].as_dict() for name in self.top},
            "EF_over_F_trace": ratio.estimate,
            "EF_over_F_trace_stderr": ratio.stderr,
            "rel_fro": {key: value.as_dict() for key, value in self.distances.items()},
            "overlap": self.overlaps(),
            "cos_precond_F_EF": None if self.cosine is None else self.cosine.as_dict(),
            "residual_size": self.residual.total,
            "residual_size_mean": self.residual.mean,
            "F_mc_samples": self.mc_samples,
            "probes": self.probes,
            "notes": list(self.notes),
        }
