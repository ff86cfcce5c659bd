"""The `Problem`: everything a curvature measurement needs, resolved and checked.

A problem is a functional model f(params, x), its trainable parameters at the checkpoint, a loss, and
the data split into batches. The objective is the mean loss R(θ) = (1/N) Σ_n ℓ_n(θ) (SPEC §1); every
batch carries per-sample weights w_n = 1/N (0 for padding rows), so that summing Σ_n w_n ℓ_n over the
batches gives R exactly, whatever the batch size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

import torch
from torch import Tensor, nn

from .losses import Loss


@dataclass(frozen=True)
class ParamBlock:
    """One trainable parameter tensor and where it sits in the flat vector θ ∈ R^d."""

    name: str
    shape: tuple[int, ...]
    offset: int
    numel: int


@dataclass(frozen=True)
class ParamLayout:
    """The map between named parameter tensors and flat vectors of length d (named_parameters order)."""

    blocks: tuple[ParamBlock, ...]

    @classmethod
    def from_params(cls, params: dict[str, Tensor]) -> "ParamLayout":
        blocks, offset = [], 0
        for name, tensor in params.items():
            blocks.append(ParamBlock(name, tuple(tensor.shape), offset, tensor.numel()))
            offset += tensor.numel()
        return cls(tuple(blocks))

    @property
    def d(self) -> int:
        return sum(b.numel for b in self.blocks)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.blocks)

    def unflatten(self, flat: Tensor) -> dict[str, Tensor]:
        """Views of a flat vector (d,) — or a stack of them (k, d) — as named parameter tensors."""
        lead = flat.shape[:-1]
        return {
            b.name: flat[..., b.offset : b.offset + b.numel].reshape((*lead, *b.shape))
            for b in self.blocks
        }

    def flatten(self, tensors: dict[str, Tensor] | tuple[Tensor, ...], batch_dims: int = 0) -> Tensor:
        """Concatenate named tensors (or a tuple in layout order) into flat vectors."""
        parts = tensors.values() if isinstance(tensors, dict) else tensors
        return torch.cat([t.reshape(*t.shape[:batch_dims], -1) for t in parts], dim=-1)


@dataclass(frozen=True)
class Batch:
    """A chunk of the data: inputs, targets, and per-sample weights (1/N, or 0 for padding)."""

    x: Tensor
    y: Tensor
    w: Tensor

    @property
    def size(self) -> int:
        return int(self.x.shape[0])


def make_batches(
    x: Tensor, y: Tensor, batch_size: int, dtype: torch.dtype, fixed_size: int | None = None
) -> list[Batch]:
    """Split (x, y) into batches of at most `batch_size` samples, each weighted by 1/N.

    With `fixed_size` (a model exported for one batch size only), every batch has exactly that many
    rows; the last is padded with copies of its first row at weight 0, which changes no sum.
    """
    n = int(x.shape[0])
    size = fixed_size or batch_size
    weight = torch.full((n,), 1.0 / n, dtype=dtype, device=x.device)
    batches = []
    for start in range(0, n, size):
        xb, yb, wb = x[start : start + size], y[start : start + size], weight[start : start + size]
        if fixed_size is not None and xb.shape[0] < fixed_size:
            pad = fixed_size - xb.shape[0]
            xb = torch.cat([xb, xb[:1].expand(pad, *xb.shape[1:])])
            yb = torch.cat([yb, yb[:1].expand(pad, *yb.shape[1:])])
            wb = torch.cat([wb, wb.new_zeros(pad)])
        batches.append(Batch(xb, yb, wb))
    return batches


@dataclass
class Problem:
    """A model, its trainable parameters at the checkpoint, a loss and batched data (SPEC §1).

    `forward(params, x)` evaluates the model functionally (torch.func `functional_call`) with the
    named trainable tensors in `params`; all other state (buffers, frozen parameters) is fixed.
    The model is in eval mode: dropout is off and BatchNorm uses its running statistics.
    """

    module: nn.Module
    forward: Callable[[dict[str, Tensor], Tensor], Tensor]
    params: dict[str, Tensor]
    loss: Loss
    batches: list[Batch]
    n_samples: int
    dtype: torch.dtype
    device: torch.device
    model_description: str
    n_available: int | None = None  # rows in the data before `--samples` (None: unknown)
    mode: str = "eval"
    warnings: list[str] = field(default_factory=list)
    layout: ParamLayout = field(init=False)

    def __post_init__(self) -> None:
        self.layout = ParamLayout.from_params(self.params)

    @property
    def is_subset(self) -> bool:
        """Whether the selection is a strict subset of the data (a `--samples` draw)."""
        return self.n_available is not None and self.n_samples < self.n_available

    @property
    def d(self) -> int:
        return self.layout.d

    @property
    def theta(self) -> Tensor:
        """The flat parameter vector θ at the checkpoint."""
        return self.layout.flatten(self.params)

    def iter_batches(self) -> Iterator[Batch]:
        return iter(self.batches)

    def per_sample_losses(self, params: dict[str, Tensor], batch: Batch) -> Tensor:
        """ℓ_n(θ) for every row of the batch, shape (b,)."""
        return self.loss.per_sample(self.forward(params, batch.x), batch.y)

    def batch_loss(self, params: dict[str, Tensor], batch: Batch) -> Tensor:
        """Σ_n w_n ℓ_n(θ): this batch's share of R(θ)."""
        return (batch.w * self.per_sample_losses(params, batch)).sum()
