"""Noise–curvature alignment (Zheng: Σ ≈ kH; SPEC §5).

k̂ = tr Σ / tr H, with first-order propagation of both standard errors (independent estimates):
se(k̂)² = (se_Σ/tr H)² + (tr Σ · se_H / tr H²)². When |tr H| is within two standard errors of zero
the ratio is not determined and `reliable` is False; at tr H = 0 it is undefined (None).
The subspace part (overlap of the top eigenspaces of Σ and H) is `subspaces.subspace_overlap`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class NoiseCurvatureRatio:
    estimate: float | None
    stderr: float | None
    reliable: bool
    reason: str | None = None

    def as_dict(self) -> dict:
        return {"estimate": self.estimate, "stderr": self.stderr, "reliable": self.reliable}


def noise_curvature_ratio(trace_sigma: float, trace_sigma_stderr: float, trace_h: float,
                          trace_h_stderr: float) -> NoiseCurvatureRatio:
    """k̂ = tr Σ / tr H with its propagated standard error."""
    if trace_h == 0.0 or not math.isfinite(trace_h):
        return NoiseCurvatureRatio(None, None, False, "tr H is zero or not finite: k̂ = tr Σ/tr H is undefined")
    k = trace_sigma / trace_h
    se = math.hypot(trace_sigma_stderr / trace_h, trace_sigma * trace_h_stderr / trace_h**2)
    reliable = abs(trace_h) > 2.0 * trace_h_stderr
    reason = None if reliable else "tr H is within two standard errors of zero: k̂ is not determined"
    if reliable and trace_h < 0:
        reason = "tr H < 0 (indefinite Hessian): Σ ≈ kH cannot hold with k > 0"
    return NoiseCurvatureRatio(k, se, reliable, reason)
