"""Small problems as plain data: (name, model factory, loss, data maker, seed), all in float64."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn


@dataclass(frozen=True)
class Case:
    name: str
    model: Callable[[torch.Generator], nn.Module]
    loss: str
    data: Callable[[torch.Generator], tuple[torch.Tensor, torch.Tensor]]
    seed: int = 0

    def build(self):
        gen = torch.Generator().manual_seed(self.seed)
        model = self.model(gen)
        x, y = self.data(gen)
        return model, x, y

    def __str__(self) -> str:
        return self.name


def _init(model: nn.Module, gen: torch.Generator, scale: float = 0.5) -> nn.Module:
    """Seeded weights in float64 (never the global RNG); BatchNorm gets non-trivial statistics."""
    model = model.to(torch.float64)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(scale * torch.randn(p.shape, generator=gen, dtype=torch.float64))
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.running_mean.copy_(0.3 * torch.randn(m.running_mean.shape, generator=gen, dtype=torch.float64))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=gen, dtype=torch.float64))
    return model.eval()


def seeded_model(build: Callable[[], nn.Module], gen: torch.Generator, scale: float = 0.5) -> nn.Module:
    """`build()` without touching the global RNG (constructed on the meta device), then seeded weights."""
    with torch.device("meta"):
        model = build()
    return _init(model.to_empty(device="cpu"), gen, scale)


def _meta(build: Callable[[], nn.Module]) -> Callable[[torch.Generator], nn.Module]:
    return lambda gen: seeded_model(build, gen)


def _classes(n: int, shape: tuple[int, ...], classes: int):
    def make(gen):
        x = torch.randn(n, *shape, generator=gen, dtype=torch.float64)
        y = torch.randint(0, classes, (n,), generator=gen)
        return x, y

    return make


def _regression(n: int, d_in: int, d_out: int):
    def make(gen):
        x = torch.randn(n, d_in, generator=gen, dtype=torch.float64)
        y = torch.randn(n, d_out, generator=gen, dtype=torch.float64)
        return x, y

    return make


def _binary(n: int, d_in: int):
    def make(gen):
        x = torch.randn(n, d_in, generator=gen, dtype=torch.float64)
        y = torch.randint(0, 2, (n, 1), generator=gen).to(torch.float64)
        return x, y

    return make



CASES = [
    Case("tanh_mlp_ce", _meta(lambda: nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3))),
         "ce", _classes(23, (6,), 3), seed=1),
    Case("mlp_mse_multi", _meta(lambda: nn.Sequential(nn.Linear(4, 6), nn.Sigmoid(), nn.Linear(6, 3))),
         "mse", _regression(19, 4, 3), seed=2),
    Case("logreg_bce", _meta(lambda: nn.Sequential(nn.Linear(5, 1))), "bce", _binary(25, 5), seed=3),
    Case("cnn_pool_ce", _meta(lambda: nn.Sequential(
        nn.Conv2d(1, 2, 3), nn.Tanh(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3))),
         "ce", _classes(13, (1, 6, 6), 3), seed=4),
    Case("batchnorm_eval_ce", _meta(lambda: nn.Sequential(
        nn.Linear(5, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 3))),
         "ce", _classes(17, (5,), 3), seed=5),
]

CASE_IDS = [c.name for c in CASES]
