"""Extra small models for the per-sample and noise tests: layers BackPACK lacks, reuse, coupling."""

from __future__ import annotations

import torch
from torch import nn

from .cases import Case, _classes, _meta


class Scale(nn.Module):
    """A custom layer owning a parameter (no BackPACK extension)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.s = nn.Parameter(torch.ones(n))

    def forward(self, x):
        return x * self.s


class Twice(nn.Module):
    """One Linear applied twice (weight sharing): BackPACK keeps only one input and fails."""

    def __init__(self) -> None:
        super().__init__()
        self.inner = nn.Linear(5, 5)
        self.out = nn.Linear(5, 3)

    def forward(self, x):
        return self.out(torch.tanh(self.inner(torch.tanh(self.inner(x)))))


class Centre(nn.Module):
    """Subtracts the batch mean: each row's loss depends on the other rows."""

    def forward(self, x):
        return x - x.mean(0, keepdim=True)


UNSUPPORTED = [
    Case("layernorm_mlp_ce", _meta(lambda: nn.Sequential(nn.Linear(5, 6), nn.LayerNorm(6), nn.Tanh(), nn.Linear(6, 3))),
         "ce", _classes(15, (5,), 3), seed=11),
    Case("custom_param_ce", _meta(lambda: nn.Sequential(nn.Linear(5, 3), Scale(3))), "ce", _classes(12, (5,), 3),
         seed=12),
    Case("reused_layer_ce", _meta(Twice), "ce", _classes(11, (5,), 3), seed=13),
]
COUPLED = Case("batch_centring_ce", _meta(lambda: nn.Sequential(nn.Linear(5, 4), Centre(), nn.Tanh(), nn.Linear(4, 3))),
               "ce", _classes(10, (5,), 3), seed=14)
