"""The plain-number inputs of the recommendation: what was measured, with its uncertainty.

The recommendation section fills a `Measurements` from the sections' typed results; the rules never
see tensors, operators or files.
Any field may be None: that measurement was not made (its section was not requested) or is undefined
at this θ (e.g. the gradient density at a zero gradient).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..linalg.intervals import Interval


@dataclass(frozen=True)
class Measured:
    """A point value with an interval (a confidence interval, or a certified bound pair)."""

    value: float | None
    interval: Interval | None = None


@dataclass(frozen=True)
class Measurements:
    """Everything the rules may use. Names follow SPEC §3–§6."""

    improvement_ratio: Interval | None = None        # R(θ) = φ·d·L2/L∞ (Eq. 6.30)
    rho_diag: Measured | None = None                  # Σ|H_ii| / Σ|H_ij| (Prop. 6.4)
    outlier_ratio: Measured | None = None             # λ_max / λ̄ (Eq. 6.23)
    grad_density: float | None = None                 # φ(∇R) (Eq. 6.29)
    noise_to_signal: Measured | None = None           # η² = tr Σ / ‖∇R‖² (Eq. 4.9)
    coin_flip_share: float | None = None              # share of coordinates with sign agreement ≈ ½
    median_coordinate_eta2: float | None = None       # median η_i² (Eq. 5.7)
    reference_batch: int | None = None                # mini-batch size the two lines above refer to
    ef_over_f_trace: float | None = None              # tr(EF) / tr(F)
    rel_fro_ef_vs_f: float | None = None              # ‖EF − F‖_F / ‖F‖_F
    cos_precond_f_ef: float | None = None             # cos∠((F+λI)⁻¹∇R, (EF+λI)⁻¹∇R)
    L2: Measured | None = None                        # ‖H‖₂
    Linf: Interval | None = None                      # ‖H‖_{∞,1} ∈ [lo, hi]
    Linf_hi_source: str | None = None                 # which bound gave the upper end ("d_L2": no columns)
    d: int | None = None                              # number of parameters
    m_star: float | None = None                       # 2η² (Eq. 4.19)
    cabs: float | None = None                         # α·tr Σ / R (Eq. 4.20)
    step_sizes: dict[str, float | None] = field(default_factory=dict)  # 1/L2, 2/λ_max, 1/L∞
    # under each family's implicit preconditioner (section preconditioning)
    lambda_max: Measured | None = None                # λ_max(H), certified interval
    adam_rate: Measured | None = None                 # κ_eff(H)/κ_eff(Ĥ), P = √diag(EF)+ε
    adam_progress: Measured | None = None             # one-step progress ratio under that P
    jacobi_rate: Measured | None = None               # κ_eff(H)/κ_eff(Ĥ), P = |diag(H)| (or diag(GGN))
    jacobi_progress: Measured | None = None
    adam_lambda_max: float | None = None              # λ_max(Ĥ) under Adam's P (centre of its race grid)
    # block heterogeneity (section blocks) and class imbalance (section imbalance)
    block_js: Measured | None = None                  # averaged JS divergence of block spectra (nats)
    block_top_spread: Measured | None = None          # log10 max/min of block tops
    class_imbalance: float | None = None              # π_max/π_min
    class_entropy: float | None = None                # H(π)/log C
    # the tuned race (filled by the recommendation stage before the rules run) and stationarity
    race_ratio: Measured | None = None                # best sgdm loss / best adam loss, per-seed range
    race_steps: int | None = None
    stationary: bool = False                          # ‖∇R‖ at rounding level
