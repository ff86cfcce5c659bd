"""The Hessian's spectrum under a diagonal preconditioner: Ĥ = P^{-1/2} H P^{-1/2} (SPEC §7).

Preconditioned gradient descent θ ← θ − α P⁻¹∇R is gradient descent in the coordinates u = P^{1/2}θ,
where the Hessian is Ĥ; on the local quadratic model its behaviour is set by Ĥ's spectrum as plain
GD's is by H's. For each matrix M ∈ {H, Ĥ}:

- λ_max(M), the largest eigenvalue (Lanczos with its certified residual, or exact), which sets the
  stable step 2/λ_max;
- λ̄(M) = (1/d) Σ|λ_i(M)| (exact, or stochastic Lanczos quadrature ± one standard error);
- κ_eff(M) = λ_max/λ̄, an effective condition number: with the step 1/λ_max, an eigen-direction of
  curvature λ_i shrinks by the factor (1 − λ_i/λ_max) per step, so the mean per-step rate over
  directions carrying equal error is λ̄/λ_max = 1/κ_eff (|λ_i| for negative curvature, a convention);
- the **rate ratio** κ_eff(H)/κ_eff(Ĥ): how much faster preconditioned GD contracts the local
  quadratic than GD (> 1: the preconditioner helps; it is invariant to the scale of P);
- the **one-step progress ratio** (∇Rᵀ P⁻¹ ∇R / λ_max(Ĥ)) / (‖∇R‖² / λ_max(H)): the decrease of the
  quadratic model along each family's direction at its step 1/λ_max (the guaranteed one-step
  progress, as R(θ) compares sign descent with GD; thesis Eq. 6.27–6.30).

Intervals take the ends of the certified residual of λ_max and of λ̄ ± 1.96 standard errors.
Congruence keeps the inertia (Sylvester): Ĥ has as many positive, zero and negative eigenvalues as H.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ...linalg import (
    Z95,
    CallableMap,
    Interval,
    MeanAbsEigenvalue,
    RitzValue,
    as_linear_map,
    extreme_eigenpairs,
    stochastic_lanczos_quadrature,
)


def preconditioned_map(operator: Any, preconditioner: Tensor) -> CallableMap:
    """v ↦ P^{-1/2} H P^{-1/2} v as a linear map (float64 scaling around the operator's products)."""
    linear_map = as_linear_map(operator)
    scale = preconditioner.to(torch.float64).rsqrt().to(linear_map.device)

    def matmat(vectors: Tensor) -> Tensor:
        inner = (scale[:, None] * vectors.to(torch.float64)).to(linear_map.dtype)
        return scale[:, None] * linear_map.matmat(inner).to(torch.float64)

    return CallableMap(matmat, linear_map.d, linear_map.dtype, linear_map.device)


@dataclass(frozen=True)
class SpectrumSummary:
    """λ_max (with residual), λ̄ (with standard error) and κ_eff = λ_max/λ̄ of one matrix."""

    lambda_max: RitzValue
    mean_abs: MeanAbsEigenvalue
    matvecs: int

    @property
    def condition(self) -> float | None:
        if self.lambda_max.value <= 0 or self.mean_abs.estimate <= 0:
            return None
        return self.lambda_max.value / self.mean_abs.estimate

    def condition_interval(self) -> Interval | None:
        if self.condition is None:
            return None
        top, mean = self.lambda_max, self.mean_abs
        lo_mean, hi_mean = mean.estimate - Z95 * mean.stderr, mean.estimate + Z95 * mean.stderr
        lo = max(top.value - top.residual, 0.0) / hi_mean if math.isfinite(hi_mean) else 0.0
        hi = (top.value + top.residual) / lo_mean if lo_mean > 0 else None
        return Interval(lo, hi)

    def as_dict(self) -> dict:
        iv = self.condition_interval()
        return {"lambda_max": {"value": self.lambda_max.value, "residual": self.lambda_max.residual},
                "mean_abs_eigenvalue": self.mean_abs.as_dict(), "effective_condition": self.condition,
                "effective_condition_interval": None if iv is None else iv.as_list(), "matvecs": self.matvecs}


def summary_from_dense(matrix: np.ndarray, unit_roundoff: float) -> SpectrumSummary:
    """Exact λ_max and λ̄ from the eigenvalues of a dense symmetric matrix."""
    return summary_from_eigenvalues(np.linalg.eigvalsh(0.5 * (matrix + matrix.T)), unit_roundoff)


def summary_from_eigenvalues(values: np.ndarray, unit_roundoff: float) -> SpectrumSummary:
    """λ_max (with the rounding allowance d·ε·max|λ|) and λ̄ from all eigenvalues (ascending)."""
    values = np.asarray(values, dtype=np.float64)
    scale = float(np.max(np.abs(values))) if values.size else 0.0
    top = RitzValue(float(values[-1]), values.size * unit_roundoff * scale)
    mean = MeanAbsEigenvalue(float(np.mean(np.abs(values))), 0.0, "exact", 0)
    return SpectrumSummary(top, mean, 0)


def summary_from_operator(operator: Any, *, generator: torch.Generator, tol: float, max_matvecs: int,
                          probes: int, steps: int) -> SpectrumSummary:
    """λ_max by Lanczos (certified residual) and λ̄ by stochastic Lanczos quadrature (± stderr)."""
    top = extreme_eigenpairs(operator, 1, "largest", tol=tol, max_matvecs=max_matvecs, generator=generator)
    quadrature = stochastic_lanczos_quadrature(operator, probes=probes, steps=steps, generator=generator)
    return SpectrumSummary(top.values[0], quadrature.mean_abs_eigenvalue(), top.matvecs + quadrature.matvecs)


def _divide(a: Interval | None, b: Interval | None) -> Interval | None:
    """[a.lo/b.hi, a.hi/b.lo] for positive intervals (an unknown end stays unknown)."""
    if a is None or b is None:
        return None
    lo = a.lo / b.hi if a.lo is not None and b.hi else None
    hi = a.hi / b.lo if a.hi is not None and b.lo else None
    return Interval(lo, hi)


def rate_ratio(base: SpectrumSummary, preconditioned: SpectrumSummary) -> tuple[float | None, Interval | None]:
    """κ_eff(H)/κ_eff(Ĥ) with its interval (None when either κ_eff is undefined)."""
    if base.condition is None or preconditioned.condition is None:
        return None, None
    return base.condition / preconditioned.condition, _divide(base.condition_interval(),
                                                               preconditioned.condition_interval())


def progress_ratio(gradient: Tensor, preconditioner: Tensor, base: SpectrumSummary,
                   preconditioned: SpectrumSummary) -> tuple[float | None, Interval | None]:
    """(gᵀP⁻¹g/λ_max(Ĥ)) / (‖g‖²/λ_max(H)); None at a zero gradient or a non-positive λ_max."""
    g = gradient.to(torch.float64).cpu()
    sq = float(g @ g)
    if sq == 0 or base.lambda_max.value <= 0 or preconditioned.lambda_max.value <= 0:
        return None, None
    weighted = float(g @ (g / preconditioner.to(torch.float64).cpu())) / sq
    b, p = base.lambda_max, preconditioned.lambda_max
    value = weighted * b.value / p.value
    lo = weighted * max(b.value - b.residual, 0.0) / (p.value + p.residual)
    hi = weighted * (b.value + b.residual) / (p.value - p.residual) if p.value > p.residual else None
    return value, Interval(lo, hi)
