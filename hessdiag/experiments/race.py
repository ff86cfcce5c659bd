"""The race: a few full-batch steps of both families from the checkpoint (SPEC §7).

Gradient descent θ ← θ − α_GD ∇R with α_GD = 1/L2, and norm-scaled sign descent
θ ← θ − α_sign ‖∇R‖₁ sign(∇R) with α_sign = 1/L∞ (thesis Eq. 6.10; the upper end of the L∞ interval,
the safe step). These are the steps whose one-step progress the improvement ratio R compares, so the
race checks the local call empirically over a few steps. It measures, it does not decide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

from ..errors import NonFiniteError
from ..load.problem import Problem
from ..operators.gradient import loss_and_gradient


@dataclass(frozen=True)
class RaceResult:
    steps: int
    gd_step: float
    sign_step: float
    gd_losses: list[float]     # R(θ_t), t = 0..steps
    sign_losses: list[float]
    winner: str                # "sign" | "euclidean" | "tie"

    def as_dict(self) -> dict:
        return {"steps": self.steps, "gd_step": self.gd_step, "sign_step": self.sign_step,
                "gd_losses": self.gd_losses, "sign_losses": self.sign_losses, "winner": self.winner}


def _run(problem: Problem, steps: int, direction: Callable[[torch.Tensor], torch.Tensor],
         progress: Callable[[], None] | None) -> list[float]:
    theta = problem.theta.clone()
    current = loss_and_gradient(problem, theta)
    losses = [current.loss]
    for _ in range(steps):
        theta = theta - direction(current.gradient)
        if progress is not None:
            progress()
        try:
            current = loss_and_gradient(problem, theta)
        except NonFiniteError:  # the family diverged: its loss is +inf from here on (null in JSON)
            losses.extend([math.inf] * (steps + 1 - len(losses)))
            break
        losses.append(current.loss)
    return losses


def race(problem: Problem, steps: int, gd_step: float, sign_step: float, *, rtol: float = 1e-9,
         progress: Callable[[], None] | None = None) -> RaceResult:
    """Run both families for `steps` full-batch steps; the winner has the lower final loss."""
    gd = _run(problem, steps, lambda g: gd_step * g, progress)
    sign = _run(problem, steps, lambda g: sign_step * g.abs().sum() * torch.sign(g), progress)
    final_gd, final_sign = gd[-1], sign[-1]
    close = math.isfinite(final_gd - final_sign) and abs(final_gd - final_sign) <= rtol * max(
        abs(final_gd), abs(final_sign), 1e-300)
    if final_gd == final_sign or close:
        winner = "tie"
    else:
        winner = "sign" if final_sign < final_gd else "euclidean"
    return RaceResult(steps, gd_step, sign_step, gd, sign, winner)
