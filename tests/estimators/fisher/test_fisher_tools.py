"""The numerical tools of the Fisher comparison and the noise intervals, on matrices with known answers.

- CG: against `torch.linalg.solve` (1e-8: rtol 1e-12 on a condition number ≤ 1e3); the certified
  bound ‖x − x*‖ ≤ ‖r‖/λ must hold after any number of iterations, including a truncated run.
- Randomised traces and distances: with the exact value known, the estimate must lie within 4 of
  its own standard errors (seeded; a 4σ miss has probability 6e-5), and with 4× the probes the
  standard error must shrink (by ≈ 2).
- Overlaps: exact values 1, 0 and the chance level k/d on average.
- Fieller intervals: exact limits for zero variance; coverage by simulation (2 000 normal draws:
  95 % ± 1.5 %, three binomial standard deviations).
"""

from __future__ import annotations

import math

import pytest
import torch

from helpers.cases import CASES
from helpers.problems import problem_for
from hessdiag.estimators.fisher.comparison import compare_matrices
from hessdiag.linalg import dense_damped_solve, dense_matrix, dense_top
from hessdiag.linalg.cg import cosine_with_bound, damped_cg
from hessdiag.linalg.intervals import fieller_interval
from hessdiag.linalg.subspaces import chance_overlap, subspace_overlap
from hessdiag.operators import EmpiricalFisherOperator, GGNOperator, HessianOperator


def _spd(d: int, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(d, d, generator=gen, dtype=torch.float64))
    return q @ torch.diag(torch.logspace(0, -3, d, dtype=torch.float64)) @ q.T


