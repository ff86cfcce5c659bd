"""Section `fisher` (SPEC §6): the Hessian, GGN (= Fisher), Monte-Carlo Fisher and empirical Fisher.

Reuses the context's Hessian top-k (`ctx.top`), the GGN and EF operators and their top-k, the trace
of H when the context has one (`ctx.trace`), and the per-sample pass (`ctx.gradient_noise`: tr EF =
tr Σ + ‖∇R‖², exact). For d ≤ ctx.exact_dim every trace and distance is exact (dense matrices);
otherwise they share PROBES Rademacher probes and carry standard errors. Small problems also get
their top-k eigenpairs (`ctx.lanczos_top`) and damped solves from the same dense matrices.
"""

from __future__ import annotations

import torch

from ..estimators.cg import cosine_with_bound, damped_cg
from ..estimators.fisher import FisherComparison, PreconditionedCosine, mc_fisher_trace
from ..estimators.dense_spectrum import dense_damped_solve
from ..estimators.matrix_probes import Estimate, compare_matrices, exact_comparison
from ..estimators.residuals import residual_size
from ..operators.fisher_mc import MonteCarloFisherOperator
from .context import Context

IMPLEMENTED = True
MC_SAMPLES = 1  # labels drawn per data point for F_mc
PROBES = 32
DAMPING_FACTOR = 1e-3  # λ = 1e-3 · λ_max(F) unless --damping
# CG stops at ‖r‖ ≤ rtol‖∇R‖: the solution is then within rtol·(λ_max + λ)/λ ≈ 1e-3 (float64) of
# itself, so the cosine within ≈ 2e-3 — certified by the reported bound, and usually far better.
CG_RTOL, CG_RTOL_FLOAT32 = 1e-6, 1e-4


def _cosine(ctx: Context, lambda_max_f: float) -> PreconditionedCosine | None:
    s = ctx.settings
    if s.damping is not None:
        damping, source = s.damping, "--damping"
    else:
        damping, source = DAMPING_FACTOR * lambda_max_f, f"{DAMPING_FACTOR:g} · λ_max(F)"
    if not damping > 0:
        ctx.warn("fisher: λ_max(F) ≤ 0, so the default damping is 0; cos_precond_F_EF is null (set --damping)")
        return None
    if float(ctx.gradient.norm()) == 0.0:
        ctx.warn("fisher: ∇R = 0, so (F + λI)⁻¹∇R = 0 and cos_precond_F_EF is undefined (null)")
        return None
    rtol = CG_RTOL if ctx.problem.dtype == torch.float64 else CG_RTOL_FLOAT32
    with ctx.timer("conjugate_gradients"):
        if ctx.problem.d <= ctx.exact_dim:
            cg_f = dense_damped_solve(ctx.dense_matrix(ctx.ggn, "GGN"), ctx.gradient, damping)
            cg_ef = dense_damped_solve(ctx.dense_matrix(ctx.empirical_fisher, "EF"), ctx.gradient, damping)
        else:
            cg_f = damped_cg(ctx.ggn, ctx.gradient, damping, rtol=rtol, max_iterations=s.max_matvecs)
            cg_ef = damped_cg(ctx.empirical_fisher, ctx.gradient, damping, rtol=rtol, max_iterations=s.max_matvecs)
    for name, result in (("F", cg_f), ("EF", cg_ef)):
        if not result.converged:
            ctx.warn(f"fisher: CG on {name} + λI stopped at relative residual {result.residual:.1e} after "
                     f"{result.iterations} products; cos_precond_F_EF carries its error bound")
    value, bound = cosine_with_bound(cg_f, cg_ef)
    return PreconditionedCosine(value, bound, damping, source, cg_f, cg_ef)


def run(ctx: Context) -> None:
    problem = ctx.problem
    tops = {"H": ctx.top, "GGN": ctx.ggn_top, "EF": ctx.ef_top}
    moments = ctx.gradient_noise
    fmc = MonteCarloFisherOperator(problem, ctx.generator("fisher-mc-labels"), MC_SAMPLES)
    tops["F_mc"] = ctx.lanczos_top(fmc, "F_mc")
    trace_h = ctx.trace if getattr(type(ctx), "trace", None) is not None else None
    exact = problem.d <= ctx.exact_dim
    operators = {"H": ctx.hessian, "GGN": ctx.ggn, "EF": ctx.empirical_fisher}
    if exact or moments is None:
        operators["F_mc"] = fmc
    pairs = {"EF_vs_F": ("EF", "GGN"), "F_vs_H": ("GGN", "H")}
    with ctx.timer("fisher_traces_distances"):
        if exact:
            comparison = exact_comparison({name: ctx.dense_matrix(op, name) for name, op in operators.items()}, pairs)
        else:
            comparison = compare_matrices(operators, pairs, generator=ctx.generator("fisher-probes"), probes=PROBES,
                                          exact_dim=0)
        traces = dict(comparison.traces)
        if not exact:
            if moments is not None:
                traces["EF"] = Estimate(moments.trace_ef, 0.0,
                                        "exact: tr Σ + ‖∇R‖² from per-sample gradients (Eq. 7.22)")
                try:
                    traces["F_mc"] = mc_fisher_trace(ctx.per_sample, fmc)
                finally:
                    ctx.per_sample.close()
                    ctx.report.settings.update(ctx.per_sample.describe())
            if trace_h is not None:
                traces["H"] = Estimate(float(trace_h.estimate), float(trace_h.stderr),
                                       str(getattr(trace_h, "method", "context trace")))
    cosine = _cosine(ctx, tops["GGN"].values[0].value)
    with ctx.timer("residual_size"):
        residual = residual_size(problem)
    notes = ["F denotes the GGN, which equals the Fisher for ce, mse and bce (Prop. 7.1); "
             f"F_mc draws {MC_SAMPLES} label(s) per sample from the model (seeded)"]
    if exact:
        notes.append(f"d = {problem.d} ≤ {ctx.exact_dim}: eigenpairs (except the Hessian's, from the spectrum "
                     "section), traces, distances and damped solves from dense matrices")
    ctx.report.fisher = FisherComparison(
        top=tops, traces=traces, distances=comparison.distances, d=problem.d, residual=residual,
        cosine=cosine, mc_samples=MC_SAMPLES, probes=comparison.probes, notes=notes)
