"""The built-in default problem: a small MLP trained on scikit-learn's bundled digits.

`hessdiag run` with neither a config nor `--model` diagnoses this model, so that a first run needs
no files. Everything is seeded: weights are initialised from a generator (the global RNG is never
touched) and trained for a fixed number of full-batch Adam steps, so every run sees the same θ.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..rng import generator
from .data import load_sklearn
from .losses import CrossEntropy
from .models import LoadedModel

DEFAULT_DESCRIPTION = "built-in default: MLP 64-32-10 (tanh) trained {steps} Adam steps on sklearn digits"
DEFAULT_STEPS = 150
DEFAULT_SEED = 0


def default_mlp(seed: int = DEFAULT_SEED) -> nn.Module:
    """64 → 32 → 10 tanh MLP, initialised like nn.Linear (uniform ±1/√fan_in) from a seeded generator."""
    model = nn.Sequential(nn.Linear(64, 32, device="meta"), nn.Tanh(), nn.Linear(32, 10, device="meta"))
    model = model.to_empty(device="cpu").to(torch.float64)
    gen = generator(seed, "default-model-init")
    with torch.no_grad():
        for layer in (model[0], model[2]):
            bound = 1.0 / math.sqrt(layer.in_features)
            nn.init.uniform_(layer.weight, -bound, bound, generator=gen)
            nn.init.uniform_(layer.bias, -bound, bound, generator=gen)
    return model


def trained_default(steps: int = DEFAULT_STEPS,
                    seed: int = DEFAULT_SEED) -> tuple[LoadedModel, torch.Tensor, torch.Tensor]:
    """The default model after `steps` full-batch Adam steps (lr 0.01) on all 1797 digits."""
    x, y = load_sklearn("digits")
    model = default_mlp(seed)
    params = list(model.parameters())
    first = [torch.zeros_like(p) for p in params]
    second = [torch.zeros_like(p) for p in params]
    lr, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8
    loss_fn = CrossEntropy()
    for step in range(1, steps + 1):  # Adam (Kingma & Ba), written out: torch.optim costs 1 s to import
        grads = torch.autograd.grad(loss_fn.per_sample(model(x), y).mean(), params)
        with torch.no_grad():
            for p, g, m, v in zip(params, grads, first, second):
                m.mul_(beta1).add_(g, alpha=1 - beta1)
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                denom = (v / (1 - beta2**step)).sqrt_().add_(eps)
                p.addcdiv_(m, denom, value=-lr / (1 - beta1**step))
    model.eval()
    desc = DEFAULT_DESCRIPTION.format(steps=steps)
    loaded = LoadedModel(model, [n for n, _ in model.named_parameters()], "default", desc)
    return loaded, x, y
