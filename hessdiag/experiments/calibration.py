"""Calibration of the local rule "R > 1 ⇒ sign descent" on Balles' quadratic grid (App. C.4, Fig. 6.3).

For f(θ) = ½ θᵀHθ with H = R^φ Λ (R^φ)*, Λ = diag(1, …, 1, λ_max) and R a Haar rotation
(`scipy.stats.special_ortho_group`, seeded), φ ∈ [0, 1] rotates the eigenvectors away from the
coordinate axes by "a fraction φ of R": R^φ = U D^φ U* from the (complex Schur) eigendecomposition
R = U D U*, which is real and orthogonal for a rotation without eigenvalue −1 (a Haar rotation has
none with probability 1). Every cell (λ_max, φ) and repetition draws its own θ₀ ∼ N(0, I) and uses
the repetition's R; then T = 100 steps of
- GD, θ ← θ − Hθ/L2 with L2 = ‖H‖₂ = λ_max (Eq. 6.5's step 1/L2), and
- norm-scaled sign descent, θ ← θ − (‖g‖₁/L∞)·sign(g) with g = Hθ and L∞ = ‖H‖_{∞,1} exact by
  enumeration (Eq. 6.10),
and the winner is the method with the smaller ‖θ_T‖² = ‖θ_T − θ*‖² (App. C.4: Euclidean distance to
the optimum, which favours GD if anything). A cell's winner is the sign of the mean over repetitions
of log10(‖θ_T^sign‖²/‖θ_T^GD‖²) (distances floored at 1e-300: GD reaches θ* exactly when λ_max = 1).
The prediction is "sign" when the mean over repetitions of R(θ₀) = φ(Hθ₀)·d·L2/L∞ (Eq. 6.30) exceeds
1. The agreement rate is the share of cells where prediction and winner agree; `run_agreement_rate`
is the same per repetition. SPEC §4: R > 1 is a statement about one step from θ₀, so it is only an
imperfect predictor of 100 steps — this is how imperfect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import schur
from scipy.stats import special_ortho_group

from ..errors import ConfigError
from ..estimators.geometry.gradient_geometry import gradient_density
from ..estimators.geometry.linf import linf_by_enumeration
from ..estimators.geometry.rho_diag import rho_diag_dense

LAMBDA_MAX = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0)
PHI = (0.0, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0)
STEPS = 100
MAX_DIM = 20  # exact L∞ enumerates 2^{dim−1} sign vectors for every matrix of the grid
_FLOOR = 1e-300


@dataclass(frozen=True)
class CalibrationCell:
    """One (λ_max, φ) cell, averaged over the repetitions."""

    lambda_max: float
    phi: float
    lambda_ratio: float  # λ_max/λ̄ with λ̄ = (d − 1 + λ_max)/d (Eq. 6.23)
    linf_over_l2: float
    rho_diag: float
    mean_R: float  # mean over repetitions of R(θ₀) (Eq. 6.30)
    R_range: tuple[float, float]  # smallest and largest R(θ₀) over the repetitions
    log10_ratio: float  # mean over repetitions of log10(‖θ_T^sign‖² / ‖θ_T^GD‖²); < 0: sign ahead
    sign_win_share: float  # share of repetitions that sign descent won
    distance_gd: float  # geometric mean of ‖θ_T^GD‖² over repetitions
    distance_sign: float
    winner: str  # "sign", "gd" or "tie"
    predicted: str  # "sign" when mean_R > 1, else "gd"

    @property
    def agrees(self) -> bool:
        return self.winner == self.predicted

    def as_dict(self) -> dict:
        return {"lambda_max": self.lambda_max, "phi": self.phi, "lambda_max_over_mean_abs": self.lambda_ratio,
                "Linf_over_L2": self.linf_over_l2, "rho_diag": self.rho_diag, "mean_R": self.mean_R,
                "R_range": list(self.R_range),
                "log10_distance_ratio": self.log10_ratio, "sign_win_share": self.sign_win_share,
                "distance_gd": self.distance_gd, "distance_sign": self.distance_sign, "winner": self.winner,
                "predicted": self.predicted, "prediction": "R > 1" if self.predicted == "sign" else "R <= 1",
                "agrees": self.agrees}


@dataclass(frozen=True)
class Calibration:
    dim: int
    reps: int
    seed: int
    steps: int
    lambda_max: tuple[float, ...]
    phi: tuple[float, ...]
    cells: list[CalibrationCell] = field(default_factory=list)
    run_agreement_rate: float = float("nan")

    @property
    def agreement_rate(self) -> float:
        return sum(c.agrees for c in self.cells) / len(self.cells)

    def cell(self, lambda_max: float, phi: float) -> CalibrationCell:
        return next(c for c in self.cells if c.lambda_max == lambda_max and c.phi == phi)

    def as_dict(self) -> dict:
        return {"cells": [c.as_dict() for c in self.cells], "agreement_rate": self.agreement_rate,
                "run_agreement_rate": self.run_agreement_rate,
                "settings": {"dim": self.dim, "reps": self.reps, "seed": self.seed, "steps": self.steps,
                             "lambda_max": list(self.lambda_max), "phi": list(self.phi),
                             "gd_step": "1/L2", "sign_step": "‖g‖₁/L∞ (Eq. 6.10)", "L_inf": "exact (enumeration)"},
                "note": "winner: smaller ‖θ_T‖² after T steps from θ₀ ~ N(0, I); prediction: mean R(θ₀) > 1"}


def fractional_rotation(rotation: np.ndarray, phi: float) -> np.ndarray:
    """R^φ = U D^φ U* for a rotation R = U D U* (complex Schur form of a normal matrix: T = D)."""
    upper, unitary = schur(rotation.astype(np.complex128), output="complex")
    power = (unitary * np.diag(upper) ** phi) @ unitary.conj().T
    if np.abs(power.imag).max() > 1e-8:
        raise ValueError("the rotation has an eigenvalue −1; its fractional power is not real")
    return power.real


def quadratic_hessians(rotation: np.ndarray, lambda_max: tuple[float, ...], phi: tuple[float, ...]) -> np.ndarray:
    """H[p, l] = R^φ_p Λ_l (R^φ_p)ᵀ with Λ_l = diag(1, …, 1, λ_l): shape (len(phi), len(λ), d, d)."""
    d = rotation.shape[0]
    out = np.empty((len(phi), len(lambda_max), d, d))
    for p, f in enumerate(phi):
        q = fractional_rotation(rotation, f)
        for k, lam in enumerate(lambda_max):
            eig = np.ones(d)
            eig[-1] = lam
            h = (q * eig) @ q.T
            out[p, k] = 0.5 * (h + h.T)
    return out


def _gd(h: np.ndarray, theta: np.ndarray, l2: np.ndarray, steps: int) -> np.ndarray:
    for _ in range(steps):
        theta = theta - np.einsum("...ij,...j->...i", h, theta) / l2[..., None]
    return theta


def _sign_descent(h: np.ndarray, theta: np.ndarray, linf: np.ndarray, steps: int) -> np.ndarray:
    for _ in range(steps):
        g = np.einsum("...ij,...j->...i", h, theta)
        theta = theta - (np.abs(g).sum(axis=-1) / linf)[..., None] * np.sign(g)
    return theta


def calibrate(dim: int = 10, reps: int = 20, seed: int = 0, lambda_max: tuple[float, ...] = LAMBDA_MAX,
              phi: tuple[float, ...] = PHI, steps: int = STEPS) -> Calibration:
    """Run the grid; everything random comes from one `numpy.random.Generator` seeded with `seed`."""
    if not 2 <= dim <= MAX_DIM:
        raise ConfigError(f"--dim must be between 2 and {MAX_DIM} (L∞ is computed exactly by enumerating "
                          f"2^(dim−1) sign vectors); got {dim}")
    if reps < 1:
        raise ConfigError(f"--reps must be at least 1; got {reps}")
    rng = np.random.default_rng(seed)
    hessians, thetas = [], []
    for _ in range(reps):
        hessians.append(quadratic_hessians(special_ortho_group.rvs(dim, random_state=rng), lambda_max, phi))
        thetas.append(rng.standard_normal((len(phi), len(lambda_max), dim)))
    h, theta0 = np.stack(hessians), np.stack(thetas)  # (reps, P, L, d, d), (reps, P, L, d)
    l2 = np.broadcast_to(np.maximum(np.asarray(lambda_max), 1.0), h.shape[:3])
    linf, _ = linf_by_enumeration(h)
    g0 = np.einsum("...ij,...j->...i", h, theta0)
    densities = [gradient_density(g) for g in g0.reshape(-1, dim)]  # H ≻ 0: g₀ = 0 only if θ₀ = 0
    phi0 = np.array([np.nan if x is None else x for x in densities]).reshape(l2.shape)
    ratio = phi0 * dim * l2 / linf  # R(θ₀), Eq. 6.30
    dist_gd = np.maximum((_gd(h, theta0, l2, steps) ** 2).sum(axis=-1), _FLOOR)
    dist_sign = np.maximum((_sign_descent(h, theta0, linf, steps) ** 2).sum(axis=-1), _FLOOR)
    log_ratio = np.log10(dist_sign) - np.log10(dist_gd)
    run_winner = np.sign(log_ratio)  # −1: sign won
    run_predicted = np.where(ratio > 1, -1.0, 1.0)
    rho = rho_diag_dense(h)
    cells = []
    for p, f in enumerate(phi):
        for k, lam in enumerate(lambda_max):
            lr = float(log_ratio[:, p, k].mean())
            mean_r = float(ratio[:, p, k].mean())
            cells.append(CalibrationCell(
                float(lam), float(f), dim * lam / (dim - 1 + lam), float((linf[:, p, k] / l2[:, p, k]).mean()),
                float(rho[:, p, k].mean()), mean_r,
                (float(ratio[:, p, k].min()), float(ratio[:, p, k].max())), lr, float((log_ratio[:, p, k] < 0).mean()),
                float(10 ** np.log10(dist_gd[:, p, k]).mean()), float(10 ** np.log10(dist_sign[:, p, k]).mean()),
                "sign" if lr < 0 else ("gd" if lr > 0 else "tie"), "sign" if mean_r > 1 else "gd"))
    run_agreement = float((run_winner == run_predicted).mean())
    return Calibration(dim, reps, seed, steps, tuple(lambda_max), tuple(phi), cells, run_agreement)
