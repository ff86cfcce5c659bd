"""Is ‖∇R‖ at rounding level? Then the local one-step quantities compare rounding noise.

At a point fitted to working precision (a converged least-squares solution) ∇R is what rounding
leaves, and every quantity that divides by it — η² = tr Σ/‖∇R‖², the gradient density φ, R(θ), the
one-step progress ratios — is a ratio of rounding errors. Two floors bound what rounding alone can
produce:

- summation: ∇R = (1/N) Σ_n g_n computed in the problem's precision ε_p carries an error of about
  ε_p·√N·RMS‖g_n‖ (random-walk accumulation of N roundings of terms of size RMS‖g_n‖ = √tr(EF));
- quantisation: a checkpoint stored in float32 (every parameter exactly representable in float32)
  can only reach the optimum to within half a float32 spacing per coordinate, |δθ_i| ≤ ε_32|θ_i|/2,
  which leaves a gradient up to ‖H δθ‖ ≤ L2·ε_32‖θ‖/2 even at the best float32 point.

`stationary` when ‖∇R‖ ≤ FACTOR × the larger floor (FACTOR = 10: a gradient within an order of
magnitude of what rounding explains is not told from it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

FACTOR = 10.0


@dataclass(frozen=True)
class Stationarity:
    grad_norm: float
    floor_summation: float | None
    floor_quantisation: float | None
    checkpoint_precision: str
    stationary: bool

    @property
    def floor(self) -> float | None:
        known = [f for f in (self.floor_summation, self.floor_quantisation) if f is not None]
        return max(known) if known else None

    def as_dict(self) -> dict:
        return {"grad_norm": self.grad_norm, "rounding_floor": self.floor, "floor_summation": self.floor_summation,
                "floor_quantisation": self.floor_quantisation, "checkpoint_precision": self.checkpoint_precision,
                "stationary": self.stationary, "factor": FACTOR}


def float32_checkpoint(theta: Tensor) -> bool:
    """Whether every parameter is exactly a float32 number (a float32 checkpoint, almost surely)."""
    if theta.dtype == torch.float32:
        return True
    return bool(torch.equal(theta.to(torch.float32).to(theta.dtype), theta))


def stationarity(gradient: Tensor, theta: Tensor, *, n_samples: int, trace_ef: float | None,
                 l2: float | None, dtype: torch.dtype) -> Stationarity:
    """The two rounding floors of ‖∇R‖ and whether the gradient is within FACTOR of them."""
    norm = float(gradient.to(torch.float64).norm())
    eps = torch.finfo(dtype).eps
    summation = eps * math.sqrt(n_samples) * math.sqrt(trace_ef) if trace_ef is not None and trace_ef > 0 else None
    is32 = float32_checkpoint(theta)
    eps_q = torch.finfo(torch.float32).eps if is32 else torch.finfo(theta.dtype).eps
    quantisation = l2 * eps_q * float(theta.to(torch.float64).norm()) / 2 if l2 is not None else None
    floors = [f for f in (summation, quantisation) if f is not None]
    stationary = bool(floors) and norm <= FACTOR * max(floors)
    return Stationarity(norm, summation, quantisation, "float32" if is32 else str(theta.dtype).replace("torch.", ""),
                        stationary)
