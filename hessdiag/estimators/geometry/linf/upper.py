"""Upper (and the L2) bounds on L∞ = ‖H‖_{∞,1} for symmetric H (thesis §6.4, SPEC §4).

- `abs_sum_bound`: ‖H‖_{∞,1} ≤ ‖H‖_{1,1} = Σ_ij |H_ij| (proof of Prop. 6.4, Eq. C.48; for PSD H it
  equals ρ_diag⁻¹·Σλ_i, Eq. 6.19). Needs every column.
- `eigen_l1_bound`: ‖H‖_{∞,1} ≤ Σ_i |λ_i|·‖v_i‖₁² (Prop. 6.5, Eq. 6.20). Needs the full
  eigendecomposition.
- `dimension_bound`, `l2_lower_bound`: L2 ≤ L∞ ≤ d·L2 (Eq. 6.22), each with the safe end of L2's bar.
- `separable_bound`: if −L ⪯ H ⪯ L for a diagonal L = diag(l) ⪰ 0, then for s, t ∈ [−1, 1]^d

      tᵀHs = ¼[(s+t)ᵀH(s+t) − (s−t)ᵀH(s−t)] ≤ ¼[(s+t)ᵀL(s+t) + (s−t)ᵀL(s−t)] = ½(sᵀLs + tᵀLt) ≤ Σ_i l_i,

  so L∞ = max_{s,t} tᵀHs ≤ tr L — separable smoothness bounds ℓ∞-smoothness (Prop. 6.6, here in the
  two-sided form of §6.4.4, which also covers indefinite H). For any weights w > 0,
  L = ‖W^{-1/2} H W^{-1/2}‖₂·W is such a diagonal (congruence with W^{1/2}), giving

      L∞ ≤ ‖W^{-1/2} H W^{-1/2}‖₂ · Σ_i w_i.

  w = 1 gives d·L2 (Eq. 6.22). w = row sums r_i = Σ_j |H_ij| gives at most ‖H‖_{1,1}: W^{-1/2}|H|W^{-1/2}
  is similar to W^{-1}|H|, whose rows sum to 1, so ‖W^{-1/2}HW^{-1/2}‖₂ ≤ ρ(W^{-1/2}|H|W^{-1/2}) ≤ 1.
  Starting from the better of these two, a few multiplicative steps along the (sub)gradient of log(‖A_w‖₂·Σw) in log w,
  ∂/∂log w_i = w_i/Σw − u_i² (u the unit top eigenvector of A_w), move w toward the best such
  diagonal (the semidefinite-programming dual of the problem). The steps are heuristics; only the
  final value matters, and it is certified (`certified_norm_bound`).

`certified_norm_bound(A, μ)`: ‖A‖₂ ≤ μ' is proved by Cholesky factorisations of μI − A and μI + A
running to completion in floating point: then B + ΔB = RᵀR ⪰ 0 with |ΔB| ≤ γ_{n+1}|Rᵀ||R| (Higham,
*Accuracy and Stability of Numerical Algorithms*, Thm. 10.3), and |Rᵀ||R| ≤ ssᵀ entrywise with
s_i² = (RᵀR)_ii, so ‖ΔB‖₂ ≤ γ_{n+1}(1+γ_{n+1})·tr(B); hence λ_min(B) ≥ −that, and μ' = μ + 2γ_{n+1}·tr(B)
(a factor 2 of headroom for LAPACK's blocked variant and for forming B). Two Cholesky factorisations
cost n³/3 flops each, several times less than a symmetric eigensolve.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import ArpackError, eigsh

from .bounds import Bound

SEPARABLE_STEPS = 15
_DENSE_EIG_MAX = 300  # below this size the steps use a full eigensolve instead of ARPACK
_ARPACK_RESTARTS = 20  # a step whose top eigenvector is not found within this is skipped (near-ties)
_EPS = float(np.finfo(np.float64).eps)


def abs_sum_bound(matrix: np.ndarray) -> Bound:
    """‖H‖_{1,1} = Σ_ij |H_ij| ≥ ‖H‖_{∞,1} (Eq. C.48)."""
    return Bound("upper", "abs_sum", float(np.abs(matrix).sum()), "‖H‖_{1,1} = Σ|H_ij| (Prop. 6.4, Eq. C.48)")


def eigen_l1_bound(eigenvalues: np.ndarray, eigenvectors: np.ndarray) -> Bound:
    """Σ_i |λ_i|·‖v_i‖₁² ≥ ‖H‖_{∞,1} (Prop. 6.5) from a full eigendecomposition (vectors in columns)."""
    value = float(np.sum(np.abs(eigenvalues) * np.abs(eigenvectors).sum(axis=0) ** 2))
    return Bound("upper", "eigen_l1", value, "Σ|λ_i|·‖v_i‖₁² over the full eigendecomposition (Prop. 6.5)")


def dimension_bound(d: int, l2_upper: float) -> Bound:
    """d·L2 ≥ L∞ (Eq. 6.22), with the upper end of L2's certified bar."""
    return Bound("upper", "d_L2", d * float(l2_upper), f"d·L2 (Eq. 6.22) with L2 ≤ {l2_upper:.6g}")


