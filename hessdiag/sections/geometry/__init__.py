"""Section `geometry` (SPEC §4, thesis ch. 6): ρ_diag, the L∞ interval, gradient density, R(θ).

All of it is local to the checkpoint θ. The Hessian's columns decide the route:
- d ≤ plan.dense_hessian_max_d: the dense Hessian (shared with the spectrum section) gives the exact
  ρ_diag and the column-based L∞ bounds. With d ≤ plan.eigendecomposition_max_d a full
  eigendecomposition adds Prop. 6.5 and an exact L2; with d ≤ plan.linf_enumeration_max_d, L∞ is exact.
- larger d: ρ_diag from plan.sampled_columns stratified columns with a bootstrap interval, and L∞
  from products only (sign ascent, Eq. 6.21 lower bounds; d·L2 above).
The Lanczos results and the gradient are shared work, never recomputed: the Ritz vectors seed the
sign ascent and give Eq. 6.21, the residual bars give L2's interval. A Lanczos bar certifies that
*some* eigenvalue lies near the Ritz value, not that none lies beyond it; with the dense matrix at
hand the upper end of L2 is proved instead (two Cholesky factorisations, `certified_norm_bound`), so
that d·L2 and R's lower end are bounds, not estimates. Without it (large d) L2's upper end is
Lanczos' value + residual, the standard reading of the bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ...estimators.geometry.columns import column_source
from ...estimators.geometry.gradient_geometry import (
    GradNorm,
    ImprovementRatio,
    gradient_density,
    gradient_norms,
    improvement_ratio,
)
from ...estimators.geometry.linf import LinfInterval, certified_norm_bound, linf_from_dense, linf_from_operator
from ...estimators.geometry.rho_diag import RhoDiag, rho_diag_exact, rho_diag_sampled
from ...estimators.spectrum.spectral_norm import SpectralNorm
from ...report.section import FigureSpec, Results, Section
from ...work import Work
from .figures import plot_rho_diag_per_layer
from .keys import KEYS
from .terminal import render


@dataclass(frozen=True)
class GeometryResult:
    L2: SpectralNorm
    Linf: LinfInterval
    rho_diag: RhoDiag
    grad_norm: GradNorm
    grad_density: float | None
    improvement_ratio: ImprovementRatio | None
    hessian_products: int


def _numpy(tensor: torch.Tensor | None) -> np.ndarray | None:
    return None if tensor is None else tensor.detach().to(torch.float64).cpu().numpy()


def _ritz(work: Work) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Ritz vectors of both ends (k, d) and named sign-ascent starts (the top and bottom vectors, ∇R)."""
    vectors, named = [], {}
    for which, result in (("top", work.hessian.top), ("bottom", work.hessian.bottom)):
        v = _numpy(result.vectors)
        if v is not None:
            vectors.append(v)
            named.update({f"sign of {which} Ritz vector {i + 1}": row for i, row in enumerate(v)})
    named["sign of the gradient"] = _numpy(work.gradient)
    return (np.concatenate(vectors) if vectors else np.empty((0, work.problem.d))), named


def _from_all_columns(work: Work, l2_interval, vectors, named, eps) -> tuple[RhoDiag, LinfInterval, tuple]:
    """Exact ρ_diag and the column-based L∞ interval, and L2's interval (with a proved upper end)."""
    d, plan, matrix = work.problem.d, work.plan, work.hessian.dense
    with work.log.timer("geometry"):
        rho = rho_diag_exact(column_source(matrix), work.problem.layout)
        eigen = None
        if d <= plan.eigendecomposition_max_d:
            values, eigenvectors = np.linalg.eigh(matrix)
            eigen = (values, eigenvectors)
            top_abs = float(np.abs(values).max())
            l2_interval = (top_abs * (1 - d * eps), top_abs * (1 + d * eps))
        else:  # prove the upper end: Lanczos certifies nearness to *some* eigenvalue, not the extreme
            l2_interval = (l2_interval[0], certified_norm_bound(matrix, l2_interval[1]))
        linf = linf_from_dense(
            matrix, l2=l2_interval, eps=eps, rng=work.numpy_generator("linf"), vectors=vectors, named=named,
            eigen=eigen, restarts=plan.restarts_dense, enumeration_max_d=plan.linf_enumeration_max_d,
            separable_steps=plan.separable_steps)
    return rho, linf, l2_interval


