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

import pytest
import torch

from hessdiag.linalg import extreme_eigenpairs
from hessdiag.linalg.warm import RANDOM_SHARE, warm_start_vector
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


@pytest.mark.parametrize("random_share", [None, 0.25])
def test_start_vector_is_the_equal_weight_direction_plus_the_stated_random_share(random_share):
    """q₁ ∝ û + μ r̂ (module docstring), û the direction of Σ v_i/‖v_i‖ and r̂ the unit N(0, I) draw of the
    generator: rows of very different norms (and two parallel ones) must count alike, and the least-squares
    coefficients of q₁ on (û, r̂) must have the ratio μ (1e-12: a 2-column float64 solve)."""
    gen = torch.Generator().manual_seed(8)
    rows = torch.randn(3, 30, generator=gen, dtype=torch.float64)
    block = torch.stack([1e3 * rows[0], 1e-3 * rows[1], rows[2], 7 * rows[2]])
    v = warm_start_vector(block, generator(1, "w"), "cpu", random_share=random_share)
    units = rows / rows.norm(dim=1, keepdim=True)
    mean = (units[0] + units[1] + 2 * units[2]) / ((units[0] + units[1] + 2 * units[2]).norm())
    noise = torch.randn(30, generator=generator(1, "w"), dtype=torch.float64)
    coefficients = torch.linalg.lstsq(torch.stack([mean, noise / noise.norm()], dim=1), v[:, None]).solution[:, 0]
    share = RANDOM_SHARE if random_share is None else random_share
    assert float(coefficients[1] / coefficients[0]) == pytest.approx(share, rel=1e-12)
    assert abs(float(v.norm()) - 1) < 1e-14


def test_start_vector_is_reproducible_and_leaves_the_global_rng_alone():
    block = torch.eye(3, 20, dtype=torch.float64)
    state = torch.get_rng_state()
    first = warm_start_vector(block, generator(2, "w"), "cpu")
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(warm_start_vector(block, generator(2, "w"), "cpu"), first)