def l2_lower_bound(l2_lower: float) -> Bound:
    """L2 ≤ L∞ (Eq. 6.22), with the lower end of L2's certified bar."""
    return Bound("lower", "L2", max(float(l2_lower), 0.0), "L2 ≤ L∞ (Eq. 6.22), lower end of L2's bar")


def _scaled(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    scale = 1.0 / np.sqrt(weights)
    return matrix * scale[:, None] * scale[None, :]


def _top(matrix: np.ndarray, start: np.ndarray) -> tuple[float, np.ndarray]:
    """Largest |eigenvalue| and its unit eigenvector (a guide for the steps, not a certificate)."""
    if matrix.shape[0] <= _DENSE_EIG_MAX:
        values, vectors = np.linalg.eigh(matrix)
        k = int(np.abs(values).argmax())
        return float(abs(values[k])), vectors[:, k]
    values, vectors = eigsh(matrix, k=1, which="LM", v0=start, tol=1e-4, ncv=20, maxiter=_ARPACK_RESTARTS)
    return float(abs(values[0])), vectors[:, 0]


def certified_norm_bound(matrix: np.ndarray, estimate: float,
                         margins: tuple[float, ...] = (1e-9, 1e-6, 1e-3, 1e-2)) -> float:
    """A proved upper bound on ‖A‖₂ near `estimate` (see the module docstring).

    Tries μ = estimate·(1 + margin) for each margin in turn (the first whose two Cholesky
    factorisations succeed wins); if none does (the estimate was far too low), a full eigensolve —
    backward stable, exact for A + E with ‖E‖₂ ≲ n·ε·‖A‖₂ — gives the bound instead.
    """
    n = matrix.shape[0]
    gamma = (n + 1) * _EPS / 2 / (1 - (n + 1) * _EPS / 2)  # γ_{n+1} with unit roundoff u = ε/2
    base = max(estimate, float(np.abs(matrix).max()) * 1e-12, np.finfo(np.float64).tiny)
    eye = np.eye(n)
    for margin in margins:
        mu = base * (1 + margin)
        try:
            for sign in (1.0, -1.0):
                np.linalg.cholesky(mu * eye - sign * matrix)
        except np.linalg.LinAlgError:
            continue
        return mu + 2 * gamma * (n * mu + abs(float(np.trace(matrix))))
    return float(np.abs(np.linalg.eigvalsh(matrix)).max()) * (1 + n * _EPS)


def separable_bound(matrix: np.ndarray, steps: int = SEPARABLE_STEPS) -> Bound:
    """min over the weights tried of ‖W^{-1/2} H W^{-1/2}‖₂·Σw ≥ L∞ (see the module docstring).

    Rows and columns of H that are entirely zero do not change L∞ and are dropped first.
    Deterministic: ARPACK is started from the previous eigenvector (the all-ones vector first).
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    rows = np.abs(matrix).sum(axis=1)
    keep = rows > 0
    if not keep.any():
        return Bound("upper", "separable", 0.0, "H = 0")
    sub, rows = matrix[np.ix_(keep, keep)], rows[keep]
    n = sub.shape[0]
    best_w, start, taken, best = rows, "row sums Σ_j|H_ij|", 0, 1.0
    try:
        starts = [(_top(_scaled(sub, w), np.ones(n)), w, name)
                  for w, name in ((rows, start), (np.ones(n), "w = 1"))]
        (norm, vector), best_w, start = min(starts, key=lambda c: c[0][0] * c[1].sum())
        best, eta = norm * best_w.sum(), 0.3
        for _ in range(steps):
            step = n * (vector**2 - best_w / best_w.sum())
            trial = best_w * np.exp(np.clip(eta * step, -20.0, 20.0))
            try:
                norm, trial_vector = _top(_scaled(sub, trial), vector)
            except ArpackError:  # no convergence near a multiple top eigenvalue: a shorter step
                eta *= 0.5
                continue
            if norm * trial.sum() < best:
                best, best_w, vector, eta, taken = norm * trial.sum(), trial, trial_vector, eta * 1.2, taken + 1
            else:
                eta *= 0.5
    except (ArpackError, np.linalg.LinAlgError):
        pass  # keep the best weights so far: the certificate below does not depend on the steps
    certified = certified_norm_bound(_scaled(sub, best_w), best / float(best_w.sum()))
    if best_w is rows:
        certified = min(certified, 1.0)  # proved for w = row sums (module docstring)
    how = start if taken == 0 else f"{start}, then {taken} accepted steps"
    return Bound("upper", "separable", certified * float(best_w.sum()),
                 f"‖W^-1/2 H W^-1/2‖₂·Σw with w from {how} (−L ⪯ H ⪯ L, Prop. 6.6 / Eq. 6.22)")
