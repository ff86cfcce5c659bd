"""The exact path for small d: the dense matrix from products with the identity, then `eigvalsh`.

Building M costs d products (in blocks of unit vectors, each block one `matmat`), against roughly
slq_probes·slq_steps + trace_matvecs for the stochastic path (hence the default `exact_max_d`, 1024);
`to_dense` symmetrises it, and the eigenvalues are computed in float64. Quantities taken from them carry no
probe noise and report `"method": "exact"` with standard error 0; what remains is the rounding of the
products (≈ ε of the operator's dtype relative to ‖M‖).
"""

from __future__ import annotations

import numpy as np
import torch

from typing import Callable

from ..operators.base import CurvatureOperator


BLOCK = 64  # unit vectors per product call: batched, without huge (block × batch × width) intermediates


def dense_matrix(operator: CurvatureOperator, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """The operator as a dense, symmetrised float64 NumPy matrix (d products, `BLOCK` per `matmat`)."""
    return operator.to_dense(block=BLOCK, progress=progress).to("cpu", torch.float64).numpy()