def test_cg_solves_the_damped_system_and_its_bound_holds():
    a, b = _spd(30, 0), torch.randn(30, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    lam = 1e-3
    exact = torch.linalg.solve(a + lam * torch.eye(30, dtype=torch.float64), b)
    full = damped_cg(lambda v: a @ v, b, lam, rtol=1e-12, max_iterations=500)
    assert full.converged and float((full.solution - exact).norm() / exact.norm()) < 1e-8
    short = damped_cg(lambda v: a @ v, b, lam, rtol=1e-12, max_iterations=5)
    assert not short.converged
    assert float((short.solution - exact).norm()) <= short.error_bound
    other = damped_cg(lambda v: _spd(30, 2) @ v, b, lam, rtol=1e-12, max_iterations=500)
    exact_other = torch.linalg.solve(_spd(30, 2) + lam * torch.eye(30, dtype=torch.float64), b)
    true_cos = float(exact @ exact_other / (exact.norm() * exact_other.norm()))
    cos, bound = cosine_with_bound(full, other)
    assert abs(cos - true_cos) <= bound + 1e-12
    cos_short, bound_short = cosine_with_bound(short, other)
    assert bound_short is None or abs(cos_short - true_cos) <= bound_short


def test_exact_and_randomised_comparisons_agree():
    problem = problem_for(CASES[0])  # d = 53
    ops = {"H": HessianOperator(problem), "GGN": GGNOperator(problem), "EF": EmpiricalFisherOperator(problem)}
    pairs = {"EF_vs_F": ("EF", "GGN"), "F_vs_H": ("GGN", "H")}
    exact = compare_matrices(ops, pairs, generator=torch.Generator().manual_seed(0))
    assert exact.probes is None and all(t.stderr == 0 for t in exact.traces.values())
    dense = {k: dense_matrix(op) for k, op in ops.items()}
    assert exact.traces["GGN"].estimate == pytest.approx(float(dense["GGN"].trace()), rel=1e-12)
    assert exact.distances["EF_vs_F"].estimate == pytest.approx(
        float((dense["EF"] - dense["GGN"]).norm() / dense["GGN"].norm()), rel=1e-12)
    few = compare_matrices(ops, pairs, generator=torch.Generator().manual_seed(1), probes=16, exact_dim=0)
    many = compare_matrices(ops, pairs, generator=torch.Generator().manual_seed(2), probes=64, exact_dim=0)
    for result in (few, many):
        for name, est in result.traces.items():
            assert abs(est.estimate - exact.traces[name].estimate) <= 4 * est.stderr, name
        for key, est in result.distances.items():
            assert abs(est.estimate - exact.distances[key].estimate) <= 4 * est.stderr, key
    assert many.traces["H"].stderr < few.traces["H"].stderr
    assert many.distances["EF_vs_F"].stderr < few.distances["EF_vs_F"].stderr
    assert many.products == 64 * 3


def test_subspace_overlap_limits():
    q, _ = torch.linalg.qr(torch.randn(40, 40, generator=torch.Generator().manual_seed(3), dtype=torch.float64))
    u, v = q[:, :4].T, q[:, 4:8].T
    assert subspace_overlap(u, u) == pytest.approx(1.0, abs=1e-12)
    assert subspace_overlap(u, v) == pytest.approx(0.0, abs=1e-12)
    assert subspace_overlap(u, torch.cat([u[:2], v[:2]])) == pytest.approx(0.5, abs=1e-12)
    gen = torch.Generator().manual_seed(4)
    rand = [subspace_overlap(u, torch.linalg.qr(torch.randn(40, 4, generator=gen, dtype=torch.float64))[0].T)
            for _ in range(200)]
    assert sum(rand) / len(rand) == pytest.approx(chance_overlap(4, 40), abs=0.03)


def test_fieller_limits():
    point = fieller_interval(3.0, 2.0, 0.0, 0.0, 0.0)
    assert point.bounded and point.lo == point.hi == 1.5 and point.estimate == 1.5
    unbounded = fieller_interval(1.0, 0.1, 0.01, 0.01, 0.0)
    assert not unbounded.bounded and math.isinf(unbounded.hi) and unbounded.lo >= 0
    assert fieller_interval(1.0, -0.01, 0.01, 0.01, 0.0).estimate is None
    # a significantly negative denominator of a non-negative ratio: nothing bounded, never [0, 0]
    negative = fieller_interval(1.0, -1.0, 0.01, 0.01, 0.0)
    assert negative.estimate is None and not negative.bounded and negative.lo == 0 and math.isinf(negative.hi)
    signed = fieller_interval(1.0, -1.0, 0.01, 0.01, 0.0, nonnegative=False)
    assert signed.bounded and signed.lo < -1.0 < signed.hi < 0


def test_fieller_coverage():
    gen = torch.Generator().manual_seed(9)
    a_true, d_true, sa, sd, rho = 2.0, 1.0, 0.3, 0.25, 0.4
    cov = torch.tensor([[sa**2, rho * sa * sd], [rho * sa * sd, sd**2]], dtype=torch.float64)
    draws = torch.randn(2000, 2, generator=gen, dtype=torch.float64) @ torch.linalg.cholesky(cov).T
    hits = 0
    for da, dd in draws.tolist():
        interval = fieller_interval(a_true + da, d_true + dd, sa**2, sd**2, rho * sa * sd, nonnegative=False)
        hits += interval.lo <= a_true / d_true <= interval.hi
    assert abs(hits / 2000 - 0.95) < 0.015


def test_dense_top_and_solve():
    """The small-d path: eigenpairs from eigh with residual bars, damped solves by LU."""
    a = _spd(20, 5)
    top = dense_top(a, 3, unit_roundoff=torch.finfo(torch.float64).eps)
    exact = torch.linalg.eigvalsh(a).flip(0)[:3]
    assert [v.value for v in top.values] == pytest.approx(exact.tolist(), rel=1e-12)
    assert all(v.residual < 1e-12 for v in top.values) and top.converged and top.matvecs == 20
    assert float((top.vectors @ top.vectors.T - torch.eye(3, dtype=torch.float64)).abs().max()) < 1e-12
    b = torch.randn(20, generator=torch.Generator().manual_seed(6), dtype=torch.float64)
    solved = dense_damped_solve(a, b, 1e-3)
    reference = torch.linalg.solve(a + 1e-3 * torch.eye(20, dtype=torch.float64), b)
    assert float((solved.solution - reference).norm() / reference.norm()) < 1e-10
    assert solved.converged and solved.residual < 1e-12
