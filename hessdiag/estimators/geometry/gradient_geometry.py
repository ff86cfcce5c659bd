"""Gradient norms, gradient density and the improvement ratio of sign descent over GD (thesis §6.5).

- density φ(g) = ‖g‖₁² / (d‖g‖₂²) ∈ [1/d, 1] (Eq. 6.29): 1 when every coordinate has the same
  magnitude, 1/d when one coordinate carries it all. Undefined (None) at g = 0.
- one-step improvements (Lemma 6.2: steepest descent w.r.t. a norm in which R is L-smooth decreases
  R by at least ‖g‖*²/(2L)): I_GD = ‖g‖₂²/L2 (Eq. 6.27) for GD with step 1/L2, and I_sign = ‖g‖₁²/L∞
  (Eq. 6.28) for norm-scaled sign descent θ ← θ − (‖g‖₁/L∞)·sign(g) (Eq. 6.10); the guaranteed
  decreases are half of these (the thesis drops the common ½).
- improvement ratio R = I_sign/I_GD = φ(g)·d·L2/L∞ (Eq. 6.30). With L2 ∈ [L2_lo, L2_hi] (its certified
  bar) and L∞ ∈ [L∞_lo, L∞_hi], R ∈ [φ·d·L2_lo/L∞_hi, φ·d·L2_hi/L∞_lo]: the interval the two intervals
  give, not a confidence interval. R > 1 over the whole interval means sign descent is *guaranteed*
  more progress from this θ than GD — a local statement about one step, not about training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ZERO_GRADIENT = ("the gradient is exactly zero at this θ, so the gradient density and the improvement ratio are "
                 "undefined")


@dataclass(frozen=True)
class GradNorm:
    """‖∇R‖₂ and ‖∇R‖₁ (and ‖∇R‖∞) over the whole selection."""

    l2: float
    l1: float
    linf: float

    def as_dict(self) -> dict:
        return {"l2": self.l2, "l1": self.l1, "linf": self.linf}


def gradient_norms(gradient: np.ndarray) -> GradNorm:
    g = np.asarray(gradient, dtype=np.float64).ravel()
    top = float(np.abs(g).max()) if g.size else 0.0
    l2 = top * float(np.linalg.norm(g / top)) if top > 0 else 0.0  # scaled: no overflow/underflow
    return GradNorm(l2, float(np.abs(g).sum()), top)


def gradient_density(gradient: np.ndarray) -> float | None:
    """φ(g) = ‖g‖₁²/(d‖g‖₂²) (Eq. 6.29), computed on g/‖g‖∞; None when g = 0."""
    g = np.asarray(gradient, dtype=np.float64).ravel()
    top = float(np.abs(g).max()) if g.size else 0.0
    if top == 0.0:
        return None
    u = g / top
    return float(np.abs(u).sum() ** 2 / (g.size * float(u @ u)))


@dataclass(frozen=True)
class ImprovementRatio:
    """R = φ·d·L2/L∞ ∈ [lo, hi] (Eq. 6.30) and the one-step improvements it compares."""

    lo: float
    hi: float
    phi: float
    d: int
    l2: tuple[float, float]
    linf: tuple[float, float]
    improvement_gd: tuple[float, float]
    improvement_sign: tuple[float, float]

    @property
    def favours(self) -> str:
        """"sign" when R > 1 on the whole interval, "euclidean" when R < 1 on it, else "undecided"."""
        if self.lo > 1:
            return "sign"
        if self.hi < 1:
            return "euclidean"
        return "undecided"

    def as_dict(self) -> dict:
        return {"lo": self.lo, "hi": self.hi, "favours": self.favours, "grad_density": self.phi, "d": self.d,
                "L2_interval": list(self.l2), "Linf_interval": list(self.linf),
                "I_gd": list(self.improvement_gd), "I_sign": list(self.improvement_sign),
                "note": "local: guaranteed one-step progress at this θ (Eq. 6.27–6.30), not a training forecast"}


def _div(a: float, b: float) -> float:
    return a / b if b > 0 else float("inf")


def improvement_ratio(norms: GradNorm, phi: float | None, d: int, l2: tuple[float, float],
                      linf: tuple[float, float]) -> tuple[ImprovementRatio | None, str | None]:
    """R's interval from the L2 and L∞ intervals, or (None, reason) when R is undefined."""
    if phi is None:
        return None, ZERO_GRADIENT
    if linf[1] <= 0:
        return None, "L∞ = 0 (the Hessian is zero), so the improvement ratio is undefined"
    l2_lo, l2_hi = max(l2[0], 0.0), l2[1]
    lo = phi * d * l2_lo / linf[1]
    hi = _div(phi * d * l2_hi, linf[0])
    g2, g1 = norms.l2**2, norms.l1**2
    return ImprovementRatio(lo, hi, phi, d, (l2_lo, l2_hi), tuple(linf), (_div(g2, l2_hi), _div(g2, l2_lo)),
                            (_div(g1, linf[1]), _div(g1, linf[0]))), None
