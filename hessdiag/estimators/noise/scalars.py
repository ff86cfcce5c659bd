"""Scalar gradient-noise statistics with their uncertainty (SPEC §5; thesis ch. 4).

From `GradientMoments` over N samples (weights 1/N):
- tr Σ = Σ_i Var_n[g_ni] (1/N: the covariance of the per-sample gradients of the selection, as the
  Σ operator); the unbiased T = N/(N−1)·tr Σ is the sum of Eq. 3.30's diagonal variances.
- η² = tr Σ/‖∇R‖² (Eq. 4.9). If the selection is the whole data set, ∇R and Σ are exact and so is
  η² (the interval is the point). If it is a random subset of a larger set (size P, or P = ∞ when
  unknown), ‖ḡ‖² over-estimates ‖∇R‖²: E‖ḡ‖² = ‖∇R‖² + (1 − N/P)·T/N (Eq. 4.16 with the
  finite-population factor), so D = ‖ḡ‖² − (1 − N/P)·T/N is used, and η² = κT/D with κ = (P−1)/P.
- The interval: a Fieller interval (`ratio_intervals`) for κT/D, with variances by the delta method
  from the per-sample features ℓ_n, e_n = ‖g_n − ḡ‖² and h_n = (g_n − ḡ)·ḡ: the influence of T̂ is
  e_n − ē, of ‖ḡ‖² is 2h_n, of R̂ is ℓ_n − R̂; Var(mean) = (1 − N/P)·Var_n/N. Unbounded above when
  the de-biased signal D is not significantly positive — η² is then not identifiable.
- m* = 2η² (Eq. 4.19); CABS m = α·tr Σ/R for a learning rate α (Eq. 4.20, Fieller for T/R);
  γ*(m) = (1 + η²/m)⁻¹ (Eq. 4.11) for reference batch sizes, its interval mapped from η²'s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from ...linalg.intervals import RatioInterval, fieller_interval
from .moments import GradientMoments

REFERENCE_BATCH_SIZES = (1, 8, 32, 128, 512)


@dataclass
class ScalarNoise:
    n_samples: int
    population_size: int | None  # None: an infinite population (subset of an unknown, large set)
    exact: bool
    grad_norm_sq: float
    grad_norm_sq_debiased: float
    trace_sigma: float
    trace_sigma_unbiased: float
    trace_sigma_target: float
    trace_sigma_stderr: float
    eta2: RatioInterval
    eta2_plug_in: float | None
    loss: float
    loss_stderr: float
    lr: float | None
    cabs: RatioInterval | None
    gamma_star: dict[int, tuple[float | None, list[float | None]]]
    method: str
    reasons: list[str] = field(default_factory=list)

    @property
    def m_star(self) -> float | None:
        return None if self.eta2.estimate is None else 2.0 * self.eta2.estimate

    @property
    def m_star_ci(self) -> list[float | None]:
        lo, hi = self.eta2.as_list()
        return [2.0 * lo, None if hi is None else 2.0 * hi]

    def noise_to_signal_dict(self) -> dict:
        return {"estimate": self.eta2.estimate, "ci": self.eta2.as_list(), "ci_level": 0.95,
                "method": self.method, "plug_in": self.eta2_plug_in, "exact": self.exact}

    def batch_size_dict(self) -> dict:
        cabs = self.cabs
        return {
            "m_star": self.m_star, "m_star_ci": self.m_star_ci,
            "cabs": None if cabs is None else cabs.estimate,
            "cabs_ci": None if cabs is None else cabs.as_list(),
            "lr": self.lr,
            "gamma_star": {str(m): {"value": v, "ci": ci} for m, (v, ci) in self.gamma_star.items()},
        }


def _feature_covariance(moments: GradientMoments) -> list[list[float]]:
    """Sample covariance (N−1) of (ℓ_n, e_n, h_n), e_n = ‖g_n − ḡ‖² = a_n − 2c_n + ‖ḡ‖², h_n = c_n − ‖ḡ‖²,
    from Σ w u uᵀ with u = (1, ℓ, a = ‖g‖², c = gᵀḡ): Cov(ℓ, e, h) = T Cov(ℓ, a, c) Tᵀ."""
    f = moments.features
    mean = f[0, 1:]
    cov = f[1:, 1:] - mean[:, None] * mean[None, :]
    transform = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, -2.0], [0.0, 0.0, 1.0]], dtype=cov.dtype, device=cov.device)
    n = moments.n_samples
    return (transform @ cov @ transform.T * (n / (n - 1) if n > 1 else 0.0)).tolist()


def scalar_noise(moments: GradientMoments, *, population_size: int | None, lr: float | None) -> ScalarNoise:
    """η², tr Σ, m*, CABS and γ* with intervals; `population_size` = N means the whole data set."""
    n = moments.n_samples
    exact = population_size is not None and population_size <= n
    fraction = 1.0 if exact else (n / population_size if population_size else 0.0)
    kappa = (population_size - 1) / population_size if population_size else 1.0
    reasons: list[str] = []
    trace_pop, g2 = moments.trace_sigma, moments.grad_norm_sq
    t = trace_pop * n / (n - 1) if n > 1 else math.nan
    c = (1.0 - fraction) / n
    d_hat = g2 - c * t if not exact else g2
    a_hat = kappa * t if not exact else trace_pop
    scale = (1.0 - fraction) / n
    if scale > 0 and not moments.has_projections:
        raise ValueError("intervals on a subset need the per-sample projections gᵀ∇R (projections=True)")
    (v_ll, v_le, v_lh), (_, v_ee, v_eh), (_, _, v_hh) = (
        _feature_covariance(moments) if scale > 0 else [[0.0] * 3] * 3)
    var_t, var_g, cov_tg = scale * v_ee, scale * 4.0 * v_hh, scale * 2.0 * v_eh
    var_d = var_g - 2 * c * cov_tg + c * c * var_t
    var_a, cov_ad = kappa**2 * var_t, kappa * (cov_tg - c * var_t)
    if g2 == 0.0:
        reasons.append("the gradient ∇R is exactly zero at θ: η², m* and γ* are undefined (null)")
        eta2 = RatioInterval(None, math.nan, math.nan, False)
    else:
        eta2 = fieller_interval(a_hat, d_hat, var_a, var_d, cov_ad)
        if not eta2.bounded:
            reasons.append("the gradient is not distinguishable from its noise on this selection "
                           "(de-biased ‖∇R‖² not significantly > 0): η² has no finite upper bound")
    if exact:
        method = "exact: the whole data set (no sampling error)"
    else:
        where = f"of {population_size}" if population_size else "of a much larger set (no finite-population correction)"
        method = (f"subset of N = {n} {where}: ‖∇R‖² de-biased by Eq. 4.16; 95 % Fieller interval "
                  "with delta-method variances over samples")
    loss, var_l = moments.loss, scale * v_ll
    if lr is None:
        cabs = None
        reasons.append("CABS batch size needs a learning rate (--lr): null")
    elif loss <= 0.0:
        cabs = None
        reasons.append("CABS batch size α·tr Σ/R is undefined at a zero loss: null")
    else:
        raw = fieller_interval(a_hat, loss, var_a, var_l, kappa * scale * v_le)
        cabs = RatioInterval(None if raw.estimate is None else lr * raw.estimate, lr * raw.lo, lr * raw.hi, raw.bounded)
    gamma = {}
    for m in REFERENCE_BATCH_SIZES:
        value = None if eta2.estimate is None else 1.0 / (1.0 + eta2.estimate / m)
        lo, hi = eta2.lo, eta2.hi
        ci = [None if math.isnan(hi) else 1.0 / (1.0 + hi / m), None if math.isnan(lo) else 1.0 / (1.0 + lo / m)]
        gamma[m] = (value, ci)
    return ScalarNoise(
        n_samples=n, population_size=population_size, exact=exact, grad_norm_sq=g2,
        grad_norm_sq_debiased=d_hat, trace_sigma=trace_pop, trace_sigma_unbiased=t,
        trace_sigma_target=a_hat, trace_sigma_stderr=math.sqrt(max(var_a, 0.0)),
        eta2=eta2, eta2_plug_in=trace_pop / g2 if g2 > 0 else None, loss=loss,
        loss_stderr=math.sqrt(max(var_l, 0.0)), lr=lr, cabs=cabs, gamma_star=gamma, method=method,
        reasons=reasons,
    )
