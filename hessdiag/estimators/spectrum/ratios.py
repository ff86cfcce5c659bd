"""Ratios of the spectrum (SPEC §3, derived): the outlier ratio and the condition-like ratio.

- Outlier ratio λ_max/λ̄ with λ_max = max_i |λ_i| = L2 and λ̄ = (1/d) Σ|λ_i|, as in thesis Eq. 6.23
  (λ̄ ≪ λ_max is the second condition under which sign-based methods can compete). Its standard error
  is first-order propagation, ratio · √((se(λ̄)/λ̄)² + (r/L2)²), treating L2's certified residual r as
  if it were a standard error (conservative: r is a bound and is usually far smaller than se(λ̄)).
- Condition-like ratio λ_max/λ_min⁺ of the positive part: λ_max the largest eigenvalue, λ_min⁺ the
  smallest positive one. λ_min⁺ is known when the bottom Ritz values, each with its certified
  residual, separate from 0: the first whose interval lies above 0, all before it certified ≤ 0 (this
  takes the converged bottom-k Ritz values to be the k smallest eigenvalues, which a random Lanczos
  start finds with probability 1). The interval divides the ends of the two certified intervals.
  Otherwise it is null, and the note says why. With the dense spectrum (small d) eigenvalues within the
  rounding floor d·ε·max|λ| of 0 count as 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...linalg import LanczosResult, MeanAbsEigenvalue
from .spectral_norm import SpectralNorm


@dataclass(frozen=True)
class SpectrumRatios:
    outlier: float | None  # L2 / λ̄
    outlier_stderr: float | None
    condition_positive: float | None  # λ_max / λ_min⁺
    condition_interval: tuple[float, float] | None
    lmin_positive: float | None
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        lo, hi = self.condition_interval or (None, None)
        return {"lmax_over_mean_abs": {"value": self.outlier, "stderr": self.outlier_stderr},
                "lmax_over_lmin_positive": {"value": self.condition_positive, "lo": lo, "hi": hi,
                                            "lmin_positive": self.lmin_positive}}


def smallest_positive_from_ritz(bottom: LanczosResult) -> tuple[tuple[float, float] | None, str | None]:
    """(λ_min⁺, residual) from ascending bottom Ritz values, or (None, reason)."""
    for ritz in bottom.values:
        if ritz.value - ritz.residual > 0:
            return (ritz.value, ritz.residual), None
        if ritz.value + ritz.residual > 0:
            return None, (f"the bottom Ritz value {ritz.value:.3g} ± {ritz.residual:.2g} cannot be told from 0, "
                          "so the smallest positive eigenvalue is not certified")
    return None, (f"all {len(bottom.values)} bottom eigenvalues are ≤ 0, so the smallest positive eigenvalue "
                  "is not among them (raise --top-k to look further)")


def smallest_positive_from_dense(eigenvalues: np.ndarray, eps: float) -> tuple[tuple[float, float] | None, str | None]:
    """(λ_min⁺, rounding floor) from all eigenvalues; those within d·ε·max|λ| of 0 count as 0."""
    floor = eigenvalues.size * eps * float(np.abs(eigenvalues).max(initial=0.0))
    positive = eigenvalues[eigenvalues > floor]
    if positive.size == 0:
        return None, "the Hessian has no eigenvalue above the rounding floor: there is no positive part"
    return (float(positive.min()), floor), None


def spectrum_ratios(top: LanczosResult, norm: SpectralNorm, mean_abs: MeanAbsEigenvalue,
                    lmin_positive: tuple[float, float] | None, reason: str | None = None) -> SpectrumRatios:
    """Both ratios; `lmin_positive` is (value, residual) or None with `reason`."""
    notes = []
    outlier = outlier_se = None
    if mean_abs.estimate > 0 and norm.value > 0:
        outlier = norm.value / mean_abs.estimate
        outlier_se = outlier * math.hypot(mean_abs.stderr / mean_abs.estimate, norm.residual / norm.value)
    else:
        notes.append("λ_max/λ̄ is undefined: the estimated mean absolute eigenvalue is 0")
    condition = interval = None
    lmax = top.values[0]
    if lmin_positive is None:
        notes.append(f"λ_max/λ_min of the positive part is null: {reason}")
    elif lmax.value - lmax.residual <= 0:
        notes.append("λ_max/λ_min of the positive part is null: λ_max is not certified positive")
    else:
        lmin, r = lmin_positive
        condition = lmax.value / lmin
        hi = (lmax.value + lmax.residual) / (lmin - r) if lmin > r else math.inf
        interval = ((lmax.value - lmax.residual) / (lmin + r), hi)
    return SpectrumRatios(outlier, outlier_se, condition, interval,
                          lmin_positive[0] if lmin_positive else None, tuple(notes))
