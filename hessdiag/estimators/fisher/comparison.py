"""Traces and relative Frobenius distances of curvature matrices, exact or randomised (SPEC §6).

- Exact (d ≤ `exact_dim`): each matrix is formed from d products with unit vectors; tr A and
  ‖A − B‖_F/‖B‖_F are then exact (standard error 0).
- Randomised: n Rademacher probes z_j (E zzᵀ = I), shared by all matrices so that one product per
  matrix and probe serves every quantity. tr A = E zᵀAz (Hutchinson) and ‖M‖_F² = E ‖Mz‖², so
  ‖A − B‖_F²/‖B‖_F² is the ratio of the means of x_j = ‖(A − B)z_j‖² and y_j = ‖Bz_j‖². Standard
  errors: std/√n for a trace; for the ratio ρ = x̄/ȳ the delta method
  se(ρ)² = (s_x² − 2ρ s_xy + ρ² s_y²)/(n ȳ²), and se(√ρ) = se(ρ)/(2√ρ).
Probes are drawn on the CPU from the given generator and processed `block` at a time, so memory is
a few d-vectors per matrix whatever n is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import torch
from torch import Tensor

from ...linalg import CountedProducts, Estimate, dense_matrix, rademacher, ratio_stderr
from ...linalg.trace import mean_and_stderr


@dataclass
class MatrixComparison:
    traces: dict[str, Estimate]
    distances: dict[str, Estimate]  # relative Frobenius distance ‖A − B‖_F / ‖B‖_F per pair name
    products: int
    probes: int | None  # None: exact


def exact_comparison(dense: Mapping[str, Tensor], pairs: Mapping[str, tuple[str, str]]) -> MatrixComparison:
    """Traces and relative Frobenius distances from dense matrices (exact)."""
    traces = {name: Estimate(float(m.trace()), 0.0, "exact (dense)") for name, m in dense.items()}
    distances = {}
    for key, (a, b) in pairs.items():
        ref = float(dense[b].norm())
        value = float((dense[a] - dense[b]).norm()) / ref if ref > 0 else math.nan
        distances[key] = Estimate(value, 0.0, "exact (dense)")
    d = next(iter(dense.values())).shape[0]
    return MatrixComparison(traces, distances, d * len(dense), None)


def compare_matrices(operators: Mapping[str, Any], pairs: Mapping[str, tuple[str, str]], *, generator: torch.Generator,
                     probes: int = 32, exact_dim: int = 256, block: int = 8) -> MatrixComparison:
    """Traces of every operator and ‖A − B‖_F/‖B‖_F for every named pair (A, B)."""
    maps = {name: CountedProducts.of(op) for name, op in operators.items()}
    first = next(iter(maps.values()))
    d, device = first.d, first.device
    if d <= exact_dim:
        return exact_comparison({name: dense_matrix(op) for name, op in operators.items()}, pairs)
    quad = {name: [] for name in operators}
    diff_sq = {key: [] for key in pairs}
    ref_sq = {key: [] for key in pairs}
    for start in range(0, probes, block):
        z = rademacher(d, min(block, probes - start), generator, device)
        products = {name: products(z) for name, products in maps.items()}
        for name, az in products.items():
            quad[name].append((z * az).sum(0))
        for key, (a, b) in pairs.items():
            diff_sq[key].append((products[a] - products[b]).pow(2).sum(0))
            ref_sq[key].append(products[b].pow(2).sum(0))
    method = f"Hutchinson, {probes} Rademacher probes"
    traces = {}
    for name, parts in quad.items():
        traces[name] = Estimate(*mean_and_stderr(torch.cat(parts).cpu().numpy()), method)
    distances = {}
    for key in pairs:
        x, y = torch.cat(diff_sq[key]), torch.cat(ref_sq[key])
        x_mean, y_mean = float(x.mean()), float(y.mean())
        cov = torch.cov(torch.stack([x, y]))
        rho = x_mean / y_mean if y_mean > 0 else math.nan
        se = ratio_stderr(x_mean, y_mean, float(cov[0, 0]) / probes, float(cov[1, 1]) / probes,
                          float(cov[0, 1]) / probes)
        value = math.sqrt(rho) if rho >= 0 else math.nan
        distances[key] = Estimate(value, se / (2 * value) if value > 0 else math.inf,
                                  f"randomised: ‖(A−B)z‖²/‖Bz‖², {probes} Rademacher probes")
    return MatrixComparison(traces, distances, probes * len(operators), probes)
