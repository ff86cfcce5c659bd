"""Monte-Carlo Fisher F_mc = (1/S) Σ_s Σ_n w_n ĝ_ns ĝ_nsᵀ with labels sampled from the model (SPEC §2, §6).

ĝ_ns = ∇_θ ℓ(f(x_n; θ), ŷ_ns) with ŷ_ns ∼ p(y | f(x_n; θ)) (`Loss.sample_targets`). Since
E_ŷ[ĝ ĝᵀ] = J_nᵀ Λ_n J_n, F_mc is an unbiased estimate of the Fisher F (= the GGN for these losses,
thesis Prop. 7.1) whose error falls as 1/√(N·S); it differs from the empirical Fisher EF (Eq. 7.3)
only in using sampled labels instead of the training labels. The S labels per sample are drawn once,
at construction, from the given generator, over all rows at once (so the same seed gives the same
labels for any batch size and, in a data-parallel run, for any number of processes: the ranks gather
the model's outputs on every real row in global order, draw alike, and keep their own rows), so that
the operator is one fixed symmetric matrix for Lanczos and
conjugate gradients; products reuse the EF product (a `jvp` and a `vjp` of the vector of
per-sample losses) with the sampled labels.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from .. import distributed
from ..distributed import gather_rows
from ..load.problem import Batch, Problem
from .gradient_moments import EmpiricalFisherOperator
from .kernels import differentiable_kernels


def _longest(shapes: list[torch.Size]) -> tuple[int, ...]:
    """Per dimension past the rows, the largest length over every batch of every rank (the batches of a
    DataLoader that pads each to its own sequence length differ there)."""
    local = [max(shape[k] for shape in shapes) for k in range(len(shapes[0]))] if shapes else []
    return tuple(int(n) for n in distributed.agree_max([float(n) for n in local])) if local else ()


def _padded(rows: Tensor, lengths: tuple[int, ...], value: float) -> Tensor:
    """`rows` padded at the end of each dimension past the first to `lengths` (the targets' lengths; the
    outputs' extra last dimension, the classes, is left as it is). The labels are drawn on the padded
    rows, so that each row takes the same share of the draw whatever its batch, and cropped back."""
    widths: list[int] = []
    for k, n in reversed(list(enumerate(lengths, start=1))):
        widths += [0, n - rows.shape[k]]
    widths = [0, 0] * (rows.ndim - 1 - len(lengths)) + widths
    return F.pad(rows, widths, value=value) if any(widths) else rows


class MonteCarloFisherOperator(EmpiricalFisherOperator):
    """F_mc with `samples` labels per data point drawn from the model's predictive distribution."""

    name = "F_mc"

    def __init__(self, problem: Problem, generator: torch.Generator, samples: int = 1) -> None:
        super().__init__(problem)
        if samples < 1:
            raise ValueError("samples must be at least 1")
        self.samples = samples
        with torch.no_grad(), differentiable_kernels():
            outputs = [(problem.forward(problem.params, b.x), b.y, b.real) for b in problem.iter_batches()]
        # One draw over all real rows at once, per label set: the labels do not depend on the batching.
        lengths = _longest([y.shape[1:] for _, y, _ in outputs])
        real_rows, offset = gather_rows(torch.cat([_padded(out[real], lengths, 0.0) for out, _, real in outputs]))
        real_labels, _ = gather_rows(torch.cat([_padded(y[real], lengths, problem.loss.padding_target())
                                                for _, y, real in outputs]))
        draws = [problem.loss.sample_targets(real_rows, real_labels, generator) for _ in range(samples)]
        self.targets: list[list[Tensor]] = []
        start = offset  # this rank's rows in the global draw
        for out, y, real in outputs:
            count = int(real.sum())
            per_set = []
            for drawn in draws:
                rows = drawn[start:start + count][(slice(None), *(slice(0, n) for n in y.shape[1:]))]
                pad = (rows if count else drawn)[:1]  # padding rows (an empty shard's too): any valid label
                full = pad.expand(out.shape[0], *rows.shape[1:]).clone()
                full[real] = rows
                per_set.append(full)
            self.targets.append(per_set)
            start += count

    def sampled_batches(self, index: int, batch: Batch) -> list[Batch]:
        """The batch with each of its S sets of sampled labels in place of the training labels."""
        return [batch.with_targets(y) for y in self.targets[index]]

    def _batch_matmat(self, index: int, batch: Batch, vectors: Tensor) -> Tensor:
        parts = [super(MonteCarloFisherOperator, self)._batch_matmat(index, b, vectors)
                 for b in self.sampled_batches(index, batch)]
        return torch.stack(parts).sum(0) / self.samples
