"""Stochastic Lanczos quadrature (SLQ): the spectral density of H and tr(g(H)) for any g (SPEC §3).

For a unit start vector q = z/‖z‖, m Lanczos steps give T_m = Q_mᵀ H Q_m with eigenpairs (θ_j, s_j); the
m-point Gauss rule of the measure μ_q = Σ_i (u_iᵀq)² δ_{λ_i} has nodes θ_j and weights τ_j = s_{1j}²,
the squared FIRST components of T's eigenvectors (Golub & Meurant, *Matrices, Moments and Quadrature*,
2010, Thm. 6.2; the weights PyHessian once got wrong, its issue #17), exact for polynomials of degree
≤ 2m−1. With Rademacher z (‖z‖² = d), zᵀ g(H) z = d Σ_j τ_j g(θ_j), so for n_v probes

    tr(g(H)) ≈ (d/n_v) Σ_l Σ_j τ_{lj} g(θ_{lj}),      φ(t) ≈ (1/n_v) Σ_l Σ_j τ_{lj} N(t; θ_{lj}, σ²)

(Ubaru, Chen & Saad, SIMAX 2017; Ghorbani, Krishnan & Xiao, ICML 2019). The standard error over the
n_v probes (sample standard deviation / √n_v) covers the probe noise; it does not cover the
quadrature error, which vanishes for polynomials of degree < 2m and for m ≥ the number of distinct
eigenvalues, and is small for smooth g; for g = |·| it is largest when many eigenvalues sit near 0.

The probes of one group run in lockstep: each Lanczos step is ONE batched product of all their
current vectors. Each probe keeps its basis in float64 and is fully re-orthogonalised (Gram–Schmidt
twice), so no ghost copies of outliers distort the weights; when all bases would exceed
`basis_bytes` (or there are more than 64 probes), probes run in several groups. A probe whose Krylov
space closes early (β ≈ 0) stops there with an exact rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch
from scipy.linalg import eigh_tridiagonal
from torch import Tensor

from .lanczos import Lanczos, NextBlock
from .linear_map import CountedProducts
from .probes import rademacher

BASIS_BYTES = 512 * 1024**2
MAX_GROUP = 64  # probes per product call
GRID_POINTS = 512
SIGMA_FRACTION = 0.01  # Gaussian kernel width as a fraction of the node range
SIGMA_CUTOFF = 6.0  # the grid extends this many σ beyond the extreme nodes


@dataclass(frozen=True)
class MeanAbsEigenvalue:
    """λ̄ = (1/d) Σ|λ_i| (thesis Eq. 6.23) ± one standard error across probes (0 for `exact`)."""

    estimate: float
    stderr: float
    method: str  # "slq" or "exact"
    probes: int

    def as_dict(self) -> dict:
        return {"estimate": self.estimate, "stderr": self.stderr, "method": self.method, "probes": self.probes}


@dataclass(frozen=True)
class SpectralDensity:
    """φ on a grid (integrates to 1) from the quadrature nodes/weights (weights sum to 1)."""

    grid: np.ndarray
    values: np.ndarray
    nodes: np.ndarray
    weights: np.ndarray
    sigma: float
    method: str
    probes: int
    steps: int
    matvecs: int

    def as_dict(self) -> dict:
        return {"grid": self.grid.tolist(), "values": self.values.tolist(), "nodes": self.nodes.tolist(),
                "weights": self.weights.tolist(), "sigma": self.sigma, "method": self.method,
                "probes": self.probes, "steps": self.steps, "matvecs": self.matvecs}


@dataclass
class Quadrature:
    """One Gauss rule (nodes θ_lj, weights τ_lj) per probe l of the spectral measure of a d×d matrix."""

    nodes: list[np.ndarray]
    weights: list[np.ndarray]
    d: int
    matvecs: int
    method: str = "slq"  # or "exact": one rule holding every eigenvalue with weight 1/d
    steps: int = 0
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_eigenvalues(cls, eigenvalues: np.ndarray, matvecs: int) -> "Quadrature":
        """The exact spectral measure (1/d) Σ δ_{λ_i} of a matrix whose eigenvalues are all known."""
        lam = np.asarray(eigenvalues, dtype=np.float64)
        return cls([lam], [np.full(lam.shape, 1.0 / lam.size)], lam.size, matvecs, "exact", lam.size)

    @property
    def probes(self) -> int:
        return 0 if self.method == "exact" else len(self.nodes)

    def per_probe(self, g: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """d Σ_j τ_lj g(θ_lj) for each probe l: unbiased estimates of tr(g(H))."""
        return np.array([self.d * float(np.sum(w * g(t))) for t, w in zip(self.nodes, self.weights)])

    def trace_of(self, g: Callable[[np.ndarray], np.ndarray]) -> tuple[float, float]:
        """tr(g(H)) ± one standard error across probes (0 when exact)."""
        values = self.per_probe(g)
        if self.method == "exact":
            return float(values[0]), 0.0
        stderr = float(np.std(values, ddof=1) / math.sqrt(values.size)) if values.size > 1 else math.inf
        return float(values.mean()), stderr

    def mean_abs_eigenvalue(self) -> MeanAbsEigenvalue:
        """λ̄ = (1/d) tr(|H|), quadrature with g = |·| (thesis Eq. 6.23)."""
        total, stderr = self.trace_of(np.abs)
        return MeanAbsEigenvalue(total / self.d, stderr / self.d, self.method, self.probes)

    def density(self, points: int = GRID_POINTS, sigma: float | None = None) -> SpectralDensity:
        """φ(t) = Σ_i w_i N(t; θ_i, σ²) on `points` grid points spanning the nodes ± 6σ.

        The weights w_i = τ_i / n_v sum to 1, so φ integrates to 1 up to the Gaussian tails beyond
        6σ (below 1e-8). σ defaults to 1 % of the node range.
        """
        nodes = np.concatenate(self.nodes)
        weights = np.concatenate([w / len(self.weights) for w in self.weights])
        lo, hi = float(nodes.min()), float(nodes.max())
        width = hi - lo if hi > lo else max(abs(hi), 1.0)
        sigma = float(sigma) if sigma is not None else SIGMA_FRACTION * width
        grid = np.linspace(lo - SIGMA_CUTOFF * sigma, hi + SIGMA_CUTOFF * sigma, points)
        values = np.zeros(points)
        for start in range(0, nodes.size, 1024):  # bounded memory: points × 1024 at a time
            t, w = nodes[start : start + 1024], weights[start : start + 1024]
            z = (grid[:, None] - t[None, :]) / sigma
            values += (np.exp(-0.5 * z**2) * w[None, :]).sum(1)
        values /= sigma * math.sqrt(2.0 * math.pi)
        return SpectralDensity(grid, values, nodes, weights, sigma, self.method, self.probes, self.steps,
                               self.matvecs)


def _gauss_rule(alphas: list[float], betas: list[float]) -> tuple[np.ndarray, np.ndarray]:
    if len(alphas) == 1:
        return np.array(alphas), np.ones(1)
    theta, s = eigh_tridiagonal(np.array(alphas), np.array(betas))
    return theta, s[0, :] ** 2


def _lockstep_rules(products: CountedProducts, starts: Tensor, steps: int) -> list[tuple[list[float], list[float]]]:
    """m steps of the shared Lanczos recurrence from each column of `starts` (d, g), one batched
    product per step. Returns (α_1..α_m, β_1..β_{m−1}) per probe; a probe stops early when its β vanishes."""
    run = Lanczos(products, starts, basis_dtype=products.map.dtype)
    active = list(range(starts.shape[1]))
    scale = 0.0
    for j in range(steps):
        blocks = run.step(active)
        betas = [float(w.norm()) for _, w in blocks]
        scale = max(scale, max(abs(float(a[0, 0])) for a, _ in blocks), max(betas))
        keep = [i for i, beta in enumerate(betas) if j + 1 < steps and beta > 1e-12 * max(scale, 1e-300)]
        for i in keep:
            w, beta = blocks[i][1], betas[i]
            run.runs[active[i]].advance(NextBlock(w / beta, np.array([[beta]]), 0.0, 0))
        active = [active[i] for i in keep]
        if not active:
            break
    return list(zip(run.alphas, run.betas))


def probes_at_once(probes: int, steps: int, d: int, basis_bytes: int = BASIS_BYTES) -> int:
    """Probes whose Lanczos runs go in lockstep (one product call of that many vectors per step): as many
    as `basis_bytes` holds bases of m = `steps` float64 vectors of d, at most MAX_GROUP; 1: one at a time."""
    return max(1, min(probes, MAX_GROUP, basis_bytes // max(1, min(steps, d) * d * 8)))


def stochastic_lanczos_quadrature(operator: Any, *, probes: int = 8, steps: int = 64, generator: torch.Generator,
                                  d: int | None = None, device=None, basis_bytes: int = BASIS_BYTES,
                                  progress: Callable[[int, int], None] | None = None) -> Quadrature:
    """n_v = `probes` Rademacher probes, m = `steps` Lanczos steps each (m ≤ d): one Gauss rule per probe."""
    if probes < 2:
        raise ValueError(f"SLQ needs at least 2 probes for a standard error; got {probes}")
    if steps < 1:
        raise ValueError(f"SLQ needs at least 1 Lanczos step; got {steps}")
    products = CountedProducts.of(operator, d, device)
    steps = min(steps, products.d)
    group = probes_at_once(probes, steps, products.d, basis_bytes)
    nodes, weights = [], []
    for start in range(0, probes, group):
        size = min(group, probes - start)
        z = rademacher(products.d, size, generator, products.device)
        for alphas, betas in _lockstep_rules(products, z, steps):
            theta, tau = _gauss_rule(alphas, betas)
            nodes.append(theta)
            weights.append(tau)
        if progress is not None:
            progress(start + size, probes)
    notes = []
    if group < min(probes, MAX_GROUP):
        notes.append(f"SLQ ran its {probes} probes in groups of {group} to keep the Lanczos bases "
                     f"under {basis_bytes / 1024**2:.0f} MiB")
    return Quadrature(nodes, weights, products.d, products.matvecs, "slq", steps, notes)
