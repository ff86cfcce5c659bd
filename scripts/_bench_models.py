"""The small digits models the benchmark scripts time (untrained, torch's default initialisation)."""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn


def mlp() -> nn.Module:
    """64-128-128-10 tanh MLP, d = 26,122."""
    return nn.Sequential(nn.Linear(64, 128), nn.Tanh(), nn.Linear(128, 128), nn.Tanh(), nn.Linear(128, 10))


def cnn() -> nn.Module:
    """Two tanh convolutions with pooling and two dense layers, d = 53,002."""
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 32, 3, padding=1), nn.Tanh(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.Tanh(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(256, 128), nn.Tanh(), nn.Linear(128, 10),
    )


def seeded(factory: Callable[[], nn.Module], seed: int = 0) -> nn.Module:
    """`factory()` with torch's default initialisation drawn under `seed`, the global RNG left as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return factory()
