"""Extreme eigenvalues of a symmetric map by Lanczos, with certified residuals (SPEC §3).

The recurrence (`lanczos.Lanczos`) gives T_m = Q_mᵀ A Q_m. Its eigenpairs (θ_i, s_i) give Ritz pairs
(θ_i, Q_m s_i) with ‖A Q_m s_i − θ_i Q_m s_i‖ = |β_m s_{m,i}|; for symmetric A some true eigenvalue lies
within that residual of θ_i (Parlett, *The Symmetric Eigenvalue Problem*, Thm. 4.5.1). On breakdown
(β ≈ 0: an invariant subspace) the iteration restarts from a fresh random vector orthogonal to the
basis, which also reveals repeated eigenvalues (a single Krylov space holds one copy of each); the run
then converges only when the newest block has resolved its own wanted values as well.

Each reported residual is |β_m s_{m,i}| plus a rounding allowance m·ε·max|θ| (m steps, ε the unit
roundoff of the products' dtype): in finite precision the Ritz values are exact for a perturbation of
A of that order (Paige), so the bar also covers float32 products.

`dense_top` gives the same result type from a dense matrix (small d): exact eigenpairs by `eigh`,
with the true residuals plus a rounding allowance d·ε·‖A‖₂.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch
from scipy.linalg import eigh_tridiagonal
from torch import Tensor

from .lanczos import Lanczos, orthonormal_start
from .linear_map import CountedProducts, as_linear_map
from .warm import warm_start_vector

# Residuals of Ritz values near zero are compared with tol·max(|θ|, ZERO_FLOOR·max|θ|).
ZERO_FLOOR = 1e-3
DEFAULT_TOL = 1e-4
DEFAULT_MAX_MATVECS = 300
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RitzValue:
    value: float
    residual: float


@dataclass
class LanczosResult:
    """Requested Ritz values (top: descending; bottom: ascending) with residual bounds."""

    which: str
    values: list[RitzValue]
    matvecs: int
    converged: bool
    vectors: Tensor | None = field(default=None, repr=False)  # (k, d) float64 Ritz vectors
    tridiagonal: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def as_dict(self) -> dict:
        return {"values": [{"value": r.value, "residual": r.residual} for r in self.values],
                "matvecs": self.matvecs, "converged": self.converged}


def _extreme_ritz_pairs(alphas: list[float], betas: list[float], k: int, which: str
                        ) -> tuple[np.ndarray, np.ndarray, float]:
    """The k extreme eigenpairs of T (ordered as reported) and max |θ| over all of T.

    Only the wanted eigenpairs are computed (LAPACK stebz/stein through `select='i'`), which keeps
    each step O(m·k) instead of O(m²) for the whole decomposition.
    """
    m = len(alphas)
    if m == 1:
        return np.array(alphas), np.ones((1, 1)), abs(alphas[0])
    a, b = np.array(alphas), np.array(betas)
    k = min(k, m)
    lo, hi = (m - k, m - 1) if which == "largest" else (0, k - 1)
    theta, s = eigh_tridiagonal(a, b, select="i", select_range=(lo, hi))
    other = (0, 0) if which == "largest" else (m - 1, m - 1)
    far = eigh_tridiagonal(a, b, eigvals_only=True, select="i", select_range=other)
    order = np.argsort(theta)[::-1] if which == "largest" else np.argsort(theta)
    scale = float(max(np.max(np.abs(theta)), np.max(np.abs(far))))
    return theta[order], s[:, order], scale


def _resolved(theta: np.ndarray, residuals: np.ndarray, tol: float, scale: float) -> bool:
    return all(r <= tol * max(abs(t), ZERO_FLOOR * scale) for t, r in zip(theta, residuals))


def extreme_eigenpairs(operator: Any, k: int, which: str, *, tol: float = DEFAULT_TOL,
                       max_matvecs: int = DEFAULT_MAX_MATVECS, generator: torch.Generator,
                       d: int | None = None, device: torch.device | None = None,
                       progress: Progress | None = None, start: Tensor | None = None) -> LanczosResult:
    """k extreme eigenvalues ('largest' or 'smallest' algebraic) of a symmetric map.

    `start` (optional): earlier Ritz vectors (k, d) to warm-start from (`warm.warm_start_vector`); the
    residual bounds are certified whatever the start.

    Stops when every requested Ritz value θ_i has |β_m s_{m,i}| ≤ tol·max(|θ_i|, 10⁻³·max|θ|), when
    the Krylov space is the whole space (exact), or after `max_matvecs` products (not converged).
    """
    if which not in ("largest", "smallest"):
        raise ValueError("which must be 'largest' or 'smallest'")
    linear_map = as_linear_map(operator, d, device=device or "cpu")
    d = linear_map.d
    k = min(k, d)
    if k < 1 or max_matvecs < 1:
        raise ValueError(f"lanczos needs k ≥ 1 and max_matvecs ≥ 1; got k = {k}, max_matvecs = {max_matvecs}")
    unit_roundoff = torch.finfo(linear_map.dtype).eps
    limit = min(max_matvecs, d)
    if start is None:
        start = torch.randn(d, generator=generator, dtype=torch.float64).to(linear_map.device)  # normalised by Lanczos
    else:
        start = warm_start_vector(start, generator, linear_map.device)
    run = Lanczos(CountedProducts(linear_map), start[:, None])
    alphas, betas = run.alphas[0], run.betas[0]
    block_start = 0
    tail = None  # (value, residual, further copies) when the last block's complement is one eigenspace
    for j in range(limit):
        alpha, w, beta_t = run.step()
        beta = float(beta_t[0])
        theta, s, scale = _extreme_ritz_pairs(alphas, betas, k, which)
        residuals = np.abs(beta * s[-1, :]) + (j + 1) * unit_roundoff * scale
        values = [RitzValue(float(t), float(r)) for t, r in zip(theta, residuals)]
        converged = len(values) == k and _resolved(theta, residuals, tol, scale)
        if converged and block_start:
            # After a restart the wanted values of the earlier blocks have residual 0 and would pass at
            # once; the new block (the complement) must resolve its own extreme values too, or a
            # further copy of a repeated eigenvalue, or a larger one it has not reached yet, is missed.
            own, own_s, _ = _extreme_ritz_pairs(alphas[block_start:], betas[block_start:], k, which)
            converged = _resolved(own, np.abs(beta * own_s[-1, :]) + (j + 1) * unit_roundoff * scale, tol, scale)
        if progress is not None:
            progress(j + 1, limit)
        breakdown = beta <= 1e-12 * max(scale, 1e-300)
        if breakdown and j == block_start and j + 1 < d:
            # A random vector of the complement is an eigenvector: with probability one the whole
            # complement is one eigenspace, so its eigenvalue α_j has d − j copies and the spectrum is known.
            tail = (float(alpha[0]), float(beta + (j + 1) * unit_roundoff * scale), d - j - 1)
            converged = True
            break
        if j + 1 == limit or (converged and not breakdown):
            if breakdown and j + 1 == limit < d:
                converged = False  # the budget ended at an invariant subspace: its complement is unsearched
            break
        if breakdown:
            # An invariant subspace: its Ritz values are exact, but further copies of a repeated
            # eigenvalue can only be found in its orthogonal complement, so go on there.
            block_start = j + 1
            run.restart(orthonormal_start(d, run.basis[:, 0], generator, linear_map.device))
        else:
            run.advance(torch.zeros(1, dtype=torch.long), w, beta_t)
    m = len(alphas)
    basis = run.basis[:m, 0]
    vectors = torch.from_numpy(np.ascontiguousarray(s.T)).to(basis.device) @ basis
    if tail is not None:
        values, vectors = _with_copies(values, vectors, tail, k, which, basis, generator)
    return LanczosResult(which, values, m, converged, vectors, (np.array(alphas), np.array(betas[: m - 1])))


def _with_copies(values: list[RitzValue], vectors: Tensor, tail: tuple[float, float, int], k: int, which: str,
                 basis: Tensor, generator: torch.Generator) -> tuple[list[RitzValue], Tensor]:
    """The wanted k among the Ritz pairs and further copies of an eigenvalue whose eigenspace is the
    complement of `basis` (their vectors: fresh orthonormal vectors of that complement)."""
    value, residual, copies = tail
    pairs = list(zip(values, vectors))
    found = basis
    for _ in range(min(copies, k)):
        vector = orthonormal_start(basis.shape[1], found, generator, basis.device)
        found = torch.cat([found, vector[None]])
        pairs.append((RitzValue(value, residual), vector))
    pairs.sort(key=lambda pair: -pair[0].value if which == "largest" else pair[0].value)
    kept = pairs[:k]
    return [p[0] for p in kept], torch.stack([p[1] for p in kept])


def lanczos_top_eigenvalues(operator: Any, k: int = 5, *, tol: float = DEFAULT_TOL,
                            max_matvecs: int = DEFAULT_MAX_MATVECS, generator: torch.Generator | None = None,
                            progress: Progress | None = None) -> LanczosResult:
    """Top-k (largest algebraic) eigenvalues, descending, with residual bounds (seed 0 by default)."""
    return extreme_eigenpairs(operator, k, "largest", tol=tol, max_matvecs=max_matvecs,
                              generator=generator or torch.Generator().manual_seed(0), progress=progress)


def lanczos_bottom_eigenvalues(operator: Any, k: int = 5, *, tol: float = DEFAULT_TOL,
                               max_matvecs: int = DEFAULT_MAX_MATVECS, generator: torch.Generator | None = None,
                               progress: Progress | None = None) -> LanczosResult:
    """Bottom-k (smallest algebraic) eigenvalues, ascending, with residual bounds (seed 0 by default)."""
    return extreme_eigenpairs(operator, k, "smallest", tol=tol, max_matvecs=max_matvecs,
                              generator=generator or torch.Generator().manual_seed(0), progress=progress)


def dense_top(matrix: Tensor, k: int, *, unit_roundoff: float) -> LanczosResult:
    """The k largest eigenpairs (descending) of a symmetric matrix held densely, with residual bounds."""
    a = matrix.to(torch.float64)
    d = a.shape[0]
    values, vectors = torch.linalg.eigh(0.5 * (a + a.T))
    order = torch.argsort(values, descending=True)[: min(k, d)]
    top_values, top_vectors = values[order], vectors[:, order]
    scale = float(values.abs().max()) if d else 0.0
    residuals = (a @ top_vectors - top_vectors * top_values).norm(dim=0) + d * unit_roundoff * scale
    ritz = [RitzValue(float(v), float(r)) for v, r in zip(top_values, residuals)]
    return LanczosResult("largest", ritz, d, True, top_vectors.T.contiguous(), (np.array([]), np.array([])))
