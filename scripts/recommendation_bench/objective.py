"""The objective and the warm-up of the recommendation benchmark.

R(θ) = (1/N) Σ_n ℓ_n(θ) with hessdiag's per-sample losses (SPEC §1): ce = −log softmax(f)_y,
mse = ½‖f−y‖² summed over outputs, bce = BCE-with-logits summed over outputs. The warm-up takes a
model from its init checkpoint to its warm one by full-batch gradient descent with backtracking.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

WARM_STEPS = 30


def per_sample_loss(loss: str, out: Tensor, y: Tensor) -> Tensor:
    """ℓ_n per row: ce = −log softmax(f)_y, mse = ½‖f−y‖², bce = Σ BCE-with-logits (as hessdiag)."""
    if loss == "ce":
        return F.cross_entropy(out, y, reduction="none")
    if loss == "mse":
        return 0.5 * (out - y).pow(2).reshape(out.shape[0], -1).sum(dim=1)
    if loss == "bce":
        return F.binary_cross_entropy_with_logits(out, y, reduction="none").reshape(out.shape[0], -1).sum(dim=1)
    raise ValueError(f"unknown loss {loss!r}")


def full_loss(model: nn.Module, x: Tensor, y: Tensor, loss: str) -> float:
    """R(θ) = mean over all samples of ℓ_n (no gradient); +inf when not finite."""
    with torch.no_grad():
        value = float(per_sample_loss(loss, model(x), y).mean())
    return value if value == value and abs(value) != float("inf") else float("inf")


def warm_up(model: nn.Module, x: Tensor, y: Tensor, loss: str) -> list[float]:
    """WARM_STEPS steps of full-batch gradient descent with Armijo backtracking, in place.

    Step t tries lr = 2·lr_{t−1} (lr_0 = 1) and halves it until R(θ − lr∇R) ≤ R(θ) − ½·lr‖∇R‖²
    (at most 80 halvings; no step is taken if none passes). Returns the step sizes taken."""
    params = list(model.parameters())
    lrs: list[float] = []
    lr = 0.5
    for _ in range(WARM_STEPS):
        model.zero_grad(set_to_none=True)
        r0 = per_sample_loss(loss, model(x), y).mean()
        r0.backward()
        grads = [p.grad.detach().clone() for p in params]
        sq = float(sum((g * g).sum() for g in grads))
        start = [p.detach().clone() for p in params]
        lr = 2.0 * lr
        for _ in range(80):
            with torch.no_grad():
                for p, p0, g in zip(params, start, grads):
                    p.copy_(p0 - lr * g)
            if full_loss(model, x, y, loss) <= float(r0.detach()) - 0.5 * lr * sq:
                lrs.append(lr)
                break
            lr *= 0.5
        else:
            with torch.no_grad():
                for p, p0 in zip(params, start):
                    p.copy_(p0)
            lrs.append(0.0)
    model.zero_grad(set_to_none=True)
    return lrs
