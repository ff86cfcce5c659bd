"""The loss R(θ) and its gradient ∇R(θ) over the whole selection (mean over samples, SPEC §1)."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

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
        # plain autograd, not torch.func.grad: the latter imports torch._dynamo (seconds) on first use
        leaves = {name: t.detach().requires_grad_(True) for name, t in params.items()}
        with torch.enable_grad():
            value = problem.batch_loss(leaves, batch)
            grads = (torch.autograd.grad(value, tuple(leaves.values()), allow_unused=True) if value.requires_grad
                     else (None,) * len(leaves))
        g = tuple(torch.zeros_like(t) if d is None else d for d, t in zip(grads, leaves.values()))
        return torch.cat([problem.layout.flatten(g), value.detach().reshape(1)])

    both = accumulate(problem, per_batch)
    value, gradient = float(both[-1]), both[:-1]
    if not torch.isfinite(both).all():
        raise NonFiniteError("the loss or its gradient is NaN/Inf at the checkpoint")
    return LossAndGradient(value, gradient)
