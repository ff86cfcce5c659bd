"""The `Problem`: everything a curvature measurement needs, resolved and checked.

A problem is a functional model f(params, x), its trainable parameters at the checkpoint, a loss, and
the data split into batches (`batch.Batch`: inputs that are a tensor or a mapping of tensors). The
objective is R(θ) = Σ_n w_n ℓ_n(θ) (SPEC §1): the mean loss, w_n = 1/N, for `ce`, `mse` and `bce`; the
mean over the M labelled tokens, w_n = 1/M with ℓ_n a sequence's summed token loss, for the token
losses. Every real row carries the same weight (0 for padding rows), so that summing Σ_n w_n ℓ_n over
the batches gives R exactly, whatever the batch size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

import torch
from torch import Tensor, nn

from .batch import Batch, Inputs, make_batches, select_rows
from .losses import Loss
from .model_output import OutputSelector

__all__ = ["Batch", "Inputs", "ParamBlock", "ParamLayout", "Problem", "make_batches"]


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


@dataclass
class Problem:
    """A model, its trainable parameters at the checkpoint, a loss and batched data (SPEC §1).

    `forward(params, x)` evaluates the model functionally (torch.func `functional_call`) with the
    named trainable tensors in `params` and returns the output tensor f (picked by `output` from what
    the model returns); all other state (buffers, frozen parameters) is fixed. The model is in eval
    mode: dropout is off and BatchNorm uses its running statistics.

    `sample_scale` c = N·w_n relates the weighted objective to the noise statistics, which treat the
    N rows (sequences, for the token losses) as the samples a mini-batch draws: ğ_n = c·g_n is the
    unbiased per-sample estimate of ∇R under uniform sampling of rows (E_n ğ_n = Σ_n w_n g_n = ∇R),
    and Σ is its covariance. c = 1 exactly for the mean losses; c = N/M for the token losses.
    """

    module: nn.Module
    forward: Callable[[dict[str, Tensor], Inputs], Tensor]
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
    output: OutputSelector = field(default_factory=OutputSelector)
    sample_scale: float = 1.0
    provenance: dict = field(default_factory=dict)  # how model, checkpoint and data were read
    fixed_batch: int | None = None  # the rows a program exported for one batch size accepts (None: any)
    # the shape of one sample's output f(x_n), from the model's first forward at build (the first batch's, for
    # DataLoader batches): its last entry is a classifier's C, its size the outputs per sample
    row_output_shape: tuple[int, ...] = ()
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

    def row_losses(self, params: dict[str, Tensor], x: Inputs, y: Tensor) -> Tensor:
        """ℓ_n(θ) for any rows (x, y) (a mini-batch of the race), shape (b,): for a program exported for one
        batch size, in chunks padded to that size (`Batch.padded`), the padding's losses dropped."""
        if self.fixed_batch is None:
            return self.loss.per_sample(self.forward(params, x), y)
        size, losses = self.fixed_batch, []
        for start in range(0, int(y.shape[0]), size):
            part = slice(start, start + size)
            chunk = Batch(select_rows(x, part), y[part], torch.ones(y[part].shape[0], device=y.device))
            losses.append(self.per_sample_losses(params, chunk.padded(size))[: chunk.size])
        return torch.cat(losses)

    def batch_loss(self, params: dict[str, Tensor], batch: Batch) -> Tensor:
        """Σ_n w_n ℓ_n(θ): this batch's share of R(θ)."""
        return (batch.w * self.per_sample_losses(params, batch)).sum()
