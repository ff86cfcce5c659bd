"""Ritz pairs of a Lanczos run and the certified bounds that come with them (SPEC §3).

The Lanczos relation A V = V T + Q_{j+1} B_j E_jᵀ gives, for an eigenpair (θ, s) of T and the Ritz
vector y = V s, the residual A y − θ y = Q_{j+1} B_j s_last, so ‖A y − θ y‖ = ‖B_j s_last‖ =: ρ
(s_last: the last p entries of s). Two bounds follow for symmetric A (Parlett, *The Symmetric
Eigenvalue Problem*, 1998):

- residual (Thm. 4.5.1): some eigenvalue λ of A has |λ − θ| ≤ ρ;
- gap, Kato–Temple (Thm. 10.6.1 / Lehmann's intervals §10.5): if no eigenvalue of A other than λ
  (or copies of λ) lies in an interval (a, b) ∋ θ, then θ − ρ²/(b − θ) ≤ λ ≤ θ + ρ²/(θ − a), so
  |λ − θ| ≤ ρ²/δ with δ = min(θ − a, b − θ). Far tighter once ρ ≪ δ: a certified 10⁻³ needs
  ρ ≈ √(10⁻³·δ·|θ|) instead of ρ ≈ 10⁻³·|θ|.

The gap is taken from the neighbouring Ritz values, and only where it is itself certified: a is the
upper end of the lower neighbour's residual interval, b the lower end of the upper neighbour's, and
θ's own residual interval must lie strictly inside (a, b) (the neighbours' intervals are separated
from it). The extreme Ritz value has no neighbour beyond it (b = +∞ for the largest, a = −∞ for the
smallest); the innermost one of T always needs a neighbour, which exists only while T has a further
Ritz value, or when the basis spans the whole space. What the neighbours cannot exclude is an
eigenvalue that the Krylov space has not seen at all (a start vector orthogonal to its eigenvector):
with Gaussian starts that has probability zero, as for the residual bound's pairing of θ_i with λ_i.

Rounding: each bound carries an allowance η = n·ε·|T|max (n basis vectors, ε the unit roundoff of
the products' and the basis' dtype; the computed Ritz values are exact for a perturbation of A of
that order, Paige 1976) plus the norms of columns dropped at breakdowns (the relation's own error):
residual bound ρ + η, gap bound (ρ + η)²/δ + η, with the neighbours' intervals widened by η as well.
The reported bar is the smaller of the two, and `bound` names it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg import eig_banded, eigh

GAP_MARGIN = 2.0  # a gap counts only when it is at least this many residuals wide
ZERO_FLOOR = 1e-3  # residuals of Ritz values near zero are compared with tol·max(|θ|, ZERO_FLOOR·|T|max)


@dataclass(frozen=True)
class RitzValue:
    """θ ± residual, the certified bar; `bound` says which bound gives it ("residual" or "gap"), and
    `residual_norm` is the plain residual bound ρ + η (None for dense eigenvalues)."""

    value: float
    residual: float
    bound: str = "residual"
    residual_norm: float | None = None

    def as_dict(self) -> dict:
        return {"value": self.value, "residual": self.residual, "bound": self.bound,
                "residual_norm": self.residual if self.residual_norm is None else self.residual_norm}


@dataclass
class RitzPairs:
    """The wanted Ritz pairs of T (in the wanted order) with bounds, and T's whole spectrum."""

    values: list[RitzValue]
    s: np.ndarray  # (n, k) eigenvectors of T of the wanted values
    spectrum: np.ndarray  # all eigenvalues of T, ascending
    scale: float  # max |θ| over T

    def theta(self) -> np.ndarray:
        return np.array([v.value for v in self.values])


def _band(T: np.ndarray, p: int) -> np.ndarray:
    """T's lower band (p + 1 rows) in LAPACK's lower banded storage."""
    n = T.shape[0]
    band = np.zeros((p + 1, n))
    for i in range(p + 1):
        band[i, : n - i] = np.diagonal(T, -i)
    return band


