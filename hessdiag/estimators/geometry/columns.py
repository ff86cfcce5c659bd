"""Columns of the Hessian, H e_j, as the geometry estimators consume them (SPEC §4).

ρ_diag needs |H_jj| and ‖H e_j‖₁ of sampled columns, and the L∞ bounds ‖H‖_{1,1} and the scaled
spectral bound need all d of them. A `ColumnSource` maps an array of column indices to the float64
matrix H[:, indices] of shape (d, k); `column_source` makes one from any linear map (slices of a
dense matrix, or products with blocks of unit vectors: `linalg.columns`), with a running count of the
columns given for progress.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ...linalg import as_linear_map, columns

ColumnSource = Callable[[np.ndarray], np.ndarray]


def column_source(operator: Any, progress: Callable[[int, int], None] | None = None,
                  total: int | None = None) -> ColumnSource:
    """H[:, idx] for any linear map (or dense matrix); `progress(done, total)` counts columns across calls
    (`total` is the number of columns the caller plans to request)."""
    linear_map = as_linear_map(operator)
    done = [0]

    def advance(count: int) -> None:
        done[0] += count
        if progress is not None:
            progress(done[0], total or done[0])

    return lambda indices: columns(linear_map, indices, advance)
