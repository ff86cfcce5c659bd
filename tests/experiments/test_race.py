"""The race on quadratics whose winner is known in closed form."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from hessdiag.experiments.race import race
from hessdiag.load import problem_from_objects


def _quadratic_problem(diag: list[float], theta0: list[float]):
    """ℓ = ½‖Wx − 0‖² over the basis vectors x = √(d·h_i) e_i: R(w) = ½ Σ h_i w_i², H = diag(h)."""
    d = len(diag)
    model = nn.Linear(d, 1, bias=False, device="meta").to_empty(device="cpu").to(torch.float64)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([theta0], dtype=torch.float64))
    x = torch.diag(torch.tensor(diag, dtype=torch.float64).mul(d).sqrt())
    y = torch.zeros(d, 1, dtype=torch.float64)
    return problem_from_objects(model, x, y, "mse", dtype="float64", device="cpu")


def test_gd_with_step_one_over_L2_on_isotropic_quadratic_converges_in_one_step():
    problem = _quadratic_problem([2.0, 2.0, 2.0], [1.0, -2.0, 0.5])
    result = race(problem, steps=3, gd_step=1 / 2.0, sign_step=1 / 6.0)
    assert result.gd_losses[1] == pytest.approx(0.0, abs=1e-24)
    assert result.winner == "euclidean"
    assert result.gd_losses[0] == result.sign_losses[0] == pytest.approx(0.5 * 2 * (1 + 4 + 0.25))


def test_sign_wins_on_an_axis_aligned_quadratic_with_equal_coordinates():
    """H = diag(1, 1, 100), θ₀ = (1, 1, 0.01): GD with 1/L2 = 0.01 crawls on the flat coordinates;
    norm-scaled sign descent with 1/L∞ = 1/102 moves all coordinates alike."""
    problem = _quadratic_problem([1.0, 1.0, 100.0], [1.0, 1.0, 0.01])
    result = race(problem, steps=5, gd_step=1 / 100.0, sign_step=1 / 102.0)
    assert result.winner == "sign"
    assert all(b <= a + 1e-15 for a, b in zip(result.sign_losses, result.sign_losses[1:]))


def test_a_family_that_diverges_loses_instead_of_aborting_the_run():
    """A GD step of 1e200 on H = diag(2, 2) overflows the loss: GD's remaining losses are +inf."""
    import math

    problem = _quadratic_problem([2.0, 2.0], [1.0, -1.0])
    result = race(problem, steps=3, gd_step=1e200, sign_step=1 / 4.0)
    assert result.gd_losses[0] == pytest.approx(2.0) and all(math.isinf(v) for v in result.gd_losses[2:])
    assert len(result.gd_losses) == len(result.sign_losses) == 4 and result.winner == "sign"
