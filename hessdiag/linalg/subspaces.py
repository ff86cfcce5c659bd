"""Overlap of two k-dimensional subspaces given by orthonormal bases (SPEC §5 alignment, §6).

overlap(A, B) = ‖P_A P_B‖_F² / k = ‖U Vᵀ‖_F² / k = (1/k) Σ_i cos² θ_i, with U, V the (k, d) row
bases and θ_i the principal angles: 1 for equal subspaces, 0 for orthogonal ones, and k/d in
expectation for two independent random subspaces (`chance_overlap`), the level to compare with.
"""

from __future__ import annotations

from torch import Tensor


def subspace_overlap(u: Tensor, v: Tensor) -> float:
    """‖U Vᵀ‖_F² / k for row-orthonormal U (k_u, d) and V (k_v, d), k = min(k_u, k_v)."""
    k = min(u.shape[0], v.shape[0])
    if k == 0:
        return float("nan")
    u, v = u[:k].double(), v[:k].to(device=u.device, dtype=u.dtype).double()
    return float((u @ v.T).pow(2).sum()) / k


def chance_overlap(k: int, d: int) -> float:
    """E ‖P_A P_B‖_F²/k = k/d for independent uniformly random k-dimensional subspaces of R^d."""
    return min(k, d) / d
