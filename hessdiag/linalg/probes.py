"""The one random sampler of the numerical core: Rademacher probe vectors.

Probes are drawn on the CPU from a passed `torch.Generator` (never the global RNG) and moved, so the
same seed gives the same probes on every device.
"""

from __future__ import annotations

import torch
from torch import Tensor


def rademacher(d: int, k: int, generator: torch.Generator, device: torch.device | str = "cpu") -> Tensor:
    """A (d, k) float64 matrix of independent ±1 entries (E[z zᵀ] = I)."""
    bits = torch.randint(0, 2, (d, k), generator=generator, dtype=torch.int8)
    return (2.0 * bits.to(torch.float64) - 1.0).to(device)
