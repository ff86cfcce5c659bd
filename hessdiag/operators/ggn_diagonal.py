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

A model that cannot be evaluated on one row (a program exported for one batch size; nn.LSTM and nn.GRU,
which have no batching rule in torch 2.13) gets the same vectors as rows of a Jacobian (`ROWS_JACOBIAN`):
for a chunk of rows, `jacrev` of the vector (f(x_n; θ)·m_nc)_n with those rows evaluated together (the
whole batch, padding included, for the fixed-size program): one reverse pass per row and output instead
of one vmapped pass per output, the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor
from torch.func import grad, jacrev

from ..load.batch import Inputs, map_inputs, select_rows
from ..load.problem import Batch, Problem
from .reduction import accumulate
from .rows import map_rows

ROW_BYTES = 256 * 1024**2  # per-sample gradients held at once (rows × d × bytes)
JACOBIAN_CHUNK = 16  # reverse passes vmapped at once where the vectors are rows of a Jacobian


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


ROWS_ALONE = "per-row passes"  # how the vectors J_nᵀ m_nc were formed (`GGNDiagonal.rows`)
ROWS_JACOBIAN = "rows of the Jacobian"


@dataclass(frozen=True)
class GGNDiagonal:
    """diag(G) (d,) in the problem's dtype (tr(G) is its sum), and how its per-row vectors were formed."""

    values: Tensor
    rows: str


def _alone(problem: Problem, batch: Batch, part: slice, m: Tensor) -> Tensor:
    """(J_nᵀ m_n) for the rows `part`, each row evaluated alone (vmapped), (rows, d)."""
    def scalar(params: dict[str, Tensor], x: Inputs, m_n: Tensor) -> Tensor:
        return (problem.forward(params, map_inputs(lambda t: t.unsqueeze(0), x)).reshape(-1) * m_n).sum()

    return problem.layout.flatten(map_rows(grad(scalar), problem.params, select_rows(batch.x, part), m),
                                  batch_dims=1)


def _jacobian(problem: Problem, batch: Batch, part: slice, m: Tensor) -> Tensor:
    """(J_nᵀ m_n) for the rows `part` as rows of the Jacobian of (f(x_n)·m_n)_n: of those rows evaluated
    together, or, for a program exported for one batch size, of the whole batch (its padding included).
    The reverse passes go JACOBIAN_CHUNK at a time: each holds its own copy of the backward intermediates."""
    fixed = problem.fixed_batch is not None
    x = batch.x if fixed else select_rows(batch.x, part)
    rows = part if fixed else slice(0, part.stop - part.start)

    def projections(params: dict[str, Tensor]) -> Tensor:
        out = problem.forward(params, x)
        return (out.reshape(out.shape[0], -1)[rows] * m).sum(1)

    return problem.layout.flatten(jacrev(projections, chunk_size=JACOBIAN_CHUNK)(problem.params), batch_dims=1)


def _batch_diagonal(problem: Problem, batch: Batch, rows_of) -> Tensor:
    """Σ_{n ∈ batch} w_n Σ_c (J_nᵀ m_nc)² for one batch (d,), the vectors from `rows_of` (`_alone`, `_jacobian`)."""
    with torch.no_grad():
        factors = output_factors(problem, problem.forward(problem.params, batch.x).detach(), batch.y)
    rows = max(1, ROW_BYTES // (problem.d * torch.finfo(problem.dtype).bits // 8))
    total = torch.zeros(problem.d, dtype=problem.dtype, device=problem.device)
    for start in range(0, batch.size, rows):
        part = slice(start, min(start + rows, batch.size))
        for c in range(factors.shape[1]):
            total += batch.w[part] @ rows_of(problem, batch, part, factors[part, c]).pow(2)
    return total


def rows_alone(problem: Problem) -> bool:
    """Whether the model can be evaluated on one row: one row's vector tried on the first batch (every rank
    holds a row, and the model is the same on each, so all decide alike)."""
    batch = next(problem.iter_batches())
    try:
        _alone(problem, batch, slice(0, 1), torch.ones(1, output_count(problem), dtype=problem.dtype,
                                                       device=problem.device))
    except Exception:  # refused: a program exported for one batch size, a layer without a batching rule
        return False
    return True


def ggn_diagonal(problem: Problem) -> GGNDiagonal:
    """diag(G) exactly: from per-row passes, or, for a model that cannot be evaluated on one row, from rows
    of the Jacobian (an error there is the caller's: the model has no exact diagonal here)."""
    alone = rows_alone(problem)
    rows_of = _alone if alone else _jacobian
    values = accumulate(problem, lambda index, batch: _batch_diagonal(problem, batch, rows_of)).detach()
    return GGNDiagonal(values, ROWS_ALONE if alone else ROWS_JACOBIAN)


def output_count(problem: Problem) -> int:
    """C: the model's outputs per sample (the backward passes per batch that the exact diagonal needs), the
    size of one sample's output at the model's first forward (`Problem.row_output_shape`)."""
    return math.prod(problem.row_output_shape)