def eigenpairs(T: np.ndarray, count: int, which: str, p: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The `count` extreme eigenpairs of T at the wanted end (in the wanted order) and all its eigenvalues
    (ascending). `p`: T's bandwidth when it is block tridiagonal (banded solver), None for a dense T."""
    n = T.shape[0]
    count = min(count, n)
    lo, hi = (n - count, n - 1) if which == "largest" else (0, count - 1)
    if p is not None and p < n - 1:
        band = _band(T, p)
        spectrum = eig_banded(band, lower=True, eigvals_only=True)
        theta, s = eig_banded(band, lower=True, select="i", select_range=(lo, hi))
    else:
        spectrum, vectors = eigh(T)
        theta, s = spectrum[lo : hi + 1], vectors[:, lo : hi + 1]
    order = np.argsort(theta)[::-1] if which == "largest" else np.argsort(theta)
    return theta[order], s[:, order], np.sort(spectrum)


def gap_bound(theta: float, r: float, below: float, above: float, allowance: float) -> float | None:
    """Kato–Temple: |λ − θ| ≤ r²/δ + η for the one eigenvalue in (below, above), δ = min(θ − below,
    above − θ) — only when δ ≥ GAP_MARGIN·r: θ's own interval [θ − r, θ + r] lies inside (below, above)
    with room to spare (where δ < 2r the gap bound is less than twice as tight as r anyway)."""
    delta = min(theta - below, above - theta)
    if not delta >= GAP_MARGIN * r:
        return None
    return r * r / delta + allowance


def certified(theta: np.ndarray, rho: np.ndarray, allowance: float, which: str, count: int,
              exhausted: bool, block: int) -> list[RitzValue]:
    """Bounds for the first `count` Ritz values θ (wanted order; a further θ is the next neighbour) with
    plain residuals ρ: the residual bound ρ + η, or Kato–Temple where a certified gap makes it smaller.
    Without a further neighbour the innermost value has no certified gap unless the basis spans the
    whole space (`exhausted`). A single vector (`block` 1) gets the residual bound only: it cannot tell
    an eigenvalue from a cluster narrower than its residual, which a block of two shows as two values."""
    r = rho + allowance
    t = theta if which == "largest" else -theta  # work as if 'largest': values descending
    out = []
    for i in range(count):
        above = math.inf if i == 0 else t[i - 1] - r[i - 1]
        below = t[i + 1] + r[i + 1] if i + 1 < len(t) else (-math.inf if exhausted else None)
        gap = None if below is None or block < 2 else gap_bound(t[i], r[i], below, above, allowance)
        if gap is not None and gap < r[i]:
            out.append(RitzValue(float(theta[i]), float(gap), "gap", float(r[i])))
        else:
            out.append(RitzValue(float(theta[i]), float(r[i]), "residual", float(r[i])))
    return out


def resolved(values: list[RitzValue], tol: float, scale: float) -> bool:
    """Every bar ≤ tol·max(|θ|, ZERO_FLOOR·scale)."""
    return all(v.residual <= tol * max(abs(v.value), ZERO_FLOOR * scale) for v in values)


def copies_seen(values: list[RitzValue], spectrum: np.ndarray, bars: np.ndarray, tol: float, scale: float) -> list[int]:
    """For each reported value v ± e (plain residual bar r_v), how many Ritz values θ_j ± r_j of T (all
    of them) cannot be told apart from it (|θ_j − v| ≤ e + r_j) among those resolved at least as well as
    v itself (r_j ≤ max(r_v, tol·max(|θ_j|, ZERO_FLOOR·scale))): the copies of one eigenvalue it shows."""
    out = []
    for v in values:
        own = v.residual if v.residual_norm is None else v.residual_norm
        settled = bars <= np.maximum(own, tol * np.maximum(np.abs(spectrum), ZERO_FLOOR * scale))
        out.append(max(1, int(np.sum(settled & (np.abs(spectrum - v.value) <= v.residual + bars)))))
    return out
