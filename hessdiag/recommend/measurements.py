"""The plain-number inputs of the recommendation: what was measured, with its uncertainty.

The pipeline fills a `Measurements` from the report; the rules never see tensors, operators or files.
Any field may be None: that measurement was not made (its section was not requested) or is undefined
at this θ (e.g. the gradient density at a zero gradient).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Interval:
    """A closed interval [lo, hi]; either end may be unknown (None)."""

    lo: float | None
    hi: float | None

    def above(self, threshold: float) -> bool:
        return self.lo is not None and self.lo > threshold

    def below(self, threshold: float) -> bool:
        return self.hi is not None and self.hi < threshold

    def as_list(self) -> list[float | None]:
        return [self.lo, self.hi]


@dataclass(frozen=True)
class Estimate:
    """A point estimate with an interval (a confidence interval, or a certified bound pair)."""

    value: float | None
    interval: Interval | None = None


@dataclass(frozen=True)
class Measurements:
    """Everything the rules may use. Names follow SPEC §3–§6."""

    improvement_ratio: Interval | None = None        # R(θ) = φ·d·L2/L∞ (Eq. 6.30)
    rho_diag: Estimate | None = None                  # Σ|H_ii| / Σ|H_ij| (Prop. 6.4)
    outlier_ratio: Estimate | None = None             # λ_max / λ̄ (Eq. 6.23)
    grad_density: float | None = None                 # φ(∇R) (Eq. 6.29)
    noise_to_signal: Estimate | None = None           # η² = tr Σ / ‖∇R‖² (Eq. 4.9)
    coin_flip_share: float | None = None              # share of coordinates with sign agreement ≈ ½
    median_coordinate_eta2: float | None = None       # median η_i² (Eq. 5.7)
    reference_batch: int | None = None                # mini-batch size the two lines above refer to
    ef_over_f_trace: float | None = None              # tr(EF) / tr(F)
    rel_fro_ef_vs_f: float | None = None              # ‖EF − F‖_F / ‖F‖_F
    cos_precond_f_ef: float | None = None             # cos∠((F+λI)⁻¹∇R, (EF+λI)⁻¹∇R)
    lambda_max: Estimate | None = None                # top Hessian eigenvalue (Lanczos, residual bar)
    lambda_min: Estimate | None = None                # bottom Hessian eigenvalue
    L2: Estimate | None = None                        # ‖H‖₂
    Linf: Interval | None = None                      # ‖H‖_{∞,1} ∈ [lo, hi]
    Linf_hi_source: str | None = None                 # which bound gave the upper end ("d_L2": no columns)
    d: int | None = None                              # number of parameters
    m_star: float | None = None                       # 2η² (Eq. 4.19)
    cabs: float | None = None                         # α·tr Σ / R (Eq. 4.20)
