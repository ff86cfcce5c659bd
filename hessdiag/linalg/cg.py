"""Damped preconditioned directions by conjugate gradients, and the cosine between two of them.

x = (A + λI)⁻¹ b for a symmetric positive semi-definite operator A (F or EF) and damping λ > 0, by
CG on A + λI (SPD, condition ≤ (λ_max + λ)/λ). The iterate's true residual r = b − (A + λI)x is
recomputed at the end (one more product), and since A + λI ⪰ λI, ‖x − x*‖ ≤ ‖r‖/λ: a certified
error bar on the solution, whatever the iteration did.

For a matrix held densely (small d), `dense_damped_solve` solves exactly and reports the same fields.

cos(x, y) between two such solutions (thesis Fig. 7.3: natural gradient vs EF-preconditioned
gradient) carries the bound |cos(x, y) − cos(x*, y*)| ≤ ∠(x, x*) + ∠(y, y*) (cosine is 1-Lipschitz in
the angle), with sin ∠(x, x*) ≤ e/(‖x‖ − e), e = ‖r‖/λ, when e < ‖x‖; otherwise no bound (None).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from .linear_map import as_linear_map


@dataclass
class CGResult:
    solution: Tensor
    iterations: int
    residual: float  # true relative residual ‖b − (A + λI)x‖ / ‖b‖
    converged: bool
    error_bound: float  # ‖x − x*‖ ≤ error_bound (absolute)

    def as_dict(self) -> dict:
        return {"iterations": self.iterations, "relative_residual": self.residual, "converged": self.converged}


def damped_cg(operator: Any, b: Tensor, damping: float, *, rtol: float = 1e-6, max_iterations: int = 300) -> CGResult:
    """Solve (A + λI) x = b by conjugate gradients in float64 (products in the operator's dtype)."""
    linear_map = as_linear_map(operator, b.shape[0], device=b.device)

    def matvec(v: Tensor) -> Tensor:
        return linear_map.matmat(v.reshape(-1, 1))[:, 0]

    def apply(v: Tensor) -> Tensor:
        return matvec(v).to(torch.float64) + damping * v

    b = b.to(torch.float64)
    b_norm = float(b.norm())
    x = torch.zeros_like(b)
    if b_norm == 0.0:
        return CGResult(x, 0, 0.0, True, 0.0)
    r, p = b.clone(), b.clone()
    rr = float(r @ r)
    iterations = 0
    while iterations < max_iterations and math.sqrt(rr) > rtol * b_norm:
        ap = apply(p)
        alpha = rr / float(p @ ap)
        x = x + alpha * p
        r = r - alpha * ap
        rr_new = float(r @ r)
        p = r + (rr_new / rr) * p
        rr = rr_new
        iterations += 1
    true_residual = float((b - apply(x)).norm())
    return CGResult(x, iterations, true_residual / b_norm, true_residual <= 10 * rtol * b_norm,
                    true_residual / damping)


def _angle_bound(result: CGResult) -> float | None:
    norm = float(result.solution.norm())
    e = result.error_bound
    if e >= norm:
        return None
    return math.asin(min(1.0, e / (norm - e)))


def cosine_with_bound(x: CGResult, y: CGResult) -> tuple[float | None, float | None]:
    """cos(x, y) and a bound on its distance to the cosine of the exact solutions (None: no bound)."""
    nx, ny = float(x.solution.norm()), float(y.solution.norm())
    if nx == 0.0 or ny == 0.0:
        return None, None
    cos = float(x.solution @ y.solution) / (nx * ny)
    ax, ay = _angle_bound(x), _angle_bound(y)
    return cos, (None if ax is None or ay is None else ax + ay)


def dense_damped_solve(matrix: Tensor, b: Tensor, damping: float) -> CGResult:
    """x = (A + λI)⁻¹ b exactly (LU) for a matrix held densely, with its true residual and the bound
    ‖x − x*‖ ≤ ‖r‖/λ (the same meaning as CG's)."""
    a = matrix.to(torch.float64)
    b = b.to(device=a.device, dtype=torch.float64)
    system = a + damping * torch.eye(a.shape[0], dtype=a.dtype, device=a.device)
    x = torch.linalg.solve(system, b)
    residual = float((b - system @ x).norm())
    b_norm = float(b.norm())
    return CGResult(x, 0, residual / b_norm if b_norm > 0 else 0.0, True, residual / damping)
