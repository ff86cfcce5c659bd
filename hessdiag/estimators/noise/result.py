"""The `noise` section of the report (SPEC §5, §8): scalars, per-coordinate factors, alignment.

Assembled from `noise_scalars.ScalarNoise` (η², tr Σ, batch sizes, with intervals),
`noise_coordinates.CoordinateNoise` (per-coordinate factors per layer, sign agreement) and the
alignment with the Hessian (k̂ = tr Σ/tr H, overlap of the top eigenspaces of Σ and H). `as_dict()`
gives the JSON under the SPEC §8 keys; extra keys carry uncertainties and conventions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .alignment import NoiseCurvatureRatio
from .coordinates import CoordinateNoise
from .scalars import ScalarNoise


@dataclass
class SubspaceAlignment:
    """Overlap ‖P_Σ P_H‖_F²/k of the top-k eigenspaces of Σ and H, with its chance level k/d."""

    value: float
    k: int
    chance: float
    converged: bool
    matrices: str = "Sigma vs H"

    def as_dict(self) -> dict:
        return {"value": self.value, "k": self.k, "chance": self.chance, "converged": self.converged,
                "matrices": self.matrices}


@dataclass
class NoiseReport:
    scalars: ScalarNoise
    coordinates: CoordinateNoise
    per_sample: dict[str, Any]
    k_hat: NoiseCurvatureRatio | None = None
    overlap: SubspaceAlignment | None = None
    sigma_top: list[dict] | None = None
    sigma_lanczos: dict[str, Any] | None = None  # {"matvecs", "converged"} of the Lanczos run on Σ
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        s = self.scalars
        return {
            "noise_to_signal": s.noise_to_signal_dict(),
            "trace_Sigma": s.trace_sigma,
            "trace_Sigma_stderr": s.trace_sigma_stderr,
            "trace_Sigma_unbiased": s.trace_sigma_unbiased,
            "trace_Sigma_convention": "1/N covariance of the per-sample gradients on the selection",
            "grad_norm_sq": s.grad_norm_sq,
            "grad_norm_sq_debiased": s.grad_norm_sq_debiased,
            "batch_size": s.batch_size_dict(),
            "per_coordinate": self.coordinates.overall,
            "per_layer": self.coordinates.per_layer,
            "sign_agreement": self.coordinates.sign_agreement,
            "alignment": {
                "k_hat": None if self.k_hat is None else self.k_hat.as_dict(),
                "overlap": None if self.overlap is None else self.overlap.as_dict(),
                "Sigma_top": self.sigma_top,
                "Sigma_lanczos": self.sigma_lanczos,
            },
            "n_samples": s.n_samples,
            "population_size": s.population_size,
            "per_sample": self.per_sample,
            "notes": list(self.notes),
        }
