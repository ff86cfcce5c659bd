"""The small digits models the benchmark scripts time (untrained, torch's default initialisation), and
bench_vs_pyhessian's CNN with its seeded Adam checkpoints."""

from __future__ import annotations

import math
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


def adam_cnn(gen: torch.Generator) -> nn.Module:
    """bench_vs_pyhessian's tanh CNN (conv 32, conv 64, dense 128, dense 10), d = 151,306, drawn from `gen`."""
    model = nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 32, 3, padding=1), nn.Tanh(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.Tanh(), nn.Flatten(),
        nn.Linear(64 * 4 * 4, 128), nn.Tanh(), nn.Linear(128, 10),
    )
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                bound = 1 / math.sqrt(fan_in)
                m.weight.uniform_(-bound, bound, generator=gen)
                m.bias.uniform_(-bound, bound, generator=gen)
    return model


def checkpoints(x: torch.Tensor, y: torch.Tensor, steps: list[int]):
    """Seeded init, then full-batch Adam (lr 1e-3); yields (steps taken, model in eval mode) at each of `steps`."""
    model = adam_cnn(torch.Generator().manual_seed(0)).to(x.device)
    params = list(model.parameters())
    m1 = [torch.zeros_like(p) for p in params]
    m2 = [torch.zeros_like(p) for p in params]
    done = 0
    for target in sorted(steps):
        while done < target:
            done += 1
            grads = torch.autograd.grad(nn.functional.cross_entropy(model(x), y), params)
            with torch.no_grad():
                for p, g, a, b in zip(params, grads, m1, m2):
                    a.mul_(0.9).add_(g, alpha=0.1)
                    b.mul_(0.999).addcmul_(g, g, value=0.001)
                    p.addcdiv_(a / (1 - 0.9**done), (b / (1 - 0.999**done)).sqrt_().add_(1e-8), value=-1e-3)
        yield done, model.eval()
