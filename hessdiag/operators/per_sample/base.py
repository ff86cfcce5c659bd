"""What a per-sample gradient path returns for one batch, and the checks every path must pass.

A path gives, for a batch of b rows, either
- `gradients(batch)`: the per-sample losses ℓ_n and gradients g_n = ∇ℓ_n(θ), one (b, numel) tensor
  per trainable parameter tensor in layout order (b·d numbers), or
- `batch_sums(batch, direction)`: only what the noise statistics need — Σ_n m_n g_n and
  Σ_n m_n g_n² per coordinate and, if a direction v is given, ‖g_n‖² and g_nᵀv per row, with m_n = 1
  for real rows and 0 for padding rows. The default forms them from `gradients`; BackPACK forms them
  without ever materialising per-sample gradients of linear layers.
Gradients are *unweighted* (the loss of one row, not its share w_n ℓ_n of R); weights are applied
by whoever sums them. Only b rows exist at a time: never N.

The checks: per-sample gradients are well defined only when ℓ_n depends on row n alone (dropout off,
BatchNorm on running statistics, no layer that mixes rows). Then Σ_n g_n equals the gradient of
Σ_n ℓ_n computed by plain autograd (`relative_sum_error`), and a row's gradient computed inside the
batch equals the gradient of that row evaluated alone (`relative_gap`). The paths check this on the
first VERIFY_ROWS rows of the first batch, where it costs next to nothing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import torch
from torch import Tensor

from ...errors import UnsupportedError
from ...load.problem import Batch, Problem


@dataclass(frozen=True)
class PerSampleBatch:
    """Per-sample losses (b,) and gradients (one (b, numel) tensor per parameter block)."""

    losses: Tensor
    blocks: tuple[Tensor, ...]


@dataclass(frozen=True)
class BatchSums:
    """Per-batch sums over real rows (mask m_n): Σ m g and Σ m g² per block; with a direction v also
    ‖g_n‖² and g_nᵀv per row (None otherwise)."""

    losses: Tensor
    total: tuple[Tensor, ...]
    squares: tuple[Tensor, ...]
    norms_sq: Tensor | None
    projections: Tensor | None


def row_mask(batch: Batch) -> Tensor:
    """m_n = 1 for real rows (w_n > 0), 0 for padding rows, in the batch's dtype."""
    return (batch.w > 0).to(batch.w.dtype)


def sums_from_rows(batch: Batch, grads: PerSampleBatch, direction: tuple[Tensor, ...] | None) -> BatchSums:
    """`BatchSums` from materialised per-sample gradients: one squaring pass, then reductions."""
    m = row_mask(batch)
    total, squares, norms = [], [], torch.zeros_like(m)
    for g in grads.blocks:
        g2 = g * g
        total.append(m @ g)
        squares.append(m @ g2)
        if direction is not None:
            norms += g2.sum(1)
    if direction is None:
        return BatchSums(grads.losses, tuple(total), tuple(squares), None, None)
    projections = sum(g @ v for g, v in zip(grads.blocks, direction)) * m
    return BatchSums(grads.losses, tuple(total), tuple(squares), norms * m, projections)


def join_sums(parts: list[BatchSums]) -> BatchSums:
    """The `BatchSums` of consecutive row chunks of one batch, as if formed at once."""
    def added(name: str) -> tuple[Tensor, ...]:
        return tuple(sum(blocks) for blocks in zip(*(getattr(p, name) for p in parts)))

    def joined(name: str) -> Tensor | None:
        rows = [getattr(p, name) for p in parts]
        return None if rows[0] is None else torch.cat(rows)

    return BatchSums(torch.cat([p.losses for p in parts]), added("total"), added("squares"), joined("norms_sq"),
                     joined("projections"))


class SampleCouplingError(UnsupportedError):
    """The model's loss on one row depends on other rows: per-sample gradients are undefined."""


class PathFailure(Exception):
    """A path could not produce trustworthy per-sample gradients for this model (internal signal)."""


def sum_tolerance(dtype: torch.dtype) -> float:
    """Relative tolerance of the Σ_n g_n = ∇Σ_n ℓ_n check.

    Both sides are sums of the same b·d products in a different order: their gap is a few units of
    rounding times √b. 1e-8 (float64) and 1e-3 (float32) leave orders of magnitude of head-room and
    still catch any structural error (a missing sample, a wrongly stored input), which is O(1).
    """
    return 1e-8 if dtype == torch.float64 else 1e-3


VERIFY_ROWS = 8


def leading_rows(batch: Batch, k: int = VERIFY_ROWS) -> Batch:
    """The first k rows of a batch, as a batch."""
    return batch.head(k)


def relative_gap(blocks: tuple[Tensor, ...], reference: tuple[Tensor, ...]) -> float:
    """‖A − B‖_F / ‖B‖_F over all blocks (0 when both vanish)."""
    gap = sum(float((a - r.reshape(a.shape)).pow(2).sum()) for a, r in zip(blocks, reference))
    size = sum(float(r.pow(2).sum()) for r in reference)
    return 0.0 if gap == 0.0 else (gap / size) ** 0.5 if size > 0 else float("inf")


def relative_sum_error(blocks: tuple[Tensor, ...], reference: tuple[Tensor, ...]) -> float:
    """‖Σ_n g_n − ∇Σ_n ℓ_n‖ / max(‖∇Σ_n ℓ_n‖, ‖Σ_n g_n‖), over all blocks together."""
    gap = sum(float((b.sum(0) - r.reshape(-1)).pow(2).sum()) for b, r in zip(blocks, reference))
    size = max(sum(float(r.pow(2).sum()) for r in reference),
               sum(float(b.sum(0).pow(2).sum()) for b in blocks))
    return 0.0 if size == 0.0 else (gap / size) ** 0.5


class PerSamplePath(ABC):
    """One way of computing per-sample gradients for a problem."""

    path: str = "?"

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        # at most this many rows' per-sample gradients at a time in `batch_sums` (None: the whole batch);
        # the memory plan sets it when a batch's b·d numbers would not fit (`work.memory`)
        self.rows_per_call: int | None = None

    @abstractmethod
    def gradients(self, batch: Batch) -> PerSampleBatch:
        """ℓ_n and g_n for every row of `batch` (including padding rows, which carry w_n = 0)."""

    def batch_sums(self, batch: Batch, direction: tuple[Tensor, ...] | None = None) -> BatchSums:
        """Σ m g and Σ m g² for one batch; with v = `direction` (per block) also ‖g_n‖² and g_nᵀv.
        Formed `rows_per_call` rows at a time when set: the sums add, the per-row statistics concatenate."""
        step = self.rows_per_call
        if step is None or batch.size <= step:
            return sums_from_rows(batch, self.gradients(batch), direction)
        parts = [batch.select(slice(start, start + step)) for start in range(0, batch.size, step)]
        return join_sums([sums_from_rows(part, self.gradients(part), direction) for part in parts])

    def close(self) -> None:  # noqa: B027 - a path that holds nothing needs no override
        """Release whatever the path holds (hooks, copies)."""

    @property
    def mode(self) -> str:
        return self.path
