"""Columns of the Hessian, H e_j, from products with blocks of unit vectors (SPEC §4).

Column j of a symmetric matrix is one matrix–vector product, H e_j; `matmat` on a block of unit
vectors gives several at once. ρ_diag needs |H_jj| and ‖H e_j‖₁ of sampled columns, and the L∞
bounds ‖H‖_{1,1} and the scaled spectral bound need all d of them.

A `ColumnSource` maps an array of column indices to the float64 matrix H[:, indices] of shape
(d, k); tests pass a slice of a dense matrix, the pipeline `operator_columns` of the Hessian.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from ..operators.base import CurvatureOperator

ColumnSource = Callable[[np.ndarray], np.ndarray]

# Columns per `matmat`: on the CPU, batched reverse passes over 64 tangents were fastest on the
# default problem (measured 32, 64, 96, 128, 256; larger blocks thrash the cache).
BLOCK = 64


def operator_columns(operator: CurvatureOperator, block: int = BLOCK,
                     progress: Callable[[int, int], None] | None = None,
                     total: int | None = None) -> ColumnSource:
    """A column source that computes H[:, idx] by `matmat` on blocks of unit vectors.

    `progress(done, total)` is called after every block with the running count of columns (the
    count continues across calls; `total` is the number of columns the caller plans to request).
    """
    done = [0]

    def columns(indices: np.ndarray) -> np.ndarray:
        indices = np.asarray(indices, dtype=np.int64)
        out = np.empty((operator.d, indices.size), dtype=np.float64)
        for start in range(0, indices.size, block):
            chunk = indices[start : start + block]
            units = torch.zeros(operator.d, chunk.size, dtype=operator.dtype, device=operator.device)
            units[torch.from_numpy(chunk).to(operator.device), torch.arange(chunk.size, device=operator.device)] = 1
            out[:, start : start + chunk.size] = operator.matmat(units).to(torch.float64).cpu().numpy()
            done[0] += chunk.size
            if progress is not None:
                progress(done[0], total or indices.size)
        return out

    return columns


def dense_columns(matrix: np.ndarray) -> ColumnSource:
    """A column source reading from a dense matrix (for tests and for small problems)."""
    matrix = np.asarray(matrix, dtype=np.float64)
    return lambda indices: matrix[:, np.asarray(indices, dtype=np.int64)]


def operator_matmul(operator: CurvatureOperator) -> Callable[[np.ndarray], np.ndarray]:
    """X (d, k) float64 → H X (d, k) float64 through the operator's `matmat` (k products)."""

    def matmul(block: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(np.ascontiguousarray(block)).to(device=operator.device, dtype=operator.dtype)
        return operator.matmat(x).to(torch.float64).cpu().numpy()

    return matmul
