"""What the randomized estimators share: Rademacher probes and a batched product interface.

Probes are drawn on the CPU from a passed `torch.Generator` (never the global RNG) and moved, so the
same seed gives the same probes on every device. Estimators work in float64 and hand whole blocks of
vectors to the operator: the probes of one round are one `matmat`, never a loop of `matvec`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor

from ..operators.base import CurvatureOperator

MatMat = Callable[[Tensor], Tensor]


def rademacher(d: int, k: int, generator: torch.Generator, device: torch.device | str = "cpu") -> Tensor:
    """A (d, k) float64 matrix of independent ±1 entries (E[z zᵀ] = I)."""
    bits = torch.randint(0, 2, (d, k), generator=generator, dtype=torch.int8)
    return (2.0 * bits.to(torch.float64) - 1.0).to(device)


@dataclass
class Products:
    """Counted float64 products with a symmetric d×d matrix, k vectors per call.

    `operator` is a `CurvatureOperator` or a callable taking (d, k) and returning (d, k). Inputs are
    float64; the operator may compute in float32, results are cast back to float64.
    """

    operator: CurvatureOperator | MatMat
    d: int
    device: torch.device
    matvecs: int = 0

    @classmethod
    def of(cls, operator: CurvatureOperator | MatMat, d: int | None = None,
           device: torch.device | str | None = None) -> "Products":
        if isinstance(operator, CurvatureOperator):
            return cls(operator, operator.d, operator.device)
        if d is None:
            raise ValueError("a plain matmat callable needs d")
        return cls(operator, int(d), torch.device(device or "cpu"))

    def __call__(self, vectors: Tensor) -> Tensor:
        if vectors.shape[1] == 0:
            return vectors.clone()
        matmat = self.operator.matmat if isinstance(self.operator, CurvatureOperator) else self.operator
        out = matmat(vectors).to(device=self.device, dtype=torch.float64)
        self.matvecs += int(vectors.shape[1])
        return out
