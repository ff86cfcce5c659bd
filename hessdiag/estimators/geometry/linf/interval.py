"""The L∞ interval from everything available: a dense matrix (all columns) or only products.

`linf_from_dense` (all d columns known): exact enumeration when d ≤ `enumeration_max_d`; lower bounds
by sign ascent on the matrix (no further products) and Eq. 6.21 with the given vectors; upper bounds
‖H‖_{1,1}, the separable bound, Prop. 6.5 when the eigendecomposition is passed in, and d·L2.

`linf_from_operator` (products only, large d): lower bounds by sign ascent through `matmul` and
Eq. 6.21 with one product per Ritz vector; the only upper bound that needs no columns is d·L2
(Eq. 6.22), so the interval is wide there — and says so through its source.

`l2` is an interval (lo, hi) for ‖H‖₂: from Lanczos, [value − residual, value + residual]; from a
full eigensolve, its rounding. Every bound is listed in the result with its value and source.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ....linalg import LinearMap, as_linear_map
from .bounds import Bound, LinfInterval, assemble
from .lower import (
    ENUMERATION_MAX_D,
    MAX_ASCENT_ITERATIONS,
    Matmul,
    ascent_starts,
    linf_by_enumeration,
    ritz_lower_bound,
    sign_ascent,
)
from .upper import SEPARABLE_STEPS, abs_sum_bound, dimension_bound, eigen_l1_bound, l2_lower_bound, separable_bound


def _lower_bounds(matmul: Matmul, d: int, l2: tuple[float, float], vectors: np.ndarray | None,
                  images: np.ndarray | None, named: dict[str, np.ndarray], rng: np.random.Generator,
                  restarts: int, max_iterations: int, max_products: int | None = None,
                  label: str = "Hessian-vector products",
                  columns_at_once: int | None = None) -> tuple[list[Bound], int]:
    starts, names = ascent_starts(d, rng, restarts, named)
    ascent = sign_ascent(matmul, starts, names, max_iterations, max_products, columns_at_once)
    bounds = [l2_lower_bound(l2[0]),
              Bound("lower", "sign_ascent", ascent.value,
                    f"‖Hs‖₁ for the best of {ascent.restarts} restarts of s ← sign(Hs) (best from "
                    f"{ascent.start}; {ascent.iterations} rounds, {ascent.products} {label})")]
    if vectors is not None and vectors.shape[0]:
        value, k = ritz_lower_bound(vectors, images)
        bounds.append(Bound("lower", "ritz", value, f"‖Hv‖₁/‖v‖∞ (Eq. 6.21) for the best of {vectors.shape[0]} "
                                                   f"Ritz/eigen vectors (#{k + 1}), from computed products"))
    return bounds, ascent.products


def linf_from_dense(matrix: np.ndarray, *, l2: tuple[float, float], eps: float, rng: np.random.Generator,
                    vectors: np.ndarray | None = None, named: dict[str, np.ndarray] | None = None,
                    eigen: tuple[np.ndarray, np.ndarray] | None = None, restarts: int = 32,
                    enumeration_max_d: int = ENUMERATION_MAX_D, separable_steps: int = SEPARABLE_STEPS,
                    max_iterations: int = MAX_ASCENT_ITERATIONS) -> LinfInterval:
    """L∞ of a dense symmetric matrix; `vectors` (k, d) for Eq. 6.21, `eigen` = (values, vectors in
    columns) of a full eigendecomposition for Prop. 6.5, `named` sign-ascent starts (e.g. ∇R)."""
    matrix = np.asarray(matrix, dtype=np.float64)
    d = matrix.shape[0]
    bounds: list[Bound] = []
    if d <= enumeration_max_d:
        value, _ = linf_by_enumeration(matrix)
        bounds.append(Bound("exact", "enumeration", float(value), f"max over all 2^{d - 1} sign vectors with s₁ = +1"))
    images = matrix @ vectors.T if vectors is not None and vectors.shape[0] else None
    lowers, _ = _lower_bounds(lambda x: matrix @ x, d, l2, vectors, images, named or {}, rng, restarts,
                              max_iterations, label="products with the dense matrix")
    bounds += lowers
    bounds += [abs_sum_bound(matrix), separable_bound(matrix, separable_steps), dimension_bound(d, l2[1])]
    if eigen is not None:
        bounds.append(eigen_l1_bound(*eigen))
    return assemble(bounds, d, eps)


def _numpy_products(linear_map: LinearMap, columns_at_once: int | None = None) -> Matmul:
    """X (d, k) float64 NumPy → H X (d, k) float64 NumPy, through the map's `matmat`, at most
    `columns_at_once` columns per call (None: all)."""

    def matmul(block: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(np.ascontiguousarray(block)).to(device=linear_map.device, dtype=linear_map.dtype)
        return linear_map.matmat(x).to(torch.float64).cpu().numpy()

    def in_groups(block: np.ndarray) -> np.ndarray:
        out = np.empty(block.shape, dtype=np.float64)
        for first in range(0, block.shape[1], columns_at_once):
            out[:, first : first + columns_at_once] = matmul(block[:, first : first + columns_at_once])
        return out

    return matmul if columns_at_once is None else in_groups


def linf_from_operator(operator: Any, *, l2: tuple[float, float], eps: float, rng: np.random.Generator,
                       vectors: np.ndarray | None = None, named: dict[str, np.ndarray] | None = None,
                       restarts: int = 6, max_iterations: int = 30, max_products: int = 300,
                       columns_at_once: int | None = None) -> LinfInterval:
    """L∞ from products only (any linear map); every product H x is counted in `matvecs`.

    The sign ascent starts no new round after `max_products` products (one round may overshoot it by
    at most the number of restarts still running). `columns_at_once` (the memory plan's, None: all)
    bounds the float64 columns held per product call."""
    linear_map = as_linear_map(operator)
    d, matmul = linear_map.d, _numpy_products(linear_map, columns_at_once)
    images = matmul(vectors.T) if vectors is not None and vectors.shape[0] else None
    products = 0 if images is None else vectors.shape[0]
    lowers, ascent_products = _lower_bounds(matmul, d, l2, vectors, images, named or {}, rng, restarts,
                                            max_iterations, max_products, columns_at_once=columns_at_once)
    bounds = lowers + [dimension_bound(d, l2[1])]
    return assemble(bounds, d, eps, matvecs=products + ascent_products)
