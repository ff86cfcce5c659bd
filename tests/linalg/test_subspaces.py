"""Subspace overlap against principal angles from an SVD in float64 (`linalg.subspaces`).

overlap(U, V) = (1/k) Σ cos² θ_i, the cos θ_i the singular values of U_k V_kᵀ, U_k and V_k the first k =
min(k_u, k_v) rows; 1e-12: a sum of a few squared order-one singular values.
"""

from __future__ import annotations

import pytest
import torch

from hessdiag.linalg.subspaces import chance_overlap, subspace_overlap


def _rows(d: int, k: int, seed: int) -> torch.Tensor:
    q, _ = torch.linalg.qr(torch.randn(d, k, generator=torch.Generator().manual_seed(seed), dtype=torch.float64))
    return q.T


@pytest.mark.parametrize("k_u, k_v", [(3, 3), (2, 5), (6, 3)])
def test_overlap_is_the_mean_squared_cosine_of_the_principal_angles(k_u, k_v):
    shared = _rows(12, 6, 0)  # U and V share part of a 6-dimensional space: cosines strictly between 0 and 1
    u = _rows(6, k_u, 1) @ shared
    v = (_rows(6, k_v, 2) @ shared + 0.3 * _rows(12, k_v, 3))
    v = torch.linalg.qr(v.T)[0].T  # orthonormal rows spanning the same space
    k = min(k_u, k_v)
    cosines = torch.linalg.svdvals(u[:k] @ v[:k].T)
    assert subspace_overlap(u, v) == pytest.approx(float(cosines.pow(2).sum()) / k, abs=1e-12)
    assert subspace_overlap(u, v.to(torch.float32)) == pytest.approx(float(cosines.pow(2).sum()) / k, abs=1e-6)


@pytest.mark.parametrize("k, d, expected", [(3, 12, 0.25), (12, 12, 1.0), (20, 12, 1.0)])
def test_chance_overlap_is_k_over_d_and_at_most_one(k, d, expected):
    """k ≥ d: both subspaces are all of R^d, overlap 1."""
    assert chance_overlap(k, d) == expected
