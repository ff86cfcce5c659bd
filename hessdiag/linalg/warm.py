"""Warm starts for Lanczos: a start vector from a block of earlier Ritz vectors (consecutive checkpoints).

Lanczos from q₁ finds an eigenvector u in about log(tan∠(q₁, u)/tol)/log(convergence rate) steps (Saad,
*Numerical Methods for Large Eigenvalue Problems*, Thm. 6.4): a random q₁ has tan∠ ≈ √d, the previous
checkpoint's Ritz vector — when the Hessian moved little — a small one. The start is

    q₁ = Σ_i v_i/‖v_i‖ / √k + μ·r/‖r‖,   r ~ N(0, I) from the run's generator,

the k earlier Ritz vectors with equal weights (a single Krylov space then holds all k directions after
about k steps) plus a random share μ (`RANDOM_SHARE`): it keeps every eigendirection within reach
when the order of the eigenvalues changed between checkpoints, and keeps the start generic, which the
breakdown logic of `extreme_eigenpairs` assumes. The residual bounds do not depend on the start: they
stay certified whatever q₁ is; only the number of products changes.
"""

from __future__ import annotations

import torch
from torch import Tensor

RANDOM_SHARE = 0.1


def warm_start_vector(block: Tensor, generator: torch.Generator, device, random_share: float | None = None) -> Tensor:
    """One unit start vector (d,) from a block of earlier Ritz vectors (k, d) or one vector (d,)."""
    random_share = RANDOM_SHARE if random_share is None else random_share
    rows = block.to(torch.float64).reshape(-1, block.shape[-1]).to(device)
    norms = rows.norm(dim=1, keepdim=True)
    rows = rows[norms[:, 0] > 0] / norms[norms[:, 0] > 0]
    d = block.shape[-1]
    noise = torch.randn(d, generator=generator, dtype=torch.float64).to(device)
    noise = noise / noise.norm()
    if rows.shape[0] == 0:
        return noise
    start = rows.sum(0) / rows.shape[0] ** 0.5
    start = start / start.norm() + random_share * noise
    return start / start.norm()
