"""The loss R(θ) and its gradient ∇R(θ) over the whole selection (mean over samples, SPEC §1)."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor
from torch.func import grad_and_value

from ..errors import NonFiniteError
from ..load.problem import Batch, Problem
from .reduction import accumulate


class LossAndGradient(NamedTuple):
    loss: float
    gradient: Tensor  # flat (d,), in the problem's dtype


def loss_and_gradient(problem: Problem, theta: Tensor | None = None) -> LossAndGradient:
    """R(θ) = Σ_batches Σ_n w_n ℓ_n and ∇R(θ), in one pass over the data.

    At the checkpoint by default, or at another flat parameter vector `theta` (same layout).
    """
    params = problem.params if theta is None else problem.layout.unflatten(theta.to(problem.dtype))

    def per_batch(_: int, batch: Batch) -> Tensor:
        g, value = grad_and_value(problem.batch_loss)(params, batch)
        return torch.cat([problem.layout.flatten(g), value.detach().reshape(1)])

    both = accumulate(problem, per_batch)
    value, gradient = float(both[-1]), both[:-1]
    if not torch.isfinite(both).all():
        raise NonFiniteError("the loss or its gradient is NaN/Inf at the checkpoint")
    return LossAndGradient(value, gradient)
