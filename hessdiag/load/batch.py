"""The one batch type: inputs (a tensor or a mapping of tensors), targets and per-sample weights.

A model's inputs are either one tensor `x` (passed positionally, `model(x)`) or a mapping of named
tensors (`input_ids`, `attention_mask`, `token_type_ids`, `pixel_values`, …) passed as keyword
arguments, `model(**x)`. Every tensor of a mapping has the sample dimension first. Everything that
slices, moves, casts, pads, concatenates or vmaps a batch goes through the functions and the `Batch`
methods below, so a subset, `--batch-size`, per-sample gradients (one row at a time), padding to the
fixed batch size of a static export and a later data-parallel split treat both forms alike.

Integer inputs (token ids, masks) are never cast to the run's dtype: `cast_inputs` converts floating
tensors only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence, Union

import torch
from torch import Tensor, nn
from torch.func import functional_call

Inputs = Union[Tensor, Mapping[str, Tensor]]


def is_mapping(inputs: Inputs) -> bool:
    return isinstance(inputs, Mapping)


def map_inputs(fn: Callable[[Tensor], Tensor], inputs: Inputs) -> Inputs:
    """`fn` applied to the tensor, or to every tensor of the mapping (keys and order kept)."""
    if is_mapping(inputs):
        return {key: fn(value) for key, value in inputs.items()}
    return fn(inputs)


def input_tensors(inputs: Inputs) -> list[tuple[str, Tensor]]:
    """(name, tensor) pairs: ('x', x) for a tensor, the mapping's items otherwise."""
    return list(inputs.items()) if is_mapping(inputs) else [("x", inputs)]


def count_rows(inputs: Inputs) -> int:
    """The number of samples: the shared leading dimension of every input tensor."""
    sizes = {int(t.shape[0]) for _, t in input_tensors(inputs)}
    if len(sizes) != 1:
        raise ValueError(f"input tensors disagree on the number of samples: {sorted(sizes)}")
    return sizes.pop()


def select_rows(inputs: Inputs, index: Tensor | slice) -> Inputs:
    return map_inputs(lambda t: t[index], inputs)


def cat_inputs(parts: Sequence[Inputs]) -> Inputs:
    """Concatenate inputs along the sample dimension (all tensors, or all mappings with the same keys)."""
    first = parts[0]
    if is_mapping(first):
        return {key: torch.cat([p[key] for p in parts]) for key in first}
    return torch.cat(list(parts))


def cast_inputs(inputs: Inputs, dtype: torch.dtype | None = None, device: torch.device | None = None) -> Inputs:
    """Move to `device`; floating tensors (only those) to `dtype`. Integer and boolean tensors keep theirs."""

    def cast(t: Tensor) -> Tensor:
        return t.to(device=device, dtype=dtype if dtype is not None and t.is_floating_point() else None)

    return map_inputs(cast, inputs)


def describe_inputs(inputs: Inputs) -> str:
    """Per-sample shapes, for messages: `(64,)` or `input_ids (12,) int64, attention_mask (12,) int64`."""
    if not is_mapping(inputs):
        return f"{tuple(inputs.shape[1:])}"
    return ", ".join(f"{k} {tuple(v.shape[1:])} {str(v.dtype).removeprefix('torch.')}" for k, v in inputs.items())


def call_module(module: nn.Module, params: Mapping[str, Tensor] | None, inputs: Inputs) -> Any:
    """The module's raw output on `inputs` (keyword arguments for a mapping), with `params` substituted
    functionally (torch.func `functional_call`) unless None."""
    args, kwargs = ((), dict(inputs)) if is_mapping(inputs) else ((inputs,), {})
    if params is None:
        return module(*args, **kwargs)
    return functional_call(module, dict(params), args, kwargs)


@dataclass(frozen=True)
class Batch:
    """A chunk of the data: inputs `x` (tensor or mapping), targets `y` and per-sample weights `w`.

    R(θ) = Σ_batches Σ_n w_n ℓ_n(θ) (`Problem`); padding rows carry w_n = 0 and change no sum.
    """

    x: Inputs
    y: Tensor
    w: Tensor

    @property
    def size(self) -> int:
        return int(self.y.shape[0])

    @property
    def real(self) -> Tensor:
        """Mask of real rows (w_n > 0)."""
        return self.w > 0

    def select(self, index: Tensor | slice) -> "Batch":
        """The rows `index` (a slice, an index tensor or a boolean mask) as a batch."""
        return Batch(select_rows(self.x, index), self.y[index], self.w[index])

    def head(self, k: int) -> "Batch":
        """The first k rows."""
        return self.select(slice(0, k))

    def to(self, device: torch.device | None = None, dtype: torch.dtype | None = None) -> "Batch":
        """Moved to `device`; floating inputs, floating targets and the weights cast to `dtype`."""
        y = self.y.to(device=device, dtype=dtype if dtype is not None and self.y.is_floating_point() else None)
        return Batch(cast_inputs(self.x, dtype, device), y, self.w.to(device=device, dtype=dtype))

    def with_targets(self, y: Tensor) -> "Batch":
        """The same inputs and weights with other targets (e.g. labels sampled from the model)."""
        return Batch(self.x, y, self.w)

    def shard(self, rank: int, world: int) -> "Batch":
        """Worker `rank`'s share of `world` data-parallel workers: the contiguous rows
        [⌊rank·n/world⌋, ⌊(rank+1)·n/world⌋) by sample index (shares differ by at most one row), weights
        unchanged, so that the shards' sums Σ_n w_n ℓ_n add up to the whole batch's (`reduction.reduce_sum`).
        On the whole data as one batch (`make_batches` slices such a batch) the index is the global one."""
        if not 0 <= rank < world:
            raise ValueError(f"rank {rank} is not in 0..{world - 1}")
        n = self.size
        return self.select(slice(rank * n // world, (rank + 1) * n // world))

    def padded(self, size: int) -> "Batch":
        """Exactly `size` rows: copies of the first row appended at weight 0 (for fixed-shape programs)."""
        missing = size - self.size
        if missing <= 0:
            return self

        def pad(t: Tensor) -> Tensor:
            return torch.cat([t, t[:1].expand(missing, *t.shape[1:])])

        return Batch(map_inputs(pad, self.x), pad(self.y), torch.cat([self.w, self.w.new_zeros(missing)]))


def make_batches(x: Inputs, y: Tensor, batch_size: int, weight: float | Tensor, dtype: torch.dtype,
                 fixed_size: int | None = None) -> list[Batch]:
    """Split (x, y) into batches of at most `batch_size` rows, every row weighted by `weight` (w_n).

    With `fixed_size` (a model exported for one batch size only) every batch has exactly that many
    rows; the last is padded with copies of its first row at weight 0, which changes no sum.
    """
    n = int(y.shape[0])
    size = fixed_size or batch_size
    w = (weight.to(dtype=dtype, device=y.device) if isinstance(weight, Tensor)
         else torch.full((n,), weight, dtype=dtype, device=y.device))
    whole = Batch(x, y, w)
    batches = [whole.select(slice(start, start + size)) for start in range(0, n, size)]
    return [b.padded(fixed_size) for b in batches] if fixed_size else batches
