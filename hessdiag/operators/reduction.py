"""The one place where per-batch contributions are summed.

Every operator and every full-data quantity (loss, gradient, curvature products) is a sum over
batches of per-batch terms Σ_n w_n (·). `accumulate` does that sum over this process's batches
(`local_sum`) and then passes the result through `reduce_sum`, a `torch.distributed.all_reduce` over
the data-parallel ranks of a launched run (`hessdiag.distributed`): each rank holds its own shard of
the rows with the global weights 1/N_total, and the all-reduce completes the sum (every rank receives
the same bits, so every rank takes the same branches afterwards). In a single process the local sum
is the whole sum. Each per-batch term is computed with
twice-differentiable kernels (`kernels.differentiable_kernels`).
"""

from __future__ import annotations

from typing import Callable

from torch import Tensor

from .. import distributed
from ..load.problem import Batch, Problem
from .kernels import differentiable_kernels


def reduce_sum(partial: Tensor) -> Tensor:
    """Sum a partial result over all processes (an all-reduce). A single process holds the whole sum."""
    return distributed.all_reduce_sum(partial)


def local_sum(problem: Problem, per_batch: Callable[[int, Batch], Tensor]) -> Tensor:
    """Σ over this process's batches of `per_batch(index, batch)` (not yet reduced across processes)."""
    total: Tensor | None = None
    for index, batch in enumerate(problem.iter_batches()):
        with differentiable_kernels():
            part = per_batch(index, batch)
        total = part if total is None else total + part
    assert total is not None, "a Problem always has at least one batch (an empty shard: one padding row)"
    return total


def accumulate(problem: Problem, per_batch: Callable[[int, Batch], Tensor]) -> Tensor:
    """Σ over the problem's batches of `per_batch(index, batch)`, then reduced across processes."""
    return reduce_sum(local_sum(problem, per_batch))
