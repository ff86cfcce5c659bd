"""Section `geometry` (SPEC §4, thesis ch. 6): ρ_diag, the L∞ interval, gradient density, R(θ).

All of it is local to the checkpoint θ. The Hessian's columns decide the route:
- d ≤ `settings.exact_max_d`: the dense matrix (`ctx.hessian_dense`, d products in blocks of unit
  vectors, shared with the spectrum section) gives the exact ρ_diag and the column-based L∞ bounds. With d ≤ `eigh_max_d` a full eigendecomposition adds Prop. 6.5
  and an exact L2; with d ≤ `enumeration_max_d`, L∞ is exact.
- larger d: ρ_diag from `sampled_columns` stratified columns with a bootstrap interval, and L∞
  from products only (sign ascent, Eq. 6.21 lower bounds; d·L2 above).
The Lanczos results (`ctx.top`, `ctx.bottom`) and the gradient are shared with the other sections,
never recomputed: the Ritz vectors seed the sign ascent and give Eq. 6.21, the residual bars give
L2's interval. A Lanczos bar certifies that *some* eigenvalue lies near the Ritz value, not that none
lies beyond it; with the dense matrix at hand the upper end of L2 is proved instead (two Cholesky
factorisations, `certified_norm_bound`), so that d·L2 and R's lower end are bounds, not estimates.
Without it (large d) L2's upper end is Lanczos' value + residual, the standard reading of the bar.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from ..estimators.columns import dense_columns, operator_columns, operator_matmul
from ..estimators.extremes import spectral_norm
from ..estimators.gradient_geometry import gradient_density, gradient_norms, improvement_ratio
from ..estimators.linf import ENUMERATION_MAX_D
from ..estimators.linf_bounds import certified_norm_bound
from ..estimators.linf_interval import linf_from_dense, linf_from_operator
from ..estimators.rho_diag import LEVEL, RESAMPLES, rho_diag_exact, rho_diag_sampled
from ..rng import stream_seed
from .context import Context

IMPLEMENTED = True


@dataclass(frozen=True)
class GeometryPlan:
    """The knobs of the section; the report records them under settings["geometry"]."""

    sampled_columns: int = 512  # ρ_diag column budget beyond it
    eigh_max_d: int = 1024  # full eigendecomposition (Prop. 6.5, exact L2) up to this d
    enumeration_max_d: int = ENUMERATION_MAX_D  # exact L∞ by enumeration up to this d
    restarts_dense: int = 32  # random sign-ascent restarts on a dense matrix (no products)
    restarts_operator: int = 6  # random restarts through products (large d)
    ascent_iterations_operator: int = 30
    ascent_products_operator: int = 300  # product budget of the sign ascent (large d)
    separable_steps: int = 15
    resamples: int = RESAMPLES
    level: float = LEVEL


PLAN = GeometryPlan()


def _numpy(tensor: torch.Tensor | None) -> np.ndarray | None:
    return None if tensor is None else tensor.detach().to(torch.float64).cpu().numpy()


def _ritz(ctx: Context) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Ritz vectors of both ends (k, d) and named sign-ascent starts (the top and bottom vectors, ∇R)."""
    vectors, named = [], {}
    for which, result in (("top", ctx.top), ("bottom", ctx.bottom)):
        v = _numpy(result.vectors)
        if v is not None:
            vectors.append(v)
            named.update({f"sign of {which} Ritz vector {i + 1}": row for i, row in enumerate(v)})
    named["sign of the gradient"] = _numpy(ctx.gradient)
    d = ctx.problem.d
    return (np.concatenate(vectors) if vectors else np.empty((0, d))), named


