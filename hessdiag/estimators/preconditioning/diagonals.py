"""The diagonal preconditioners P whose effect on the Hessian the report measures (SPEC §7).

- `adam_diagonal`: P = √diag(EF) + ε, EF = (1/N) Σ_n g_n g_nᵀ the empirical Fisher of the per-sample
  gradients (its diagonal is the per-sample pass's second moment). Adam's update m/(√v + ε) divides
  by a running root-mean-square of the gradient, so its preconditioner is approximately this
  (Zheng's note on optimizers as curvature approximations; thesis ch. 5). ε = 1e-8, Adam's default.
- `jacobi_diagonal`: P = |diag(H)| + ε·max|diag(H)| — the diagonal of the curvature itself (Jacobi
  preconditioning, what an ideal per-coordinate step size would use); ε = 1e-6 keeps coordinates
  without curvature finite.
- The exact diag(GGN) is `operators.ggn_diagonal` (through `CurvatureFamily.ggn_diagonal`), used in place of
  diag(H) when the dense Hessian is not formed; for many outputs (> plan.ggn_exact_max_outputs)
- `fisher_mc_diagonal` stands in: diag(F_mc) = (1/S) Σ_s Σ_n w_n ĝ_ns², ĝ_ns the gradient of the loss at
  labels sampled from the model (the F_mc operator's labels), an unbiased estimate of diag(G) from
  one per-row pass per label set (E_ŷ[ĝ ĝᵀ] = J_nᵀ Λ_n J_n, thesis Prop. 7.1).
"""

from __future__ import annotations

import torch
from torch import Tensor

from ...load.problem import Batch, Problem
from ...operators.fisher_mc import MonteCarloFisherOperator
from ...operators.per_sample import PerSampleGradients

ADAM_EPS = 1e-8
JACOBI_EPS = 1e-6


def adam_diagonal(second_moment: Tensor, eps: float = ADAM_EPS) -> Tensor:
    """P = √diag(EF) + ε (float64), from diag(EF) = (1/N) Σ_n g_n²."""
    return second_moment.to(torch.float64).clamp_min(0.0).sqrt() + eps


def jacobi_diagonal(diagonal: Tensor, eps: float = JACOBI_EPS) -> Tensor:
    """P = |diag(M)| + ε·max|diag(M)| (float64); all ones when the diagonal vanishes."""
    a = diagonal.to(torch.float64).abs()
    top = float(a.max()) if a.numel() else 0.0
    return a + eps * top if top > 0 else torch.ones_like(a)


def fisher_mc_diagonal(problem: Problem, generator: torch.Generator, samples: int = 1,
                       per_sample: PerSampleGradients | None = None) -> Tensor:
    """diag(F_mc) (float64, (d,)) with `samples` labels per row drawn from the model, from the per-sample
    gradients of the run's path (`per_sample`; BackPACK or torch.func, which forms them as rows of the
    Jacobian where the model cannot run one row at a time: a program exported for one batch size).
    Every real row carries the same weight w (padding rows 0), so Σ_n w_n ĝ_n² = w·Σ_n m_n ĝ_n²."""
    layout = problem.layout
    fisher = MonteCarloFisherOperator(problem, generator, samples)
    path = per_sample if per_sample is not None else PerSampleGradients(problem)

    def batch_part(index: int, batch: Batch, engine) -> Tensor:
        total = torch.zeros(layout.d, dtype=torch.float64, device=problem.device)
        for sampled in fisher.sampled_batches(index, batch):
            squares = torch.cat([block.reshape(-1) for block in engine.batch_sums(sampled).squares])
            total += float(sampled.w.max()) * squares.to(torch.float64)
        return total

    return path.accumulate(batch_part) / samples  # over the batches and the ranks' shards
