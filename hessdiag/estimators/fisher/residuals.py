"""Residual size r(θ) = Σ_n ‖∇_f log p(y_n | f_n)‖₁ (thesis Prop. 7.2, Eq. 7.16; SPEC §6).

The Hessian and the GGN (= Fisher) differ by Σ_n Σ_m r_n^(m) ∇²_θ f_n^(m) (Eq. D.25), with
r_n = ∇_f ℓ_n the residual of sample n (CE: softmax(f) − onehot(y); MSE: f − y; BCE: σ(f) − y).
For β-smooth outputs ‖∇²R − G‖₂ ≤ β·r(θ) for the *sum* objective (Eq. 7.15); hessdiag's R is the
mean, for which the bound reads ‖H − G‖₂ ≤ β·r(θ)/N, so the mean r(θ)/N is reported beside the sum
(with the weights of the objective: Σ_n w_n ‖r_n‖₁, i.e. r(θ)/M for the token losses).
F → H as the residuals vanish, while the EF (built from the residuals) → 0. Computed by one
backward pass per batch to the outputs; padding rows (w_n = 0) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ...load.problem import Batch, Problem
from ...operators.reduction import accumulate


@dataclass(frozen=True)
class ResidualSize:
    total: float  # Σ_n ‖∇_f ℓ_n‖₁ (Eq. 7.16)
    mean: float  # Σ_n w_n ‖∇_f ℓ_n‖₁: total / N for the mean losses, total / M for the token losses

    def as_dict(self) -> dict:
        return {"sum": self.total, "mean": self.mean}


def residual_size(problem: Problem) -> ResidualSize:
    def per_batch(_: int, batch: Batch) -> Tensor:
        with torch.enable_grad():
            out = problem.forward(problem.params, batch.x).detach().requires_grad_(True)
            losses = problem.loss.per_sample(out, batch.y)
            (residual,) = torch.autograd.grad(losses.sum(), out)
        l1 = residual.reshape(batch.size, -1).abs().sum(1).to(torch.float64)
        return torch.stack([(l1 * batch.real).sum(), (l1 * batch.w.to(torch.float64)).sum()])

    total, weighted = accumulate(problem, per_batch).tolist()
    return ResidualSize(total, weighted)
