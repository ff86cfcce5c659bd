"""The exact diagonal and trace of the GGN (= the Fisher F for ce, mse, bce) from C backward passes per
batch (SPEC §2, §6; issue 14).

G = Σ_n w_n J_nᵀ Λ_n J_n with J_n = ∂f(x_n; θ)/∂θ (C × d, C outputs per sample) and Λ_n = ∇²_f ℓ_n ⪰ 0.
With Λ_n's eigendecomposition V_n diag(μ_n) V_nᵀ (μ ≥ 0 for these convex losses; clipped at 0 against
rounding) the vectors m_nc = √μ_nc v_nc (c = 1..C) factor it, Λ_n = Σ_c m_nc m_ncᵀ, so

    G = Σ_n w_n Σ_c (J_nᵀ m_nc)(J_nᵀ m_nc)ᵀ,   diag(G) = Σ_n w_n Σ_c (J_nᵀ m_nc)²,   tr(G) = Σ_n w_n ‖M_n J_n‖_F²,

exactly: J_nᵀ m_nc is the gradient of the scalar f(x_n; θ)·m_nc with m_nc held fixed, one per-sample
backward pass per output c (vmapped over the rows, `torch.func`), as BackPACK's `DiagGGNExact` does with
its own extensions. Λ_n is formed from C products of the loss's `output_hessian_product` with unit
vectors, so any supported loss works. Cost: C vmapped per-sample passes per batch; memory: one chunk
of rows' per-sample gradients (rows × d) at a time. The result is exact up to rounding (no probe noise).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor
from torch.func import grad

from ..load.batch import Inputs, map_inputs, select_rows
from ..load.problem import Batch, Problem
from .reduction import accumulate
from .rows import map_rows

ROW_BYTES = 256 * 1024**2  # per-sample gradients held at once (rows × d × bytes)


def output_factors(problem: Problem, out: Tensor, y: Tensor) -> Tensor:
    """M_n (b, C, C) with Λ_n = M_nᵀ M_n for the outputs `out` (rows of M_n: m_nc = √μ_nc v_ncᵀ)."""
    b = out.shape[0]
    flat = out.reshape(b, -1)
    c = flat.shape[1]
    eye = torch.eye(c, dtype=out.dtype, device=out.device)
    columns = [problem.loss.output_hessian_product(out, y, eye[i].expand(b, c).reshape(out.shape)).reshape(b, c)
               for i in range(c)]
    lam = torch.stack(columns, dim=2)  # (b, C, C): column i is Λ_n e_i
    mu, v = torch.linalg.eigh(0.5 * (lam + lam.transpose(1, 2)))
    return (v * mu.clamp_min(0).sqrt()[:, None, :]).transpose(1, 2)


def _batch_diagonal(problem: Problem, batch: Batch) -> Tensor:
    """Σ_{n ∈ batch} w_n Σ_c (J_nᵀ m_nc)² for one batch (d,)."""
    with torch.no_grad():
        factors = output_factors(problem, problem.forward(problem.params, batch.x).detach(), batch.y)

    def scalar(params: dict[str, Tensor], x: Inputs, m: Tensor) -> Tensor:
        return (problem.forward(params, map_inputs(lambda t: t.unsqueeze(0), x)).reshape(-1) * m).sum()

    rows = max(1, ROW_BYTES // (problem.d * torch.finfo(problem.dtype).bits // 8))
    total = torch.zeros(problem.d, dtype=problem.dtype, device=problem.device)
    for start in range(0, batch.size, rows):
        stop = min(start + rows, batch.size)
        x, w = select_rows(batch.x, slice(start, stop)), batch.w[start:stop]
        for c in range(factors.shape[1]):
            g = problem.layout.flatten(map_rows(grad(scalar), problem.params, x, factors[start:stop, c]), batch_dims=1)
            total += w @ g.pow(2)
    return total


def ggn_diagonal(problem: Problem) -> Tensor:
    """diag(G) exactly (d,), in the problem's dtype; tr(G) is its sum."""
    return accumulate(problem, lambda index, batch: _batch_diagonal(problem, batch)).detach()


def output_count(problem: Problem) -> int:
    """C: the model's outputs per sample (the backward passes per batch that the exact diagonal needs), the
    size of one sample's output at the model's first forward (`Problem.row_output_shape`)."""
    return math.prod(problem.row_output_shape)
