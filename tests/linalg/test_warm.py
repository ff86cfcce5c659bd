"""Warm-started Lanczos (`extreme_eigenpairs(start=...)`, `linalg.warm`) against dense truth.

A = Q diag(λ) Qᵀ in float64 with a known spectrum (d = 300, decaying, with a gap after the top 5) and
B = A + a small symmetric perturbation (‖E‖₂ = 1e-3·λ_max): consecutive checkpoints. Started from A's
top Ritz vectors, Lanczos on B must (1) return eigenvalues within their certified residuals of
`eigvalsh(B)` — the bound holds whatever the start, so this is the same check as for random starts,
with 1e-12 relative slack for the dense solver's rounding — and (2) need fewer products than from a
random start. A block that misses the top eigenvector entirely (A's 2nd..5th) must still find it: the
random share of the start keeps it within reach.
"""

from __future__ import annotations

import torch

from hessdiag.linalg import extreme_eigenpairs
from hessdiag.linalg.warm import warm_start_vector
from hessdiag.rng import generator


def _pair(d: int = 300):
    g = generator(7, "test-warm")
    q, _ = torch.linalg.qr(torch.randn(d, d, generator=g, dtype=torch.float64))
    values = torch.cat([torch.tensor([10.0, 9.0, 8.0, 7.5, 7.0], dtype=torch.float64),
                        3.0 * torch.rand(d - 5, generator=g, dtype=torch.float64) - 1.0])
    a = (q * values) @ q.T
    e = torch.randn(d, d, generator=g, dtype=torch.float64)
    e = (e + e.T) / 2
    b = a + 1e-3 * 10.0 * e / torch.linalg.matrix_norm(e, 2)
    return a, b


def _check_certified(result, matrix, k):
    truth = torch.linalg.eigvalsh(matrix).flip(0)[:k]
    for ritz, exact in zip(result.values, truth.tolist()):
        assert abs(ritz.value - exact) <= ritz.residual + 1e-12 * abs(exact), (ritz, exact)


def test_warm_start_is_certified_and_cheaper():
    a, b = _pair()
    k = 5
    before = extreme_eigenpairs(a, k, "largest", tol=1e-8, generator=generator(0, "a"))
    cold = extreme_eigenpairs(b, k, "largest", tol=1e-8, generator=generator(0, "b"))
    warm = extreme_eigenpairs(b, k, "largest", tol=1e-8, generator=generator(0, "b"), start=before.vectors)
    assert cold.converged and warm.converged
    _check_certified(cold, b, k)
    _check_certified(warm, b, k)
    assert warm.matvecs < cold.matvecs


def test_warm_start_missing_the_top_vector_still_finds_it():
    a, b = _pair()
    exact_vectors = torch.linalg.eigh(a).eigenvectors.flip(1).T  # rows: descending eigenvalues
    result = extreme_eigenpairs(b, 5, "largest", tol=1e-8, generator=generator(0, "b"), start=exact_vectors[1:5])
    assert result.converged
    _check_certified(result, b, 5)


def test_start_vector_is_unit_and_keeps_a_random_share():
    block = torch.eye(4, 50, dtype=torch.float64)
    v = warm_start_vector(block, generator(0, "s"), "cpu")
    assert abs(float(v.norm()) - 1) < 1e-14
    inside = float(v[:4].norm())
    assert 0.9 < inside < 1 and float(v[4:].norm()) > 0.05  # mostly the block, partly random
    empty = warm_start_vector(torch.zeros(1, 50, dtype=torch.float64), generator(0, "s"), "cpu")  # nothing to use
    assert abs(float(empty.norm()) - 1) < 1e-14
