"""Top eigenpairs and damped solves of a small symmetric matrix held densely (d ≤ a few hundred).

For small d the matrix costs d products in vmapped blocks — cheaper than the single-vector products
of Lanczos or CG — and then `torch.linalg.eigh` / `torch.linalg.solve` are exact up to rounding.
Results keep the shapes of the iterative ones (`LanczosResult`, `CGResult`) with the same meaning of
their error bars: the residual ‖A v − λ v‖ of each eigenpair (some eigenvalue of A lies within it, for
symmetric A) plus a rounding allowance d·ε·‖A‖₂, and the solve's true residual.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .cg import CGResult
from .lanczos import LanczosResult, RitzValue


def dense_top(matrix: Tensor, k: int, *, unit_roundoff: float) -> LanczosResult:
    """The k largest eigenpairs (descending) of a symmetric matrix, with residual bounds."""
    a = matrix.to(torch.float64)
    d = a.shape[0]
    values, vectors = torch.linalg.eigh(0.5 * (a + a.T))
    order = torch.argsort(values, descending=True)[: min(k, d)]
    top_values, top_vectors = values[order], vectors[:, order]
    scale = float(values.abs().max()) if d else 0.0
    residuals = (a @ top_vectors - top_vectors * top_values).norm(dim=0) + d * unit_roundoff * scale
    ritz = [RitzValue(float(v), float(r)) for v, r in zip(top_values, residuals)]
    return LanczosResult("largest", ritz, d, True, top_vectors.T.contiguous(),
                         (np.array([]), np.array([])))


def dense_damped_solve(matrix: Tensor, b: Tensor, damping: float) -> CGResult:
    """x = (A + λI)⁻¹ b exactly (LU), with its true residual and the bound ‖x − x*‖ ≤ ‖r‖/λ."""
    a = matrix.to(torch.float64)
    b = b.to(device=a.device, dtype=torch.float64)
    system = a + damping * torch.eye(a.shape[0], dtype=a.dtype, device=a.device)
    x = torch.linalg.solve(system, b)
    residual = float((b - system @ x).norm())
    b_norm = float(b.norm())
    return CGResult(x, 0, residual / b_norm if b_norm > 0 else 0.0, True, residual / damping)
