"""What any certificate could at best reach on a Lanczos run's own Krylov space (issue 14's benchmark).

`RecordedMap` wraps a linear map and keeps every product's input block V and output H·V (float64)
with a time stamp. `first_within` then replays the run: after the products of each call, the largest
Rayleigh–Ritz value of H on the span of all inputs so far,

    θ_n = max eig(Qₙᵀ H Qₙ, Qₙᵀ Qₙ)        (the generalised form, so Q need not be orthonormal),

is the top Ritz value a Lanczos run holds after n products (Lanczos' basis is that span). The first n
with |θ_n − λ| ≤ target·|λ| (λ a reference) is the run's *oracle* count: no stopping rule on that
Krylov space, certified or not, can stop earlier at that true accuracy. It is the same measure the
benchmark gives PyHessian (its first product within the target, which it cannot know either).
"""

from __future__ import annotations

import time

import torch
from scipy.linalg import eigh
from torch import Tensor


class RecordedMap:
    """A linear map that records its products (inputs, outputs, time of each call)."""

    def __init__(self, inner) -> None:
        self.inner, self.d, self.dtype, self.device = inner, inner.d, inner.dtype, inner.device
        self.inputs: list[Tensor] = []
        self.outputs: list[Tensor] = []
        self.stamps: list[float] = []

    def matmat(self, matrix: Tensor) -> Tensor:
        out = self.inner.matmat(matrix)
        self.inputs.append(matrix.detach().to(torch.float64).cpu().clone())
        self.outputs.append(out.detach().to(torch.float64).cpu().clone())
        self.stamps.append(time.perf_counter())
        return out

    def matvec(self, vector: Tensor) -> Tensor:
        return self.matmat(vector.reshape(-1, 1))[:, 0]

    def __matmul__(self, other: Tensor) -> Tensor:
        return self.matvec(other) if other.ndim == 1 else self.matmat(other)


def top_ritz_values(recorded: RecordedMap) -> list[tuple[int, float, float]]:
    """(products so far, top Ritz value θ_n, time stamp) after each recorded call."""
    if not recorded.inputs:
        return []
    q = torch.cat(recorded.inputs, dim=1).numpy()
    hq = torch.cat(recorded.outputs, dim=1).numpy()
    a_full, b_full = q.T @ hq, q.T @ q
    out, n = [], 0
    for block, stamp in zip(recorded.inputs, recorded.stamps):
        n += block.shape[1]
        a = 0.5 * (a_full[:n, :n] + a_full[:n, :n].T)
        out.append((n, float(eigh(a, b_full[:n, :n], eigvals_only=True)[-1]), stamp))
    return out


def first_within(recorded: RecordedMap, reference: float, target: float) -> tuple[int, float] | None:
    """(products, time stamp) of the first call after which the top Ritz value is within target·|reference|;
    None if the run never got there."""
    for n, theta, stamp in top_ritz_values(recorded):
        if abs(theta - reference) <= target * abs(reference):
            return n, stamp
    return None


def gradient_overlap(gradient: Tensor, vector: Tensor) -> float:
    """|cos∠(g, v)|: how far the gradient already points along an eigenvector (random: ≈ 1/√d)."""
    g, v = gradient.to(torch.float64), vector.to(torch.float64)
    return float(abs(g @ v) / (g.norm() * v.norm()))