def _from_products(work: Work, l2_interval, vectors, named, eps) -> tuple[RhoDiag, LinfInterval, tuple]:
    """Sampled ρ_diag and the product-only L∞ interval (large d)."""
    plan, operator = work.plan, work.hessian.operator
    with work.log.timer("hessian_columns"):
        source = column_source(operator, work.log.tick("Hessian columns (sampled)", plan.sampled_columns),
                               total=plan.sampled_columns)
        rho = rho_diag_sampled(source, work.problem.layout, plan.sampled_columns, work.numpy_generator("rho-diag"),
                               resamples=plan.resamples, level=plan.level)
    work.step_made("geometry", "sampled columns")  # under --budget: re-fit the sign ascent and the rest
    plan = work.plan
    with work.log.timer("geometry"):
        linf = linf_from_operator(
            operator, l2=l2_interval, eps=eps, rng=work.numpy_generator("linf"), vectors=vectors, named=named,
            restarts=plan.restarts_operator, max_iterations=plan.ascent_iterations_operator,
            max_products=plan.ascent_products_operator, columns_at_once=plan.ascent_columns)
    work.log.warn(f"L∞: with d > {plan.dense_hessian_max_d} (--exact-max-d) not all columns are computed, so the "
                  "only upper bound is d·L2 (Eq. 6.22); rho_diag.abs_sum_ci estimates ‖H‖_{1,1} ≥ L∞, statistically, "
                  "not as a bound")
    return rho, linf, l2_interval


def compute(work: Work, results: Results) -> GeometryResult:
    """Timings: "hessian_columns" for the column products, "geometry" for the rest of the section."""
    problem, log = work.problem, work.log
    gradient = _numpy(work.gradient)
    l2 = work.hessian.spectral_norm
    vectors, named = _ritz(work)
    eps = float(torch.finfo(problem.dtype).eps)
    before = work.hessian.operator.matvecs
    route = _from_all_columns if work.hessian.dense is not None else _from_products
    rho, linf, l2_interval = route(work, (l2.value - l2.residual, l2.value + l2.residual), vectors, named, eps)
    products = work.hessian.operator.matvecs - before
    log.record("geometry", {"hessian_products": products})
    if linf.hi_source is None:
        log.warn("L∞ has no upper end: every upper bound fell below a proven lower bound (d·L2 with L2 read "
                 "from a Lanczos bar that did not bound the spectrum); raise --max-matvecs or --exact-max-d")
    if rho.reason:
        log.warn(f"rho_diag is null: {rho.reason}")
    norms, density = gradient_norms(gradient), gradient_density(gradient)
    ratio, reason = improvement_ratio(norms, density, problem.d, l2_interval, (linf.lo, linf.hi))
    if reason:
        log.warn(reason)
    return GeometryResult(l2, linf, rho, norms, density, ratio, products)


def to_json(r: GeometryResult) -> dict[str, Any]:
    return {"Linf": r.Linf, "rho_diag": r.rho_diag, "grad_norm": r.grad_norm, "grad_density": r.grad_density,
            "improvement_ratio": r.improvement_ratio, "L2": r.L2}


def key_numbers(r: GeometryResult) -> list[tuple[str, str]]:
    from ...report.html import interval_text

    rows = [("L∞ = ‖H‖∞,1", interval_text(r.Linf.lo, r.Linf.hi))]
    if r.improvement_ratio is not None:
        rows.append(("improvement ratio R", interval_text(r.improvement_ratio.lo, r.improvement_ratio.hi)))
    return rows


SECTION = Section(
    name="geometry", title="Geometry of sign descent", keys=KEYS, compute=compute, to_json=to_json,
    render_terminal=render, key_numbers=key_numbers, fills=("L2",),
    figures=(FigureSpec("rho_diag_per_layer", "Diagonal concentration ρ_diag per parameter tensor, with intervals "
                                              "where sampled.", plot_rho_diag_per_layer),))
