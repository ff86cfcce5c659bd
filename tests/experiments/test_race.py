"""The tuned race on quadratics whose trajectories are known in closed form."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from hessdiag.experiments.race import FamilyRace, RaceResult, RoundingCheck, label, race_checkpoints, tuned_race
from hessdiag.experiments.race_units import unit_seconds
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


def _heavy_ball(h: list[float], w0: list[float], lr: float, steps: int) -> float:
    """Full-batch SGD with momentum 0.9 on R = ½ Σ h_i w_i² (torch's form: m ← 0.9m + g, w ← w − lr·m)."""
    w, m = list(w0), [0.0] * len(w0)
    for _ in range(steps):
        for i, hi in enumerate(h):
            m[i] = 0.9 * m[i] + hi * w[i] if _ else hi * w[i]
            w[i] -= lr * m[i]
    return 0.5 * sum(hi * wi * wi for hi, wi in zip(h, w))


def test_full_batch_sgdm_follows_the_closed_form_heavy_ball():
    h, w0 = [2.0, 0.5, 0.1], [1.0, -2.0, 3.0]
    problem = _quadratic_problem(h, w0)
    result = tuned_race(problem, 7, {"sgdm": 0.1, "adam": 0.01}, batch_size=3, seeds=1, points=1, extend=0,
                        checkpoints=[3])
    sgdm = result.families["sgdm"]
    for lr, runs in zip(sgdm.lrs, sgdm.losses):
        assert runs[0][0] == pytest.approx(_heavy_ball(h, w0, lr, 3), rel=1e-12)
        assert runs[0][-1] == pytest.approx(_heavy_ball(h, w0, lr, 7), rel=1e-12)


def test_grids_extend_to_an_interior_best_refine_it_and_are_reproducible():
    problem = _quadratic_problem([1.0, 1.0], [1.0, 1.0])
    # sgdm centred 100× too low: the grid walks up to its best; adam centred far too high: it walks down
    result = tuned_race(problem, 20, {"sgdm": 1e-4, "adam": 10.0}, batch_size=2, seeds=2, points=3, spacing=0.5,
                        extend=6)
    sgdm = result.families["sgdm"]
    best = sgdm.best()
    assert 0 < best < len(sgdm.lrs) - 1 and sgdm.edge is None
    assert sgdm.lrs[best] > 1e-3  # far above the centre
    spacing = sorted(math.log10(b / a) for a, b in zip(sgdm.lrs, sgdm.lrs[1:]))
    assert spacing[0] == pytest.approx(0.25)  # the refining midpoints
    again = tuned_race(problem, 20, {"sgdm": 1e-4, "adam": 10.0}, batch_size=2, seeds=2, points=3, spacing=0.5,
                       extend=6)
    assert again.as_dict() == result.as_dict()
    assert result.as_dict()["by_length"]["20"]["ratio"] == result.ratio()


def test_an_exhausted_extension_is_recorded_as_an_edge():
    problem = _quadratic_problem([1.0], [1.0])
    result = tuned_race(problem, 5, {"sgdm": 1e-6, "adam": 1e-6}, batch_size=1, seeds=1, points=1, extend=2)
    assert result.families["sgdm"].edge == "high" and result.families["adam"].edge == "high"


def test_divergence_is_infinite_loss_and_never_the_best():
    problem = _quadratic_problem([1.0, 1e4], [1.0, 1.0])
    result = tuned_race(problem, 150, {"sgdm": 1e-2, "adam": 1e-2}, batch_size=2, seeds=1, points=3, extend=3)
    sgdm = result.families["sgdm"]
    assert any(math.isinf(run[-1]) for runs in sgdm.losses for run in runs)  # lr > 3.8e-4 blows up on λ = 1e4
    assert math.isfinite(sgdm.medians(-1)[sgdm.best()])


def test_labels_and_ratios():
    assert label(1.25) == "sign" and label(1.24) == "tie" and label(0.8) == "euclidean" and label(math.nan) == "tie"
    fam = FamilyRace([0.1, 0.2], [[[3.0], [5.0]], [[2.0], [2.0]]])
    assert fam.medians(-1) == [4.0, 2.0] and fam.best() == 1


@pytest.mark.parametrize("steps, marks", [(1, [1]), (7, [1, 2, 3, 4, 5, 6, 7]), (200, list(range(20, 201, 20)))])
def test_checkpoints_are_every_tenth_of_the_race(steps, marks):
    assert race_checkpoints(steps) == marks


@pytest.mark.parametrize("batch_size", [2, 3, 8])
def test_unit_seconds_times_a_step_and_a_loss_and_leaves_the_problem_as_it_was(batch_size):
    problem = _quadratic_problem([2.0, 0.5, 0.1], [1.0, -2.0, 3.0])
    before = {k: v.clone() for k, v in problem.params.items()}
    units = unit_seconds(problem, batch_size)
    assert 0 < units.step < 10 and 0 < units.loss < 10
    assert all(torch.equal(problem.params[k], v) and not problem.params[k].requires_grad for k, v in before.items())


def test_the_rounding_check_reruns_seed_0_at_the_best_rates_from_a_rounding_level_perturbation():
    problem = _quadratic_problem([2.0, 0.5, 0.1], [1.0, -2.0, 3.0])
    result = tuned_race(problem, 12, {"sgdm": 0.1, "adam": 0.05}, batch_size=3, seeds=2, points=3, extend=1)
    check = result.rounding
    assert check.perturbation == 4 * torch.finfo(torch.float64).eps
    for name, fam in result.families.items():
        before, after = check.final_losses[name]
        assert before == fam.losses[fam.best()][0][-1]
        assert check.change(name) < 1e-12  # a stable quadratic run: the perturbation stays at its size
    assert max(check.change(name) for name in result.families) > 0  # and it was made
    assert check.settled and check.as_dict()["winner_settled"]
    runs = sum(len(f.lrs) for f in result.families.values()) * 2
    assert result.minibatch_steps == (runs + 2) * 12
    again = tuned_race(problem, 12, {"sgdm": 0.1, "adam": 0.05}, batch_size=3, seeds=2, points=3, extend=1)
    assert again.as_dict()["rounding"] == result.as_dict()["rounding"]  # the perturbation is seeded
    assert tuned_race(problem, 12, {"sgdm": 0.1, "adam": 0.05}, batch_size=3, points=1, extend=0,
                      rounding=False).rounding is None


@pytest.mark.parametrize("losses, change, settled", [
    ({"sgdm": (2.0, 2.0), "adam": (1.0, 1.0)}, 0.0, True),
    ({"sgdm": (2.0, 1.0), "adam": (1.0, 1.0)}, 0.5, False),  # ratio 2 (sign) became 1 (tie)
    ({"sgdm": (math.inf, math.inf), "adam": (1.0, 1.1)}, 0.1, True),
    ({"sgdm": (3.0, math.inf), "adam": (1.0, 1.0)}, math.inf, True),  # 3 and inf: both sign
])
def test_the_rounding_check_reads_changes_and_whether_the_winner_holds(losses, change, settled):
    check = RoundingCheck(1e-15, losses)
    assert max(check.change(f) for f in losses) == pytest.approx(change)
    assert check.settled == settled


def test_the_ratio_interval_covers_the_seeds_and_the_rounding_check():
    fams = {"sgdm": FamilyRace([0.1], [[[4.0], [6.0]]]), "adam": FamilyRace([0.01], [[[2.0], [2.0]]])}
    result = RaceResult(1, 2, 2, [1], {"sgdm": 0.1, "adam": 0.01}, fams)
    assert result.ratio_interval() == (2.0, 3.0)  # the two seeds' ratios
    result.rounding = RoundingCheck(1e-15, {"sgdm": (4.0, 9.0), "adam": (2.0, 2.0)})  # chaotic: seed 0 → 4.5
    assert result.ratio_interval() == (2.0, 4.5)
    assert result.as_dict()["ratio_interval"] == [2.0, 4.5] and result.as_dict()["ratio_range"] == [2.0, 3.0]
