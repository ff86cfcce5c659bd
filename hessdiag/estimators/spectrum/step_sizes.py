"""Step sizes implied by the local quadratic model R(θ+δ) ≈ R + gᵀδ + ½ δᵀHδ (SPEC §3, derived).

- `gd_1_over_L2` = 1/L2, L2 = max|λ_i|: the classical 1/L step of L-smooth gradient descent.
- `gd_max_2_over_lmax` = 2/λ_max: GD on the quadratic is stable iff η < 2/λ_max (every eigen-component
  is multiplied by 1 − ηλ_i per step). Null when λ_max is not certified positive.
- `gd_opt` = η* = 2/(λ_min + λ_max): the step minimising the worst rate max_i |1 − ηλ_i| over a
  positive definite spectrum (shared/papers 004, "Understanding Optimisers Through Hessians"). Null
  when λ_min is not certified positive: with λ_min ≤ 0 some direction grows for every η > 0, and the
  formula has no meaning.
- `gd_along_gradient` = η_g = ‖g‖²/gᵀHg: the exact minimiser of the quadratic model along −g
  (Zheng, *A Unified View of Optimizers*, shared/papers 000, Δ_d with d = −ηg). Null at a zero
  gradient or when gᵀHg ≤ 0 (the model then decreases without bound along −g).
- `sign_1_over_Linf` needs L∞ (SPEC §4, section geometry): filled in by `with_sign_step` afterwards.

`intervals` gives each step's range implied by the certified residuals of the eigenvalues it uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from ...linalg import LanczosResult, RitzValue
from .spectral_norm import SpectralNorm


@dataclass(frozen=True)
class StepSizes:
    gd_1_over_L2: float | None
    gd_max_2_over_lmax: float | None
    gd_opt: float | None
    gd_along_gradient: float | None
    sign_1_over_Linf: float | None = None
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    curvature_along_gradient: float | None = None  # gᵀHg / ‖g‖²
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"gd_1_over_L2": self.gd_1_over_L2, "gd_max_2_over_lmax": self.gd_max_2_over_lmax,
                "gd_opt": self.gd_opt, "sign_1_over_Linf": self.sign_1_over_Linf,
                "gd_along_gradient": self.gd_along_gradient,
                "curvature_along_gradient": self.curvature_along_gradient,
                "intervals": {k: list(v) for k, v in self.intervals.items()}}


def basic_steps(l2: float | None, lmax: RitzValue | None, linf_hi: float | None) -> dict[str, float | None]:
    """1/L2; 2/λ_max when λ_max is certified positive (value − residual > 0); and the norm-scaled sign
    step 1/L∞ with the upper end of the L∞ interval (a safe step). None where undefined."""
    return {"gd_1_over_L2": 1.0 / l2 if l2 is not None and l2 > 0 else None,
            "gd_max_2_over_lmax": 2.0 / lmax.value if lmax is not None and lmax.value - lmax.residual > 0 else None,
            "sign_1_over_Linf": 1.0 / linf_hi if linf_hi is not None and 0 < linf_hi < math.inf else None}


def with_sign_step(sizes: StepSizes, linf_hi: float | None) -> StepSizes:
    """The step sizes with the norm-scaled sign step 1/L∞ (upper end of the L∞ interval: safe)."""
    sign = basic_steps(None, None, linf_hi)["sign_1_over_Linf"]
    return sizes if sign is None else replace(sizes, sign_1_over_Linf=sign)


def _reciprocal_interval(scale: float, value: float, residual: float) -> tuple[float, float]:
    lo = value - residual
    return scale / (value + residual), (scale / lo if lo > 0 else math.inf)


def step_sizes(top: LanczosResult, bottom: LanczosResult | None, norm: SpectralNorm,
               gradient_sq_norm: float, gradient_curvature: float | None) -> StepSizes:
    """All step sizes; `gradient_curvature` is gᵀHg (None when the gradient is zero)."""
    notes: list[str] = []
    intervals: dict[str, tuple[float, float]] = {}
    lmax = top.values[0]
    basic = basic_steps(norm.value, lmax, None)
    one_over_l2, two_over_lmax = basic["gd_1_over_L2"], basic["gd_max_2_over_lmax"]
    if one_over_l2 is not None:
        intervals["gd_1_over_L2"] = _reciprocal_interval(1.0, norm.value, norm.residual)
    else:
        notes.append("1/L2 is undefined: the Hessian is 0")
    if two_over_lmax is not None:
        intervals["gd_max_2_over_lmax"] = _reciprocal_interval(2.0, lmax.value, lmax.residual)
    else:
        notes.append(f"2/λ_max is undefined: λ_max = {lmax.value:.3g} is not certified positive")
    optimal = None
    lmin = bottom.values[0] if bottom is not None and bottom.values else None
    if lmin is None:
        notes.append("η* = 2/(λ_min+λ_max) needs the bottom eigenvalue, which was not computed")
    elif lmin.value - lmin.residual <= 0 or lmax.value - lmax.residual <= 0:
        notes.append(f"η* = 2/(λ_min+λ_max) assumes a positive definite Hessian; here λ_min = {lmin.value:.3g} "
                     f"± {lmin.residual:.2g} is not certified positive, so it is null")
    else:
        optimal = 2.0 / (lmin.value + lmax.value)
        intervals["gd_opt"] = _reciprocal_interval(2.0, lmin.value + lmax.value, lmin.residual + lmax.residual)
    along = curvature = None
    if gradient_curvature is None or gradient_sq_norm == 0:
        notes.append("‖g‖²/gᵀHg is undefined at a zero gradient")
    else:
        curvature = gradient_curvature / gradient_sq_norm
        if gradient_curvature > 0:
            along = gradient_sq_norm / gradient_curvature
        else:
            notes.append(f"‖g‖²/gᵀHg is null: the curvature along the gradient gᵀHg/‖g‖² = {curvature:.3g} "
                         "is ≤ 0, so the quadratic model has no minimiser along −g")
    return StepSizes(one_over_l2, two_over_lmax, optimal, along, None, intervals, curvature, tuple(notes))
