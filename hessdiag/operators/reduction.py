"""The one place where per-batch contributions are summed.

Every operator and every full-data quantity (loss, gradient, curvature products) is a sum over
batches of per-batch terms Σ_n w_n (·). `accumulate` does that sum and then passes the result through
`reduce_sum`, the hook where a `torch.distributed.all_reduce` over data-parallel workers belongs: each
worker would hold its own shard of the batches (with weights 1/N_total) and the all-reduce would
complete the sum. Nothing else in hessdiag sums over batches. Each per-batch term is computed with
twice-differentiable kernels (`kernels.differentiable_kernels`).
"""

from __future__ import annotations

from typing import Callable

from torch import Tensor

from ..load.problem import Batch, Problem
from .kernels import differentiable_kernels


def reduce_sum(partial: Tensor) -> Tensor:
    """Sum a partial result over all processes. A single process holds the whole sum already."""
    return partial


def accumulate(problem: Problem, per_batch: Callable[[int, Batch], Tensor]) -> Tensor:
    """Σ over the problem's batches of `per_batch(index, batch)`, then reduced across processes."""
    total: Tensor | None = None
    for index, batch in enumerate(problem.iter_batches()):
        with differentiable_kernels():
            part = per_batch(index, batch)
        total = part if total is None else total + part
    assert total is not None, "a Problem always has at least one batch"
    return reduce_sum(total)