def _from_all_columns(ctx: Context, plan: GeometryPlan, l2_interval, vectors, named, eps) -> tuple[float, float]:
    """Exact ρ_diag and the column-based L∞ interval; returns L2's interval (proved upper end)."""
    d, report = ctx.problem.d, ctx.report
    matrix = ctx.hessian_dense
    with ctx.timer("geometry"):
        report.rho_diag = rho_diag_exact(dense_columns(matrix), ctx.problem.layout)
        eigen = None
        if d <= plan.eigh_max_d:
            values, eigenvectors = np.linalg.eigh(matrix)
            eigen = (values, eigenvectors)
            top_abs = float(np.abs(values).max())
            l2_interval = (top_abs * (1 - d * eps), top_abs * (1 + d * eps))
        else:  # prove the upper end: Lanczos certifies nearness to *some* eigenvalue, not the extreme
            l2_interval = (l2_interval[0], certified_norm_bound(matrix, l2_interval[1]))
        report.Linf = linf_from_dense(
            matrix, l2=l2_interval, eps=eps, rng=np.random.default_rng(stream_seed(ctx.settings.seed, "linf")),
            vectors=vectors, named=named, eigen=eigen, restarts=plan.restarts_dense,
            enumeration_max_d=plan.enumeration_max_d, separable_steps=plan.separable_steps)
    return l2_interval


def _from_products(ctx: Context, plan: GeometryPlan, l2_interval, vectors, named, eps) -> tuple[float, float]:
    """Sampled ρ_diag and the product-only L∞ interval (large d)."""
    report, seed = ctx.report, ctx.settings.seed
    with ctx.timer("hessian_columns"):
        source = operator_columns(ctx.hessian, progress=ctx.tick("Hessian columns (sampled)", plan.sampled_columns),
                                  total=plan.sampled_columns)
        report.rho_diag = rho_diag_sampled(source, ctx.problem.layout, plan.sampled_columns,
                                           np.random.default_rng(stream_seed(seed, "rho-diag")),
                                           resamples=plan.resamples, level=plan.level)
    with ctx.timer("geometry"):
        report.Linf = linf_from_operator(
            operator_matmul(ctx.hessian), ctx.problem.d, l2=l2_interval, eps=eps,
            rng=np.random.default_rng(stream_seed(seed, "linf")), vectors=vectors, named=named,
            restarts=plan.restarts_operator, max_iterations=plan.ascent_iterations_operator,
            max_products=plan.ascent_products_operator)
    ctx.warn(f"L∞: with d > {ctx.settings.exact_max_d} (--exact-max-d) not all columns are computed, so the only upper bound is "
             "d·L2 (Eq. 6.22); rho_diag.abs_sum_ci estimates ‖H‖_{1,1} ≥ L∞, statistically, not as a bound")
    return l2_interval


def run(ctx: Context, plan: GeometryPlan = PLAN) -> None:
    """Fill Linf, rho_diag, grad_norm, grad_density and improvement_ratio of `ctx.report`.

    Timings: "hessian_columns" for the column products, "geometry" for the rest of the section.
    """
    problem, report = ctx.problem, ctx.report
    gradient = _numpy(ctx.gradient)
    top, bottom = ctx.top, ctx.bottom  # shared with the spectrum section (timed there)
    if report.L2 is None:  # `--only geometry`: L2 (SPEC §4) from the shared Lanczos runs
        report.L2 = spectral_norm(top, bottom)
    l2 = report.L2
    vectors, named = _ritz(ctx)
    eps = float(torch.finfo(problem.dtype).eps)
    report.settings["geometry"] = dataclasses.asdict(plan)
    before = ctx.hessian.matvecs
    route = _from_all_columns if ctx.hessian_dense is not None else _from_products
    l2_interval = route(ctx, plan, (l2.value - l2.residual, l2.value + l2.residual), vectors, named, eps)
    report.settings["geometry"]["hessian_products"] = ctx.hessian.matvecs - before
    if report.Linf.hi_source is None:
        ctx.warn("L∞ has no upper end: every upper bound fell below a proven lower bound (d·L2 with L2 read "
                 "from a Lanczos bar that did not bound the spectrum); raise --max-matvecs or --exact-max-d")
    if report.rho_diag.reason:
        ctx.warn(f"rho_diag is null: {report.rho_diag.reason}")
    norms = gradient_norms(gradient)
    report.grad_norm = norms
    report.grad_density = gradient_density(gradient)
    report.improvement_ratio, reason = improvement_ratio(norms, report.grad_density, problem.d, l2_interval,
                                                         (report.Linf.lo, report.Linf.hi))
    if reason:
        ctx.warn(reason)
