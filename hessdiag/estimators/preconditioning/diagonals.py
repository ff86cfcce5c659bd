"""The diagonal preconditioners P whose effect on the Hessian the report measures (SPEC §7).

- `adam_diagonal`: P = √diag(EF) + ε, EF = (1/N) Σ_n g_n g_nᵀ the empirical Fisher of the per-sample
  gradients (its diagonal is the per-sample pass's second moment). Adam's update m/(√v + ε) divides
  by a running root-mean-square of the gradient, so its preconditioner is approximately this
  (Zheng's note on optimizers as curvature approximations; thesis ch. 5). ε = 1e-8, Adam's default.
- `jacobi_diagonal`: P = |diag(H)| + ε·max|diag(H)| — the diagonal of the curvature itself (Jacobi
  preconditioning, what an ideal per-coordinate step size would use); ε = 1e-6 keeps coordinates
  without curvature finite.
- `ggn_diagonal`: the exact diagonal of the generalised Gauss–Newton matrix G = (1/N) Σ_n J_nᵀ Λ_n J_n,
  used in place of diag(H) when the dense Hessian is not formed (H = G + the residual term, which
  vanishes at an interpolating fit). With a factor Λ_n = S_n S_nᵀ (ce: S = diag(√p) − p √pᵀ,
  since √pᵀ√p = 1; mse: S = I; bce: S = diag(√(σ(1−σ)))) the diagonal is
  diag(G) = Σ_n w_n Σ_c ((S_nᵀ J_n)_{c,:})², from the output Jacobians J_n of a few rows at a time
  (`torch.func.jacrev` vmapped over rows: K reverse passes per row; memory rows·K·d). Written here as
  a simple exact reference; the lead may replace it by the shared GGN-diagonal estimator of the
  fisher work. It costs K per-row reverse passes, so for many outputs (K > plan.jacobi_exact_max_outputs)
- `fisher_mc_diagonal` stands in: diag(F_mc) = (1/S) Σ_s Σ_n w_n ĝ_ns², ĝ_ns the gradient of the loss at
  labels sampled from the model (the F_mc operator's labels), an unbiased estimate of diag(G) from
  one per-row pass per label set (E_ŷ[ĝ ĝᵀ] = J_nᵀ Λ_n J_n, thesis Prop. 7.1).
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.func import grad, jacrev, vmap

from ...load.problem import Problem
from ...operators.fisher_mc import MonteCarloFisherOperator

ADAM_EPS = 1e-8
JACOBI_EPS = 1e-6
JACOBIAN_FLOATS = 2**24  # rows per Jacobian chunk: rows·K·d ≤ this


def adam_diagonal(second_moment: Tensor, eps: float = ADAM_EPS) -> Tensor:
    """P = √diag(EF) + ε (float64), from diag(EF) = (1/N) Σ_n g_n²."""
    return second_moment.to(torch.float64).clamp_min(0.0).sqrt() + eps


def jacobi_diagonal(diagonal: Tensor, eps: float = JACOBI_EPS) -> Tensor:
    """P = |diag(M)| + ε·max|diag(M)| (float64); all ones when the diagonal vanishes."""
    a = diagonal.to(torch.float64).abs()
    top = float(a.max()) if a.numel() else 0.0
    return a + eps * top if top > 0 else torch.ones_like(a)


def _output_factor(loss: str, out: Tensor) -> Tensor:
    """S_n with Λ_n = S_n S_nᵀ for each row: (b, K, K) for outputs flattened to (b, K)."""
    b, k = out.shape
    if loss == "ce":
        p = torch.softmax(out, dim=-1)
        root = p.sqrt()
        return torch.diag_embed(root) - p[:, :, None] * root[:, None, :]
    if loss == "mse":
        return torch.eye(k, dtype=out.dtype, device=out.device).expand(b, k, k)
    if loss == "bce":
        s = torch.sigmoid(out)
        return torch.diag_embed((s * (1 - s)).sqrt())
    raise ValueError(f"no Gauss–Newton factor for loss '{loss}'")


def ggn_diagonal(problem: Problem) -> Tensor:
    """diag(G) exactly (float64, (d,)), from per-row output Jacobians of chunks of rows (vmapped)."""
    layout = problem.layout
    total = torch.zeros(layout.d, dtype=torch.float64, device=problem.device)

    def row_outputs(params: dict[str, Tensor], x: Tensor) -> Tensor:
        return problem.forward(params, x[None]).reshape(-1)

    row_jacobian = vmap(jacrev(row_outputs), in_dims=(None, 0))
    for batch in problem.iter_batches():
        with torch.no_grad():
            k = int(problem.forward(problem.params, batch.x[:1]).reshape(1, -1).shape[1])
        rows = max(1, JACOBIAN_FLOATS // max(1, k * layout.d))
        for start in range(0, batch.size, rows):
            x, w = batch.x[start:start + rows], batch.w[start:start + rows]
            with torch.no_grad():
                out = problem.forward(problem.params, x).reshape(x.shape[0], -1)
            factor = _output_factor(problem.loss.name, out).to(torch.float64)
            jac = row_jacobian(problem.params, x)  # name → (b, K, *shape)
            flat = layout.flatten({n: j.reshape(*j.shape[:2], -1) for n, j in jac.items()}, batch_dims=2)
            scaled = torch.einsum("bkc,bkd->bcd", factor, flat.to(torch.float64))  # (S_nᵀ J_n)
            total += torch.einsum("b,bcd->d", w.to(torch.float64), scaled**2)
    return total


def output_count(problem: Problem) -> int:
    """K, the number of model outputs per row."""
    with torch.no_grad():
        first = next(problem.iter_batches())
        return int(problem.forward(problem.params, first.x[:1]).reshape(1, -1).shape[1])


def fisher_mc_diagonal(problem: Problem, generator: torch.Generator, samples: int = 1) -> Tensor:
    """diag(F_mc) (float64, (d,)) with `samples` labels per row drawn from the model."""
    layout = problem.layout
    fisher = MonteCarloFisherOperator(problem, generator, samples)

    def row_loss(params: dict[str, Tensor], x: Tensor, y: Tensor) -> Tensor:
        return problem.loss.per_sample(problem.forward(params, x[None]), y[None]).sum()

    row_gradient = vmap(grad(row_loss), in_dims=(None, 0, 0))
    rows = max(1, JACOBIAN_FLOATS // max(1, layout.d))
    total = torch.zeros(layout.d, dtype=torch.float64, device=problem.device)
    for index, batch in enumerate(problem.iter_batches()):
        for sampled in fisher.sampled_batches(index, batch):
            for start in range(0, batch.size, rows):
                part = slice(start, start + rows)
                g = layout.flatten(row_gradient(problem.params, sampled.x[part], sampled.y[part]), batch_dims=1)
                total += torch.einsum("b,bd->d", sampled.w[part].to(torch.float64), g.to(torch.float64) ** 2)
    return total / samples
