"""Damped CG and the dense damped solve against `torch.linalg.solve` in float64: the reported error bound
is the certified one, ‖x − x*‖ ≤ ‖b − (A + λI)x‖/λ (A + λI ⪰ λI), recomputed here from the dense matrix;
it must hold, and equal that residual over λ to rounding (1e-8 relative: the residual of an exact solve
is itself rounding, ~1e-15‖b‖, known to a few digits)."""

from __future__ import annotations

import math

import pytest
import torch

from hessdiag.linalg.cg import cosine_with_bound, damped_cg, dense_damped_solve


def _spd(d: int, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(d, d, generator=gen, dtype=torch.float64))
    return q @ torch.diag(torch.logspace(0, -3, d, dtype=torch.float64)) @ q.T


@pytest.mark.parametrize("iterations", [3, 500])
def test_cg_error_bound_is_the_true_residual_over_the_damping(iterations):
    a, lam = _spd(25, 0), 1e-2
    b = torch.randn(25, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    system = a + lam * torch.eye(25, dtype=torch.float64)
    got = damped_cg(lambda v: a @ v, b, lam, rtol=1e-10, max_iterations=iterations)
    residual = float((b - system @ got.solution).norm())
    assert got.residual == pytest.approx(residual / float(b.norm()), rel=1e-8)
    assert got.error_bound == pytest.approx(residual / lam, rel=1e-8)
    assert float((got.solution - torch.linalg.solve(system, b)).norm()) <= got.error_bound
    assert got.converged == (iterations == 500)


def test_dense_solve_reports_the_same_certified_bound():
    a, lam = _spd(20, 5), 1e-3
    b = torch.randn(20, generator=torch.Generator().manual_seed(6), dtype=torch.float64)
    system = a + lam * torch.eye(20, dtype=torch.float64)
    got = dense_damped_solve(a, b, lam)
    residual = float((b - system @ got.solution).norm())
    assert got.error_bound == pytest.approx(residual / lam, rel=1e-6)
    assert got.error_bound > 0 and got.converged and got.iterations == 0


def test_cosine_bound_is_the_sum_of_the_two_angle_bounds():
    """sin ∠(x, x*) ≤ e/(‖x‖ − e) for each solution, and the cosine moves by at most the two angles."""
    a, c, lam = _spd(25, 0), _spd(25, 2), 1e-2
    b = torch.randn(25, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    x = damped_cg(lambda v: a @ v, b, lam, rtol=1e-10, max_iterations=12)
    y = damped_cg(lambda v: c @ v, b, lam, rtol=1e-10, max_iterations=12)
    cos, bound = cosine_with_bound(x, y)
    assert bound is not None and 0 < bound < 0.5  # an informative bound, short of convergence
    angles = [math.asin(min(1.0, r.error_bound / (float(r.solution.norm()) - r.error_bound))) for r in (x, y)]
    assert bound == pytest.approx(sum(angles), rel=1e-12)
    xs = torch.linalg.solve(a + lam * torch.eye(25, dtype=torch.float64), b)
    ys = torch.linalg.solve(c + lam * torch.eye(25, dtype=torch.float64), b)
    assert abs(cos - float(xs @ ys / (xs.norm() * ys.norm()))) <= bound
